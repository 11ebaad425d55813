import { Construct } from 'constructs';
import {
  ExternalSecret, ExternalSecretSpecData, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
} from '../../../imports/externalsecrets-external-secrets.io';
import { AZUREML_NAMESPACE } from '../tls-secret';

/** What an ExternalSecret writing azureml-fe's Secret needs: where it reads from and how it templates the two keys. */
export interface TlsExternalSecretProps {
  /** The Secret azureml-fe reads (also the ExternalSecret's name), in namespace `azureml`. */
  readonly secretName: string;
  /** The SecretStore in `azureml` to read from. */
  readonly storeName: string;
  /** How often ESO re-reads the source (a Go duration). */
  readonly refreshInterval: string;
  /** The values to fetch, by template variable. */
  readonly data: ExternalSecretSpecData[];
  /** Template engine v2 expressions for `cert.pem` and `key.pem`. */
  readonly template: { readonly [key: string]: string };
}

/**
 * The ExternalSecret both ESO-based deliveries end in: it owns the Secret azureml-fe reads (spec section 1: namespace
 * `azureml`, type `Opaque`, keys `cert.pem` and `key.pem`).
 */
export function tlsExternalSecret(scope: Construct, id: string, props: TlsExternalSecretProps): ExternalSecret {
  return new ExternalSecret(scope, id, {
    metadata: { name: props.secretName, namespace: AZUREML_NAMESPACE },
    spec: {
      refreshInterval: props.refreshInterval,
      secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.SECRET_STORE, name: props.storeName },
      target: {
        name: props.secretName,
        creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
        template: { engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2, type: 'Opaque', data: { ...props.template } },
      },
      data: props.data,
    },
  });
}
