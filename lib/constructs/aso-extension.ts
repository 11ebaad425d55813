import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../../imports/externalsecrets-external-secrets.io';
import { SealedSecret } from '../../imports/sealedsecrets-bitnami.com';
import {
  SecretStore, SecretStoreSpecProviderAzurekvAuthType,
} from '../../imports/secretstores-external-secrets.io';
import { AsoReconcilePolicy, AzureMlAsoOptions } from '../aso-options';
import { Severity } from '../certificate/findings';
import { AzureMlExtensionProps, ExtensionPlan } from '../plan';
import { Problem, ValidationError } from '../problems';
import { IAC_EXTENSION_TYPE, IAC_RELEASE_NAMESPACE, IAC_RELEASE_TRAIN, iacProtectedSettings, ProtectedValueSource } from '../render/iac';
import { checkSealingCertificate, SealingKey, sealingLabel, sealingScopeAnnotations, sealValue } from '../sealing/seal';
import { SealingScope } from '../sealing/scope';
import { clusterResourceId } from '../settings/derive';
import { ExtensionModel } from '../settings/extension-model';
import { ClusterIdentity, ClusterType } from '../settings/model';
import { dns1123SubdomainError } from '../settings/names';
import { isGuid, keyVaultEnvironmentType, keyVaultUrlError, WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION, WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION } from './delivery/key-vault';
import { AzureMlExtension, extensionPlanOf } from './extension';
import { applyObjectMetadata, objectMetadataProblems } from './metadata';

/** The API version of ASO's Extension this construct emits (ASO v2.13.0 and later). */
export const ASO_EXTENSION_API_VERSION = 'kubernetesconfiguration.azure.com/v1api20241101';
/** The annotation ASO reads the reconcile policy from. */
export const ASO_RECONCILE_POLICY_ANNOTATION = 'serviceoperator.azure.com/reconcile-policy';
/** The namespace of the Extension and its protected-settings Secret when none is given. */
export const DEFAULT_ASO_NAMESPACE = 'azureml';
/** The Extension object's name, and the extension's name in Azure, when none is given. */
export const DEFAULT_ASO_NAME = 'azureml';
/** The default ServiceAccount ESO reads the protected settings as. */
export const DEFAULT_ASO_KEY_VAULT_SERVICE_ACCOUNT = 'azureml-protected-settings-reader';
/** The default Key Vault secret holding the Arc relay's connection string. */
export const DEFAULT_RELAY_SECRET_NAME = 'azureml-relay-connection-string';
/** What the protected-settings Secret's name adds to the Extension object's name. */
export const PROTECTED_SETTINGS_SUFFIX = '-protected-settings';

/** The owner group and kind of an ASO-managed AKS cluster (ASO has no kind for Arc connected clusters). */
const MANAGED_CLUSTER_OWNER = { group: 'containerservice.azure.com', kind: 'ManagedCluster' } as const;
/** ARM resource types of the two cluster kinds, as the owner's resource id names them. */
const CLUSTER_RESOURCE_TYPES: { readonly [type in ClusterType]: string } = {
  [ClusterType.AKS]: 'Microsoft.ContainerService/managedClusters',
  [ClusterType.ARC]: 'Microsoft.Kubernetes/connectedClusters',
};
/** An Azure resource id: `/subscriptions/<sub>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>[/<type>/<name>...]`. */
const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)((\/[^/]+\/[^/]+)*)$/i;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Keys of a Secret's `data` (and ESO's `secretKey`). */
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** Key Vault secret names: 1-127 letters, digits and '-'. */
const KEY_VAULT_SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Properties for {@link AzureMlAsoExtension}. */
export interface AzureMlAsoExtensionProps extends AzureMlAsoOptions {
  /** The extension installation whose settings the Extension object carries. */
  readonly extension: AzureMlExtension;
  /**
   * Labels for every object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations by kind (`Extension`, `SealedSecret`, `ExternalSecret`, `SecretStore`, `ServiceAccount`,
   * `Namespace`), e.g. `{ Extension: { 'argocd.argoproj.io/sync-wave': '1' } }`.
   * @default - none
   */
  readonly annotations?: { [kind: string]: { [key: string]: string } };
  /**
   * The time the sealing certificate is checked against.
   * @default - the extension's time, if any; otherwise the current time
   */
  readonly now?: Date;
}

/**
 * The AzureML extension installed by Azure Service Operator v2, as Kubernetes objects that are safe to commit, for the
 * cluster where ASO runs (which may be another cluster than the one the extension goes to):
 *
 * - an `Extension` (`kubernetesconfiguration.azure.com/v1api20241101`) whose `configurationSettings` are exactly the
 *   settings Bicep, ARM and Terraform send (the az CLI's derived keys included, spec section 3), owned by the
 *   cluster's resource id (or an ASO `ManagedCluster`), with `identity: SystemAssigned` on Arc;
 * - when the extension has protected settings, the Secret `<name>-protected-settings` ASO reads them from (every key
 *   of its data becomes one protected setting), never in plaintext: a `SealedSecret` sealed offline for the Sealed
 *   Secrets controller (`sealing`), or a ServiceAccount, SecretStore and ExternalSecret that make External Secrets
 *   Operator read the values from Azure Key Vault with workload identity (`keyVault`);
 * - the Namespace, with `createNamespace`.
 *
 * Throws (a backstop: the synth pipeline reports every problem of every environment first, see
 * {@link asoProblems}) when the options do not make a working install.
 *
 * @see https://azure.github.io/azure-service-operator/
 */
export class AzureMlAsoExtension extends Construct {
  /** The ASO `Extension` object. */
  public readonly resource: ApiObject;
  /**
   * The name of the Secret ASO reads the protected settings from (`spec.configurationProtectedSettings.name`), in the
   * Extension's namespace.
   * @default - none: the extension has no protected settings
   */
  public readonly protectedSettingsSecretName?: string;
  /**
   * What delivers that Secret: its children are the `SealedSecret` (`sealing`) or the ServiceAccount, SecretStore
   * and ExternalSecret (`keyVault`).
   * @default - none: the extension has no protected settings
   */
  public readonly delivery?: Construct;
  /**
   * The Namespace, when `createNamespace` is set.
   * @default - none
   */
  public readonly namespace?: ApiObject;

  constructor(scope: Construct, id: string, props: AzureMlAsoExtensionProps) {
    super(scope, id);
    const { plan, props: extensionProps } = extensionPlanOf(props.extension);
    const model = props.extension.model;
    const now = props.now ?? extensionProps.now ?? new Date();
    const problems = [
      ...checkAso(props, extensionProps, plan, now),
      ...objectMetadataProblems(props.labels, props.annotations),
    ];
    if (problems.length > 0) throw new ValidationError(problems, `invalid Azure Service Operator install of the AzureML extension (${this.node.path})`);

    const namespace = props.namespace ?? DEFAULT_ASO_NAMESPACE;
    const name = props.name ?? DEFAULT_ASO_NAME;
    const protectedSettings = iacProtectedSettings(model);
    const secretName = protectedSettings.length > 0 ? `${name}${PROTECTED_SETTINGS_SUFFIX}` : undefined;
    this.protectedSettingsSecretName = secretName;

    // Construct order is manifest order: the Namespace, then the Secret's delivery, then the Extension that reads it
    // (ASO retries a missing Secret, but applying it first saves a failed reconcile).
    if (props.createNamespace) {
      this.namespace = new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace } });
    }
    if (secretName !== undefined) {
      const delivery = new Construct(this, 'ProtectedSettings');
      if (props.sealing) {
        sealedProtectedSettings(delivery, model, {
          namespace,
          secretName,
          sealingCertificatePem: props.sealing.certificatePem,
          scope: props.sealing.scope ?? SealingScope.STRICT,
        });
      } else {
        keyVaultProtectedSettings(delivery, model, namespace, secretName, props);
      }
      this.delivery = delivery;
    }

    const cluster = extensionProps.cluster;
    const spec: { [key: string]: unknown } = {
      azureName: props.azureName ?? DEFAULT_ASO_NAME,
      owner: props.ownerManagedCluster !== undefined
        ? { ...MANAGED_CLUSTER_OWNER, name: props.ownerManagedCluster }
        : { armId: props.ownerArmId ?? clusterResourceId(cluster as ClusterIdentity) },
      // The values the Bicep and ARM renderers send: the same extension through another door.
      extensionType: IAC_EXTENSION_TYPE,
      releaseTrain: props.releaseTrain ?? IAC_RELEASE_TRAIN,
      autoUpgradeMinorVersion: props.autoUpgradeMinorVersion ?? true,
      ...(props.version !== undefined ? { version: props.version } : {}),
      // Spec section 3: the release namespace is always azureml, the scope cluster.
      scope: { cluster: { releaseNamespace: IAC_RELEASE_NAMESPACE } },
      configurationSettings: { ...model.settings },
      // Spec section 3: an Arc extension needs a system-assigned identity.
      ...(cluster?.type === ClusterType.ARC ? { identity: { type: 'SystemAssigned' } } : {}),
      ...(secretName !== undefined ? { configurationProtectedSettings: { name: secretName } } : {}),
    };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: ASO_EXTENSION_API_VERSION,
      kind: 'Extension',
      metadata: {
        name,
        namespace,
        ...(props.reconcilePolicy !== undefined ? { annotations: { [ASO_RECONCILE_POLICY_ANNOTATION]: props.reconcilePolicy } } : {}),
      },
      spec,
    });
    applyObjectMetadata(this, props.labels, props.annotations);
  }
}

/**
 * Every problem of an ASO install (fields `aso.<field>` as the config file names them, and `cluster` for a cluster
 * block the settings cannot be derived from), each with the fix; empty when the {@link AzureMlAsoExtension} can be
 * built. Never throws: when the extension's plan has no model, its own problems are reported and this returns none.
 */
export function asoProblems(options: AzureMlAsoOptions, props: AzureMlExtensionProps, plan: ExtensionPlan): Problem[] {
  return checkAso(options, props, plan, props.now ?? new Date());
}

function checkAso(options: AzureMlAsoOptions, props: AzureMlExtensionProps, plan: ExtensionPlan, now: Date): Problem[] {
  const model = plan.model;
  if (!model) return [];
  return [
    ...ownerProblems(options, props.cluster),
    ...nameProblems(options),
    ...versionProblems(options),
    ...protectedSettingsProblems(options, model, props.cluster),
    ...sealingProblems(options, now),
    ...keyVaultProblems(options, model),
  ];
}

/** The resource type (`<namespace>/<type>`) a resource id names, and whether it is a child resource; undefined when it is none. */
function resourceTypeOf(armId: string): { readonly type: string; readonly child: boolean } | undefined {
  const m = RESOURCE_ID.exec(armId);
  return m ? { type: m[3], child: m[5] !== '' } : undefined;
}

function ownerProblems(options: AzureMlAsoOptions, cluster: ClusterIdentity | undefined): Problem[] {
  const problems: Problem[] = [];
  const id = cluster ? clusterResourceId(cluster) : undefined;
  const { ownerArmId: armId, ownerManagedCluster: managedCluster } = options;
  if (armId !== undefined && managedCluster !== undefined) {
    problems.push({
      field: 'aso.owner',
      message: 'gives both armId and managedCluster; ASO takes one owner (its webhook refuses both)',
      fix: 'keep armId for a cluster ASO does not manage, or managedCluster for an ASO ManagedCluster object',
    });
  }
  if (armId === undefined && managedCluster === undefined && id === undefined) {
    problems.push({
      field: 'aso.owner',
      message: 'is unknown: the Extension needs an owner, and the cluster\'s resource id is not known',
      fix: 'set the cluster block\'s type, subscriptionId, resourceGroup, name and location (the owner is then the cluster\'s resource id), or aso.owner.armId',
    });
  } else if (cluster && !clusterKnown(cluster)) {
    // ASO sends configurationSettings as they are, like Bicep and ARM: without the keys the az CLI derives from the
    // cluster (cluster_name, location, domain, ...) the extension fails its pre-install health check (spec section 3).
    const missing = (['subscriptionId', 'resourceGroup', 'name', 'location'] as const).filter((k) => !cluster[k]);
    problems.push({
      field: 'cluster',
      message: `lacks ${missing.join(', ')}: ASO sends the settings as they are, like Bicep and ARM, and the extension's health check needs the keys the az CLI derives from the cluster (cluster_name, location, domain)`,
      fix: `set cluster.${missing.join(', cluster.')}`,
    });
  } else if (!cluster) {
    problems.push({
      field: 'cluster',
      message: 'is required for an ASO install: ASO sends the settings as they are, like Bicep and ARM, and the extension\'s health check needs the keys the az CLI derives from the cluster (cluster_name, location, domain)',
      fix: 'add a cluster block with type, subscriptionId, resourceGroup, name and location',
    });
  }
  if (armId !== undefined) problems.push(...armIdProblems(armId, cluster, id));
  if (managedCluster !== undefined) {
    if (cluster?.type === ClusterType.ARC) {
      problems.push({
        field: 'aso.owner.managedCluster',
        message: 'names an ASO ManagedCluster, but the cluster is Arc-enabled: ASO has no kind for connected clusters',
        value: managedCluster,
        fix: 'remove aso.owner.managedCluster: the owner is then the connected cluster\'s resource id (or set aso.owner.armId)',
      });
    }
    const error = dns1123SubdomainError(managedCluster);
    if (error) problems.push({ field: 'aso.owner.managedCluster', message: `is not a valid object name: it ${error}`, value: managedCluster, fix: 'use the name of the ManagedCluster object (kubectl get managedclusters -n <namespace>)' });
  }
  return problems;
}

function clusterKnown(cluster: ClusterIdentity): boolean {
  return !!(cluster.subscriptionId && cluster.resourceGroup && cluster.name && cluster.location);
}

function armIdProblems(armId: string, cluster: ClusterIdentity | undefined, id: string | undefined): Problem[] {
  const resource = resourceTypeOf(armId);
  const expected = cluster ? [CLUSTER_RESOURCE_TYPES[cluster.type]] : Object.values(CLUSTER_RESOURCE_TYPES);
  const example = id ?? `/subscriptions/<subscription>/resourceGroups/<group>/providers/${expected[0]}/<cluster>`;
  if (resource === undefined) {
    return [{ field: 'aso.owner.armId', message: 'is not an Azure resource id', value: armId, fix: `use the cluster's resource id, e.g. ${example} (az aks show or az connectedk8s show --query id -o tsv)` }];
  }
  if (resource.child || !expected.some((t) => t.toLowerCase() === resource.type.toLowerCase())) {
    const what = cluster ? `the ${cluster.type === ClusterType.ARC ? 'Arc-enabled' : 'AKS'} cluster (${expected[0]})` : `a cluster (${expected.join(' or ')})`;
    return [{
      field: 'aso.owner.armId',
      message: `names ${resource.child ? `a child resource of a ${resource.type}` : `a ${resource.type}`}, not ${what}`,
      value: armId,
      fix: `use the cluster's resource id, e.g. ${example}`,
    }];
  }
  if (id !== undefined && armId.toLowerCase() !== id.toLowerCase()) {
    return [{
      field: 'aso.owner.armId',
      message: `names another cluster than the cluster block, whose resource id the settings carry (cluster_name ${id})`,
      value: armId,
      fix: 'remove aso.owner.armId (it defaults to the cluster\'s resource id), or correct the cluster block',
    }];
  }
  return [];
}

function nameProblems(options: AzureMlAsoOptions): Problem[] {
  const problems: Problem[] = [];
  const namespace = options.namespace ?? DEFAULT_ASO_NAMESPACE;
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
    problems.push({ field: 'aso.namespace', message: 'is not a namespace name: at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit (DNS-1123 label)', value: namespace, fix: 'use a namespace such as azureml' });
  }
  const name = options.name ?? DEFAULT_ASO_NAME;
  const error = dns1123SubdomainError(name);
  if (error) {
    problems.push({ field: 'aso.name', message: `is not a valid object name: it ${error}`, value: name, fix: 'use a name such as azureml' });
  } else {
    // The longest name derived from it: the SecretStore of the protected-settings Secret.
    const longest = `${name}${PROTECTED_SETTINGS_SUFFIX}${options.keyVault ? '-key-vault' : ''}`;
    if (longest.length > 253) problems.push({ field: 'aso.name', message: `is ${name.length} characters long; the derived name <name>${longest.slice(name.length)} would exceed 253`, fix: 'use a shorter name such as azureml' });
  }
  if (options.azureName !== undefined && options.azureName.trim() === '') {
    problems.push({ field: 'aso.azureName', message: 'is empty', fix: 'remove it (the default is azureml) or give the extension\'s name in Azure' });
  }
  if (options.reconcilePolicy !== undefined && !Object.values(AsoReconcilePolicy).includes(options.reconcilePolicy)) {
    // ASO treats an unknown value as manage: a typo would silently let it delete the extension with the object.
    problems.push({ field: 'aso.reconcilePolicy', message: 'is not a reconcile policy (ASO would silently treat it as manage)', value: String(options.reconcilePolicy), fix: `use one of ${Object.values(AsoReconcilePolicy).join(', ')}` });
  }
  return problems;
}

function versionProblems(options: AzureMlAsoOptions): Problem[] {
  if (options.version === undefined || options.autoUpgradeMinorVersion === false) return [];
  return [{
    field: 'aso.version',
    message: 'pins a version while minor versions are upgraded automatically (autoUpgradeMinorVersion defaults to true); Azure takes a version only without auto-upgrade',
    value: options.version,
    fix: 'set aso.autoUpgradeMinorVersion: false with the version, or remove the version',
  }];
}

function protectedSettingsProblems(options: AzureMlAsoOptions, model: ExtensionModel, cluster: ClusterIdentity | undefined): Problem[] {
  const problems: Problem[] = [];
  const settings = iacProtectedSettings(model);
  const keys = settings.map((s) => s.key);
  const relayKeys = settings.filter((s) => s.source === ProtectedValueSource.RELAY_CONNECTION_STRING).map((s) => s.key);
  const pemKeys = settings.filter((s) => s.source === ProtectedValueSource.CERTIFICATE || s.source === ProtectedValueSource.PRIVATE_KEY).map((s) => s.key);
  if (options.sealing && options.keyVault) {
    problems.push({ field: 'aso.keyVault', message: 'cannot be used together with aso.sealing: the protected settings come from one of them', fix: 'keep aso.sealing (values sealed at synth time) or aso.keyVault (values read from Azure Key Vault)' });
    return problems;
  }
  if (keys.length === 0) return problems;
  if (!options.sealing && !options.keyVault) {
    problems.push({
      field: 'aso.sealing',
      message: `is required (or aso.keyVault): the extension has protected settings (${keys.join(', ')}), which ASO reads from a Secret, and a committed Secret must not hold them in plaintext`,
      fix: 'set aso.sealing: { certificate: <the certificate of the Sealed Secrets controller on the cluster where ASO runs> } to seal them, '
        + 'or aso.keyVault: { vaultUrl, clientId, tenantId } to have External Secrets Operator read them from Azure Key Vault'
        + `${relayKeys.length > 0 ? ' (the only way for the Arc relay\'s connection string)' : ''}`,
    });
    return problems;
  }
  const field = options.sealing ? 'aso.sealing' : 'aso.keyVault';
  for (const key of keys.filter((k) => !SECRET_DATA_KEY.test(k))) {
    problems.push({ field, message: 'the protected setting cannot be a key of the Secret ASO reads them from (letters, digits, \'-\', \'_\' and \'.\')', value: key, fix: 'rename it in extension.additionalProtectedSettings, or install with Bicep, ARM, Terraform or the az scripts' });
  }
  if (options.sealing && relayKeys.length > 0) {
    problems.push({
      field: 'aso.sealing',
      message: `cannot seal the Arc relay's connection string (${relayKeys.join(', ')}): it is only known once the Azure Relay exists, after synth`,
      fix: `use aso.keyVault with relaySecretName: create the relay first (e.g. with the generated Bicep or the az script; ${model.arcRelay?.namespaceName ?? 'the relay namespace'}/${model.arcRelay?.hybridConnectionName ?? cluster?.name ?? '<cluster>'}, rule ${model.arcRelay?.authorizationRuleName ?? 'azureml_rw'}) and store the rule's primary connection string in that Key Vault secret`,
    });
  }
  if (options.keyVault && pemKeys.length > 0) {
    problems.push({
      field: 'aso.keyVault',
      message: `cannot deliver the certificate and private key of tls.delivery pemSettings (${pemKeys.join(', ')}): this tool reads them from files and does not put them into Key Vault`,
      fix: 'use aso.sealing, or deliver the certificate as a Secret on the cluster (tls.delivery sealedSecret, or externalSecret from a Key Vault certificate) so there are no PEM protected settings',
    });
  }
  return problems;
}

function sealingProblems(options: AzureMlAsoOptions, now: Date): Problem[] {
  if (!options.sealing) return [];
  return checkSealingCertificate(options.sealing.certificatePem, now, options.sealing.label)
    .filter((f) => f.severity === Severity.ERROR)
    .map((f) => ({ field: 'aso.sealing.certificate', message: f.message, fix: `${f.fix ?? 'kubeseal --fetch-cert > sealing.pem'} (on the cluster where ASO runs)` }));
}

function keyVaultProblems(options: AzureMlAsoOptions, model: ExtensionModel): Problem[] {
  const kv = options.keyVault;
  if (!kv) return [];
  const problems: Problem[] = [];
  if (keyVaultUrlError(kv.vaultUrl)) {
    problems.push({ field: 'aso.keyVault.vaultUrl', message: 'is not a Key Vault URL', value: kv.vaultUrl, fix: 'use https://<vault-name>.vault.azure.net/ (or the vault domain of another Azure cloud), e.g. https://my-vault.vault.azure.net/' });
  }
  if (!isGuid(kv.clientId)) {
    problems.push({ field: 'aso.keyVault.clientId', message: 'is not a GUID', value: kv.clientId, fix: "use the managed identity's client id: az identity show --name <identity> --resource-group <group> --query clientId -o tsv" });
  }
  if (!isGuid(kv.tenantId)) {
    problems.push({ field: 'aso.keyVault.tenantId', message: 'is not a GUID', value: kv.tenantId, fix: 'use the Entra tenant id: az account show --query tenantId -o tsv' });
  }
  const serviceAccount = kv.serviceAccountName ?? DEFAULT_ASO_KEY_VAULT_SERVICE_ACCOUNT;
  const saError = dns1123SubdomainError(serviceAccount);
  if (saError) problems.push({ field: 'aso.keyVault.serviceAccountName', message: `is not a valid object name: it ${saError}`, value: serviceAccount, fix: `use a name such as ${DEFAULT_ASO_KEY_VAULT_SERVICE_ACCOUNT}` });
  const vaultName = (field: string, value: string) => {
    if (!KEY_VAULT_SECRET_NAME.test(value)) problems.push({ field, message: 'is not a Key Vault secret name (1-127 letters, digits and \'-\')', value, fix: 'use the name az keyvault secret list --vault-name <vault> --query [].name shows, e.g. azureml-relay-connection-string' });
  };
  if (kv.relaySecretName !== undefined) vaultName('aso.keyVault.relaySecretName', kv.relaySecretName);
  const settings = iacProtectedSettings(model);
  const passThrough = settings.filter((s) => s.source === ProtectedValueSource.PARAMETER).map((s) => s.key);
  const relayKeys = settings.filter((s) => s.source === ProtectedValueSource.RELAY_CONNECTION_STRING).map((s) => s.key);
  for (const [key, name] of Object.entries(kv.secretNames ?? {})) {
    const field = `aso.keyVault.secretNames.${key}`;
    if (relayKeys.includes(key)) {
      problems.push({ field, message: 'is the Arc relay\'s connection string, which comes from aso.keyVault.relaySecretName', value: key, fix: `remove it and set relaySecretName (default ${DEFAULT_RELAY_SECRET_NAME})` });
    } else if (!passThrough.includes(key)) {
      // A misspelt key would silently fetch nothing.
      problems.push({ field, message: 'names no pass-through protected setting of the extension (extension.additionalProtectedSettings)', value: key, fix: passThrough.length > 0 ? `use one of ${passThrough.join(', ')}` : 'remove it' });
    } else {
      vaultName(field, name);
    }
  }
  for (const key of passThrough.filter((k) => kv.secretNames?.[k] === undefined && !KEY_VAULT_SECRET_NAME.test(defaultVaultSecretName(k)))) {
    problems.push({ field: `aso.keyVault.secretNames.${key}`, message: `is needed: the default Key Vault secret name ${defaultVaultSecretName(key).slice(0, 40)}... is longer than 127 characters`, value: key, fix: 'name the Key Vault secret that holds this protected setting' });
  }
  return problems;
}

/** The Key Vault secret a pass-through protected setting is read from by default: every character other than a letter, digit or '-' becomes '-'. */
function defaultVaultSecretName(key: string): string {
  return key.replace(/[^A-Za-z0-9-]/g, '-');
}

interface SealedProtectedSettingsProps {
  readonly namespace: string;
  readonly secretName: string;
  readonly sealingCertificatePem: string;
  readonly scope: SealingScope;
}

/**
 * The protected-settings Secret as a SealedSecret: each value is the exact string a Bicep or ARM deployment would
 * send (`scoringFe.sslCert` = base64 of the PEM file), sealed as kubeseal seals it (spec section 6).
 */
function sealedProtectedSettings(scope: Construct, model: ExtensionModel, props: SealedProtectedSettingsProps): SealedSecret {
  const key = SealingKey.fromCertificatePem(props.sealingCertificatePem);
  const label = sealingLabel(props.scope, props.namespace, props.secretName);
  // As SealedTlsSecret does: deterministic, so unchanged settings give an unchanged SealedSecret.
  const seal = (value: string): string => sealValue(Buffer.from(value, 'utf8'), key, label);
  const encryptedData: { [key: string]: string } = {};
  for (const s of iacProtectedSettings(model)) encryptedData[s.key] = seal(model.protectedSettings[s.key]);
  const annotations = sealingScopeAnnotations(props.scope);
  return new SealedSecret(scope, 'Resource', {
    metadata: {
      name: props.secretName,
      namespace: props.namespace,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      encryptedData,
      template: { metadata: { name: props.secretName, namespace: props.namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) }, type: 'Opaque' },
    },
  });
}

/**
 * The protected-settings Secret written by External Secrets Operator from Azure Key Vault, with workload identity as
 * KeyVaultTlsSecret does it, in the Extension's namespace: the Arc relay keys from one Key Vault secret, every
 * pass-through key from its own.
 */
function keyVaultProtectedSettings(scope: Construct, model: ExtensionModel, namespace: string, secretName: string, options: AzureMlAsoOptions): void {
  const kv = options.keyVault as NonNullable<AzureMlAsoOptions['keyVault']>;
  const serviceAccountName = kv.serviceAccountName ?? DEFAULT_ASO_KEY_VAULT_SERVICE_ACCOUNT;
  const storeName = `${secretName}-key-vault`;
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: {
      name: serviceAccountName,
      namespace,
      annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: kv.clientId, [WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION]: kv.tenantId },
    },
  });
  new SecretStore(scope, 'SecretStore', {
    metadata: { name: storeName, namespace },
    spec: {
      provider: {
        azurekv: {
          authType: SecretStoreSpecProviderAzurekvAuthType.WORKLOAD_IDENTITY,
          vaultUrl: kv.vaultUrl,
          environmentType: keyVaultEnvironmentType(kv.vaultUrl),
          // The tenant id only on the ServiceAccount: ESO fails with "multiple tenantID found" when both carry it.
          serviceAccountRef: { name: serviceAccountName },
        },
      },
    },
  });
  const data = iacProtectedSettings(model).map((s) => {
    const remote = s.source === ProtectedValueSource.RELAY_CONNECTION_STRING
      ? kv.relaySecretName ?? DEFAULT_RELAY_SECRET_NAME
      : kv.secretNames?.[s.key] ?? defaultVaultSecretName(s.key);
    return { secretKey: s.key, remoteRef: { key: `secret/${remote}` } };
  });
  // No template: ESO writes each value under its secretKey, the protected setting's name, in an Opaque Secret.
  new ExternalSecret(scope, 'Resource', {
    metadata: { name: secretName, namespace },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.SECRET_STORE, name: storeName },
      target: { name: secretName, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
      data,
    },
  });
}

