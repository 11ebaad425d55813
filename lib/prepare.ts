import * as fs from 'node:fs';
import * as path from 'node:path';
import { DevStateRun } from './certificate/dev-store';
import { Finding } from './certificate/findings';
import { LoadedConfig, readConfig } from './config/load';
import { clusterFullyKnown } from './environment-files';
import { asoProblems } from './constructs/aso-extension';
import { fleetRepoPathProblem } from './environments';
import { fleetProblems } from './fleet';
import { planExtension } from './plan';
import { Problem, ValidationError } from './problems';
import { FileSealCache } from './sealing/cache';

/** A config file read and checked, ready to be built: every environment planned, every problem thrown at once. */
export interface PreparedConfig {
  readonly config: LoadedConfig;
  /** Certificate and install-path warnings, one line each, prefixed with the environment. */
  readonly warnings: string[];
  /** The run the development certificates were resolved in: what it wrote (or, dry, would have written). */
  readonly devStateRun: DevStateRun;
  /** Prunes the seal cache to what this run sealed and writes it when it changed (never in a dry run). */
  readonly saveSealCache: () => void;
}

/** Options for {@link prepareConfig}. */
export interface PrepareOptions {
  readonly now?: Date;
  readonly readOnlyState?: boolean;
  /** Decide as synth would, write nothing: no state, no seal cache (`synth --check`). */
  readonly dryRun?: boolean;
  /** The output folder being replaced or checked, to adopt committed development certificates from. */
  readonly previousOutputDir?: string;
  /** The output root the config is synthesized into, whose path in the repository the fleet wiring may derive. */
  readonly outRoot?: string;
}

/**
 * Reads a config file and plans every environment before anything is built, so every problem of every environment
 * is reported at once.
 * @throws ValidationError with every problem found
 */
export function prepareConfig(configFile: string, options: PrepareOptions = {}): PreparedConfig {
  // Sealed values live beside the config (azureml-tls.yaml -> azureml-tls.sealed.json), committed with it: only
  // ciphertext and one-way digests, so unchanged input keeps its ciphertext in every clone and through cdk8s synth.
  const sealCache = loadSealCache(sealCachePath(configFile));
  const devStateRun = new DevStateRun({ dryRun: options.dryRun, previousOutputDir: options.previousOutputDir });
  const { config, problems } = readConfig(configFile, {
    now: options.now,
    readOnlyState: options.readOnlyState,
    devStateRun,
    sealCache,
  });
  const outRootProblem = options.outRoot ? fleetRepoPathProblem(config, options.outRoot) : undefined;
  const warnings = [...checkEnvironments(config, outRootProblem ? [...problems, outRootProblem] : problems), ...iacWarnings(config)];
  return {
    config,
    warnings,
    devStateRun,
    saveSealCache: () => {
      // A dry run keeps what it sealed in memory: the committed cache stays as it is.
      if (options.dryRun) return;
      // Every environment of the config was just sealed, so entries no environment used are stale.
      sealCache.prune();
      if (sealCache.size > 0 || fs.existsSync(sealCache.filePath)) sealCache.save();
    },
  };
}

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
  for (const env of config.environments) {
    if (!env.aso) continue;
    const plan = planExtension(env.props);
    const where = `${label}: environments[${env.index}] (${env.name})`;
    problems.push(...asoProblems(env.aso, env.props, plan).map((p) => ({ ...p, field: `${where}.${p.field}` })));
  }
  problems.push(...fleetProblems(config).map((p) => ({ ...p, field: `${label}: ${p.field}` })));
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
  if (field === 'tls' || field.startsWith('tls.') || field.startsWith('cluster.') || field.startsWith('aso.')) return field;
  if (field.startsWith('labels.') || field.startsWith('annotations.')) return `manifests.${field}`;
  if (field === 'createNamespace') return 'manifests.namespace';
  if (field === 'allowInsecureConnections') return 'extension.allowInsecureConnections (or insecure)';
  return `extension.${field}`;
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
