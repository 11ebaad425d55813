import { validateCname } from '../certificate/validate';
import { Finding, Severity } from '../certificate/findings';
import { Problem } from '../problems';
import { ClusterIdentity, ClusterType, ExtensionSettings, InferenceRouterServiceType } from './model';
import { SCALAR_SETTINGS, TLS_AND_DERIVED_KEYS } from './keys';
import { dns1123SubdomainError, labelKeyError, labelValueError } from './names';
import { TlsSettings } from './tls';

/** Everything the extension model is built from. */
export interface ExtensionModelInput {
  /** The extension's own settings. */
  readonly settings: ExtensionSettings;
  /**
   * HTTPS for azureml-fe.
   * @default - no TLS: plain HTTP must then be chosen with `settings.allowInsecureConnections`, or inference disabled
   */
  readonly tls?: TlsSettings;
  /**
   * The cluster, as far as it is known; used to derive the keys the az CLI adds.
   * @default - unknown: the az CLI derives those keys at install time
   */
  readonly cluster?: ClusterIdentity;
}

/** A cluster under this many nodes is "small" (spec section 3). */
export const SMALL_CLUSTER_NODES = 3;

/**
 * Checks every rule of spec sections 2-3 and returns one problem per broken rule (empty when the input is valid).
 * Field names are the upstream setting keys, or `tls.*` for the TLS input.
 */
export function checkExtensionInput(input: ExtensionModelInput): Problem[] {
  return [
    ...checkComponents(input.settings),
    ...checkRouter(input.settings),
    ...checkTls(input),
    ...checkHighAvailability(input.settings, input.cluster),
    ...checkNodeSelector(input.settings.nodeSelector ?? {}),
    ...checkCluster(input.cluster),
    ...checkPassThrough(input.settings),
  ];
}

// Spec section 2: "at least one of enableTraining / enableInference must be true".
function checkComponents(s: ExtensionSettings): Problem[] {
  if (s.enableTraining || s.enableInference) return [];
  return [{
    field: 'enableInference',
    message: 'neither enableInference nor enableTraining is true, so the extension would install nothing',
    value: String(s.enableInference ?? false),
    fix: 'set enableInference: true (online endpoints, azureml-fe) and/or enableTraining: true',
  }];
}

// Spec section 2: inferenceRouterServiceType is required with inference; internalLoadBalancerProvider is rejected
// together with NodePort (the CLI's MutuallyExclusiveArgumentError). On Arc it is a warning: extensionInputWarnings.
function checkRouter(s: ExtensionSettings): Problem[] {
  const problems: Problem[] = [];
  if (s.enableInference && s.inferenceRouterServiceType === undefined) {
    problems.push({
      field: 'inferenceRouterServiceType',
      message: 'is required when enableInference is true',
      fix: `set it to one of ${Object.values(InferenceRouterServiceType).join(', ')} (with internalLoadBalancerProvider: azure for an internal load balancer on AKS)`,
    });
  }
  if (s.internalLoadBalancerProvider !== undefined && s.inferenceRouterServiceType === InferenceRouterServiceType.NODE_PORT) {
    problems.push({
      field: 'internalLoadBalancerProvider',
      message: 'cannot be combined with inferenceRouterServiceType NodePort: a node port uses no load balancer',
      value: s.internalLoadBalancerProvider,
      fix: 'remove internalLoadBalancerProvider, or set inferenceRouterServiceType: LoadBalancer',
    });
  }
  return problems;
}

/** The code of the warning for an internal load balancer on an Arc cluster. */
export const ARC_INTERNAL_LOAD_BALANCER_WARNING = 'arc-internal-load-balancer';

/**
 * Settings the az CLI accepts with a warning, and so does this tool: they are sent, and the warnings reach the
 * installation plan's warnings. Assumes nothing about {@link checkExtensionInput}'s result.
 */
export function extensionInputWarnings(input: ExtensionModelInput): Finding[] {
  const s = input.settings;
  const warnings: Finding[] = [];
  // Spec section 2: the CLI warns "Internal load balancer only supported on AKS and AKS Engine Clusters." and sends
  // the setting anyway: an AKS Engine cluster connects through Arc, and its Azure cloud provider honours the
  // internal-load-balancer annotation. Refusing it would block those clusters.
  if (s.internalLoadBalancerProvider !== undefined && input.cluster?.type === ClusterType.ARC
    && s.inferenceRouterServiceType !== InferenceRouterServiceType.NODE_PORT) {
    warnings.push({
      severity: Severity.WARNING,
      code: ARC_INTERNAL_LOAD_BALANCER_WARNING,
      message: `internalLoadBalancerProvider ${s.internalLoadBalancerProvider} on an Arc-enabled cluster: the internal load balancer works only on `
        + 'AKS and AKS Engine clusters (the az CLI warns and sends it, and so does this tool)',
      fix: 'keep it for an AKS Engine cluster; on any other Arc cluster remove internalLoadBalancerProvider and expose azureml-fe with NodePort or ClusterIP and your own load balancer',
    });
  }
  return warnings;
}

// Spec sections 2-3: HTTPS needs exactly one source (sslSecret or the PEM files) and sslCname; TLS material together
// with allowInsecureConnections=True is rejected (stricter than the CLI, which then silently serves plain HTTP).
function checkTls(input: ExtensionModelInput): Problem[] {
  const { settings: s, tls } = input;
  const insecure = s.allowInsecureConnections === true;
  if (!tls) {
    if (s.enableInference && !insecure) {
      return [{
        field: 'tls',
        message: 'inference is enabled without TLS: to enable an HTTPS endpoint, either provide sslCertPemFile and sslKeyPemFile '
          + '(pemSettings delivery) or sslSecret (a Secret in namespace azureml holding cert.pem and key.pem)',
        fix: 'add a tls block with cname and certificate; otherwise, to enable an HTTP endpoint, explicitly set insecure: true '
          + '(allowInsecureConnections=True)',
      }];
    }
    return [];
  }
  const problems: Problem[] = [];
  if (!s.enableInference) {
    problems.push({
      field: 'tls',
      message: 'TLS is only used by azureml-fe, which is installed only when enableInference is true',
      fix: 'set enableInference: true, or remove the tls block',
    });
  }
  if (insecure) {
    problems.push({
      field: 'allowInsecureConnections',
      message: 'cannot be combined with TLS material: the az CLI would silently ignore the certificate and serve plain HTTP '
        + '(this tool is stricter and rejects the combination)',
      value: 'True',
      fix: 'remove insecure / allowInsecureConnections to serve HTTPS, or remove the tls block to serve plain HTTP',
    });
  }
  const sources = (tls.sslSecret !== undefined ? 1 : 0) + (tls.pem !== undefined ? 1 : 0);
  if (sources !== 1) {
    problems.push({
      field: 'tls',
      message: sources === 0
        ? 'HTTPS needs a TLS source and none is given'
        : 'both sslSecret and the PEM settings are given; the docs say never to give both (the CLI would silently use the files)',
      fix: 'give exactly one: a Secret (sslSecret, delivery secret) or the PEM files (delivery pemSettings)',
    });
  }
  if (tls.sslSecret !== undefined) {
    const e = dns1123SubdomainError(tls.sslSecret);
    if (e) {
      problems.push({ field: 'sslSecret', message: `is not a valid Secret name: it ${e}`, value: tls.sslSecret, fix: 'use a name such as azureml-fe-tls' });
    }
  }
  if (tls.pem !== undefined && (tls.pem.certificatePem.trim() === '' || tls.pem.privateKeyPem.trim() === '')) {
    problems.push({ field: 'tls.pem', message: 'the certificate or the key is empty', fix: 'give both PEM texts' });
  }
  if (tls.cname === undefined || tls.cname.trim() === '') {
    problems.push({
      field: 'sslCname',
      message: 'is required whenever TLS material is given (the CLI says: please specify sslCname)',
      fix: 'set tls.cname to the FQDN clients call, e.g. ml.example.com',
    });
  } else {
    problems.push(...validateCname(tls.cname, 'sslCname').findings.map((f) => ({
      field: 'sslCname', message: f.message, fix: f.fix ?? 'give a plain host name such as ml.example.com',
    })));
  }
  return problems;
}

// Spec section 2: inferenceRouterHA=True runs 3 azureml-fe replicas and needs >= 3 nodes. Unset on a small cluster, it
// is derived as the CLI does (see derive.ts).
function checkHighAvailability(s: ExtensionSettings, cluster: ClusterIdentity | undefined): Problem[] {
  if (s.inferenceRouterHA === true && cluster?.nodeCount !== undefined && cluster.nodeCount < SMALL_CLUSTER_NODES) {
    return [{
      field: 'inferenceRouterHA',
      message: `is true but the cluster has ${cluster.nodeCount} node(s): three azureml-fe replicas need at least ${SMALL_CLUSTER_NODES} nodes`,
      value: 'True',
      fix: `set inferenceRouterHA: false (or leave it unset, and it is derived as false as the az CLI does), or grow the cluster to ${SMALL_CLUSTER_NODES} nodes`,
    }];
  }
  return [];
}

function checkNodeSelector(nodeSelector: { readonly [label: string]: string }): Problem[] {
  const problems: Problem[] = [];
  for (const [label, value] of Object.entries(nodeSelector)) {
    const keyError = labelKeyError(label);
    if (keyError) problems.push({ field: `nodeSelector.${label}`, message: `label key ${keyError}`, value: label, fix: 'use a label such as kubernetes.azure.com/agentpool' });
    const valueError = labelValueError(String(value));
    if (valueError) problems.push({ field: `nodeSelector.${label}`, message: `label value ${valueError}`, value: String(value), fix: 'use the node label\'s value, e.g. mlpool' });
  }
  return problems;
}

// Spec section 2: "A key may not appear in both settings and protected settings"; typed and derived keys must go
// through their typed fields so the rules above see them.
function checkPassThrough(s: ExtensionSettings): Problem[] {
  const problems: Problem[] = [];
  const typed = new Map(Object.entries(SCALAR_SETTINGS).map(([field, spec]) => [spec.key, field]));
  const check = (mapName: string, map: { readonly [key: string]: string }) => {
    for (const [key, value] of Object.entries(map)) {
      const field = `${mapName}.${key}`;
      if (typed.has(key)) {
        problems.push({ field, message: 'is a typed setting and may not be passed through', value: key, fix: `set ${key} in the extension settings itself` });
      } else if (TLS_AND_DERIVED_KEYS.includes(key)) {
        problems.push({ field, message: 'is set from the TLS input or derived as the az CLI does, and may not be passed through', value: key, fix: 'use the tls block (cname, certificate, delivery, secretName) instead' });
      } else if (key.startsWith('nodeSelector.')) {
        problems.push({ field, message: 'is a node selector', value: key, fix: 'put it in the nodeSelector map' });
      } else if (typeof value !== 'string' || value === '') {
        problems.push({ field, message: 'must be a non-empty string (ARM and Terraform reject empty values)', value: String(value), fix: 'give a value or remove the key' });
      }
    }
  };
  check('additionalSettings', s.additionalSettings ?? {});
  check('additionalProtectedSettings', s.additionalProtectedSettings ?? {});
  for (const key of Object.keys(s.additionalProtectedSettings ?? {})) {
    if (Object.hasOwn(s.additionalSettings ?? {}, key)) {
      problems.push({
        field: `additionalProtectedSettings.${key}`,
        message: 'appears in both the settings and the protected settings (the az CLI refuses: "Duplicate keys found")',
        value: key,
        fix: 'keep the key in one of the two maps',
      });
    }
  }
  return problems;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The cluster identity ends up in resource ids, the domain and the scripts: Azure's own naming rules.
function checkCluster(cluster: ClusterIdentity | undefined): Problem[] {
  if (!cluster) return [];
  const problems: Problem[] = [];
  if (cluster.subscriptionId !== undefined && !GUID.test(cluster.subscriptionId)) {
    problems.push({ field: 'cluster.subscriptionId', message: 'is not a subscription id (a GUID)', value: cluster.subscriptionId, fix: 'use the id az account show --query id -o tsv prints' });
  }
  if (cluster.resourceGroup !== undefined && (!/^[-\w.()]{1,90}$/u.test(cluster.resourceGroup) || cluster.resourceGroup.endsWith('.'))) {
    problems.push({ field: 'cluster.resourceGroup', message: 'is not a resource group name (1-90 letters, digits, -, _, ., ( and ), not ending with .)', value: cluster.resourceGroup, fix: 'use the name az group list --query [].name shows' });
  }
  if (cluster.name !== undefined && !/^[A-Za-z0-9][-_A-Za-z0-9]{0,62}$/.test(cluster.name)) {
    problems.push({ field: 'cluster.name', message: 'is not a cluster name (1-63 letters, digits, - and _, starting with a letter or digit)', value: cluster.name, fix: 'use the name az aks list (or az connectedk8s list) shows' });
  }
  // Spec section 3: the CLI reads properties.distribution, which only Arc connected clusters have.
  if (cluster.distribution !== undefined && cluster.type !== ClusterType.ARC) {
    problems.push({ field: 'cluster.distribution', message: 'is a property of Arc-enabled (connected) clusters only: an AKS cluster has none, so the az CLI derives nothing from it', value: cluster.distribution, fix: 'remove cluster.distribution, or set cluster.type: arc for an Arc-enabled cluster' });
  } else if (cluster.distribution !== undefined && cluster.distribution.trim() === '') {
    problems.push({ field: 'cluster.distribution', message: 'is empty', value: cluster.distribution, fix: 'give the distribution az connectedk8s show --query distribution prints, e.g. openshift' });
  }
  if (cluster.location !== undefined && !/^[A-Za-z0-9]+$/.test(cluster.location)) {
    problems.push({ field: 'cluster.location', message: 'is not a region name: the CLI derives the domain <region>.cloudapp.azure.com from it', value: cluster.location, fix: `use the programmatic name, e.g. ${cluster.location.replace(/\s+/g, '').toLowerCase()} (az account list-locations --query [].name)` });
  }
  return problems;
}
