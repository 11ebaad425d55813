import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dns1123SubdomainError } from '../settings/names';

/** azureml-fe reads its TLS Secret from this namespace only (spec section 1). */
export const AZUREML_NAMESPACE = 'azureml';

/** The Secret's key for the certificate chain (spec section 1). */
export const CERT_KEY = 'cert.pem';

/** The Secret's key for the private key (spec section 1). */
export const KEY_KEY = 'key.pem';

/**
 * Properties for {@link AzureMlTlsSecret}.
 */
export interface AzureMlTlsSecretProps {
  /**
   * The Secret's name, used verbatim (no hash suffix) because the extension's `sslSecret` setting names it.
   * Must be a DNS-1123 subdomain.
   */
  readonly secretName: string;
  /** `cert.pem`: the full chain, leaf first, PEM text. */
  readonly certificatePem: string;
  /** `key.pem`: the unencrypted private key, PEM text. */
  readonly privateKeyPem: string;
}

/**
 * The TLS Secret azureml-fe serves HTTPS with, exactly as spec section 1 and the Microsoft doc show it: namespace
 * `azureml`, type `Opaque` (not `kubernetes.io/tls`), `data` with `cert.pem` and `key.pem` in base64.
 *
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-online-endpoint
 */
export class AzureMlTlsSecret extends Construct {
  /** The Secret's name (the value of `sslSecret`). */
  public readonly secretName: string;
  /** The underlying Secret. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: AzureMlTlsSecretProps) {
    super(scope, id);
    checkTlsSecretInput('AzureMlTlsSecret', props);
    this.secretName = props.secretName;
    // kplus.Secret only has stringData and always emits `immutable: false`; the L1 takes `data` as given.
    this.resource = new k8s.KubeSecret(this, 'Resource', {
      metadata: { name: props.secretName, namespace: AZUREML_NAMESPACE },
      type: 'Opaque',
      data: {
        [CERT_KEY]: Buffer.from(props.certificatePem, 'latin1').toString('base64'),
        [KEY_KEY]: Buffer.from(props.privateKeyPem, 'latin1').toString('base64'),
      },
    });
  }
}

/**
 * The backstop every construct that ends in azureml-fe's Secret applies to its input: a DNS-1123 name and both PEM
 * texts present. Throws naming the construct, the bad value and the fix (never the material).
 */
export function checkTlsSecretInput(construct: string, props: { readonly secretName: string; readonly certificatePem: string; readonly privateKeyPem: string }): void {
  const nameError = dns1123SubdomainError(props.secretName);
  if (nameError) {
    throw new Error(`secretName ${JSON.stringify(props.secretName)} is not a valid Secret name: it ${nameError}. Use a name such as azureml-fe-tls.`);
  }
  if (props.certificatePem.trim() === '' || props.privateKeyPem.trim() === '') {
    throw new Error(`${construct} ${props.secretName}: the certificate or the key is empty. Give both PEM texts.`);
  }
}
