import { ClusterPurpose, ExtensionSettings, InferenceRouterServiceType, InternalLoadBalancerProvider } from './model';

/** The type of one scalar setting. */
export enum SettingKind {
  /** Rendered `True` / `False`, as in the documented `az k8s-extension create` commands. */
  BOOLEAN = 'boolean',
  /** Passed through as given. */
  STRING = 'string',
  /** One of a closed set (compared case-insensitively, rendered in the documented spelling). */
  ENUM = 'enum',
}

/** How one typed field maps onto an upstream setting key. */
export interface SettingSpec {
  /** The upstream key, verbatim (also the key in the config file's `extension` block). */
  readonly key: string;
  /** Boolean, string or enum. */
  readonly kind: SettingKind;
  /** The allowed values of an enum, in their documented spelling. @default - not an enum */
  readonly values?: string[];
  /** One line for the JSON Schema and the docs. */
  readonly description: string;
}

/** The scalar fields of {@link ExtensionSettings} (the maps are handled on their own). */
export type ScalarSettingField = Exclude<keyof ExtensionSettings, 'nodeSelector' | 'additionalSettings' | 'additionalProtectedSettings'>;

const bool = (key: string, description: string): SettingSpec => ({ key, kind: SettingKind.BOOLEAN, description });
const str = (key: string, description: string): SettingSpec => ({ key, kind: SettingKind.STRING, description });
const enumOf = (key: string, values: string[], description: string): SettingSpec => ({ key, kind: SettingKind.ENUM, values, description });

/**
 * Every scalar key of spec section 2, by typed field. Typed as a `Record` over the fields so that adding a field to
 * {@link ExtensionSettings} without a row here fails to compile; the config loader and the JSON Schema read this table.
 */
export const SCALAR_SETTINGS: Record<ScalarSettingField, SettingSpec> = {
  enableTraining: bool('enableTraining', 'Install the training components (at least one of enableTraining / enableInference).'),
  enableInference: bool('enableInference', 'Install the inference components, among them azureml-fe.'),
  inferenceRouterServiceType: enumOf('inferenceRouterServiceType', Object.values(InferenceRouterServiceType),
    'How azureml-fe is exposed; required with enableInference.'),
  internalLoadBalancerProvider: enumOf('internalLoadBalancerProvider', Object.values(InternalLoadBalancerProvider),
    'Internal load balancer (AKS only; not with NodePort).'),
  allowInsecureConnections: bool('allowInsecureConnections', 'Plain HTTP, no TLS (dev/test); prefer the environment\'s `insecure: true`.'),
  inferenceRouterHA: bool('inferenceRouterHA', 'Three azureml-fe replicas; needs 3 or more nodes.'),
  clusterPurpose: enumOf('clusterPurpose', Object.values(ClusterPurpose), 'Sizing profile; DevTest is derived on clusters under 3 nodes.'),
  installNvidiaDevicePlugin: bool('installNvidiaDevicePlugin', 'Install the NVIDIA device plugin.'),
  installDcgmExporter: bool('installDcgmExporter', 'Install the DCGM exporter.'),
  installPromOp: bool('installPromOp', 'Install the Prometheus operator (false reuses an existing one).'),
  installVolcano: bool('installVolcano', 'Install Volcano (false reuses an existing one).'),
  volcanoSchedulerConfigMap: str('volcanoScheduler.schedulerConfigMap', 'ConfigMap with a custom Volcano scheduler configuration.'),
  amloperatorSkipResourceValidation: bool('amloperator.skipResourceValidation', 'Skip the AML operator\'s resource validation.'),
  nginxIngressController: str('nginxIngress.controller', 'Ingress controller class for the extension\'s nginx ingress.'),
  scoringFeEnableUpgrade: bool('scoringFe.enableUpgrade', 'Let azureml-fe upgrade in place.'),
  isAKSMigration: bool('isAKSMigration', 'Migrating from AzureML v1 AKS inference (sets scoringFe.namespace=default).'),
};

/** Setting keys set from TLS input or derived by the az CLI (spec section 3): never accepted as pass-through keys. */
export const TLS_AND_DERIVED_KEYS: readonly string[] = [
  'sslSecret', 'sslCname', 'sslCertPemFile', 'sslKeyPemFile',
  'scoringFe.sslSecret', 'scoringFe.sslCert', 'scoringFe.sslKey',
  'scoringFe.serviceType.nodePort', 'scoringFe.serviceType.internalLoadBalancer', 'scoringFe.namespace',
];

/** Renders a boolean as the documented commands spell it. */
export function renderBoolean(value: boolean): string {
  return value ? 'True' : 'False';
}
