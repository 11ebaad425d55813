// What an `az k8s-extension update` would change on an installed AzureML extension: the installed resource, as
// `az k8s-extension show -o json` prints it, against the settings an environment's config sends (issue 11). Pure: no
// file system, no clock. Protected settings are handled by name only: Azure never returns their values (the service
// returns the keys of configurationProtectedSettings and drops the values), and nothing here reads or prints one.
import { azPassThroughArg, azPassThroughVariables, azSettingsFileArgs, EXTENSION_TYPE } from './render/az';
import { shellQuote } from './render/common';
import { SettingsMap } from './settings/derive';
import { ExtensionModel } from './settings/extension-model';
import { ClusterIdentity, ClusterType } from './settings/model';
import { TlsMode } from './settings/tls';

/** How to get what `--current` reads, for messages. */
export const AZ_SHOW_COMMAND = 'az k8s-extension show --name azureml --cluster-type managedClusters --cluster-name CLUSTER --resource-group RG -o json';

/** The installed extension's cluster, from the resource id. */
export interface InstalledCluster {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The id's cluster resource type: managedClusters (AKS), connectedClusters (Arc), ... */
  readonly type: string;
  readonly name: string;
}

/** The parts of an installed extension the plan compares. */
export interface InstalledExtension {
  /** @default - not in the document */
  readonly name?: string;
  /** @default - not in the document */
  readonly id?: string;
  readonly extensionType: string;
  /** currentVersion, else installedVersion, else version. @default - not in the document */
  readonly version?: string;
  /** @default - not in the document */
  readonly releaseTrain?: string;
  /** @default - not in the document */
  readonly releaseNamespace?: string;
  /** @default - not in the document */
  readonly provisioningState?: string;
  /** From the resource id. @default - no id, or one of another shape */
  readonly cluster?: InstalledCluster;
  /** configurationSettings. */
  readonly settings: SettingsMap;
  /** The keys of configurationProtectedSettings, sorted. Their values are never kept. */
  readonly protectedKeys: string[];
}

/** The installed extension, or why the document is not one (a sentence to follow the input's name). */
export type ParsedInstalledExtension = { readonly extension: InstalledExtension; readonly error?: undefined } | { readonly extension?: undefined; readonly error: string };

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

// `az k8s-extension show` prints the SDK model flattened, camelCase (`extensionType`, `configurationSettings`); the ARM
// REST shape (`az rest`, `az resource show`) nests the same names under `properties`; the Python SDK's as_dict() uses
// snake_case. All three are read.
function field(o: Json, camel: string): unknown {
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[snake];
}

const optionalString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/([^/]+)\/([^/]+)\/providers\/Microsoft\.KubernetesConfiguration\/extensions\/([^/]+)$/i;

/**
 * Reads the JSON `az k8s-extension show -o json` prints. Checks it is one AzureML extension with string settings;
 * keeps the names of the protected settings only.
 */
export function parseInstalledExtension(text: string): ParsedInstalledExtension {
  const expected = `expected the JSON of one AzureML extension, as ${AZ_SHOW_COMMAND} prints it`;
  if (text.trim() === '') return { error: `is empty (${expected})` };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which could be anything: say where to look, never what is there.
    const hint = /^\s*[{[]/.test(text) ? 'it starts like JSON but does not parse' : 'it does not start with { (az prints a table with -o table and YAML with -o yaml: use -o json)';
    return { error: `is not JSON: ${hint} (${expected})` };
  }
  if (Array.isArray(doc)) {
    return { error: `is a JSON list, not one extension (az k8s-extension list prints a list: use az k8s-extension show --name NAME ... -o json, or pick one with --query "[?name=='azureml'] | [0]")` };
  }
  if (!isObject(doc)) return { error: `is JSON but a ${kindOf(doc)}, not an object (${expected})` };
  // The REST shape: the extension's own fields are under properties.
  const o: Json = field(doc, 'extensionType') === undefined && isObject(doc.properties) ? { ...doc, ...doc.properties } : doc;
  const type = field(o, 'extensionType');
  const name = optionalString(o.name);
  if (typeof type !== 'string' || type === '') {
    return { error: `has no extensionType, so it is not an extension resource (${expected})` };
  }
  if (type.toLowerCase() !== EXTENSION_TYPE.toLowerCase()) {
    return { error: `is ${name ? `extension ${JSON.stringify(name)}` : 'an extension'} of type ${JSON.stringify(type)}, not an AzureML extension (expected extensionType ${EXTENSION_TYPE.toLowerCase()}: show the AzureML extension, usually named azureml)` };
  }
  const rawSettings = field(o, 'configurationSettings');
  const settings: SettingsMap = {};
  if (rawSettings !== undefined && rawSettings !== null) {
    if (!isObject(rawSettings)) return { error: `has configurationSettings that is a ${kindOf(rawSettings)}, not a map of strings (${expected})` };
    for (const [k, v] of Object.entries(rawSettings)) {
      if (typeof v !== 'string') return { error: `has configurationSettings.${k} that is a ${kindOf(v)}, not a string (${expected})` };
      settings[k] = v;
    }
  }
  // Azure returns the protected keys with null (or empty) values; whatever a hand-made file holds there is ignored.
  const rawProtected = field(o, 'configurationProtectedSettings');
  if (rawProtected !== undefined && rawProtected !== null && !isObject(rawProtected)) {
    return { error: `has configurationProtectedSettings that is a ${kindOf(rawProtected)}, not a map (${expected})` };
  }
  const protectedKeys = isObject(rawProtected) ? Object.keys(rawProtected).sort() : [];
  const scope = field(o, 'scope');
  const cluster = isObject(scope) ? field(scope, 'cluster') : undefined;
  const releaseNamespace = isObject(cluster) ? optionalString(field(cluster, 'releaseNamespace')) : undefined;
  const id = optionalString(o.id);
  const m = id ? RESOURCE_ID.exec(id) : null;
  return {
    extension: {
      name: name ?? (m ? m[5] : undefined),
      id,
      extensionType: type,
      version: optionalString(field(o, 'currentVersion')) ?? optionalString(field(o, 'installedVersion')) ?? optionalString(o.version),
      releaseTrain: optionalString(field(o, 'releaseTrain')),
      releaseNamespace,
      provisioningState: optionalString(field(o, 'provisioningState')),
      cluster: m ? { subscriptionId: m[1], resourceGroup: m[2], type: m[3], name: m[4] } : undefined,
      settings,
      protectedKeys,
    },
  };
}

/** The cluster resource type the az CLI takes for `--cluster-type`. */
export function azClusterType(type: ClusterType): string {
  return type === ClusterType.ARC ? 'connectedClusters' : 'managedClusters';
}

/**
 * Why the installed extension is not on the environment's cluster, comparing what both name (case-insensitively, as
 * Azure resource names are); undefined when nothing known disagrees.
 */
export function clusterMismatch(installed: InstalledCluster | undefined, configured: ClusterIdentity | undefined): string | undefined {
  if (!installed || !configured) return undefined;
  const pairs: [string, string, string | undefined][] = [
    ['subscription', installed.subscriptionId, configured.subscriptionId],
    ['resource group', installed.resourceGroup, configured.resourceGroup],
    ['cluster type', installed.type, azClusterType(configured.type)],
    ['cluster', installed.name, configured.name],
  ];
  const differ = pairs.filter(([, a, b]) => b !== undefined && a.toLowerCase() !== b.toLowerCase());
  if (differ.length === 0) return undefined;
  return differ.map(([what, a, b]) => `${what} ${a} (the config: ${b})`).join(', ');
}

/** How a setting differs. */
export enum SettingChangeKind {
  /** The config sends it; it is not installed. */
  ADDED = 'added',
  /** Installed with another value. */
  CHANGED = 'changed',
  /** Installed; the config no longer sends it. */
  REMOVED = 'removed',
}

/** One non-protected setting that differs. Values are those of configurationSettings, never protected ones. */
export interface SettingChange {
  readonly key: string;
  readonly change: SettingChangeKind;
  /** @default - not installed */
  readonly old?: string;
  /** @default - not sent */
  readonly new?: string;
  /** Whether the change affects live endpoints (see `reason`). */
  readonly affectsEndpoints: boolean;
  /** Why it is marked. @default - not marked */
  readonly reason?: string;
  /** What else to know (the update leaves it in place, a spelling-only change). @default - none */
  readonly note?: string;
}

/** What becomes of one protected setting. Names only. */
export enum ProtectedChangeKind {
  /** The config sends it; it is not installed. Pending. */
  ADDED = 'added',
  /** Installed; the config no longer sends it, and the update sends other protected settings: deleted. Pending. */
  DROPPED = 'dropped',
  /** Installed; the config no longer sends it, and the update sends no protected settings, so it stays. Pending. */
  STALE = 'stale',
  /** Installed and sent again (its value cannot be compared). Not pending. */
  RESENT = 'resent',
  /** Installed; the az CLI reads it again from Azure when it sends protected settings. Not pending. */
  REFETCHED = 'refetched',
}

/** One protected setting: its name and what the update does with it. */
export interface ProtectedChange {
  readonly key: string;
  readonly change: ProtectedChangeKind;
  /** Whether it counts as a pending change. */
  readonly pending: boolean;
  /** Whether the change is marked as affecting live endpoints (see `markReason`). */
  readonly affectsEndpoints: boolean;
  /** What the update does with it. */
  readonly reason: string;
  /** Why it is marked. @default - not marked */
  readonly markReason?: string;
}

/** Whether the certificate azureml-fe serves changes. */
export enum CertificateChange {
  /** It changes: a rotation (or another TLS source). */
  CHANGES = 'changes',
  /** The same certificate (the Secret name carries its fingerprint). */
  UNCHANGED = 'unchanged',
  /** This tool cannot see it (a Secret whose name does not change, managed in the cluster or rotated in place). */
  UNKNOWN = 'unknown',
  /** PEM settings: the update sends the configured certificate again, changed or not. */
  RESENT = 'resent',
  /** No certificate (plain HTTP, or no inference). */
  NONE = 'none',
}

/** One side of the TLS comparison. */
export interface TlsState {
  /** sslSecret, pemSettings, insecure or none. */
  readonly mode: TlsMode;
  /** @default - not secret mode */
  readonly secretName?: string;
}

/** The TLS part of the plan. */
export interface TlsPlan {
  readonly from: TlsState;
  readonly to: TlsState;
  readonly secretNameChanges: boolean;
  readonly certificate: CertificateChange;
  /** One sentence: what changes and why this tool knows (or cannot know). */
  readonly detail: string;
  /** The configured leaf's SHA-256 fingerprint, when this tool sees the certificate. @default - not visible */
  readonly fingerprintSha256?: string;
}

/** What the TLS options say beyond the model. */
export interface PlanTlsInput {
  /** tls.fingerprintSuffix: the Secret name carries the leaf's fingerprint. @default false */
  readonly fingerprintSuffix?: boolean;
  /** The configured leaf's SHA-256 fingerprint. @default - not visible (managed in the cluster) */
  readonly fingerprintSha256?: string;
}

/** Everything the update would change, and what to know before running it. */
export interface PlanDiff {
  /** Differing non-protected settings, by key. */
  readonly settings: SettingChange[];
  /**
   * Installed keys the az CLI derives at install (cluster identity, location, relay, small-cluster defaults) that
   * settings.json does not set: the update leaves them as they are, so they are no difference.
   */
  readonly keptAsInstalled: string[];
  /** Every protected setting, installed or sent, by key. Names only. */
  readonly protectedSettings: ProtectedChange[];
  readonly tls: TlsPlan;
  /** Keys settings.json sets that make the az CLI ask for confirmation on every update (`--yes` answers it). */
  readonly confirmationKeys: string[];
  readonly warnings: string[];
  /** The number of pending changes: settings plus pending protected settings. */
  readonly pending: number;
  readonly inSync: boolean;
}

/** Input of {@link diffExtension}. */
export interface PlanDiffInput {
  /** What the config sends. */
  readonly model: ExtensionModel;
  readonly installed: InstalledExtension;
  /** @default - no fingerprint suffix, certificate not visible */
  readonly tls?: PlanTlsInput;
}

// Settings the az CLI computes itself when the user does not set them (spec section 3, Create()): a config without a
// cluster block (or one without nodeCount, location, ...) leaves them to it, so settings.json lacks them.
const CLI_DERIVED_AT_CREATE: readonly string[] = [
  'cluster_name', 'clusterId', 'prometheus.prometheusSpec.externalLabels.cluster_name', 'cluster_name_friendly',
  'domain', 'location', 'jobSchedulerLocation', 'servicebus.enabled', 'relayserver.enabled', 'nginxIngress.enabled',
  'relayserver.hybridConnectionResourceID', 'relayserver.hybridConnectionName', 'clusterPurpose', 'inferenceRouterHA', 'openshift',
];

// On update the az CLI sends scoringFe.serviceType.nodePort (and .internalLoadBalancer) whenever the router service type
// (the internal load balancer provider) is given, as Python's str(bool): "False" is how an update records what create
// leaves out. Absent and "False" are the same setting.
const CLI_NORMALIZED_FLAGS: readonly string[] = ['scoringFe.serviceType.nodePort', 'scoringFe.serviceType.internalLoadBalancer'];

// The az CLI copies these protected pass-through keys to others before sending (its reference mapping, spec section 3).
const PROTECTED_REFERENCES: { readonly [key: string]: readonly string[] } = {
  relayServerConnectionString: ['relayserver.relayConnectionString'],
  serviceBusConnectionString: ['servicebus.connectionString'],
};

// Spec sections 3 and 5: the keys whose change the az CLI asks to confirm (it "will IMPACT your active Machine Learning
// online endpoints and deployments"), and the other keys that change what azureml-fe serves. Each with the reason.
function endpointReason(key: string): string | undefined {
  if (key === 'sslCname') return 'the name clients call: the certificate must cover it and DNS must point it at azureml-fe (the az CLI asks for confirmation, spec section 3)';
  if (key === 'inferenceRouterServiceType' || key === 'scoringFe.serviceType.nodePort') {
    return 'azureml-fe\'s Service type changes, and with it the address endpoints are reached at: live endpoints break (spec section 5; the az CLI asks for confirmation)';
  }
  if (key === 'internalLoadBalancerProvider' || key === 'scoringFe.serviceType.internalLoadBalancer') {
    return 'moves azureml-fe between a public and an internal load balancer, so its address changes: live endpoints break (spec section 5; the az CLI asks for confirmation)';
  }
  if (key === 'allowInsecureConnections') return 'switches azureml-fe between HTTP and HTTPS: live endpoints break (spec section 5; the az CLI asks for confirmation)';
  if (key.startsWith('nodeSelector.')) return 'moves the extension\'s pods, azureml-fe included, to other nodes (the az CLI asks for confirmation; an update cannot remove a node selector, spec section 2)';
  if (key === 'sslSecret' || key === 'scoringFe.sslSecret') return 'azureml-fe serves the certificate of another Secret, which must exist in namespace azureml before the update (spec section 1)';
  if (key === 'enableInference') return 'turns the inference router (azureml-fe) on or off (the az CLI asks for confirmation when it goes to False)';
  return undefined;
}

const TLS_PROTECTED_KEYS: readonly string[] = ['sslCertPemFile', 'sslKeyPemFile', 'scoringFe.sslCert', 'scoringFe.sslKey'];

/**
 * The settings `az k8s-extension update` sends from settings.json: the file's keys, plus the service type flags its
 * Update() derives from inferenceRouterServiceType and internalLoadBalancerProvider whenever those are given
 * (`__normalize_config`, spec section 3), as Python's str(bool).
 */
export function updateSends(settings: SettingsMap): SettingsMap {
  const out: SettingsMap = { ...settings };
  const type = settings.inferenceRouterServiceType;
  if (type) out['scoringFe.serviceType.nodePort'] = type.toLowerCase() === 'nodeport' ? 'True' : 'False';
  const provider = settings.internalLoadBalancerProvider;
  if (provider) out['scoringFe.serviceType.internalLoadBalancer'] = provider.toLowerCase() === 'azure' ? 'True' : 'False';
  return out;
}

const isFalse = (v: string | undefined) => v !== undefined && v.toLowerCase() === 'false';
const isBoolean = (v: string) => /^(true|false)$/i.test(v);

/** Compares the installed extension with what the config sends. */
export function diffExtension(input: PlanDiffInput): PlanDiff {
  const { model, installed } = input;
  const desired = updateSends(model.settings);
  const current = installed.settings;
  const settings: SettingChange[] = [];
  const keptAsInstalled: string[] = [];
  for (const key of [...new Set([...Object.keys(desired), ...Object.keys(current)])].sort()) {
    const want = desired[key];
    const have = current[key];
    if (want === have) continue;
    if (CLI_NORMALIZED_FLAGS.includes(key) && (want ?? 'False').toLowerCase() === (have ?? 'False').toLowerCase() && (want === undefined || have === undefined)) continue;
    if (want === undefined && CLI_DERIVED_AT_CREATE.includes(key)) {
      keptAsInstalled.push(key);
      continue;
    }
    const reason = endpointReason(key);
    const marked = { affectsEndpoints: reason !== undefined, reason };
    const sentByCli = !(key in model.settings) ? `the az CLI sends it on update, from ${key.endsWith('nodePort') ? 'inferenceRouterServiceType' : 'internalLoadBalancerProvider'}` : undefined;
    if (have === undefined) {
      settings.push({ key, change: SettingChangeKind.ADDED, new: want, ...marked, note: sentByCli });
    } else if (want === undefined) {
      settings.push({
        key,
        change: SettingChangeKind.REMOVED,
        old: have,
        ...marked,
        // An update sends the keys given and the installed ones stay (the az CLI says so of node selectors, spec
        // section 2), so the difference stays until the config takes the key back.
        note: key.startsWith('nodeSelector.')
          ? `the update leaves it installed (an update cannot remove a node selector, spec section 2): to accept it, add ${key.slice('nodeSelector.'.length)} to extension.nodeSelector`
          : 'the update sends only the keys of settings.json, so the installed value stays: to accept it, add it to extension.additionalSettings',
      });
    } else {
      settings.push({
        key,
        change: SettingChangeKind.CHANGED,
        old: have,
        new: want,
        ...marked,
        note: sentByCli ?? (isBoolean(have) && isBoolean(want) && have.toLowerCase() === want.toLowerCase() ? 'the same boolean, spelled differently' : undefined),
      });
    }
  }

  const protectedSettings = diffProtected(model, installed);
  const tls = diffTls(model, installed, input.tls ?? {});
  const confirmationKeys = Object.keys(desired).filter((k) => ['sslCname', 'inferenceRouterServiceType', 'internalLoadBalancerProvider', 'allowInsecureConnections'].includes(k)
    || k.startsWith('nodeSelector.')
    || (['enableTraining', 'enableInference', 'installNvidiaDevicePlugin'].includes(k) && isFalse(desired[k])));

  const warnings: string[] = [];
  if (installed.provisioningState && installed.provisioningState.toLowerCase() !== 'succeeded') {
    warnings.push(`the extension's last operation ended with provisioningState ${installed.provisioningState}: find out why before updating (kubectl get configmap arcml-healthcheck -n azureml -o yaml | azureml-tls triage --healthcheck -)`);
  }
  if (installed.releaseNamespace && installed.releaseNamespace !== 'azureml') {
    warnings.push(`the extension is installed in namespace ${installed.releaseNamespace}, not azureml (the az CLI always installs it in azureml, spec section 3; the TLS Secret must be in the release namespace)`);
  }
  const dropped = protectedSettings.filter((p) => p.change === ProtectedChangeKind.DROPPED).map((p) => p.key);
  if (dropped.length > 0) {
    warnings.push(`the update deletes the protected setting(s) ${dropped.join(', ')}: the config no longer sends them, and omitted protected settings are deleted (spec section 5); to keep one, add it to extension.additionalProtectedSettings`);
  }
  const stale = protectedSettings.filter((p) => p.change === ProtectedChangeKind.STALE).map((p) => p.key);
  if (stale.length > 0) {
    warnings.push(`the protected setting(s) ${stale.join(', ')} stay installed: the config no longer sends them, but the update sends no protected settings, so it leaves the installed ones as they are`);
  }
  if (tls.secretNameChanges && tls.to.secretName) {
    warnings.push(`the TLS Secret ${tls.to.secretName} must exist in namespace azureml before the update, or azureml-fe cannot serve HTTPS (check: kubectl get secret -n azureml ${tls.to.secretName})`);
  }
  const pending = settings.length + protectedSettings.filter((p) => p.pending).length;
  return { settings, keptAsInstalled, protectedSettings, tls, confirmationKeys, warnings, pending, inSync: pending === 0 };
}

function diffProtected(model: ExtensionModel, installed: InstalledExtension): ProtectedChange[] {
  const sent = new Set(Object.keys(model.protectedSettings));
  for (const [source, targets] of Object.entries(PROTECTED_REFERENCES)) if (sent.has(source)) for (const t of targets) sent.add(t);
  const sendsAny = sent.size > 0;
  // When it sends protected settings, the az CLI's Update() reads the Arc relay's and the service bus's connection
  // strings from Azure again (unless the original install has them disabled), and the Log Analytics one if it finds
  // the workspace: those keys are not lost.
  const refetched = new Set<string>(['azure_log_analytics.connection_string']);
  if (!isFalse(installed.settings['relayserver.enabled'])) ['relayServerConnectionString', 'relayserver.relayConnectionString'].forEach((k) => refetched.add(k));
  if (!isFalse(installed.settings['servicebus.enabled'])) ['serviceBusConnectionString', 'servicebus.connectionString'].forEach((k) => refetched.add(k));
  const installedKeys = new Set(installed.protectedKeys);
  const out: ProtectedChange[] = [];
  for (const key of [...new Set([...sent, ...installedKeys])].sort()) {
    // Spec section 3: the az CLI asks for confirmation when protected settings change; the TLS ones are the
    // certificate azureml-fe serves.
    const mark = {
      affectsEndpoints: true,
      markReason: TLS_PROTECTED_KEYS.includes(key)
        ? 'the certificate azureml-fe serves (pemSettings delivery): a protected settings change the az CLI asks to confirm (spec section 3)'
        : 'a protected settings change: the az CLI asks for confirmation (spec section 3)',
    };
    if (sent.has(key) && !installedKeys.has(key)) {
      out.push({ key, change: ProtectedChangeKind.ADDED, pending: true, ...mark, reason: 'the config sends it; it is not installed' });
    } else if (sent.has(key)) {
      out.push({ key, change: ProtectedChangeKind.RESENT, pending: false, affectsEndpoints: false, reason: 'sent again; Azure never returns protected values, so whether its value changes cannot be seen' });
    } else if (!sendsAny) {
      out.push({ key, change: ProtectedChangeKind.STALE, pending: true, ...mark, reason: 'the config no longer sends it; the update sends no protected settings, so it stays installed' });
    } else if (refetched.has(key)) {
      out.push({ key, change: ProtectedChangeKind.REFETCHED, pending: false, affectsEndpoints: false, reason: 'the az CLI reads it again from Azure when it sends protected settings' });
    } else {
      out.push({ key, change: ProtectedChangeKind.DROPPED, pending: true, ...mark, reason: 'the config no longer sends it: omitted protected settings are deleted (spec section 5)' });
    }
  }
  return out;
}

function installedTls(ext: InstalledExtension): TlsState {
  const s = ext.settings;
  const p = new Set(ext.protectedKeys);
  // The CLI's precedence (spec section 2-3): plain HTTP ignores TLS material; PEM files win over sslSecret.
  if ((s.allowInsecureConnections ?? '').toLowerCase() === 'true') return { mode: TlsMode.INSECURE };
  if (p.has('scoringFe.sslCert') || (p.has('sslCertPemFile') && p.has('sslKeyPemFile'))) return { mode: TlsMode.PEM_SETTINGS };
  const secret = s.sslSecret ?? s['scoringFe.sslSecret'];
  if (secret !== undefined) return { mode: TlsMode.SSL_SECRET, secretName: secret };
  return { mode: (s.enableInference ?? '').toLowerCase() === 'true' ? TlsMode.INSECURE : TlsMode.NONE };
}

const describeTls = (t: TlsState) => (t.mode === TlsMode.SSL_SECRET ? `the Secret ${t.secretName}`
  : t.mode === TlsMode.PEM_SETTINGS ? 'PEM protected settings' : t.mode === TlsMode.INSECURE ? 'plain HTTP' : 'no inference router');

function diffTls(model: ExtensionModel, installed: InstalledExtension, tls: PlanTlsInput): TlsPlan {
  const from = installedTls(installed);
  const to: TlsState = model.tlsMode === TlsMode.SSL_SECRET ? { mode: model.tlsMode, secretName: model.settings.sslSecret } : { mode: model.tlsMode };
  const secretNameChanges = from.secretName !== to.secretName && to.secretName !== undefined;
  const base = { from, to, secretNameChanges, fingerprintSha256: tls.fingerprintSha256 };
  if (to.mode === TlsMode.INSECURE || to.mode === TlsMode.NONE) {
    return { ...base, certificate: CertificateChange.NONE, detail: from.mode === to.mode ? `no certificate: ${describeTls(to)}` : `no certificate any more: ${describeTls(from)} -> ${describeTls(to)}` };
  }
  if (from.mode !== to.mode) {
    return { ...base, certificate: CertificateChange.CHANGES, detail: `the TLS source changes: ${describeTls(from)} -> ${describeTls(to)}` };
  }
  if (to.mode === TlsMode.PEM_SETTINGS) {
    // Spec section 5: with PEM files every protected setting is given again on update, so the update installs the
    // configured certificate whatever is installed; Azure never returns protected values, so no comparison is possible.
    return {
      ...base,
      certificate: CertificateChange.RESENT,
      detail: 'pemSettings: the installed certificate cannot be compared (Azure never returns protected values); the update sends the configured one again (sslCertPemFile, sslKeyPemFile and their base64 in scoringFe.sslCert, scoringFe.sslKey), changed or not',
    };
  }
  if (secretNameChanges) {
    return tls.fingerprintSuffix
      ? { ...base, certificate: CertificateChange.CHANGES, detail: `a rotation: the Secret name carries the leaf certificate's fingerprint (tls.fingerprintSuffix), so ${from.secretName} -> ${to.secretName} is a new certificate` }
      : { ...base, certificate: CertificateChange.UNKNOWN, detail: `the TLS Secret name changes: ${from.secretName} -> ${to.secretName}; azureml-fe serves whatever that Secret holds` };
  }
  return tls.fingerprintSuffix
    ? { ...base, certificate: CertificateChange.UNCHANGED, detail: `the same certificate: the Secret name ${to.secretName} carries its fingerprint (tls.fingerprintSuffix) and does not change` }
    : {
      ...base,
      certificate: CertificateChange.UNKNOWN,
      detail: `the TLS Secret name ${to.secretName} does not change, so a new certificate in the same Secret is not visible here, and nothing documents that azureml-fe reloads a changed Secret (spec section 5): tls.fingerprintSuffix gives each certificate its own Secret name`,
    };
}

/** Inputs of {@link renderUpdateCommand}. */
export interface UpdateCommandInput {
  readonly model: ExtensionModel;
  /** The environment's install folder (where settings.json is), as the user reaches it. */
  readonly installDir: string;
  /** @default 'azureml' */
  readonly extensionName?: string;
  /** What is known of the cluster; unknown parts become shell variables to set first. */
  readonly cluster?: { readonly type?: string; readonly name?: string; readonly resourceGroup?: string; readonly subscriptionId?: string };
}

/** The update command, and the shell variables to set before pasting it. */
export interface UpdateCommand {
  /** `cd <install dir> && az k8s-extension update ... --yes`, continued over lines with backslashes. */
  readonly command: string;
  /** `NAME: what to set it to`, for each variable the command reads. */
  readonly variables: string[];
}

/**
 * The `az k8s-extension update` that install/<env>/az-update.sh runs, as one command with the current flag spellings
 * (spec section 4: `--config-settings-file`, `--config-protected-file`, `--config-protected`), run from the install
 * folder so the PEM paths in protected-settings.json resolve. `--yes`: the CLI asks for confirmation otherwise.
 */
export function renderUpdateCommand(input: UpdateCommandInput): UpdateCommand {
  const { model } = input;
  const c = input.cluster ?? {};
  const variables: string[] = [];
  const value = (known: string | undefined, variable: string, what: string) => {
    if (known !== undefined) return shellQuote(known);
    variables.push(`${variable}: ${what}`);
    return `"$${variable}"`;
  };
  const args = [
    'k8s-extension update',
    `--name ${shellQuote(input.extensionName ?? 'azureml')}`,
    `--cluster-type ${value(c.type, 'CLUSTER_TYPE', 'managedClusters (AKS) or connectedClusters (Arc)')}`,
    `--cluster-name ${value(c.name, 'CLUSTER_NAME', 'the name of the cluster')}`,
    `--resource-group ${value(c.resourceGroup, 'RESOURCE_GROUP', 'the resource group of the cluster')}`,
  ];
  if (c.subscriptionId !== undefined) args.push(`--subscription ${shellQuote(c.subscriptionId)}`);
  // The same flags az-update.sh passes (one helper for both), so the printed command and the script never differ.
  args.push(...azSettingsFileArgs(Object.keys(model.cliProtectedSettings).length > 0));
  // Pass-through protected values are never in a file: the command reads them from the environment, as the script does.
  for (const { key, variable } of azPassThroughVariables(model)) {
    variables.push(`${variable}: the protected setting ${key}`);
    args.push(azPassThroughArg(key, variable));
  }
  args.push('--yes');
  return { command: `cd ${shellQuote(input.installDir)} && az ${args.join(' \\\n  ')}`, variables };
}
