import { createHash } from 'node:crypto';
import { ClusterIdentity, ClusterType, ExtensionSettings, InferenceRouterServiceType, OPENSHIFT_DISTRIBUTION } from './model';
import { renderBoolean, SCALAR_SETTINGS, ScalarSettingField, SettingKind } from './keys';
import { ExtensionModelInput, SMALL_CLUSTER_NODES } from './rules';
import { TlsMode } from './tls';

/** A flat map of setting keys to string values, as the extension's API takes them. */
export type SettingsMap = { [key: string]: string };

/** The settings as the az CLI would send them, split into plain and protected. */
export interface DerivedSettings {
  /** `configurationSettings`, keys sorted. */
  readonly settings: SettingsMap;
  /** `configurationProtectedSettings` as sent, key material included (PEM mode). Sensitive. */
  readonly protectedSettings: SettingsMap;
  /**
   * The protected settings written for the az CLI: the PEM file paths instead of their base64 content (the CLI
   * reads the files and adds `scoringFe.sslCert` / `scoringFe.sslKey` itself). Holds no secret: pass-through
   * protected settings are left out (the az scripts read them from environment variables).
   */
  readonly cliProtectedSettings: SettingsMap;
  /** Which TLS source azureml-fe uses. */
  readonly tlsMode: TlsMode;
  /**
   * The Azure Relay the az CLI creates for an Arc cluster (spec section 3), when the cluster's identity is known.
   * Infrastructure-as-code must create it (or reference it) and pass its connection string as protected settings.
   * @default - none (AKS, or identity unknown)
   */
  readonly arcRelay?: ArcRelay;
  /**
   * The protected keys the az CLI fills itself from another protected key (its reference mapping, spec section 3),
   * each mapped to its source: `relayserver.relayConnectionString` from a pass-through `relayServerConnectionString`,
   * `servicebus.connectionString` from `serviceBusConnectionString`. They are in `protectedSettings` (what is sent);
   * a deployment passes one value for both, and the az scripts pass only the source.
   * @default - none
   */
  readonly protectedReferenceCopies?: { [key: string]: string };
}

/** The Azure Relay an Arc installation needs, named as the az CLI names it. */
export interface ArcRelay {
  /** The Relay namespace: `<cluster>-<subscription>-<resourceGroup>-relay`, letters and digits only, 50 at most. */
  readonly namespaceName: string;
  /** The hybrid connection: named after the cluster. */
  readonly hybridConnectionName: string;
  /** The hybrid connection's resource id (`relayserver.hybridConnectionResourceID`). */
  readonly hybridConnectionResourceId: string;
  /** The authorization rule (rights Manage, Send, Listen). */
  readonly authorizationRuleName: string;
  /** The resource group it lives in (the cluster's). */
  readonly resourceGroup: string;
  /** Protected settings that receive the rule's primary connection string at deploy time. */
  readonly connectionStringKeys: string[];
}

/**
 * The az CLI's reference mapping for pass-through keys (spec section 3): a key given is copied to each of these keys,
 * in the same map (settings or protected settings), unless that key is set already. Its `cluster_name` entry is
 * applied in {@link deriveFromCluster}.
 */
const PASS_THROUGH_REFERENCES: { readonly [key: string]: readonly string[] } = {
  relayServerConnectionString: ['relayserver.relayConnectionString'],
  serviceBusConnectionString: ['servicebus.connectionString'],
};

/** Python's `str(True)`: what the CLI sends for the booleans it computes itself. */
const PY_TRUE = 'True';

/**
 * Adds the keys the az CLI adds before sending (spec section 3), in the CLI's order of precedence: a key the user set
 * wins over a derived one (the CLI uses `dict.get(key, default)`), except `domain`, which the CLI always overwrites.
 * Assumes the input passed {@link checkExtensionInput}.
 */
export function deriveSettings(input: ExtensionModelInput): DerivedSettings {
  const { settings: s, tls, cluster } = input;
  const settings: SettingsMap = { ...renderScalars(s) };
  for (const [label, value] of Object.entries(s.nodeSelector ?? {})) settings[`nodeSelector.${label}`] = value;
  Object.assign(settings, s.additionalSettings ?? {});
  const protectedSettings: SettingsMap = { ...(s.additionalProtectedSettings ?? {}) };
  // Pass-through protected values are secrets: the CLI input files never hold them (the az scripts read them from
  // environment variables), only the opt-in protected values file does.
  const cliProtectedSettings: SettingsMap = {};
  const setDefault = (key: string, value: string) => {
    if (!(key in settings)) settings[key] = value;
  };

  // Always present (the CLI's __validate_config); a value set is already in the map.
  setDefault('enableTraining', renderBoolean(false));
  setDefault('enableInference', renderBoolean(false));

  let tlsMode = s.enableInference ? TlsMode.INSECURE : TlsMode.NONE;
  if (s.enableInference) {
    // __validate_scoring_fe_settings
    if (s.isAKSMigration) {
      settings['scoringFe.namespace'] = 'default';
      settings.isAKSMigration = 'true';
    }
    if (s.inferenceRouterServiceType === InferenceRouterServiceType.NODE_PORT) {
      settings['scoringFe.serviceType.nodePort'] = PY_TRUE;
    } else if (s.internalLoadBalancerProvider !== undefined) {
      settings['scoringFe.serviceType.internalLoadBalancer'] = PY_TRUE;
    }
    // __set_up_inference_ssl: files win over sslSecret; the files' text is sent as standard base64.
    if (tls && !s.allowInsecureConnections) {
      settings.sslCname = tls.cname.toLowerCase();
      if (tls.pem) {
        const certFile = tls.pem.certificateFile ?? 'cert.pem';
        const keyFile = tls.pem.privateKeyFile ?? 'key.pem';
        for (const target of [protectedSettings, cliProtectedSettings]) {
          target.sslCertPemFile = certFile;
          target.sslKeyPemFile = keyFile;
        }
        protectedSettings['scoringFe.sslCert'] = Buffer.from(tls.pem.certificatePem, 'latin1').toString('base64');
        protectedSettings['scoringFe.sslKey'] = Buffer.from(tls.pem.privateKeyPem, 'latin1').toString('base64');
        tlsMode = TlsMode.PEM_SETTINGS;
      } else if (tls.sslSecret !== undefined) {
        settings.sslSecret = tls.sslSecret;
        settings['scoringFe.sslSecret'] = tls.sslSecret;
        tlsMode = TlsMode.SSL_SECRET;
      }
    }
  }

  let arcRelay: ArcRelay | undefined;
  if (cluster) {
    deriveFromCluster(cluster, settings, setDefault);
    arcRelay = deriveArcRelay(cluster, settings, protectedSettings);
  }
  // The CLI's _dereference runs on both maps whatever the cluster. A created Arc relay's keys are not copied here:
  // its connection string is known only at deploy time, and ArcRelay.connectionStringKeys already lists both keys.
  dereference(settings);
  const protectedReferenceCopies = dereference(protectedSettings);

  return {
    settings: sortKeys(settings),
    protectedSettings: sortKeys(protectedSettings),
    cliProtectedSettings: sortKeys(cliProtectedSettings),
    tlsMode,
    arcRelay,
    protectedReferenceCopies: sortKeys(protectedReferenceCopies),
  };
}

// Copies each reference source present to its targets not set yet (the CLI keeps a value the user set); returns the
// keys copied, each mapped to its source.
function dereference(map: SettingsMap): SettingsMap {
  const copied: SettingsMap = {};
  for (const [source, targets] of Object.entries(PASS_THROUGH_REFERENCES)) {
    if (!(source in map)) continue;
    for (const target of targets) {
      if (target in map) continue;
      map[target] = map[source];
      copied[target] = source;
    }
  }
  return copied;
}

/**
 * The CLI's `_get_valid_name(input, suffix_len, max_len)`: the input's letters and digits; when longer than `maxLen`,
 * cut to `maxLen - suffixLen` and followed by the first `suffixLen` hex digits of the input's MD5.
 */
export function cliValidName(input: string, suffixLen: number, maxLen: number): string {
  const normalized = [...input].filter((c) => /^[\p{L}\p{N}]$/u.test(c)).join('');
  if (normalized.length <= maxLen) return normalized;
  const suffix = createHash('md5').update(input, 'utf8').digest('hex').slice(0, suffixLen);
  return normalized.slice(0, maxLen - suffixLen) + suffix;
}

// Spec section 3, Arc: the CLI creates an Azure Relay namespace, a hybrid connection named after the cluster and an
// authorization rule azureml_rw, then sets relayserver.hybridConnectionResourceID / hybridConnectionName; the
// connection string (relayServerConnectionString, copied to relayserver.relayConnectionString) is protected and only
// known at deploy time. Skipped when the relay is disabled or a connection string is passed through.
function deriveArcRelay(cluster: ClusterIdentity, settings: SettingsMap, protectedSettings: SettingsMap): ArcRelay | undefined {
  if (settings['relayserver.enabled']?.toLowerCase() === 'false') return undefined;
  if (protectedSettings.relayServerConnectionString || settings.relayServerConnectionString) return undefined;
  if (!cluster.subscriptionId || !cluster.resourceGroup || !cluster.name) return undefined;
  const namespaceName = cliValidName(`${cluster.name}-${cluster.subscriptionId}-${cluster.resourceGroup}-relay`, 6, 50);
  const hybridConnectionResourceId = `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}`
    + `/providers/Microsoft.Relay/namespaces/${namespaceName}/hybridConnections/${cluster.name}`;
  settings['relayserver.hybridConnectionResourceID'] = hybridConnectionResourceId;
  settings['relayserver.hybridConnectionName'] = cluster.name;
  return {
    namespaceName,
    hybridConnectionName: cluster.name,
    hybridConnectionResourceId,
    authorizationRuleName: 'azureml_rw',
    resourceGroup: cluster.resourceGroup,
    connectionStringKeys: ['relayServerConnectionString', 'relayserver.relayConnectionString'],
  };
}

/** The Azure resource id of the cluster, when subscription, resource group and name are all known. */
export function clusterResourceId(cluster: ClusterIdentity): string | undefined {
  if (!cluster.subscriptionId || !cluster.resourceGroup || !cluster.name) return undefined;
  const provider = cluster.type === ClusterType.AKS
    ? 'Microsoft.ContainerService/managedClusters'
    : 'Microsoft.Kubernetes/connectedClusters';
  return `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}/providers/${provider}/${cluster.name}`;
}

// The CLI's Create(): small-cluster defaults, identity keys, relay/ingress flags, then _dereference of cluster_name.
function deriveFromCluster(
  cluster: ClusterIdentity, settings: SettingsMap, setDefault: (k: string, v: string) => void,
): void {
  if (cluster.nodeCount !== undefined && cluster.nodeCount < SMALL_CLUSTER_NODES) {
    // Defaults only: an explicit clusterPurpose or inferenceRouterHA is already in the map (renderScalars).
    setDefault('clusterPurpose', 'DevTest');
    setDefault('inferenceRouterHA', 'false');
  }
  const id = clusterResourceId(cluster);
  if (id) setDefault('cluster_name', id);
  if (cluster.location) {
    const location = cluster.location.toLowerCase();
    // The CLI reads a misspelt key ('doamin'), so `domain` is always the derived value.
    settings.domain = `${location}.cloudapp.azure.com`;
    setDefault('location', location);
    setDefault('jobSchedulerLocation', location);
  }
  if (cluster.name) setDefault('cluster_name_friendly', cluster.name);
  // The CLI reads the connected cluster's properties.distribution and, for OpenShift, sets the key outright (not a
  // default: a user value is overwritten), as the lower-case string 'true'.
  if (cluster.distribution?.toLowerCase() === OPENSHIFT_DISTRIBUTION) settings.openshift = 'true';
  setDefault('servicebus.enabled', 'false');
  const aks = cluster.type === ClusterType.AKS;
  setDefault('relayserver.enabled', aks ? 'false' : 'true');
  setDefault('nginxIngress.enabled', aks ? 'true' : 'false');
  if (settings.cluster_name !== undefined) {
    setDefault('clusterId', settings.cluster_name);
    setDefault('prometheus.prometheusSpec.externalLabels.cluster_name', settings.cluster_name);
  }
}

function renderScalars(s: ExtensionSettings): SettingsMap {
  const out: SettingsMap = {};
  for (const [field, spec] of Object.entries(SCALAR_SETTINGS) as [ScalarSettingField, (typeof SCALAR_SETTINGS)[ScalarSettingField]][]) {
    const value = s[field];
    if (value === undefined) continue;
    out[spec.key] = spec.kind === SettingKind.BOOLEAN ? renderBoolean(value as boolean) : String(value);
  }
  return out;
}

function sortKeys(m: SettingsMap): SettingsMap {
  const out: SettingsMap = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}
