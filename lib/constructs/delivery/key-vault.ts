import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KeyVaultCertificateFormat } from '../../certificate/external';
import { tlsExternalSecret } from './tls-external-secret';
import {
  SecretStore, SecretStoreSpecProviderAzurekvAuthType, SecretStoreSpecProviderAzurekvEnvironmentType,
} from '../../../imports/secretstores-external-secrets.io';
import { formatProblem, Problem } from '../../problems';
import { dns1123SubdomainError } from '../../settings/names';
import { AZUREML_NAMESPACE, CERT_KEY, KEY_KEY } from '../tls-secret';

/** The annotation Azure Workload Identity (and ESO's `azurekv` provider) reads the client id from. */
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';

/** The annotation Azure Workload Identity (and ESO's `azurekv` provider) reads the tenant id from. */
export const WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';

/** The default name of the ServiceAccount ESO exchanges for an Entra token (the federated credential's subject). */
export const DEFAULT_KEY_VAULT_SERVICE_ACCOUNT = 'azureml-fe-tls-reader';

/** The vault DNS suffixes of the Azure clouds, and the ESO `environmentType` each needs. */
const VAULT_DOMAINS: { readonly suffix: string; readonly environment?: SecretStoreSpecProviderAzurekvEnvironmentType }[] = [
  { suffix: 'vault.azure.net' }, // PublicCloud, ESO's default
  { suffix: 'vault.azure.cn', environment: SecretStoreSpecProviderAzurekvEnvironmentType.CHINA_CLOUD },
  { suffix: 'vault.usgovcloudapi.net', environment: SecretStoreSpecProviderAzurekvEnvironmentType.US_GOVERNMENT_CLOUD },
  { suffix: 'vault.microsoftazure.de', environment: SecretStoreSpecProviderAzurekvEnvironmentType.GERMAN_CLOUD },
];

const VAULT_URL = /^https:\/\/([^./:]+)\.([^/:]+)\/?$/i;
/** Key Vault names: 3-24 characters, letters, digits and '-', starting with a letter, not ending with '-', no '--'. */
const VAULT_NAME = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CERTIFICATE_NAME = /^[0-9a-zA-Z-]{1,127}$/;
/** A Go duration as ESO's `refreshInterval` takes it, e.g. `1h`, `30m`, `1h30m`, `0s`. */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

const VAULT_URL_HELP = `Use https://<vault-name>.${VAULT_DOMAINS[0].suffix}/ (other Azure clouds: ${VAULT_DOMAINS.slice(1).map((d) => `.${d.suffix}`).join(', ')}) with a vault name of 3-24 letters, digits and '-', starting with a letter`;

function parseVaultUrl(vaultUrl: string): { readonly vaultName: string; readonly environment?: SecretStoreSpecProviderAzurekvEnvironmentType } | undefined {
  const m = VAULT_URL.exec(vaultUrl);
  if (!m) return undefined;
  const [, name, domain] = m;
  const cloud = VAULT_DOMAINS.find((d) => d.suffix === domain.toLowerCase());
  if (!cloud || !VAULT_NAME.test(name) || name.includes('--')) return undefined;
  return { vaultName: name.toLowerCase(), environment: cloud.environment };
}

/**
 * Why `vaultUrl` is not a Key Vault URL (`https://<name>.vault.azure.net/`, or the vault domain of another Azure
 * cloud), or `undefined` when it is one.
 */
export function keyVaultUrlError(vaultUrl: string): string | undefined {
  return parseVaultUrl(vaultUrl) ? undefined : `vaultUrl ${JSON.stringify(vaultUrl)} is not a Key Vault URL. ${VAULT_URL_HELP}, e.g. https://my-vault.vault.azure.net/.`;
}

/** ESO's `environmentType` for a vault URL: undefined for the public cloud (ESO's default) or a URL that is not a vault's. */
export function keyVaultEnvironmentType(vaultUrl: string): SecretStoreSpecProviderAzurekvEnvironmentType | undefined {
  return parseVaultUrl(vaultUrl)?.environment;
}

/** The vault's name (lower case) from its URL: `https://my-vault.vault.azure.net/` -> `my-vault`. Throws when the URL is not a Key Vault URL. */
export function keyVaultNameFromUrl(vaultUrl: string): string {
  const parsed = parseVaultUrl(vaultUrl);
  if (!parsed) throw new Error(keyVaultUrlError(vaultUrl));
  return parsed.vaultName;
}

/** True when `value` is a GUID (client and tenant ids). */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** True when `value` is a Go duration as ESO's `refreshInterval` takes it (`1h`, `30m`, `1h30m`, `0s`). */
export function isGoDuration(value: string): boolean {
  return GO_DURATION.test(value);
}

/**
 * Properties for {@link KeyVaultTlsSecret}.
 */
export interface KeyVaultTlsSecretProps {
  /**
   * The name of the Secret azureml-fe reads (the extension's `sslSecret`), in namespace `azureml`. ESO creates and
   * owns it. Must be a DNS-1123 subdomain.
   */
  readonly secretName: string;
  /**
   * The vault's URL, e.g. `https://my-vault.vault.azure.net/` (`vault.azure.cn`, `vault.usgovcloudapi.net` and
   * `vault.microsoftazure.de` select the matching Azure cloud).
   */
  readonly vaultUrl: string;
  /**
   * The name of the Key Vault certificate. Its policy must mark the key exportable: only then does the certificate's
   * secret object (read here as `secret/<certificateName>`) hold the private key.
   */
  readonly certificateName: string;
  /** The client id (GUID) of the user-assigned managed identity (or app registration) federated with the ServiceAccount. */
  readonly clientId: string;
  /** The Entra tenant id (GUID) of that identity. */
  readonly tenantId: string;
  /** The certificate's content type in Key Vault. */
  readonly format: KeyVaultCertificateFormat;
  /**
   * The ServiceAccount ESO exchanges for an Entra token; the federated credential's subject is
   * `system:serviceaccount:azureml:<serviceAccountName>`.
   * @default 'azureml-fe-tls-reader'
   */
  readonly serviceAccountName?: string;
  /**
   * How often ESO reads the vault again (a Go duration; `0s` reads once). A renewed certificate reaches the Secret
   * within this interval; azureml-fe may still need `az k8s-extension update` to pick it up (spec section 5).
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * The TLS Secret azureml-fe reads, delivered from an Azure Key Vault certificate by the External Secrets Operator
 * (`external-secrets.io/v1`) with Azure Workload Identity, so no key material ever exists in git or at synth time.
 *
 * Creates in namespace `azureml`: a ServiceAccount annotated with the identity's client and tenant ids, a SecretStore
 * (`azurekv`, `authType: WorkloadIdentity`, referring to that ServiceAccount) and an ExternalSecret that reads the
 * certificate's secret object and renders the Opaque Secret with `cert.pem` (leaf first, then the chain) and
 * `key.pem` (unencrypted PKCS#8 PEM).
 *
 * Azure side (see `renderWorkloadIdentityScript`): the cluster's OIDC issuer must be enabled, the identity needs a
 * federated credential for `system:serviceaccount:azureml:<serviceAccountName>` (audience
 * `api://AzureADTokenExchange`) and the `Key Vault Secrets User` role on the vault. ESO requests the ServiceAccount
 * token itself (TokenRequest), so the Workload Identity webhook is not needed for this.
 *
 * @see https://external-secrets.io/latest/provider/azure-key-vault/
 */
export class KeyVaultTlsSecret extends Construct {
  /** The name of the Secret azureml-fe reads (the value of `sslSecret`). */
  public readonly secretName: string;
  /** The ServiceAccount's name (the federated credential's subject is `system:serviceaccount:azureml:<this>`). */
  public readonly serviceAccountName: string;
  /** The vault's name, from the URL. */
  public readonly vaultName: string;
  /** The ServiceAccount. */
  public readonly serviceAccount: ApiObject;
  /** The SecretStore. */
  public readonly secretStore: ApiObject;
  /** The ExternalSecret that writes the Secret. */
  public readonly externalSecret: ApiObject;

  constructor(scope: Construct, id: string, props: KeyVaultTlsSecretProps) {
    super(scope, id);
    const problems = keyVaultTlsSecretProblems(props);
    if (problems.length > 0) throw new Error(problems.map((p) => `KeyVaultTlsSecret: ${formatProblem(p)}`).join('\n'));
    const serviceAccountName = props.serviceAccountName ?? DEFAULT_KEY_VAULT_SERVICE_ACCOUNT;
    const refreshInterval = props.refreshInterval ?? '1h';
    const storeName = `${props.secretName}-key-vault`;
    const vault = parseVaultUrl(props.vaultUrl) as { readonly vaultName: string; readonly environment?: SecretStoreSpecProviderAzurekvEnvironmentType };
    this.secretName = props.secretName;
    this.serviceAccountName = serviceAccountName;
    this.vaultName = vault.vaultName;

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: serviceAccountName,
        namespace: AZUREML_NAMESPACE,
        annotations: {
          [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: props.clientId,
          [WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION]: props.tenantId,
        },
      },
    });

    this.secretStore = new SecretStore(this, 'SecretStore', {
      metadata: { name: storeName, namespace: AZUREML_NAMESPACE },
      spec: {
        provider: {
          azurekv: {
            authType: SecretStoreSpecProviderAzurekvAuthType.WORKLOAD_IDENTITY,
            vaultUrl: props.vaultUrl,
            // Only outside the public cloud; ESO defaults to PublicCloud.
            environmentType: vault.environment,
            // The tenant id is given once, on the ServiceAccount: ESO's azurekv provider (v0.9 to v2.x, legacy and
            // new SDK alike) fails with "multiple tenantID found" when `tenantId` is set here AND the ServiceAccount
            // carries the tenant-id annotation. The client id can only come from the annotation (or a secretRef).
            serviceAccountRef: { name: serviceAccountName },
          },
        },
      },
    });

    // The certificate's secret object holds the certificate with its private key. ESO's azurekv provider returns a
    // `secret/` object's raw value: for PFX the base64 of a password-less PKCS#12 (hence b64dec), for PEM the text.
    // Template functions (ESO template engine v2, runtime/template/v2): pkcs12cert returns the leaf and the CA
    // certificates as PEM, ordered leaf first when they form one chain; pkcs12key returns the key as PKCS#8
    // "PRIVATE KEY" PEM; filterPEM keeps the PEM blocks whose type equals its argument (case-insensitively), in input
    // order. Unverified here: that Key Vault's PEM content type always carries the key as a PKCS#8 "PRIVATE KEY"
    // block (a PKCS#1 "RSA PRIVATE KEY" block would render an empty key.pem) and the certificates leaf first.
    const sourceKey = props.format;
    const template = props.format === KeyVaultCertificateFormat.PFX
      ? { [CERT_KEY]: `{{ .${sourceKey} | b64dec | pkcs12cert }}`, [KEY_KEY]: `{{ .${sourceKey} | b64dec | pkcs12key }}` }
      : { [CERT_KEY]: `{{ .${sourceKey} | filterPEM "CERTIFICATE" }}`, [KEY_KEY]: `{{ .${sourceKey} | filterPEM "PRIVATE KEY" }}` };

    this.externalSecret = tlsExternalSecret(this, 'Resource', {
      secretName: props.secretName,
      storeName,
      refreshInterval,
      template: template,
      data: [{ secretKey: sourceKey, remoteRef: { key: `secret/${props.certificateName}` } }],
    });
  }
}

/**
 * Every problem with the props, each naming the field, the bad value and the fix (empty when valid). The plan reports
 * them with the other problems of an environment; the construct throws them as a backstop.
 */
export function keyVaultTlsSecretProblems(props: KeyVaultTlsSecretProps): Problem[] {
  const problems: Problem[] = [];
  const serviceAccountName = props.serviceAccountName ?? DEFAULT_KEY_VAULT_SERVICE_ACCOUNT;
  const refreshInterval = props.refreshInterval ?? '1h';
  const name = (field: string, value: string, example: string) => {
    const error = dns1123SubdomainError(value);
    if (error) problems.push({ field, message: `is not a valid object name: it ${error}`, value, fix: `use a name such as ${example}` });
  };
  name('secretName', props.secretName, 'azureml-fe-tls');
  name('serviceAccountName', serviceAccountName, DEFAULT_KEY_VAULT_SERVICE_ACCOUNT);
  if (`${props.secretName}-key-vault`.length > 253) {
    problems.push({ field: 'secretName', message: `is ${props.secretName.length} characters long; the SecretStore <secretName>-key-vault would exceed 253`, fix: 'use a shorter secretName such as azureml-fe-tls' });
  }
  const vault = parseVaultUrl(props.vaultUrl);
  if (!vault) problems.push({ field: 'vaultUrl', message: 'is not a Key Vault URL', value: props.vaultUrl, fix: `${VAULT_URL_HELP}, e.g. https://my-vault.vault.azure.net/` });
  if (!isGuid(props.clientId)) {
    problems.push({ field: 'clientId', message: 'is not a GUID', value: props.clientId, fix: "use the managed identity's client id: az identity show --name <identity> --resource-group <group> --query clientId -o tsv" });
  }
  if (!isGuid(props.tenantId)) {
    problems.push({ field: 'tenantId', message: 'is not a GUID', value: props.tenantId, fix: 'use the Entra tenant id: az account show --query tenantId -o tsv' });
  }
  if (!CERTIFICATE_NAME.test(props.certificateName)) {
    problems.push({ field: 'certificateName', message: 'is not a Key Vault certificate name', value: props.certificateName, fix: `use 1-127 letters, digits and '-', as shown by az keyvault certificate list --vault-name ${vault?.vaultName ?? '<vault>'} --query [].name` });
  }
  if (!isGoDuration(refreshInterval)) {
    problems.push({ field: 'refreshInterval', message: 'is not a Go duration', value: refreshInterval, fix: 'use e.g. 1h, 30m or 1h30m (0s reads once)' });
  }
  if (!Object.values(KeyVaultCertificateFormat).includes(props.format)) {
    problems.push({ field: 'format', message: 'is not a Key Vault certificate content type', value: String(props.format), fix: 'use KeyVaultCertificateFormat.PFX or KeyVaultCertificateFormat.PEM' });
  }
  return problems;
}
