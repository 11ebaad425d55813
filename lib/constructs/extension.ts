import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { applyObjectMetadata } from './metadata';
import { AzureMlExtensionProps, ExtensionPlan, planExtensionOrThrow, TlsDelivery } from '../plan';
import { Finding } from '../certificate/findings';
import { TlsReport } from '../certificate/facts';
import { ExtensionModel } from '../settings/extension-model';
import { AZUREML_NAMESPACE, AzureMlTlsSecret } from './tls-secret';
import { CertManagerTlsSecret } from './delivery/cert-manager';
import { KeyVaultTlsSecret } from './delivery/key-vault';
import { SealedTlsSecret } from './delivery/sealed-secret';
import { KeyVaultCertificateFormat } from '../certificate/external';
import { extensionDefaultsOf } from './app-defaults';

/** What each extension was built from, for the app's renderers (internal: not part of the public API). */
const plans = new WeakMap<AzureMlExtension, { readonly plan: ExtensionPlan; readonly props: AzureMlExtensionProps }>();

/** The plan and props an extension was built from. */
export function extensionPlanOf(extension: AzureMlExtension): { readonly plan: ExtensionPlan; readonly props: AzureMlExtensionProps } {
  const entry = plans.get(extension);
  if (!entry) throw new Error('internal: an AzureMlExtension without a plan');
  return entry;
}

/**
 * One installation of the AzureML Kubernetes extension (`Microsoft.AzureML.Kubernetes`) with HTTPS for azureml-fe.
 *
 * Creates the TLS Secret when the certificate is delivered as a Secret, and exposes the extension's configuration
 * settings (as the az CLI would send them) and Helm values. The extension itself is an Azure resource, not a
 * Kubernetes object: the renderers turn {@link model} into az, Bicep, ARM and Terraform inputs.
 *
 * Throws (a backstop: the synth pipeline reports every problem of every environment first) when the settings break
 * a rule of the extension or the certificate is unusable.
 */
export class AzureMlExtension extends Construct {
  /** Settings, protected settings and Helm values. Protected settings may hold key material: never log them. */
  public readonly model: ExtensionModel;
  /** Certificate warnings: usable, but worth a look (errors throw). */
  public readonly warnings: Finding[];
  /**
   * The certificate report (chain, key, findings), when this tool saw the material.
   * @default - none: an existing Secret, Key Vault or cert-manager certificate is never seen
   */
  public readonly certificateReport?: TlsReport;
  /**
   * How the certificate reaches azureml-fe.
   * @default - none: no TLS
   */
  public readonly tlsDelivery?: TlsDelivery;
  /**
   * The TLS Secret, in secret delivery of material.
   * @default - none
   */
  public readonly secret?: AzureMlTlsSecret;
  /**
   * The construct that makes the cluster fetch or issue the certificate (externalSecret, certManager delivery).
   * @default - none
   */
  public readonly delivery?: Construct;
  /**
   * The Namespace `azureml`, when emitted (see `createNamespace`).
   * @default - none
   */
  public readonly namespace?: ApiObject;

  constructor(scope: Construct, id: string, props: AzureMlExtensionProps) {
    super(scope, id);
    // An AzureMlApp lends its state folder and time to extensions that leave them out; the same props object is kept
    // otherwise, so the plan the synth pipeline already made is reused.
    const lent = extensionDefaultsOf(this);
    const effective = (props.stateDir === undefined && lent.stateDir !== undefined) || (props.now === undefined && lent.now !== undefined)
      ? { ...props, stateDir: props.stateDir ?? lent.stateDir, now: props.now ?? lent.now }
      : props;
    const plan = planExtensionOrThrow(effective);
    plans.set(this, { plan, props: effective });
    this.model = plan.model;
    this.warnings = plan.warnings;
    this.certificateReport = plan.certificateReport;
    this.tlsDelivery = plan.delivery;
    // The Namespace first: GitOps tools and kustomize apply it before the objects that live in it.
    const putsObjects = !!(plan.secret || plan.sealed || plan.keyVault || plan.certManager);
    if (effective.createNamespace ?? putsObjects) {
      this.namespace = new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: AZUREML_NAMESPACE } });
    }
    if (plan.secret) {
      this.secret = new AzureMlTlsSecret(this, 'TlsSecret', plan.secret);
    }
    if (plan.sealed) {
      this.delivery = new SealedTlsSecret(this, 'SealedSecret', { ...plan.sealed, now: effective.now });
    }
    if (plan.keyVault) {
      const o = plan.keyVault.options;
      this.delivery = new KeyVaultTlsSecret(this, 'KeyVault', {
        secretName: plan.keyVault.secretName,
        vaultUrl: o.vaultUrl,
        certificateName: o.certificateName,
        clientId: o.clientId,
        tenantId: o.tenantId,
        format: o.format ?? KeyVaultCertificateFormat.PFX,
        serviceAccountName: o.serviceAccountName,
      });
    }
    if (plan.certManager) {
      const o = plan.certManager.options;
      this.delivery = new CertManagerTlsSecret(this, 'CertManager', {
        secretName: plan.certManager.secretName,
        cname: plan.certManager.cname,
        issuerName: o.issuerName,
        issuerKind: o.issuerKind,
        issuerGroup: o.issuerGroup,
        extraNames: o.extraNames,
        duration: o.duration,
        renewBefore: o.renewBefore,
      });
    }
    applyObjectMetadata(this, effective.labels, effective.annotations);
  }
}
