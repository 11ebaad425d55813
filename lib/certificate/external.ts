/**
 * Certificates that live outside this tool: in Azure Key Vault, or issued in the cluster by cert-manager. No material
 * passes through synth; the delivery constructs make the cluster fetch or issue it (spec section 6).
 */

/**
 * The content type of a Key Vault certificate (its policy's `secretProperties.contentType`): what the certificate's
 * secret object holds.
 */
export enum KeyVaultCertificateFormat {
  /** `application/x-pkcs12`: the secret value is the base64 of a PFX without password (the Key Vault default). */
  PFX = 'pfx',
  /** `application/x-pem-file`: the secret value is PEM text with the private key and the certificates. */
  PEM = 'pem',
}

/** A certificate in Azure Key Vault, read by External Secrets Operator with workload identity. */
export interface KeyVaultCertificateOptions {
  /** The vault, e.g. `https://my-vault.vault.azure.net/`. */
  readonly vaultUrl: string;
  /** The Key Vault certificate's name (its key must be exportable). */
  readonly certificateName: string;
  /** Client id of the managed identity ESO authenticates as. */
  readonly clientId: string;
  /** The Entra tenant id. */
  readonly tenantId: string;
  /**
   * The certificate's content type.
   * @default KeyVaultCertificateFormat.PFX
   */
  readonly format?: KeyVaultCertificateFormat;
  /**
   * The ServiceAccount ESO uses (federated with the managed identity).
   * @default 'azureml-fe-tls-reader'
   */
  readonly serviceAccountName?: string;
  /**
   * The managed identity's name, for the generated federated-credential script.
   * @default - read from IDENTITY_NAME when the script runs
   */
  readonly identityName?: string;
  /**
   * The managed identity's resource group, for the generated script.
   * @default - the cluster's resource group
   */
  readonly identityResourceGroup?: string;
}

/** The kind of the cert-manager issuer a Certificate refers to. */
export enum CertManagerIssuerKind {
  /** A namespaced `Issuer`: it must live in namespace `azureml`, beside the Certificate. */
  ISSUER = 'Issuer',
  /** A cluster-scoped `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A certificate issued in the cluster by cert-manager. */
export interface CertManagerCertificateOptions {
  /** The issuer's name. */
  readonly issuerName: string;
  /**
   * Issuer or ClusterIssuer.
   * @default CertManagerIssuerKind.CLUSTER_ISSUER
   */
  readonly issuerKind?: CertManagerIssuerKind;
  /**
   * The issuer's API group.
   * @default 'cert-manager.io'
   */
  readonly issuerGroup?: string;
  /**
   * More DNS names besides the cname.
   * @default - none
   */
  readonly extraNames?: string[];
  /**
   * Requested validity (Go duration).
   * @default - cert-manager's default (90 days)
   */
  readonly duration?: string;
  /**
   * Renew this long before expiry (Go duration).
   * @default - cert-manager's default (a third of the lifetime)
   */
  readonly renewBefore?: string;
}
