// The public API, by name: what crosses to every jsii language. Everything else under lib/ is internal (jsii would
// silently drop free functions and constants anyway), so nothing is exported here that other languages cannot use.

// The app and the constructs.
export { AzureMlApp, AzureMlAppProps, AzureMlAppFromConfigOptions } from './app';
export { AzureMlEnvironmentChart, AzureMlEnvironmentChartProps } from './constructs/environment-chart';
export { AzureMlExtension } from './constructs/extension';
export { AzureMlTlsSecret, AzureMlTlsSecretProps } from './constructs/tls-secret';
export { SealedTlsSecret, SealedTlsSecretProps } from './constructs/delivery/sealed-secret';
export { KeyVaultTlsSecret, KeyVaultTlsSecretProps } from './constructs/delivery/key-vault';
export { CertManagerTlsSecret, CertManagerTlsSecretProps, CertManagerPrivateKey } from './constructs/delivery/cert-manager';
export { AzureMlAsoExtension, AzureMlAsoExtensionProps } from './constructs/aso-extension';

// Installation props: settings, TLS, the cluster.
export { AzureMlExtensionProps, AzureMlTlsOptions, SealingOptions, TlsDelivery } from './plan';
export { AzureMlAsoOptions, AzureMlAsoKeyVaultOptions, AsoReconcilePolicy } from './aso-options';
export { ExtensionSettings, ClusterIdentity, ClusterType, ClusterPurpose, InferenceRouterServiceType, InternalLoadBalancerProvider } from './settings/model';
export { TlsCertificate, TlsCertificateSourceKind, SelfSignedOptions, TlsCertificateResolveContext, ResolvedTlsCertificate, TlsMaterial } from './certificate/source';
export { KeyVaultCertificateFormat, KeyVaultCertificateOptions, CertManagerIssuerKind, CertManagerCertificateOptions } from './certificate/external';
export { SealingScope } from './sealing/scope';

// The settings model without cdk8s.
export { ExtensionPlanner, ExtensionPlanResult } from './planner';
export { ExtensionModel } from './settings/extension-model';
export { DerivedSettings, ArcRelay } from './settings/derive';
export { TlsMode } from './settings/tls';
export { Problem } from './problems';

// Certificate checks.
export { TlsValidator, TlsValidationInput } from './certificate/validator';
export { TlsReport, CertificateFacts, KeyFacts, KeyType } from './certificate/facts';
export { Finding, Severity } from './certificate/findings';

// Renderers and the config-file pipeline.
export { InstallInputs } from './render/install-inputs';
export { AzScriptOptions } from './render/az';
export { IacInputs, IacPemFiles } from './render/iac';
export { WorkloadIdentityScriptOptions } from './render/workload-identity';
export { AzureMlSynth, SynthOptions, SynthResult, SynthCheckOptions, SynthCheckResult, SynthDifference, SynthDifferenceKind } from './synth';
