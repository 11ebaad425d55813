import * as fs from 'node:fs';
import * as path from 'node:path';
import { CertManagerCertificateOptions, KeyVaultCertificateOptions } from '../certificate/external';
import { MAX_PEM_FILE_BYTES } from '../certificate/read';
import { DevStateRun } from '../certificate/dev-store';
import { lendDevStateRun, pemFilesAlreadyRead, TlsCertificate } from '../certificate/source';
import { AsoReconcilePolicy, AzureMlAsoOptions } from '../aso-options';
import { objectMetadataProblems } from '../constructs/metadata';
import { EnvironmentFleetOptions, FleetOptions } from '../fleet-options';
import { AzureMlExtensionProps, AzureMlTlsOptions, SealingOptions, TlsDelivery } from '../plan';
import { SealingScope } from '../sealing/scope';
import { Problem, ValidationError } from '../problems';
import { SCALAR_SETTINGS, SettingKind } from '../settings/keys';
import { ClusterIdentity, ClusterType, ExtensionSettings } from '../settings/model';
import { fileProblem as inputFileProblem, MAX_CONFIG_FILE_BYTES, readFileBounded, readTextFileBounded, ReadFailure, ReadFailureKind } from '../read-file';
import { parseConfigYaml } from './parse';
import { CONFIG_SHAPE, DEFAULTS_SHAPE, ENVIRONMENT_SHAPE } from './schema';
import { checkShape, isMap, ObjectShape, partialShape, Shape, shownKey } from './shape';

/** The config file's name: the default in the current folder (and the name of this repository's example config). */
export const DEFAULT_CONFIG_FILE = 'azureml-tls.yaml';

/** The state folder's name: development certificates and protected values, beside the config (it ignores itself). */
export const STATE_DIR_NAME = '.azureml-tls';

/** The state folder of a config file. */
export function stateDirBeside(configFile: string): string {
  return path.join(path.dirname(path.resolve(configFile)), STATE_DIR_NAME);
}

/** The environment variable that names a config file when no `--config` flag is given. */
export const CONFIG_ENV_VAR = 'AZUREML_TLS_CONFIG';

/** One environment of the config file, turned into typed props. */
export interface EnvironmentConfig {
  /** The environment's name; output files are named after it. */
  readonly name: string;
  /** Its position in the file's `environments` list (for messages). */
  readonly index: number;
  /** The typed props of its extension installation. */
  readonly props: AzureMlExtensionProps;
  /**
   * The extension installed by Azure Service Operator (`aso` block).
   * @default - none
   */
  readonly aso?: AzureMlAsoOptions;
  /**
   * Where Argo CD applies its folders (`fleet` block).
   * @default - defaults of the fleet wiring
   */
  readonly fleet?: EnvironmentFleetOptions;
}

/** A loaded, checked config file. */
export interface LoadedConfig {
  /** The file it was read from (absolute). */
  readonly file: string;
  /** Its environments, in file order. */
  readonly environments: EnvironmentConfig[];
  /**
   * The fleet wiring (top-level `fleet` block).
   * @default - none
   */
  readonly fleet?: FleetOptions;
  /**
   * True when the file has a `fleet` block that did not convert (its problems are reported), so checks that need
   * the block do not report it missing as well.
   * @default false
   */
  readonly fleetInvalid?: boolean;
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The time certificates are checked against.
   * @default - the current time
   */
  readonly now?: Date;
  /**
   * A git-ignored folder for generated material.
   * @default - `.azureml-tls` beside the config file
   */
  readonly stateDir?: string;
  /**
   * Only read the state folder (development certificates), never write it.
   * @default false
   */
  readonly readOnlyState?: boolean;
  /**
   * The synth run the environments' development certificates are resolved in: in a dry run (`synth --check`) the
   * state is drafted in memory, never written; with a previous output, certificates missing from the state are
   * adopted from its committed Secret manifests.
   * @default - a run that writes the state folder and adopts nothing
   */
  readonly devStateRun?: DevStateRun;
}

/** Options for {@link findConfigFile}. */
export interface FindConfigFileOptions {
  /**
   * The `--config` flag.
   * @default - not given
   */
  readonly config?: string;
  /**
   * The environment variables ({@link CONFIG_ENV_VAR} is read).
   * @default - process.env
   */
  readonly environment?: { readonly [name: string]: string };
  /**
   * The current folder: where the default file is looked for and relative paths resolve.
   * @default - process.cwd()
   */
  readonly cwd?: string;
}

/** What {@link findConfigFile} found. */
export interface ConfigFileSearch {
  /**
   * The config file (absolute), when one was found and may be used.
   * @default - none: see `problems`
   */
  readonly file?: string;
  /** Why no config file can be used (field, value, fix); empty when `file` is set. */
  readonly problems: Problem[];
  /** Each place looked at, in order, with what was there, e.g. `$AZUREML_TLS_CONFIG: not set`. */
  readonly searched: string[];
}

/**
 * Finds the config file: `--config FILE`, else `$AZUREML_TLS_CONFIG`, else `azureml-tls.yaml` in the current folder.
 * The first place that is set decides (a flag or variable naming a missing file is a problem, not a reason to look
 * further), and the package's own example config is never a fallback: outside a project that would synthesize fake
 * subscription ids and write state into node_modules. A config inside a node_modules folder is refused, as its
 * development certificates and protected values would be written beside it. Reads nothing but file metadata.
 */
export function findConfigFile(options: FindConfigFileOptions = {}): ConfigFileSearch {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.environment ?? (process.env as { readonly [name: string]: string });
  const searched: string[] = [];
  const fixCreate = `run \`npx azureml-tls init\` to write a starter ${DEFAULT_CONFIG_FILE}, or give an existing file`;
  const candidates: { field: string; given?: string }[] = [
    { field: '--config', given: options.config || undefined },
    { field: `$${CONFIG_ENV_VAR}`, given: env[CONFIG_ENV_VAR] || undefined },
  ];
  for (const c of candidates) {
    if (c.given === undefined) {
      searched.push(`${c.field}: ${c.field === '--config' ? 'not given' : 'not set'}`);
      continue;
    }
    const file = path.resolve(cwd, c.given);
    const missing = fileProblem(file);
    if (missing) {
      searched.push(`${c.field}: ${file}: ${missing}`);
      return { problems: [{ field: c.field, message: `names a config file that ${missing}`, value: file, fix: fixCreate }], searched };
    }
    searched.push(`${c.field}: ${file}`);
    return usable(file, c.field, searched);
  }
  const local = path.join(cwd, DEFAULT_CONFIG_FILE);
  const missing = fileProblem(local);
  if (missing) {
    searched.push(`${local} (${DEFAULT_CONFIG_FILE} in the current folder): ${missing}`);
    return {
      problems: [{
        field: 'config file',
        message: 'none found (the package\'s own example config is never used)',
        fix: `run \`npx azureml-tls init\` to write a starter ${local}, then \`npx azureml-tls synth\`; or pass --config FILE`,
      }],
      searched,
    };
  }
  searched.push(`${local} (${DEFAULT_CONFIG_FILE} in the current folder)`);
  return usable(local, `${DEFAULT_CONFIG_FILE} in the current folder`, searched);
}

function usable(file: string, field: string, searched: string[]): ConfigFileSearch {
  const inside = nodeModulesProblem(file, field, 'config file');
  return inside ? { problems: [inside], searched } : { file, problems: [], searched };
}

// Why `file` cannot be a config file (missing, a folder, a FIFO or device, over the cap), or undefined when it can be
// read as one.
function fileProblem(file: string): string | undefined {
  const failure = inputFileProblem(file, { maxBytes: MAX_CONFIG_FILE_BYTES, what: 'a config file' });
  if (failure?.type === 'a folder') return 'is a folder, not a file';
  return failure?.message;
}

/** Why nothing generated may live below a config or state folder inside node_modules. */
export const STATE_BESIDE_CONFIG = 'development certificates and protected values are written beside the config';

/**
 * A problem when `target` (its path as given, or the real path behind symlinks) lies inside a node_modules folder:
 * state written there (development CA keys, protected values) is lost on the next install and may leak
 * into a published package, and a config there is a package's example, not the project's.
 * @param target the path to check
 * @param field the flag or field that named it, for the message
 * @param what what the path is, e.g. `config file` or `state folder`
 * @param why what would be kept there, for the message
 */
export function nodeModulesProblem(target: string, field: string, what: string, why: string = STATE_BESIDE_CONFIG): Problem | undefined {
  const abs = path.resolve(target);
  let real = abs;
  try {
    real = fs.realpathSync(abs);
  } catch {
    // Not there yet (a state folder still to be made): its path as given is what counts.
  }
  const inNodeModules = (p: string) => p.split(path.sep).includes('node_modules');
  if (!inNodeModules(abs) && !inNodeModules(real)) return undefined;
  return {
    field,
    message: `the ${what} lies inside a node_modules folder, where nothing may be kept: ${why}, and npm replaces node_modules on every install`,
    value: abs === real ? abs : `${abs} (${real})`,
    fix: 'put the config in your project, outside node_modules: run `npx azureml-tls init` in the project folder and edit the azureml-tls.yaml it writes',
  };
}

/**
 * Reads and checks a config file. Every problem of every environment is collected and thrown at once.
 * @throws ValidationError naming the file, the environment and the field of each problem
 */
export function loadConfig(file: string, options: LoadConfigOptions = {}): LoadedConfig {
  const { config, problems } = readConfig(file, options);
  if (problems.length > 0) throw new ValidationError(problems, `invalid config ${path.relative(process.cwd(), config.file) || config.file}`);
  return config;
}

/**
 * Reads a config file without throwing for its content: the environments that converted, and every problem found
 * (so a caller can add the problems of those environments' plans and report all at once).
 */
export function readConfig(file: string, options: LoadConfigOptions = {}): { readonly config: LoadedConfig; readonly problems: Problem[] } {
  const abs = path.resolve(file);
  const label = path.relative(process.cwd(), abs) || abs;
  // Bounded: a config path may name /dev/zero, a FIFO or a huge file (see lib/read-file.ts).
  const read = readTextFileBounded(abs, { maxBytes: MAX_CONFIG_FILE_BYTES, what: 'a config file' });
  if (read.failure) {
    const fix = read.failure.kind === ReadFailureKind.TOO_LARGE
      ? 'check the path: give the config file itself (azureml-tls.yaml)'
      : `pass an existing, readable regular file with --config or ${CONFIG_ENV_VAR}`;
    return { config: { file: abs, environments: [] }, problems: [{ field: label, message: `the config file ${read.failure.message}`, fix }] };
  }
  return checkConfigText(read.text, abs, options);
}

/**
 * Checks config text (already read from `file`, which anchors relative paths and names the file in errors).
 * @throws ValidationError with every problem found
 */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): LoadedConfig {
  const { config, problems } = checkConfigText(text, file, options);
  if (problems.length > 0) throw new ValidationError(problems, `invalid config ${path.relative(process.cwd(), file) || file}`);
  return config;
}

function checkConfigText(text: string, file: string, options: LoadConfigOptions): { config: LoadedConfig; problems: Problem[] } {
  const label = path.relative(process.cwd(), file) || file;
  const parsed = parseConfigYaml(text, label);
  if (parsed.problems.length > 0) return { config: { file, environments: [] }, problems: parsed.problems };
  const raw: unknown = parsed.value;
  const problems: Problem[] = [];
  const scoped = (ps: Problem[]) => ps.map((p) => ({ ...p, field: p.field ? `${label}: ${p.field}` : label }));

  // Check the top level without descending into environments or defaults, then the defaults, then each environment
  // (merged over the defaults) on its own, so every environment's problems are reported and a good one still converts.
  const shallow = (shape: Shape): Shape => ({ kind: 'boolean', description: shape.description });
  const top: ObjectShape = { ...CONFIG_SHAPE, properties: { ...CONFIG_SHAPE.properties, environments: { kind: 'array', minItems: 1, description: 'The environments to synthesize.', items: shallow(ENVIRONMENT_SHAPE) }, defaults: shallow(DEFAULTS_SHAPE) } };
  const topProblems = checkShape(raw, top, '').filter((p) => !/^(environments\[\d+\]|defaults)/.test(p.field));
  problems.push(...scoped(topProblems));
  const defaults = isMap(raw) && Object.hasOwn(raw, 'defaults') && raw.defaults !== undefined ? raw.defaults : {};
  const defaultsProblems = checkShape(defaults, DEFAULTS_SHAPE, 'defaults');
  // Labels and annotations of the defaults are checked once here, not once per environment that inherits them.
  if (defaultsProblems.length === 0 && isMap(defaults) && isMap(defaults.manifests)) {
    const m = defaults.manifests;
    defaultsProblems.push(...objectMetadataProblems(m.labels as { [key: string]: string } | undefined, m.annotations as { [kind: string]: { [key: string]: string } } | undefined)
      .map((p) => ({ ...p, field: `defaults.manifests.${p.field}` })));
  }
  problems.push(...scoped(defaultsProblems));
  const envs = isMap(raw) && Object.hasOwn(raw, 'environments') && Array.isArray(raw.environments) ? raw.environments : [];
  const environments: EnvironmentConfig[] = [];
  const seen = new Map<string, number>();
  const baseDir = path.dirname(file);
  // One run for all environments: the previous output is scanned once, and a dry run's drafted state is shared.
  const run = options.devStateRun ?? new DevStateRun();
  envs.forEach((rawEnv: unknown, i: number) => {
    // With broken defaults, each environment is checked as written, so the defaults' problems are not repeated.
    const env = defaultsProblems.length === 0 && isMap(rawEnv) && isMap(defaults) ? mergeDefaults(defaults, rawEnv) : rawEnv;
    const name = isMap(env) && Object.hasOwn(env, 'name') && typeof env.name === 'string' ? env.name : undefined;
    // The name is in every field of the environment's problems: quoted and shortened when it is not a plain name.
    const where = `environments[${i}]${name ? ` (${shownKey(name)})` : ''}`;
    const envProblems = checkShape(env, defaultsProblems.length === 0 ? ENVIRONMENT_SHAPE : { ...(partialShape(ENVIRONMENT_SHAPE) as ObjectShape), required: ['name'] }, where);
    if (name !== undefined) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
        envProblems.push({ field: `${where}.name`, message: 'must be a DNS-1123 label (lower-case letters, digits and -, at most 63), as output files and charts are named after it', value: name, fix: 'use a name such as dev or prod-westeurope' });
      }
      if (seen.has(name)) {
        envProblems.push({ field: `${where}.name`, message: `is already used by environments[${seen.get(name)}]`, value: name, fix: 'give every environment its own name' });
      } else {
        seen.set(name, i);
      }
    }
    if (envProblems.length === 0 && defaultsProblems.length === 0 && isMap(env)) {
      const converted = convertEnvironment(env, where, i, baseDir, options, run);
      envProblems.push(...converted.problems);
      if (converted.environment) environments.push(converted.environment);
    }
    problems.push(...scoped(envProblems));
  });
  const fleetInvalid = isMap(raw) && raw.fleet !== undefined && topProblems.some((p) => p.field === 'fleet' || p.field.startsWith('fleet.'));
  const fleet = !fleetInvalid && isMap(raw) && isMap(raw.fleet) ? convertFleet(raw.fleet) : undefined;
  return { config: { file, environments, fleet, fleetInvalid }, problems };
}

function convertFleet(raw: RawMap): FleetOptions {
  const flux = isMap(raw.flux) ? raw.flux : undefined;
  const argo = isMap(raw.argocd) ? raw.argocd : undefined;
  return {
    path: raw.path as string | undefined,
    flux: flux ? {
      sourceRef: isMap(flux.sourceRef) ? { kind: flux.sourceRef.kind as string | undefined, name: flux.sourceRef.name as string | undefined, namespace: flux.sourceRef.namespace as string | undefined } : undefined,
      namespace: flux.namespace as string | undefined,
      interval: flux.interval as string | undefined,
      prune: flux.prune as boolean | undefined,
    } : undefined,
    argocd: argo ? {
      repoUrl: argo.repoURL as string,
      targetRevision: argo.targetRevision as string | undefined,
      project: argo.project as string | undefined,
      namespace: argo.namespace as string | undefined,
      automated: argo.automated as boolean | undefined,
    } : undefined,
  };
}

type RawMap = { [key: string]: unknown };

/**
 * Why a PEM file named in the config cannot be read (missing, a folder, a FIFO or device, over 1 MiB, unreadable),
 * as a problem of the field that names it.
 */
function pemReadProblem(failure: ReadFailure, file: string): Problem {
  switch (failure.kind) {
    case ReadFailureKind.MISSING:
      return { field: '', message: 'file not found (relative paths resolve against the config file\'s folder)', value: file, fix: 'correct the path' };
    case ReadFailureKind.NOT_A_FILE:
      return { field: '', message: failure.type === 'a folder' ? 'is a folder, not a file' : failure.message, value: file, fix: 'give the path of the PEM file' };
    case ReadFailureKind.TOO_LARGE:
      return { field: '', message: `is ${failure.size ?? `over ${MAX_PEM_FILE_BYTES}`} bytes; a PEM file is a few KiB (at most ${MAX_PEM_FILE_BYTES} bytes are read)`, value: file, fix: 'check the path: give the PEM file itself' };
    case ReadFailureKind.UNREADABLE:
      return { field: '', message: failure.message, value: file, fix: 'check the file\'s permissions: it must be readable by the user running this tool' };
  }
}

/** A PEM file named in the config (a sealing certificate), read within the PEM cap; latin1, as PEM is ASCII. */
function readConfigPem(file: string): { readonly pem: string; readonly problem?: undefined } | { readonly pem?: undefined; readonly problem: Problem } {
  const read = readFileBounded(file, { maxBytes: MAX_PEM_FILE_BYTES, what: 'a PEM file' });
  return read.failure ? { problem: pemReadProblem(read.failure, file) } : { pem: read.bytes.toString('latin1') };
}

/** Keys that are one choice among several: an environment that sets one drops the defaults' others. */
const EXCLUSIVE: { readonly [at: string]: readonly string[] } = {
  'tls': ['certificate', 'keyVault', 'certManager'],
  'tls.certificate': ['files', 'existingSecret', 'selfSigned'],
};

/**
 * Merges the `defaults` block under an environment: maps merge key by key, recursively; lists and scalars of the
 * environment replace the defaults' (so `extraNames: [a]` in an environment replaces the default list); and where the
 * environment makes a choice (the certificate source: `tls.certificate` / `tls.keyVault` / `tls.certManager`, and
 * `files` / `existingSecret` / `selfSigned`), the defaults' other choices are dropped.
 */
export function mergeDefaults(defaults: RawMap, env: RawMap, at = ''): RawMap {
  // Own properties only, at every step: the environment is merged before it is checked, so a key may be
  // `constructor` or `__proto__`, which a plain lookup finds on every object and a plain assignment turns into the
  // object's prototype. The spread copies `__proto__` as an ordinary key, as the YAML parser made it.
  const out: RawMap = { ...defaults };
  const group = Object.hasOwn(EXCLUSIVE, at) ? EXCLUSIVE[at] : [];
  if (group.some((k) => Object.hasOwn(env, k))) for (const k of group) if (!Object.hasOwn(env, k)) delete out[k];
  for (const [k, v] of Object.entries(env)) {
    const d = Object.hasOwn(out, k) ? out[k] : undefined;
    Object.defineProperty(out, k, { value: isMap(d) && isMap(v) ? mergeDefaults(d, v, at ? `${at}.${k}` : k) : v, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

function convertEnvironment(env: RawMap, where: string, index: number, baseDir: string, options: LoadConfigOptions, run: DevStateRun): { environment?: EnvironmentConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const name = env.name as string;
  const extension = convertExtension(env.extension as RawMap);
  let settings: ExtensionSettings = extension;
  if (env.insecure === true) {
    if (env.tls !== undefined) {
      problems.push({ field: `${where}.insecure`, message: 'plain HTTP cannot be combined with a tls block', value: 'true', fix: 'remove insecure: true to serve HTTPS, or remove the tls block' });
    }
    if (extension.allowInsecureConnections === false) {
      problems.push({ field: `${where}.insecure`, message: 'contradicts extension.allowInsecureConnections: false', value: 'true', fix: 'remove one of the two' });
    }
    settings = { ...settings, allowInsecureConnections: true };
  }

  let tls: AzureMlTlsOptions | undefined;
  if (isMap(env.tls)) {
    const t = env.tls;
    let certificate: TlsCertificate;
    if (isMap(t.keyVault)) {
      certificate = TlsCertificate.fromKeyVault(t.keyVault as unknown as KeyVaultCertificateOptions);
    } else if (isMap(t.certManager)) {
      certificate = TlsCertificate.fromCertManager(t.certManager as unknown as CertManagerCertificateOptions);
    } else {
      const cert = t.certificate as RawMap;
      if (isMap(cert.files)) {
        const certFile = path.resolve(baseDir, cert.files.cert as string);
        const keyFile = path.resolve(baseDir, cert.files.key as string);
        // Each file is read once, here: a bad one is a problem of its field, a good one's text goes to the source.
        const [certRead, keyRead] = [certFile, keyFile].map(readConfigPem);
        for (const [k, read] of [['cert', certRead], ['key', keyRead]] as const) {
          if (read.problem) problems.push({ ...read.problem, field: `${where}.tls.certificate.files.${k}` });
        }
        certificate = certRead.pem !== undefined && keyRead.pem !== undefined
          ? pemFilesAlreadyRead(certFile, keyFile, certRead.pem, keyRead.pem)
          : TlsCertificate.fromPemFiles(certFile, keyFile);
      } else if (isMap(cert.selfSigned)) {
        certificate = TlsCertificate.selfSigned({ days: cert.selfSigned.days as number | undefined, extraNames: cert.selfSigned.extraNames as string[] | undefined });
      } else {
        certificate = TlsCertificate.fromExistingSecret(cert.existingSecret as string);
      }
    }
    let sealing: SealingOptions | undefined;
    if (isMap(t.sealing)) {
      const file = path.resolve(baseDir, t.sealing.certificate as string);
      const read = readConfigPem(file);
      if (read.problem) {
        problems.push({ ...read.problem, field: `${where}.tls.sealing.certificate`, fix: `${read.problem.fix}; fetch it with kubeseal --fetch-cert > sealing.pem` });
      } else {
        sealing = { certificatePem: read.pem, scope: t.sealing.scope as SealingScope | undefined, label: path.relative(baseDir, file) };
      }
    }
    tls = {
      cname: t.cname as string,
      certificate,
      sealing,
      delivery: t.delivery as TlsDelivery | undefined,
      secretName: t.secretName as string | undefined,
      fingerprintSuffix: t.fingerprintSuffix as boolean | undefined,
      allowPlaintextKey: t.allowPlaintextKey as boolean | undefined,
    };
    lendDevStateRun(tls, run);
  }

  const manifests = isMap(env.manifests) ? env.manifests : {};
  let aso: AzureMlAsoOptions | undefined;
  if (isMap(env.aso)) {
    const a = env.aso;
    let asoSealing: SealingOptions | undefined;
    if (isMap(a.sealing)) {
      const file = path.resolve(baseDir, a.sealing.certificate as string);
      const read = readConfigPem(file);
      if (read.problem) {
        problems.push({ ...read.problem, field: `${where}.aso.sealing.certificate`, fix: `${read.problem.fix}; fetch it from the cluster where ASO runs with kubeseal --fetch-cert > sealing.pem` });
      } else {
        asoSealing = { certificatePem: read.pem, scope: a.sealing.scope as SealingScope | undefined, label: path.relative(baseDir, file) };
      }
    }
    const owner = isMap(a.owner) ? a.owner : {};
    const kv = isMap(a.keyVault) ? a.keyVault : undefined;
    aso = {
      namespace: a.namespace as string | undefined,
      name: a.name as string | undefined,
      azureName: a.azureName as string | undefined,
      ownerArmId: owner.armId as string | undefined,
      ownerManagedCluster: owner.managedCluster as string | undefined,
      releaseTrain: a.releaseTrain as string | undefined,
      autoUpgradeMinorVersion: a.autoUpgradeMinorVersion as boolean | undefined,
      version: a.version as string | undefined,
      reconcilePolicy: a.reconcilePolicy as AsoReconcilePolicy | undefined,
      createNamespace: a.createNamespace as boolean | undefined,
      sealing: asoSealing,
      keyVault: kv ? {
        vaultUrl: kv.vaultUrl as string,
        clientId: kv.clientId as string,
        tenantId: kv.tenantId as string,
        serviceAccountName: kv.serviceAccountName as string | undefined,
        relaySecretName: kv.relaySecretName as string | undefined,
        secretNames: kv.secretNames as { [key: string]: string } | undefined,
      } : undefined,
    };
  }
  const fleetRaw = isMap(env.fleet) ? env.fleet : undefined;
  const fleet: EnvironmentFleetOptions | undefined = fleetRaw ? {
    destinationName: fleetRaw.destinationName as string | undefined,
    destinationServer: fleetRaw.destinationServer as string | undefined,
    asoDestinationName: fleetRaw.asoDestinationName as string | undefined,
    asoDestinationServer: fleetRaw.asoDestinationServer as string | undefined,
  } : undefined;

  const props: AzureMlExtensionProps = {
    createNamespace: manifests.namespace as boolean | undefined,
    labels: manifests.labels as { [key: string]: string } | undefined,
    annotations: manifests.annotations as { [kind: string]: { [key: string]: string } } | undefined,
    readOnlyState: options.readOnlyState,
    settings,
    tls,
    cluster: isMap(env.cluster) ? convertCluster(env.cluster) : undefined,
    production: env.production === true,
    now: options.now,
    stateDir: options.stateDir ?? path.join(baseDir, STATE_DIR_NAME),
  };
  return problems.length > 0 ? { problems } : { environment: { name, index, props, aso, fleet }, problems };
}

function convertExtension(raw: RawMap): ExtensionSettings {
  const out: { [field: string]: unknown } = {};
  for (const [field, spec] of Object.entries(SCALAR_SETTINGS)) {
    const v = raw[spec.key];
    if (v === undefined) continue;
    // Enums are compared case-insensitively (spec section 2) and stored in their documented spelling.
    out[field] = spec.kind === SettingKind.ENUM ? (spec.values ?? []).find((e) => e.toLowerCase() === String(v).toLowerCase()) : v;
  }
  for (const map of ['nodeSelector', 'additionalSettings', 'additionalProtectedSettings']) {
    if (raw[map] !== undefined) out[map] = raw[map];
  }
  return out as ExtensionSettings;
}

function convertCluster(raw: RawMap): ClusterIdentity {
  return {
    type: raw.type as ClusterType,
    subscriptionId: raw.subscriptionId as string | undefined,
    resourceGroup: raw.resourceGroup as string | undefined,
    name: raw.name as string | undefined,
    location: raw.location as string | undefined,
    nodeCount: raw.nodeCount as number | undefined,
    distribution: raw.distribution as string | undefined,
  };
}
