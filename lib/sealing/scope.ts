/**
 * Which names a sealed value may be unsealed under (the Sealed Secrets "scope"). The scope is bound into every value
 * as the RSA-OAEP label, so a value sealed for one scope does not unseal under another.
 *
 * @see https://github.com/bitnami-labs/sealed-secrets#scopes
 */
export enum SealingScope {
  /** Only a Secret with exactly this name in exactly this namespace (OAEP label `<namespace>/<name>`). The default of kubeseal. */
  STRICT = 'strict',
  /** A Secret of any name in this namespace (OAEP label `<namespace>`); annotation `sealedsecrets.bitnami.com/namespace-wide`. */
  NAMESPACE_WIDE = 'namespace-wide',
  /** A Secret of any name in any namespace (empty OAEP label); annotation `sealedsecrets.bitnami.com/cluster-wide`. */
  CLUSTER_WIDE = 'cluster-wide',
}
