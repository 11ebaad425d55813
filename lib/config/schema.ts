import { CertManagerIssuerKind, KeyVaultCertificateFormat } from '../certificate/external';
import { AsoReconcilePolicy } from '../aso-options';
import { TlsDelivery } from '../plan';
import { SealingScope } from '../sealing/scope';
import { SCALAR_SETTINGS, SettingKind } from '../settings/keys';
import { ClusterType } from '../settings/model';
import { JsonSchema, ObjectShape, partialShape, Shape, toJsonSchema } from './shape';

/** The longest validity of a development (selfSigned) certificate, in days: the development CA's 10 years. */
export const MAX_SELF_SIGNED_DAYS = 3650;

/** The largest cluster.nodeCount: Kubernetes' largest supported cluster (5,000 nodes). */
export const MAX_NODE_COUNT = 5000;

const str = (description: string, extra: Partial<{ enum: readonly string[]; caseInsensitive: boolean; nonEmpty: boolean }> = {}): Shape =>
  ({ kind: 'string', description, ...extra });
const bool = (description: string): Shape => ({ kind: 'boolean', description });
const stringMap = (description: string): Shape => ({ kind: 'map', description, values: str('a non-empty string value') });

function sealingShape(description: string): Shape {
  return {
    kind: 'object',
    description,
    required: ['certificate'],
    properties: {
      certificate: str('Path of the controller\'s certificate, relative to the config file.', { nonEmpty: true }),
      scope: str('strict (default: bound to namespace and name), namespace-wide or cluster-wide.', { enum: Object.values(SealingScope) }),
    },
  };
}

function settingShape(kind: SettingKind, description: string, values?: readonly string[]): Shape {
  switch (kind) {
    case SettingKind.BOOLEAN: return bool(description);
    case SettingKind.ENUM: return str(description, { enum: values ?? [], caseInsensitive: true });
    case SettingKind.STRING: return str(description, { nonEmpty: true });
  }
}

/** The `extension` block: the upstream keys verbatim (spec section 2), read from the settings table. */
export const EXTENSION_SHAPE: Shape = {
  kind: 'object',
  description: 'The extension\'s configuration settings, upstream keys verbatim (az k8s-extension create --config K=V).',
  properties: {
    ...Object.fromEntries(Object.values(SCALAR_SETTINGS).map((spec) => [spec.key, settingShape(spec.kind, spec.description, spec.values)])),
    nodeSelector: stringMap('Node labels the extension\'s pods must run on (nodeSelector.<label>=<value>).'),
    additionalSettings: stringMap('Other settings passed through verbatim (not the typed or TLS keys).'),
    additionalProtectedSettings: stringMap('Other protected settings passed through verbatim; they are written to the protected settings file as given.'),
  },
};

/** The `cluster` block. */
export const CLUSTER_SHAPE: Shape = {
  kind: 'object',
  description: 'The cluster, as far as known; used to derive the keys the az CLI adds.',
  required: ['type'],
  properties: {
    type: str('aks (Microsoft.ContainerService/managedClusters) or arc (Microsoft.Kubernetes/connectedClusters).', { enum: Object.values(ClusterType) }),
    subscriptionId: str('Azure subscription id (a GUID).', { nonEmpty: true }),
    resourceGroup: str('Resource group of the cluster.', { nonEmpty: true }),
    name: str('The cluster\'s resource name.', { nonEmpty: true }),
    location: str('Azure region, e.g. eastus.', { nonEmpty: true }),
    // Kubernetes is built and tested for clusters of at most 5,000 nodes (AKS allows no more): a bigger count is a typo.
    nodeCount: {
      kind: 'integer', minimum: 1, maximum: MAX_NODE_COUNT, description: 'Total node count; under 3 is a small cluster (DevTest, no router HA).',
      maximumFix: `give the cluster's node count, at most ${MAX_NODE_COUNT} (the most nodes a Kubernetes cluster is built for)`,
    },
    distribution: str('Arc only: the connected cluster\'s distribution (properties.distribution, e.g. openshift, k3s, generic); openshift (any case) sends openshift=true, as the az CLI does.', { nonEmpty: true }),
  },
};

/** The `tls.certificate` block: exactly one source. */
export const CERTIFICATE_SHAPE: Shape = {
  kind: 'object',
  description: 'Where the certificate comes from: exactly one of files, existingSecret or selfSigned.',
  exactlyOne: ['files', 'existingSecret', 'selfSigned'],
  properties: {
    files: {
      kind: 'object',
      description: 'PEM files, paths relative to the config file: cert (full chain, leaf first) and key (unencrypted).',
      required: ['cert', 'key'],
      properties: {
        cert: str('Path of cert.pem (full chain, leaf first).', { nonEmpty: true }),
        key: str('Path of key.pem (unencrypted private key).', { nonEmpty: true }),
      },
    },
    existingSecret: str('Name of a Secret that already exists in namespace azureml (cert.pem, key.pem).', { nonEmpty: true }),
    selfSigned: {
      kind: 'object',
      description: 'A development certificate signed by a local development CA, kept in .azureml-tls/ beside the config and reused (refused in production).',
      properties: {
        // At most 10 years, the validity of the development CA itself: a development leaf needs no more (synth renews
        // it), and a bigger number overflows the date (99999999999 days is past the last date JavaScript can hold).
        days: {
          kind: 'integer', minimum: 1, maximum: MAX_SELF_SIGNED_DAYS, description: 'Validity of the leaf in days (default 90).',
          maximumFix: `use at most ${MAX_SELF_SIGNED_DAYS} days (10 years, the development CA's own validity), e.g. 90: synth renews a development certificate before it expires`,
        },
        extraNames: { kind: 'array', description: 'DNS names besides the cname for the SAN.', items: str('A DNS name.', { nonEmpty: true }) },
      },
    },
  },
};

/** The `tls` block. */
export const TLS_SHAPE: Shape = {
  kind: 'object',
  description: 'HTTPS for azureml-fe: the cname and exactly one of certificate, keyVault or certManager.',
  required: ['cname'],
  exactlyOne: ['certificate', 'keyVault', 'certManager'],
  properties: {
    cname: str('sslCname: the FQDN clients call, e.g. ml.example.com.', { nonEmpty: true }),
    certificate: CERTIFICATE_SHAPE,
    keyVault: {
      kind: 'object',
      description: 'A certificate in Azure Key Vault, read in the cluster by External Secrets Operator with workload identity (delivery externalSecret).',
      required: ['vaultUrl', 'certificateName', 'clientId', 'tenantId'],
      properties: {
        vaultUrl: str('The vault URL, e.g. https://my-vault.vault.azure.net/.', { nonEmpty: true }),
        certificateName: str('The Key Vault certificate (its key must be exportable).', { nonEmpty: true }),
        clientId: str('Client id of the managed identity ESO authenticates as.', { nonEmpty: true }),
        tenantId: str('The Entra tenant id.', { nonEmpty: true }),
        format: str('The certificate\'s content type in Key Vault: pfx (default) or pem.', { enum: Object.values(KeyVaultCertificateFormat) }),
        serviceAccountName: str('The ServiceAccount ESO uses (default azureml-fe-tls-reader).', { nonEmpty: true }),
        identityName: str('The managed identity\'s name, for the generated federated-credential script.', { nonEmpty: true }),
        identityResourceGroup: str('The managed identity\'s resource group (default: the cluster\'s).', { nonEmpty: true }),
      },
    },
    certManager: {
      kind: 'object',
      description: 'A certificate issued in the cluster by cert-manager, copied into cert.pem/key.pem by External Secrets Operator (delivery certManager).',
      required: ['issuerName'],
      properties: {
        issuerName: str('The issuer\'s name.', { nonEmpty: true }),
        issuerKind: str('Issuer (in namespace azureml) or ClusterIssuer (default).', { enum: Object.values(CertManagerIssuerKind) }),
        issuerGroup: str('The issuer\'s API group (default cert-manager.io).', { nonEmpty: true }),
        extraNames: { kind: 'array', description: 'DNS names besides the cname.', items: str('A DNS name.', { nonEmpty: true }) },
        duration: str('Requested validity, a Go duration such as 2160h.', { nonEmpty: true }),
        renewBefore: str('Renew this long before expiry, a Go duration such as 720h.', { nonEmpty: true }),
      },
    },
    delivery: str('secret, pemSettings, sealedSecret (with sealing), externalSecret (with keyVault) or certManager (with certManager); by default what the source implies.', { enum: Object.values(TlsDelivery) }),
    sealing: sealingShape('sealedSecret delivery: the Sealed Secrets controller\'s public certificate (kubeseal --fetch-cert) and the scope.'),
    allowPlaintextKey: bool('Acknowledge that secret delivery writes the private key into the manifest (base64 is not encryption).'),
    secretName: str('Name of the Secret to create (secret delivery), a DNS-1123 subdomain. Default azureml-fe-tls.', { nonEmpty: true }),
    fingerprintSuffix: bool('Suffix the Secret name with 10 hex digits of the certificate\'s SHA-256 fingerprint, so rotation changes sslSecret.'),
  },
};


/** The `manifests` block: what every Kubernetes object of the environment carries. */
export const MANIFESTS_SHAPE: Shape = {
  kind: 'object',
  description: 'The environment\'s Kubernetes objects: the azureml Namespace, labels for every object, annotations by kind.',
  properties: {
    namespace: bool('Emit the Namespace azureml (default: true when the environment puts objects there).'),
    labels: { kind: 'map', description: 'Labels for every object the environment emits.', values: str('A label value (at most 63 characters).') },
    annotations: {
      kind: 'map',
      description: 'Annotations by object kind, e.g. Secret: { argocd.argoproj.io/sync-wave: "-1" }.',
      values: { kind: 'map', description: 'Annotations for every object of this kind.', values: str('An annotation value (quote numbers).') },
    },
  },
};

/** The `aso` block: the extension installed by Azure Service Operator v2. */
export const ASO_SHAPE: Shape = {
  kind: 'object',
  description: 'Install the extension with Azure Service Operator v2: an Extension object (kubernetesconfiguration.azure.com/v1api20241101) in aso/<env>/, for the cluster where ASO runs.',
  atMostOne: ['sealing', 'keyVault'],
  properties: {
    namespace: str('Namespace of the Extension object and its protected-settings Secret on the ASO cluster (default azureml).', { nonEmpty: true }),
    name: str('The Extension object\'s name (default azureml).', { nonEmpty: true }),
    azureName: str('The extension\'s name in Azure (default azureml).', { nonEmpty: true }),
    owner: {
      kind: 'object',
      description: 'The owner: armId (a cluster ASO does not manage; default: the cluster\'s resource id) or managedCluster (an ASO ManagedCluster object in the same namespace).',
      atMostOne: ['armId', 'managedCluster'],
      properties: {
        armId: str('The cluster\'s Azure resource id.', { nonEmpty: true }),
        managedCluster: str('The name of an ASO ManagedCluster object in the same namespace.', { nonEmpty: true }),
      },
    },
    releaseTrain: str('The release train (default stable).', { nonEmpty: true }),
    autoUpgradeMinorVersion: bool('Let Azure upgrade minor versions (default true).'),
    version: str('A pinned extension version (with autoUpgradeMinorVersion: false).', { nonEmpty: true }),
    reconcilePolicy: str('serviceoperator.azure.com/reconcile-policy: manage (ASO\'s default), skip or detach-on-delete.', { enum: Object.values(AsoReconcilePolicy) }),
    createNamespace: bool('Emit the namespace too (default false: several environments may share it).'),
    sealing: sealingShape('Seal the protected settings for the Sealed Secrets controller of the cluster where ASO runs.'),
    keyVault: {
      kind: 'object',
      description: 'Fetch the protected settings from Azure Key Vault with External Secrets Operator (workload identity).',
      required: ['vaultUrl', 'clientId', 'tenantId'],
      properties: {
        vaultUrl: str('The vault URL, e.g. https://my-vault.vault.azure.net/.', { nonEmpty: true }),
        clientId: str('Client id of the managed identity ESO authenticates as.', { nonEmpty: true }),
        tenantId: str('The Entra tenant id.', { nonEmpty: true }),
        serviceAccountName: str('The ServiceAccount ESO uses (default azureml-protected-settings-reader).', { nonEmpty: true }),
        relaySecretName: str('The Key Vault secret holding the Azure Relay connection string, Arc only (default azureml-relay-connection-string).', { nonEmpty: true }),
        secretNames: stringMap('Key Vault secret names of other protected settings, by setting key.'),
      },
    },
  },
};

/** The environment's `fleet` block: where Argo CD sends its folders. */
export const ENVIRONMENT_FLEET_SHAPE: Shape = {
  kind: 'object',
  description: 'Where Argo CD applies this environment\'s folders (with the top-level fleet.argocd block).',
  atMostOne: ['destinationName', 'destinationServer'],
  properties: {
    destinationName: str('Argo CD cluster name of the environment\'s cluster (default: the environment\'s name).', { nonEmpty: true }),
    destinationServer: str('API server URL of the environment\'s cluster.', { nonEmpty: true }),
    asoDestinationName: str('Argo CD cluster name of the cluster where ASO runs (default in-cluster).', { nonEmpty: true }),
    asoDestinationServer: str('API server URL of the cluster where ASO runs.', { nonEmpty: true }),
  },
};

/** The top-level `fleet` block: Flux and Argo CD objects that point each cluster at its folder. */
export const FLEET_SHAPE: Shape = {
  kind: 'object',
  description: 'Generate Flux Kustomizations (fleet/flux/<env>/) and Argo CD Applications (fleet/argocd/) that point each cluster at its folder.',
  properties: {
    path: str('The output folder\'s path in the Git repository, e.g. ./dist (default: the output folder relative to the config file\'s folder).', { nonEmpty: true }),
    flux: {
      kind: 'object',
      description: 'A Flux Kustomization per environment folder.',
      properties: {
        sourceRef: {
          kind: 'object',
          description: 'The Git source (default GitRepository flux-system).',
          properties: {
            kind: str('GitRepository, OCIRepository or Bucket.', { enum: ['GitRepository', 'OCIRepository', 'Bucket'] }),
            name: str('The source\'s name.', { nonEmpty: true }),
            namespace: str('The source\'s namespace (default: the Kustomization\'s).', { nonEmpty: true }),
          },
        },
        namespace: str('The Kustomizations\' namespace (default flux-system).', { nonEmpty: true }),
        interval: str('Reconcile interval, a Go duration (default 10m).', { nonEmpty: true }),
        prune: bool('Delete objects that left the folder (default true).'),
      },
    },
    argocd: {
      kind: 'object',
      description: 'An Argo CD Application per environment folder.',
      required: ['repoURL'],
      properties: {
        repoURL: str('the Git repository\'s URL, e.g. https://github.com/example/platform.git', { nonEmpty: true }),
        targetRevision: str('The revision to sync (default HEAD).', { nonEmpty: true }),
        project: str('The Argo CD project (default default).', { nonEmpty: true }),
        namespace: str('The Applications\' namespace (default argocd).', { nonEmpty: true }),
        automated: bool('Sync automatically with prune and self-heal (default true).'),
      },
    },
  },
};

/** One environment. */
export const ENVIRONMENT_SHAPE: ObjectShape = {
  kind: 'object',
  description: 'One environment: one cluster\'s extension. Output files are named after it.',
  required: ['name', 'extension'],
  properties: {
    name: str('Environment name, a DNS-1123 label (lower case, digits, -); output files are named after it.', { nonEmpty: true }),
    production: bool('A production environment: plain HTTP (and, later, self-signed certificates) are refused.'),
    cluster: CLUSTER_SHAPE,
    extension: EXTENSION_SHAPE,
    tls: TLS_SHAPE,
    insecure: bool('Plain HTTP: allowInsecureConnections=True and no tls block (development and test only).'),
    manifests: MANIFESTS_SHAPE,
    aso: ASO_SHAPE,
    fleet: ENVIRONMENT_FLEET_SHAPE,
  },
};

/** The `defaults` block: an environment without a name, every key optional, merged under every environment. */
export const DEFAULTS_SHAPE: ObjectShape = {
  kind: 'object',
  description: 'Merged under every environment: maps merge key by key (recursively); lists, scalars and the tls.certificate choice of the environment replace the defaults\'.',
  properties: Object.fromEntries(Object.entries(ENVIRONMENT_SHAPE.properties).filter(([k]) => k !== 'name').map(([k, v]) => [k, partialShape(v)])),
};

/** The whole config file. */
export const CONFIG_SHAPE: ObjectShape = {
  kind: 'object',
  description: 'cdk8s-azureml-tls configuration (azureml-tls.yaml).',
  required: ['environments'],
  properties: {
    defaults: DEFAULTS_SHAPE,
    fleet: FLEET_SHAPE,
    environments: { kind: 'array', minItems: 1, description: 'The environments to synthesize (each merged over defaults).', items: ENVIRONMENT_SHAPE },
  },
};

/** The JSON Schema of the config file, shipped as `azureml-tls.schema.json` (a test keeps the file in sync). */
export function buildConfigSchema(): JsonSchema {
  // With a `defaults` block an environment may be partial (it is checked whole after the merge), so the list takes
  // partial environments, and the whole-environment shape applies only when there are no defaults.
  const partialEnvironment = { ...(partialShape(ENVIRONMENT_SHAPE) as ObjectShape), required: ['name'] };
  const lenient: ObjectShape = {
    ...CONFIG_SHAPE,
    properties: { ...CONFIG_SHAPE.properties, environments: { kind: 'array', minItems: 1, description: 'The environments to synthesize (each merged over defaults).', items: partialEnvironment } },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/cdk8s-azureml-tls/cdk8s-azureml-tls/azureml-tls.schema.json',
    title: 'azureml-tls.yaml',
    ...toJsonSchema(lenient),
    if: { not: { required: ['defaults'] } },
    then: { properties: { environments: { items: toJsonSchema(ENVIRONMENT_SHAPE) } } },
  };
}
