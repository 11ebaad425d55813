import { SealingOptions } from './plan';

/**
 * What Azure Service Operator does with the Azure resource when the Kubernetes object changes or goes
 * (annotation `serviceoperator.azure.com/reconcile-policy`).
 */
export enum AsoReconcilePolicy {
  /** Create, update and delete the extension with the object (ASO's default). */
  MANAGE = 'manage',
  /** Only check that the extension exists; never change or delete it. */
  SKIP = 'skip',
  /** Create and update it, but leave it in Azure when the object is deleted. */
  DETACH_ON_DELETE = 'detach-on-delete',
}

/** Protected settings read from Azure Key Vault by External Secrets Operator, into the Secret ASO reads. */
export interface AzureMlAsoKeyVaultOptions {
  /** The vault URL, e.g. `https://my-vault.vault.azure.net/`. */
  readonly vaultUrl: string;
  /** Client id of the managed identity ESO authenticates as (workload identity). */
  readonly clientId: string;
  /** The Entra tenant id. */
  readonly tenantId: string;
  /**
   * The ServiceAccount ESO uses, in the ASO namespace.
   * @default 'azureml-protected-settings-reader'
   */
  readonly serviceAccountName?: string;
  /**
   * The Key Vault secret that holds the Azure Relay rule's primary connection string (Arc clusters): it becomes both
   * `relayServerConnectionString` and `relayserver.relayConnectionString`. Create the relay first and store it there.
   * @default 'azureml-relay-connection-string'
   */
  readonly relaySecretName?: string;
  /**
   * Key Vault secret names for other protected settings, by setting key.
   * @default - each key with every character other than a letter, digit or '-' replaced by '-'
   */
  readonly secretNames?: { [settingKey: string]: string };
}

/**
 * How Azure Service Operator v2 installs the extension: an `Extension` object
 * (`kubernetesconfiguration.azure.com/v1api20241101`) and, when there are protected settings, the Secret it reads
 * them from, sealed (Sealed Secrets) or fetched from Key Vault (External Secrets Operator), never plaintext.
 */
export interface AzureMlAsoOptions {
  /**
   * The namespace of the Extension object and its protected-settings Secret, on the cluster where ASO runs.
   * @default 'azureml'
   */
  readonly namespace?: string;
  /**
   * The Extension object's name.
   * @default 'azureml'
   */
  readonly name?: string;
  /**
   * The extension's name in Azure (`az k8s-extension create --name`).
   * @default 'azureml'
   */
  readonly azureName?: string;
  /**
   * The owner by Azure resource id (a cluster ASO does not manage, AKS or Arc).
   * @default - the cluster's resource id, from the cluster identity
   */
  readonly ownerArmId?: string;
  /**
   * The owner as an ASO `ManagedCluster` object of this name in the same namespace (a cluster ASO manages).
   * @default - none: owner by resource id
   */
  readonly ownerManagedCluster?: string;
  /**
   * The release train.
   * @default 'stable'
   */
  readonly releaseTrain?: string;
  /**
   * Let Azure upgrade minor versions.
   * @default true
   */
  readonly autoUpgradeMinorVersion?: boolean;
  /**
   * A pinned extension version (only with `autoUpgradeMinorVersion: false`).
   * @default - none
   */
  readonly version?: string;
  /**
   * The reconcile policy annotation.
   * @default - none (ASO manages the extension)
   */
  readonly reconcilePolicy?: AsoReconcilePolicy;
  /**
   * Emit the namespace too (leave it off when several environments share it).
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Seal the protected settings for the Sealed Secrets controller of the cluster where ASO runs.
   * @default - none
   */
  readonly sealing?: SealingOptions;
  /**
   * Fetch the protected settings from Azure Key Vault with External Secrets Operator.
   * @default - none
   */
  readonly keyVault?: AzureMlAsoKeyVaultOptions;
}
