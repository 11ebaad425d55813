import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { Finding } from './certificate/findings';
import { EnvironmentConfig, LoadedConfig, readConfig } from './config/load';
import { AzureMlEnvironmentChart } from './constructs/environment-chart';
import { OutputFile, OUTPUT_MARKER, outputDirProblem, replaceDirAtomically, writeFiles, writeSecretFile } from './output';
import { planExtension } from './plan';
import { Problem, ValidationError } from './problems';
import { renderAzCreateScript, renderAzUpdateScript } from './render/az';
import { renderWorkloadIdentityScript } from './render/workload-identity';
import { renderArmTemplate } from './render/arm';
import { renderBicep } from './render/bicep';
import { ARM_TEMPLATE_FILE_NAME, BICEP_FILE_NAME, TERRAFORM_FILE_NAME } from './render/iac';
import { renderTerraform } from './render/terraform';
import { ClusterIdentity } from './settings/model';
import { FileSealCache } from './sealing/cache';
import { DEFAULT_KEY_VAULT_SERVICE_ACCOUNT } from './constructs/delivery/key-vault';
import { renderJson } from './render/common';
import { renderHelmValues, renderSettingsJson } from './render/values';
import { ExtensionModel } from './settings/extension-model';

/** The extension every manifest file gets; cdk8s treats every `*.yaml` below the output root as a manifest. */
export const MANIFEST_EXTENSION = '.k8s.yaml';

/** Options for {@link synthesize}. */
export interface SynthOptions {
  /** The config file. */
  readonly configFile: string;
  /** The output root: replaced as a whole, atomically. */
  readonly outDir: string;
  /**
   * The time certificates are checked against.
   * @default - the current time
   */
  readonly now?: Date;
  /**
   * Also write the protected settings with their values (PEM base64 included) to `protectedValuesDir`, mode 0600.
   * @default false
   */
  readonly writeProtectedValues?: boolean;
  /**
   * Where protected values go on opt-in: a git-ignored folder outside the output root.
   * @default - `.azureml-tls/protected` beside the config file
   */
  readonly protectedValuesDir?: string;
  /**
   * Called after each environment is built (for a progress display).
   * @default - none
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a synth run wrote and noticed. */
export interface SynthResult {
  /** Files written below the output root, relative, sorted. */
  readonly files: string[];
  /** Protected values files written on opt-in (absolute). */
  readonly protectedFiles: string[];
  /** Certificate warnings, one line each, prefixed with the environment. */
  readonly warnings: string[];
  /** How many environments were synthesized. */
  readonly environments: number;
}

/**
 * The one pipeline behind `cdk8s synth` (main.ts) and `azureml-tls synth`: config -> typed props -> plans (every
 * problem of every environment) -> charts and renderers -> one atomic write of the output root.
 * @throws ValidationError with every problem, leaving the output root untouched
 */
export function synthesize(options: SynthOptions): SynthResult {
  const outProblem = outputDirProblem(options.outDir);
  if (outProblem) {
    throw new ValidationError([{ field: path.resolve(options.outDir), message: outProblem, fix: 'choose a new or empty folder for --out (default dist)' }], 'refusing to replace the output folder');
  }
  // Sealed values live beside the config (azureml-tls.yaml -> azureml-tls.sealed.json), committed with it: only
  // ciphertext and one-way digests, so unchanged input keeps its ciphertext in every clone and through cdk8s synth.
  const sealCache = loadSealCache(sealCachePath(options.configFile));
  const { config, problems: configProblems } = readConfig(options.configFile, { now: options.now, sealCache });
  const warnings = [...checkEnvironments(config, configProblems), ...iacWarnings(config)];
  const outDir = path.resolve(options.outDir);
  const files: OutputFile[] = [];
  const models = new Map<string, ExtensionModel>();

  replaceDirAtomically(outDir, (tmp) => {
    // One App per environment: environments never depend on each other, and cdk8s resolves and validates the whole
    // app once per chart, which would make a large fleet quadratic.
    config.environments.forEach((env, i) => {
      const app = new App({ outdir: tmp, outputFileExtension: MANIFEST_EXTENSION, yamlOutputType: YamlOutputType.FILE_PER_CHART });
      const chart = new AzureMlEnvironmentChart(app, env.name, env.props);
      models.set(env.name, chart.extension.model);
      files.push(...renderEnvironment(env, chart, outDir));
      app.synth();
      options.onProgress?.(i + 1, config.environments.length);
    });
    writeFiles(tmp, files);
  });

  // Every environment of the config was just sealed, so entries no environment used are stale.
  sealCache.prune();
  if (sealCache.size > 0 || fs.existsSync(sealCache.filePath)) sealCache.save();

  const protectedFiles: string[] = [];
  if (options.writeProtectedValues) {
    const dir = path.resolve(options.protectedValuesDir ?? path.join(path.dirname(config.file), '.azureml-tls', 'protected'));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The folder ignores itself, so its content cannot be committed by accident in any repository.
    fs.writeFileSync(path.join(dir, '.gitignore'), '*\n');
    for (const [name, model] of models) {
      const file = path.join(dir, `${name}.protected-settings.json`);
      writeSecretFile(file, renderJson(model.protectedSettings));
      protectedFiles.push(file);
    }
  }
  const manifests = config.environments.map((e) => `${e.name}${MANIFEST_EXTENSION}`);
  return { files: [...manifests, OUTPUT_MARKER, ...files.map((f) => f.path)].sort(), protectedFiles, warnings, environments: config.environments.length };
}

// Plans every environment before anything is built, so every problem is reported at once.
function checkEnvironments(config: LoadedConfig, configProblems: readonly Problem[]): string[] {
  const problems: Problem[] = [...configProblems];
  const warnings: string[] = [];
  const label = path.relative(process.cwd(), config.file) || config.file;
  for (const env of config.environments) {
    const plan = planExtension(env.props);
    const where = `${label}: environments[${env.index}] (${env.name})`;
    problems.push(...plan.problems.map((p) => ({ ...p, field: `${where}.${configField(p.field)}` })));
    warnings.push(...plan.warnings.map((w: Finding) => `${env.name}: ${w.message}${w.fix ? ` (fix: ${w.fix})` : ''}`));
  }
  if (problems.length > 0) throw new ValidationError(problems, `cannot synthesize ${label}`);
  return warnings;
}

/**
 * Where a problem's field sits in the config file: the settings rules name upstream keys (`inferenceRouterHA`,
 * `sslCname`), which live under `extension` / `tls` there.
 */
export function configField(field: string): string {
  if (field === 'sslCname') return 'tls.cname';
  if (field === 'sslSecret') return 'tls.secretName';
  if (field === 'tls' || field.startsWith('tls.') || field.startsWith('cluster.')) return field;
  if (field === 'allowInsecureConnections') return 'extension.allowInsecureConnections (or insecure)';
  return `extension.${field}`;
}

function renderEnvironment(env: EnvironmentConfig, chart: AzureMlEnvironmentChart, outDir: string): OutputFile[] {
  const model = chart.extension.model;
  const folder = env.name;
  const envDir = path.join(outDir, folder);
  // Paths the az CLI reads are relative to the environment's folder (the script changes into it), so the output is
  // the same in every clone.
  const cliProtected: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(model.cliProtectedSettings)) {
    cliProtected[k] = (k === 'sslCertPemFile' || k === 'sslKeyPemFile') && path.isAbsolute(v)
      ? path.relative(envDir, v).split(path.sep).join('/')
      : v;
  }
  const hasProtected = Object.keys(cliProtected).length > 0;
  const azOptions = {
    environment: env.name,
    cluster: env.props.cluster,
    manifest: chart.extension.secret ? `../${env.name}${MANIFEST_EXTENSION}` : undefined,
    hasProtectedSettings: hasProtected,
  };
  return [
    { path: `${folder}/values.yml`, content: renderHelmValues(env.name, model) },
    { path: `${folder}/settings.json`, content: renderSettingsJson(model) },
    { path: `${folder}/protected-settings.json`, content: renderJson(cliProtected) },
    { path: `${folder}/az-create.sh`, mode: 0o755, content: renderAzCreateScript(model, azOptions) },
    { path: `${folder}/az-update.sh`, mode: 0o755, content: renderAzUpdateScript(model, azOptions) },
    ...infrastructureAsCode(env, model, cliProtected),
    ...workloadIdentityFiles(env, chart),
  ];
}

function loadSealCache(file: string): FileSealCache {
  try {
    return FileSealCache.load(file);
  } catch (e) {
    // A damaged cache is an input problem like any other: report it as one, naming the file.
    throw new ValidationError([{ field: file, message: (e as Error).message, fix: 'delete the file: the next synth seals anew' }], 'cannot read the seal cache');
  }
}

// Bicep, ARM and Terraform need the cluster's resource id: say which environments with a cluster block lack it.
function iacWarnings(config: LoadedConfig): string[] {
  return config.environments.flatMap((env) => {
    const c = env.props.cluster;
    if (!c || clusterFullyKnown(c)) return [];
    const missing = (['subscriptionId', 'resourceGroup', 'name', 'location'] as const).filter((k) => !c[k]);
    return [`${env.name}: Bicep, ARM and Terraform files are not written: the cluster block lacks ${missing.join(', ')} (needed for the cluster's resource id)`];
  });
}

/** The seal cache of a config file: `<name>.sealed.json` beside it. */
export function sealCachePath(configFile: string): string {
  const abs = path.resolve(configFile);
  return path.join(path.dirname(abs), `${path.basename(abs, path.extname(abs))}.sealed.json`);
}

/** True when the cluster block names everything an ARM resource id and the derived keys need. */
export function clusterFullyKnown(cluster: ClusterIdentity | undefined): cluster is ClusterIdentity {
  return !!(cluster && cluster.subscriptionId && cluster.resourceGroup && cluster.name && cluster.location);
}

// Bicep, ARM and Terraform need the cluster's resource id: rendered when the cluster block names it whole.
function infrastructureAsCode(env: EnvironmentConfig, model: ExtensionModel, cliProtected: { [key: string]: string }): OutputFile[] {
  const cluster = env.props.cluster;
  if (!clusterFullyKnown(cluster)) return [];
  const pemFiles = cliProtected.sslCertPemFile && cliProtected.sslKeyPemFile
    ? { certificate: cliProtected.sslCertPemFile, privateKey: cliProtected.sslKeyPemFile }
    : undefined;
  const inputs = { environment: env.name, model, cluster, pemFiles };
  return [
    { path: `${env.name}/${BICEP_FILE_NAME}`, content: renderBicep(inputs) },
    { path: `${env.name}/${ARM_TEMPLATE_FILE_NAME}`, content: renderArmTemplate(inputs) },
    { path: `${env.name}/${TERRAFORM_FILE_NAME}`, content: renderTerraform(inputs) },
  ];
}

// externalSecret delivery: the federated credential and the Key Vault role the ServiceAccount needs (spec section 6).
function workloadIdentityFiles(env: EnvironmentConfig, chart: AzureMlEnvironmentChart): OutputFile[] {
  const kv = chart.extension.plan.keyVault;
  if (!kv) return [];
  const o = kv.options;
  return [{
    path: `${env.name}/workload-identity.sh`,
    mode: 0o755,
    content: renderWorkloadIdentityScript({
      environment: env.name,
      vaultUrl: o.vaultUrl,
      clientId: o.clientId,
      serviceAccountName: o.serviceAccountName ?? DEFAULT_KEY_VAULT_SERVICE_ACCOUNT,
      identityName: o.identityName,
      identityResourceGroup: o.identityResourceGroup,
      cluster: env.props.cluster,
    }),
  }];
}
