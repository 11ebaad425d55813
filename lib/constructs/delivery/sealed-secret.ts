import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SealedSecret } from '../../../imports/sealedsecrets-bitnami.com';
import { formatFinding, Severity } from '../../certificate/findings';
import { checkSealingCertificate, SealingKey, sealingLabel, sealingScopeAnnotations, sealValue } from '../../sealing/seal';
import { SealingScope } from '../../sealing/scope';
import { AZUREML_NAMESPACE, CERT_KEY, checkTlsSecretInput, KEY_KEY } from '../tls-secret';

/**
 * Properties for {@link SealedTlsSecret}.
 */
export interface SealedTlsSecretProps {
  /**
   * The name of the Secret the controller creates (the extension's `sslSecret`), in namespace `azureml`; also the
   * SealedSecret's name. Must be a DNS-1123 subdomain.
   */
  readonly secretName: string;
  /** `cert.pem`: the full chain, leaf first, PEM text. */
  readonly certificatePem: string;
  /** `key.pem`: the unencrypted private key, PEM text. */
  readonly privateKeyPem: string;
  /**
   * The Sealed Secrets controller's certificate, PEM text, as `kubeseal --fetch-cert` prints it. Must be an RSA
   * certificate that is valid at `now`.
   */
  readonly sealingCertificatePem: string;
  /**
   * Which names the sealed values may be unsealed under.
   * @default SealingScope.STRICT
   */
  readonly scope?: SealingScope;
  /**
   * The time the sealing certificate is checked against.
   * @default - the current time
   */
  readonly now?: Date;
}

/**
 * The TLS Secret azureml-fe reads, as a Bitnami Sealed Secrets `SealedSecret` that is safe to commit: the controller
 * in the cluster unseals it into the Secret of spec section 1 (namespace `azureml`, type `Opaque`, keys `cert.pem`
 * and `key.pem`). Values are sealed here, offline, under the controller's certificate, in the format kubeseal
 * writes (spec section 6). Sealing is deterministic: the same input gives the same SealedSecret byte for byte, so a
 * re-synth reproduces the committed manifest and any edit to its ciphertext shows up as a difference.
 *
 * @see https://github.com/bitnami-labs/sealed-secrets
 */
export class SealedTlsSecret extends Construct {
  /** The name of the Secret the controller creates (the value of `sslSecret`). */
  public readonly secretName: string;
  /** The scope the values are sealed for. */
  public readonly scope: SealingScope;
  /** The SealedSecret. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: SealedTlsSecretProps) {
    super(scope, id);
    checkTlsSecretInput('SealedTlsSecret', props);
    const errors = checkSealingCertificate(props.sealingCertificatePem, props.now ?? new Date(), 'sealingCertificatePem')
      .filter((f) => f.severity === Severity.ERROR);
    if (errors.length > 0) {
      throw new Error(`SealedTlsSecret ${props.secretName}: the sealing certificate cannot be used: ${errors.map(formatFinding).join('; ')}`);
    }

    this.secretName = props.secretName;
    this.scope = props.scope ?? SealingScope.STRICT;
    const key = SealingKey.fromCertificatePem(props.sealingCertificatePem);
    const label = sealingLabel(this.scope, AZUREML_NAMESPACE, props.secretName);
    // The same bytes the plain Secret (AzureMlTlsSecret) holds.
    const seal = (pem: string): string => sealValue(Buffer.from(pem, 'latin1'), key, label);

    const annotations = sealingScopeAnnotations(this.scope);
    this.resource = new SealedSecret(this, 'Resource', {
      metadata: {
        name: props.secretName,
        namespace: AZUREML_NAMESPACE,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: {
        encryptedData: {
          [CERT_KEY]: seal(props.certificatePem),
          [KEY_KEY]: seal(props.privateKeyPem),
        },
        template: {
          // kubeseal copies the Secret's metadata into the template, the scope annotation included, so the unsealed
          // Secret carries it too and a re-seal from it keeps the scope (spec section 6).
          metadata: {
            name: props.secretName,
            namespace: AZUREML_NAMESPACE,
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          },
          type: 'Opaque',
        },
      },
    });
  }
}
