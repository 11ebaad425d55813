import { Construct } from 'constructs';
import { AzureMlExtensionProps, ExtensionPlan, planExtensionOrThrow } from '../plan';
import { ExtensionModel } from '../settings/extension-model';
import { AzureMlTlsSecret } from './tls-secret';
import { CertManagerTlsSecret } from './delivery/cert-manager';
import { KeyVaultTlsSecret } from './delivery/key-vault';
import { SealedTlsSecret } from './delivery/sealed-secret';
import { KeyVaultCertificateFormat } from '../certificate/external';

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
  /** The certificate report and warnings. */
  public readonly plan: ExtensionPlan;
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

  constructor(scope: Construct, id: string, props: AzureMlExtensionProps) {
    super(scope, id);
    const plan = planExtensionOrThrow(props);
    this.plan = plan;
    this.model = plan.model;
    if (plan.secret) {
      this.secret = new AzureMlTlsSecret(this, 'TlsSecret', plan.secret);
    }
    if (plan.sealed) {
      this.delivery = new SealedTlsSecret(this, 'SealedSecret', { ...plan.sealed, cache: props.sealCache, now: props.now });
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
  }
}
