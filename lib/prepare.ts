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

/** A config file read and checked, ready to be built: every environment planned, every problem thrown at once. */
export interface PreparedConfig {
  readonly config: LoadedConfig;
  /** Certificate and install-path warnings, one line each, prefixed with the environment (or, for a leftover seal cache, the file). */
  readonly warnings: string[];
  /** The run the development certificates were resolved in: what it wrote (or, dry, would have written). */
  readonly devStateRun: DevStateRun;
}

/** Options for {@link prepareConfig}. */
export interface PrepareOptions {
  readonly now?: Date;
  readonly readOnlyState?: boolean;
  /** Decide as synth would, write nothing: no state (`synth --check`). */
  readonly dryRun?: boolean;
  /**
   * Keep the state files this run would write in memory until `devStateRun.commit()`, so a run that fails writes
   * no state (synth commits once its output is in place).
   */
  readonly deferStateWrites?: boolean;
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
  const devStateRun = new DevStateRun({ dryRun: options.dryRun, deferWrites: options.deferStateWrites === true && options.dryRun !== true, previousOutputDir: options.previousOutputDir });
  const { config, problems } = readConfig(configFile, {
    now: options.now,
    readOnlyState: options.readOnlyState,
    devStateRun,
  });
  const outRootProblem = options.outRoot ? fleetRepoPathProblem(config, options.outRoot) : undefined;
  const warnings = [
    ...legacySealCacheWarnings(configFile),
    ...checkEnvironments(config, outRootProblem ? [...problems, outRootProblem] : problems),
    ...iacWarnings(config),
    // What the run noticed about the state folder (an ignore file restored, a key file's mode tightened).
    ...devStateRun.warnings,
  ];
  return { config, warnings, devStateRun };
}

/**
 * Earlier versions kept sealed values in `<config>.sealed.json` beside the config, so that re-runs kept their
 * (random) ciphertext. Sealing is deterministic now and the file is never read: say so, rather than let a reader
 * believe it still decides what the SealedSecrets hold.
 */
function legacySealCacheWarnings(configFile: string): string[] {
  const file = legacySealCachePath(configFile);
  if (!fs.existsSync(file)) return [];
  const label = path.relative(process.cwd(), file) || file;
  return [`${label}: this seal cache is no longer used (sealing is deterministic: every synth seals again and gets the same SealedSecrets, and synth --check catches an edited one); delete the file`];
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

// Bicep, ARM and Terraform need the cluster's resource id: say which environments with a cluster block lack it.
function iacWarnings(config: LoadedConfig): string[] {
  return config.environments.flatMap((env) => {
    const c = env.props.cluster;
    if (!c || clusterFullyKnown(c)) return [];
    const missing = (['subscriptionId', 'resourceGroup', 'name', 'location'] as const).filter((k) => !c[k]);
    return [`${env.name}: Bicep, ARM and Terraform files are not written: the cluster block lacks ${missing.join(', ')} (needed for the cluster's resource id)`];
  });
}

/** Where earlier versions kept a config file's seal cache: `<name>.sealed.json` beside it. */
export function legacySealCachePath(configFile: string): string {
  const abs = path.resolve(configFile);
  return path.join(path.dirname(abs), `${path.basename(abs, path.extname(abs))}.sealed.json`);
}
