/**
 * What the Bicep, ARM and Terraform renderers share: their inputs, the cluster they target, the protected settings a
 * deployment passes (and where each value comes from), and the notes every output carries.
 *
 * Spec sections 3 and 4 (`../shared/spec/azureml-extension.md`): infrastructure as code bypasses the az CLI, so the
 * settings are the model's literal map (what the CLI would send), and the protected values are supplied at deploy time.
 */
import { Problem, ValidationError } from '../problems';
import { shellQuote } from './common';
import { ArcRelay, clusterResourceId } from '../settings/derive';
import { ExtensionModel } from '../settings/extension-model';
import { ClusterIdentity, ClusterType } from '../settings/model';
import { TlsMode } from '../settings/tls';

/** The extension type as ARM and Terraform take it (the az CLI sends it lower case, spec section 3). */
export const IAC_EXTENSION_TYPE = 'microsoft.azureml.kubernetes';
/** The release train the az CLI uses by default. */
export const IAC_RELEASE_TRAIN = 'stable';
/** The extension's release namespace: always `azureml`. */
export const IAC_RELEASE_NAMESPACE = 'azureml';
/** The extension's name when none is given. */
export const DEFAULT_EXTENSION_NAME = 'azureml';
/** The suggested name of the Bicep module in an environment's folder. */
export const BICEP_FILE_NAME = 'extension.bicep';
/** The suggested name of the ARM template in an environment's folder. */
export const ARM_TEMPLATE_FILE_NAME = 'azuredeploy.json';
/** The suggested name of the Terraform configuration in an environment's folder. */
export const TERRAFORM_FILE_NAME = 'main.tf.json';
/** API version of the Azure Relay resources (the version of its `listKeys` reference). */
export const RELAY_API_VERSION = '2021-11-01';
/**
 * The tags the az CLI puts on the Azure Relay namespace it creates for an Arc cluster (its module-level
 * `resource_tag`); the hybrid connection and the rule get none. Spec section 3.
 */
export const RELAY_NAMESPACE_TAGS: { readonly [key: string]: string } = { created_by: 'Azure Arc-enabled ML' };

/** The PEM files of PEM settings mode, as paths relative to the environment's output folder. */
export interface IacPemFiles {
  /** The certificate chain (`scoringFe.sslCert` is its base64). */
  readonly certificate: string;
  /** The private key (`scoringFe.sslKey` is its base64). */
  readonly privateKey: string;
}

/** What the Bicep, ARM and Terraform renderers take: the validated model and the cluster it is installed on. */
export interface IacInputs {
  /** The environment's name, for comments. */
  readonly environment: string;
  /**
   * The validated extension model. Its `settings` are written literally; the values of its `protectedSettings` are
   * never written (they hold the key's base64 in PEM mode), only their keys.
   */
  readonly model: ExtensionModel;
  /** The cluster: type, subscription, resource group, name and location must all be known. */
  readonly cluster: ClusterIdentity;
  /**
   * The extension resource's name.
   * @default 'azureml'
   */
  readonly extensionName?: string;
  /**
   * PEM settings mode: the PEM files, relative to the environment's output folder, used in examples and as
   * Terraform's default paths. Never read.
   * @default - placeholders in examples, and Terraform variables without a default
   */
  readonly pemFiles?: IacPemFiles;
}

/** The protected keys only the az CLI understands: it reads these files and sends `scoringFe.sslCert` / `sslKey`. */
const CLI_ONLY_PROTECTED_KEYS: readonly string[] = ['sslCertPemFile', 'sslKeyPemFile'];
const CERTIFICATE_KEY = 'scoringFe.sslCert';
const PRIVATE_KEY_KEY = 'scoringFe.sslKey';

/**
 * The protected keys an IaC deployment must pass, as secure parameters: every key of `model.protectedSettings` except
 * the CLI-only file paths `sslCertPemFile` / `sslKeyPemFile` (Microsoft's own ARM template passes only
 * `scoringFe.sslCert` / `scoringFe.sslKey`). Sorted. The Arc relay's connection string is not among them: see
 * {@link iacProtectedSettings}.
 */
export function iacProtectedKeys(model: ExtensionModel): string[] {
  return Object.keys(model.protectedSettings).filter((k) => !CLI_ONLY_PROTECTED_KEYS.includes(k)).sort();
}

/** Where a protected setting's value comes from at deploy time. */
export enum ProtectedValueSource {
  /** The certificate chain's base64: a secure parameter (Bicep, ARM) or `filebase64()` of a path (Terraform). */
  CERTIFICATE = 'certificate',
  /** The private key's base64: a secure parameter (Bicep, ARM) or `filebase64()` of a path (Terraform). */
  PRIVATE_KEY = 'privateKey',
  /** The Arc relay rule's primary connection string, read from the created or referenced rule. */
  RELAY_CONNECTION_STRING = 'relayConnectionString',
  /** A pass-through protected setting: a secure parameter (Bicep, ARM) or a sensitive variable (Terraform). */
  PARAMETER = 'parameter',
}

/** One protected setting of an IaC deployment, and the names its value goes by in each format. */
export interface IacProtectedSetting {
  /** The setting's key. */
  readonly key: string;
  /** Where the value comes from. */
  readonly source: ProtectedValueSource;
  /** The Bicep / ARM parameter's name (camelCase). */
  readonly parameterName: string;
  /** The Terraform variable's name (snake_case); for PEM material, the variable holding the file's path. */
  readonly variableName: string;
  /**
   * The protected setting whose value this one repeats, as the az CLI copies it (its reference mapping, e.g.
   * `relayserver.relayConnectionString` from `relayServerConnectionString`): both share one parameter or variable.
   * @default - none: the value is its own
   */
  readonly sameValueAs?: string;
}

/**
 * Every protected setting an IaC deployment passes, sorted by key: the {@link iacProtectedKeys} and, for Arc, the
 * relay connection string keys. Parameter names are unique and deterministic; a key the az CLI copies from a
 * pass-through key (`protectedReferenceCopies`) reuses its source's names (see {@link iacSecureInputs}).
 */
export function iacProtectedSettings(model: ExtensionModel): IacProtectedSetting[] {
  const relayKeys = model.arcRelay?.connectionStringKeys ?? [];
  const keys = [...new Set([...iacProtectedKeys(model), ...relayKeys])].sort();
  const copies = model.protectedReferenceCopies ?? {};
  const taken = new Set<string>();
  const own = new Map<string, IacProtectedSetting>();
  for (const key of keys) {
    if (!(key in copies) || relayKeys.includes(key)) own.set(key, ownSetting(key, relayKeys, taken));
  }
  // A copy the CLI would make shares its source's parameter: one secret, passed once, sent under both keys.
  return keys.map((key) => {
    const setting = own.get(key);
    if (setting) return setting;
    const source = own.get(copies[key]) ?? ownSetting(copies[key], relayKeys, taken);
    return { ...source, key, sameValueAs: source.key };
  });
}

/** The distinct secure parameters (Bicep, ARM) or variables (Terraform) of the protected settings, in key order. */
export function iacSecureInputs(settings: IacProtectedSetting[]): IacProtectedSetting[] {
  return settings.filter((s) => s.sameValueAs === undefined);
}

function ownSetting(key: string, relayKeys: readonly string[], taken: Set<string>): IacProtectedSetting {
  if (relayKeys.includes(key)) return fixed(key, ProtectedValueSource.RELAY_CONNECTION_STRING, 'relayConnectionString', 'relay_connection_string');
  if (key === CERTIFICATE_KEY) return fixed(key, ProtectedValueSource.CERTIFICATE, 'sslCertBase64', 'ssl_cert_pem_file');
  if (key === PRIVATE_KEY_KEY) return fixed(key, ProtectedValueSource.PRIVATE_KEY, 'sslKeyBase64', 'ssl_key_pem_file');
  const words = key.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const camel = unique(`protected${words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') || 'Setting'}`, taken);
  return { key, source: ProtectedValueSource.PARAMETER, parameterName: camel, variableName: snakeCase(camel) };
}

function fixed(key: string, source: ProtectedValueSource, parameterName: string, variableName: string): IacProtectedSetting {
  return { key, source, parameterName, variableName };
}

// Two keys may map to one name (`a.b`, `a-b`): the later one (in key order) gets a numeric suffix.
function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${name}${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function snakeCase(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The cluster and extension an IaC output targets, every value known. */
export interface IacTarget {
  /** AKS or Arc. */
  readonly clusterType: ClusterType;
  /** The cluster's subscription. */
  readonly subscriptionId: string;
  /** The cluster's resource group: the deployment's target. */
  readonly resourceGroup: string;
  /** The cluster's resource name. */
  readonly clusterName: string;
  /** The cluster's region, lower case. */
  readonly location: string;
  /** The cluster's full resource id. */
  readonly clusterResourceId: string;
  /** The ARM resource type of the cluster. */
  readonly clusterResourceType: string;
  /** The extension resource's name. */
  readonly extensionName: string;
  /**
   * The Azure Relay to create or reference (Arc).
   * @default - none (AKS, or no relay needed)
   */
  readonly relay?: ArcRelay;
}

/**
 * Resolves the cluster an IaC output targets.
 * @throws ValidationError when the cluster's subscription, resource group, name or location is unknown, or the relay
 * lives outside the cluster's resource group
 */
export function resolveIacTarget(inputs: IacInputs): IacTarget {
  const c = inputs.cluster;
  const missing = (['subscriptionId', 'resourceGroup', 'name', 'location'] as const).filter((f) => !c[f]);
  const problems: Problem[] = missing.map((f) => ({
    field: `cluster.${f}`,
    message: 'is required to render Bicep, ARM or Terraform (the settings name the cluster by its resource id)',
    fix: `set cluster.${f} in the environment`,
  }));
  const relay = inputs.model.arcRelay;
  if (relay && c.resourceGroup && relay.resourceGroup !== c.resourceGroup) {
    problems.push({ field: 'arcRelay.resourceGroup', message: 'differs from the cluster\'s resource group, which the deployment targets', value: relay.resourceGroup, fix: 'derive the relay from the same cluster' });
  }
  if (problems.length > 0) throw new ValidationError(problems, `cannot render infrastructure as code for environment "${inputs.environment}"`);
  return {
    clusterType: c.type,
    subscriptionId: c.subscriptionId as string,
    resourceGroup: c.resourceGroup as string,
    clusterName: c.name as string,
    location: (c.location as string).toLowerCase(),
    clusterResourceId: clusterResourceId(c) as string,
    clusterResourceType: c.type === ClusterType.ARC ? 'Microsoft.Kubernetes/connectedClusters' : 'Microsoft.ContainerService/managedClusters',
    extensionName: inputs.extensionName ?? DEFAULT_EXTENSION_NAME,
    relay,
  };
}

/** The first line of every output: what generated it, for which environment. */
export function generatedLine(environment: string, what: string): string {
  return `Generated by cdk8s-azureml-tls for environment "${oneLine(environment)}": ${what}`;
}

/**
 * Notes every IaC output carries (as comments, metadata or a `//` key): target, TLS mode and relay. `relayReference`
 * says how the format uses an existing relay instead of creating one.
 */
export function commonNotes(inputs: IacInputs, target: IacTarget, relayReference: string): string[] {
  const notes = [
    'Do not edit: change the config file or the cdk8s app and synthesize again.',
    `Target: resource group ${target.resourceGroup} in subscription ${target.subscriptionId}, the cluster's; the settings name the cluster ${target.clusterResourceId}.`,
    tlsNote(inputs.model),
  ];
  if (target.relay) {
    notes.push(
      `Arc: the Azure Relay namespace ${target.relay.namespaceName}, hybrid connection ${target.relay.hybridConnectionName} and rule ${target.relay.authorizationRuleName} (Manage, Send, Listen) are created here or, ${relayReference}; the rule's primary connection string becomes ${target.relay.connectionStringKeys.join(' and ')}.`,
      `relayserver.hybridConnectionResourceID in the settings must name that hybrid connection (${target.relay.hybridConnectionResourceId}): an output checks it.`,
    );
  }
  return notes.map(oneLine);
}

function tlsNote(model: ExtensionModel): string {
  switch (model.tlsMode) {
    case TlsMode.SSL_SECRET:
      return `TLS: the Secret ${model.settings.sslSecret} (cert.pem, key.pem) must exist in namespace azureml before the extension is installed; no key passes through this deployment.`;
    case TlsMode.PEM_SETTINGS:
      return 'TLS: the certificate chain and private key are passed as protected settings scoringFe.sslCert / scoringFe.sslKey (base64 of the PEM files) at deploy time; this file holds neither.';
    case TlsMode.INSECURE:
      return 'Plain HTTP (allowInsecureConnections=True): development and test only.';
    default:
      return 'Training only: azureml-fe is not installed, so there is no TLS to configure.';
  }
}

/** Text made safe for a one-line comment: line breaks and other control characters become spaces. */
export function oneLine(text: string): string {
  return [...text].map((c) => (c < ' ' || c === '\u007f' || c === '\u2028' || c === '\u2029' ? ' ' : c)).join('');
}

/** An example path for a PEM file: the given path, or a placeholder. */
export function examplePemPath(inputs: IacInputs, source: ProtectedValueSource): string {
  if (source === ProtectedValueSource.CERTIFICATE) return inputs.pemFiles?.certificate ?? '<certificate-chain.pem>';
  return inputs.pemFiles?.privateKey ?? '<private-key.pem>';
}

/** What a secure parameter holds, for its description (Bicep and ARM). */
export function secureDescription(s: IacProtectedSetting): string {
  if (s.source === ProtectedValueSource.CERTIFICATE) return `Base64 of the certificate chain PEM file (protected setting ${s.key}).`;
  if (s.source === ProtectedValueSource.PRIVATE_KEY) return `Base64 of the private key PEM file, unencrypted (protected setting ${s.key}).`;
  return `The value of protected setting ${s.key}.`;
}

/**
 * Comment lines showing `az deployment group create` with every secure parameter (Bicep and ARM): PEM material as
 * `"$(base64 -w0 <file>)"`, other values from environment variables.
 */
export function azDeploymentExample(inputs: IacInputs, target: IacTarget, params: IacProtectedSetting[], templateFile: string): string[] {
  const args = params.map((p) => `${p.parameterName}=${parameterExample(inputs, p)}`);
  return [
    `  az deployment group create --subscription ${shellQuote(target.subscriptionId)} --resource-group ${shellQuote(target.resourceGroup)} --template-file ${templateFile} --parameters ${args.join(' ')}`,
    '  (base64 -w0 is GNU coreutils; on macOS use base64 -i <file>. Command-line values are visible to other local users.)',
  ];
}

function parameterExample(inputs: IacInputs, p: IacProtectedSetting): string {
  if (p.source === ProtectedValueSource.CERTIFICATE || p.source === ProtectedValueSource.PRIVATE_KEY) {
    return `"$(base64 -w0 ${shellQuote(examplePemPath(inputs, p.source))})"`;
  }
  return `"$${p.variableName.toUpperCase()}"`;
}
