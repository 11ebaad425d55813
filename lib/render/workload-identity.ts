import { AZUREML_NAMESPACE } from '../constructs/tls-secret';
import { isGuid, keyVaultNameFromUrl } from '../constructs/delivery/key-vault';
import { dns1123SubdomainError } from '../settings/names';
import { ClusterIdentity, ClusterType } from '../settings/model';
import { generatedHeader, shellQuote } from './common';

/** The audience of a federated credential for Kubernetes service account tokens (Entra token exchange). */
export const AZURE_AD_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** The built-in role that lets an identity read secret contents (a certificate's secret object) of a vault using Azure RBAC. */
export const KEY_VAULT_SECRETS_USER_ROLE = 'Key Vault Secrets User';

/** Inputs of the Workload Identity setup script. */
export interface WorkloadIdentityScriptOptions {
  /** The environment's name (for the header). */
  readonly environment: string;
  /** The vault's URL; the vault name is taken from it. */
  readonly vaultUrl: string;
  /** The managed identity's client id (GUID): the role assignment's assignee. */
  readonly clientId: string;
  /** The ServiceAccount in namespace `azureml` that ESO exchanges for a token (the federated credential's subject). */
  readonly serviceAccountName: string;
  /**
   * The user-assigned managed identity's name.
   * @default - read from IDENTITY_NAME when the script runs
   */
  readonly identityName?: string;
  /**
   * The managed identity's resource group.
   * @default - the cluster's resource group; otherwise read from IDENTITY_RESOURCE_GROUP when the script runs
   */
  readonly identityResourceGroup?: string;
  /**
   * The cluster, as far as known; unknown values are read from environment variables when the script runs.
   * @default - everything is read from environment variables
   */
  readonly cluster?: ClusterIdentity;
  /**
   * The federated credential's name (unique per identity: one per cluster).
   * @default - `<cluster name>-azureml-tls`, computed when the script runs
   */
  readonly federatedCredentialName?: string;
}

/**
 * `NAME=${NAME:-'default'}` when the value is known (single-quoted, so no value can break out), `${NAME:?...}`
 * otherwise, so the script stops with a message when the variable is not set (as in the az script).
 */
function variable(name: string, known: string | undefined, what: string): string {
  // `what` lands inside double quotes: it must hold no quote, `$`, backtick, backslash or brace.
  if (/['"$`\\{}]/.test(what)) throw new Error(`internal: unsafe text in a variable hint: ${what}`);
  return known !== undefined
    ? `${name}=\${${name}:-${shellQuote(known)}}`
    : `${name}="\${${name}:?set ${name} to ${what}}"`;
}

/**
 * A bash script that lets ESO read the vault as the managed identity, with Azure Workload Identity: it reads the
 * cluster's OIDC issuer (`az aks show` or, on Arc, `az connectedk8s show`), creates the identity's federated
 * credential for `system:serviceaccount:azureml:<serviceAccountName>` with audience `api://AzureADTokenExchange`,
 * and grants the identity `Key Vault Secrets User` on the vault (or, on a vault that still uses access policies,
 * `get` on secrets). Every value can be overridden by an environment variable; it holds no secret.
 *
 * Throws when the vault URL, the client id, the ServiceAccount name or the environment name is invalid.
 */
export function renderWorkloadIdentityScript(options: WorkloadIdentityScriptOptions): string {
  if ([...options.environment].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    throw new Error(`environment ${JSON.stringify(options.environment)} holds control characters. Use a plain name such as dev.`);
  }
  const vaultName = keyVaultNameFromUrl(options.vaultUrl);
  if (!isGuid(options.clientId)) {
    throw new Error(`clientId ${JSON.stringify(options.clientId)} is not a GUID. Use the managed identity's client id: az identity show --name <identity> --resource-group <group> --query clientId -o tsv`);
  }
  const saError = dns1123SubdomainError(options.serviceAccountName);
  if (saError) {
    throw new Error(`serviceAccountName ${JSON.stringify(options.serviceAccountName)} is not a valid ServiceAccount name: it ${saError}. Use the name the SecretStore refers to, e.g. azureml-fe-tls-reader.`);
  }
  const c = options.cluster;
  const clusterType = c === undefined ? undefined : c.type === ClusterType.ARC ? 'connectedClusters' : 'managedClusters';
  const subject = `system:serviceaccount:${AZUREML_NAMESPACE}:${options.serviceAccountName}`;
  const sub = '${SUBSCRIPTION_ARGS[@]+"${SUBSCRIPTION_ARGS[@]}"}';
  const showIssuer = (group: string) => `az ${group} show --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" ${sub} --query oidcIssuerProfile.issuerUrl -o tsv`;

  const lines = [
    '#!/usr/bin/env bash',
    generatedHeader(options.environment, 'sets up Azure Workload Identity so ESO can read the TLS certificate from Key Vault').trimEnd(),
    '# Values below can be overridden by environment variables. Run it once per cluster, as a user who may create',
    '# federated credentials on the identity and role assignments on the vault. It holds no secret.',
    `# Federates the managed identity with the ServiceAccount ESO uses (${subject}) and lets it read the vault's secrets.`,
    'set -euo pipefail',
    '',
    variable('RESOURCE_GROUP', c?.resourceGroup, 'the resource group of the cluster'),
    variable('CLUSTER_NAME', c?.name, 'the name of the cluster'),
    variable('CLUSTER_TYPE', clusterType, 'managedClusters (AKS) or connectedClusters (Arc)'),
    // Optional: without it, az uses its current subscription.
    `SUBSCRIPTION_ID=\${SUBSCRIPTION_ID:-${c?.subscriptionId !== undefined ? shellQuote(c.subscriptionId) : ''}}`,
    variable('IDENTITY_NAME', options.identityName, 'the name of the user-assigned managed identity'),
    options.identityResourceGroup !== undefined || c?.resourceGroup === undefined
      ? variable('IDENTITY_RESOURCE_GROUP', options.identityResourceGroup, 'the resource group of the managed identity')
      : 'IDENTITY_RESOURCE_GROUP=${IDENTITY_RESOURCE_GROUP:-$RESOURCE_GROUP}',
    variable('CLIENT_ID', options.clientId, 'the client id of the managed identity'),
    variable('KEY_VAULT_NAME', vaultName, 'the name of the key vault'),
    options.federatedCredentialName !== undefined
      ? variable('FEDERATED_CREDENTIAL_NAME', options.federatedCredentialName, 'the name of the federated credential')
      : 'FEDERATED_CREDENTIAL_NAME=${FEDERATED_CREDENTIAL_NAME:-"${CLUSTER_NAME}-azureml-tls"}',
    variable('SUBJECT', subject, 'the service account subject'),
    variable('AUDIENCE', AZURE_AD_TOKEN_EXCHANGE_AUDIENCE, 'the token audience'),
    '',
    'SUBSCRIPTION_ARGS=()',
    'if [[ -n "$SUBSCRIPTION_ID" ]]; then SUBSCRIPTION_ARGS=(--subscription "$SUBSCRIPTION_ID"); fi',
    '',
    '# 1. The cluster\'s OIDC issuer: Entra ID trusts the ServiceAccount tokens it signs.',
    'case "$CLUSTER_TYPE" in',
    `  managedClusters) ISSUER="$(${showIssuer('aks')})" ;;`,
    `  connectedClusters) ISSUER="$(${showIssuer('connectedk8s')})" ;;`,
    '  *) echo "CLUSTER_TYPE must be managedClusters (AKS) or connectedClusters (Arc), not: $CLUSTER_TYPE" >&2; exit 1 ;;',
    'esac',
    'if [[ -z "$ISSUER" || "$ISSUER" == None ]]; then',
    '  echo "The cluster $CLUSTER_NAME has no OIDC issuer. Enable it first: az aks update --enable-oidc-issuer (AKS) or az connectedk8s update --enable-oidc-issuer (Arc), with --resource-group and --name." >&2',
    '  exit 1',
    'fi',
    '',
    '# 2. The federated credential: tokens of that ServiceAccount, for that audience, act as the managed identity.',
    'az identity federated-credential create \\',
    '  --name "$FEDERATED_CREDENTIAL_NAME" \\',
    '  --identity-name "$IDENTITY_NAME" \\',
    '  --resource-group "$IDENTITY_RESOURCE_GROUP" \\',
    '  --issuer "$ISSUER" \\',
    '  --subject "$SUBJECT" \\',
    `  --audiences "$AUDIENCE" ${sub}`,
    '',
    '# 3. Read access to the vault\'s secrets (a certificate with its private key is read as a secret).',
    '#    Set KEY_VAULT_ID to the vault\'s resource id when it lives in another subscription.',
    'VAULT_ID="${KEY_VAULT_ID:-}"',
    `if [[ -z "$VAULT_ID" ]]; then VAULT_ID="$(az keyvault show --name "$KEY_VAULT_NAME" ${sub} --query id -o tsv)"; fi`,
    'RBAC_AUTHORIZATION="$(az resource show --ids "$VAULT_ID" --query properties.enableRbacAuthorization -o tsv)"',
    'case "$RBAC_AUTHORIZATION" in',
    '  [Tt]rue)',
    `    az role assignment create --assignee "$CLIENT_ID" --role ${shellQuote(KEY_VAULT_SECRETS_USER_ROLE)} --scope "$VAULT_ID" ;;`,
    '  *)',
    '    echo "The vault $KEY_VAULT_NAME uses access policies, not Azure RBAC: granting get on secrets by access policy." >&2',
    '    az keyvault set-policy --name "$KEY_VAULT_NAME" --spn "$CLIENT_ID" --secret-permissions get ${SUBSCRIPTION_ARGS[@]+"${SUBSCRIPTION_ARGS[@]}"} ;;',
    'esac',
    '',
    'echo "Workload Identity is set up for $SUBJECT. Role assignments can take a few minutes to apply." >&2',
    '',
  ];
  return lines.join('\n');
}
