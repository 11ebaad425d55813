// `azureml-tls plan`: what `az k8s-extension update` would change on an installed extension (issue 11). Reads the
// installed resource (`az k8s-extension show -o json`) and the config through synth's own pipeline, prints the
// differences and the update to run. Protected settings by name only: Azure never returns their values.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findConfigFile } from '../config/load';
import { OUTPUT_MARKER } from '../output';
import { planExtension } from '../plan';
import {
  AZ_SHOW_COMMAND, azClusterType, CertificateChange, clusterMismatch, diffExtension, InstalledExtension, parseInstalledExtension,
  PlanDiff, ProtectedChangeKind, renderUpdateCommand, SettingChangeKind, UpdateCommand,
} from '../plan-diff';
import { prepareConfig } from '../prepare';
import { formatProblem, ValidationError } from '../problems';
import { renderSettingsJson } from '../render/values';
import { InputText, parse, parseAt, readInputText, required, str } from './args';
import { CommandIo, reportConfigSearch } from './commands';

/** The usage text of `plan`, for `--help` and usage errors. */
export const PLAN_USAGE = `Usage: azureml-tls plan --env NAME --current FILE|- [--config FILE] [--out DIR] [--json] [--at ISO-DATE]

  --env NAME       the environment of the config that the cluster runs
  --current FILE   the installed extension, as az k8s-extension show prints it with -o json (- reads standard input):
                   az k8s-extension show --name azureml --cluster-type managedClusters --cluster-name CLUSTER \\
                     --resource-group RG -o json | azureml-tls plan --env NAME --current -
  --config FILE    config file (default: $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml)
  --out DIR        the output root synth writes (default: dist): the update runs from DIR/install/NAME
  --json           print one JSON document (for CI)
  --at DATE        check (and date new development) certificates at this time instead of now (ISO 8601)
  -h, --help       show this help

Compares the installed settings with what the environment sends (settings.json): each setting added, changed or
removed (old -> new), marked ! when the change affects live endpoints; the protected settings the update would delete
(names only: Azure never returns protected values, and plan never prints one); whether the TLS Secret name or the
certificate changes; and the az k8s-extension update command to run. Changes nothing itself.
Exit codes: 0 in sync, 1 invalid input (config, environment, --current), 2 unknown or missing flags,
3 changes pending.`;

/** Exit code of `plan` when the update would change something. */
export const PLAN_PENDING = 3;

/** Options of `plan`. */
export interface PlanCommandOptions {
  /** @default - found by findConfigFile(): $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml */
  readonly config?: string;
  readonly env: string;
  /** A file, or `-` for standard input. */
  readonly current: string;
  /** The output root synth writes. @default 'dist' */
  readonly outDir?: string;
  /** @default false */
  readonly json?: boolean;
  /** @default - the current time */
  readonly now?: Date;
}

/** What `plan` reads besides files: injectable so tests give standard input without a process. */
export interface PlanCommandDeps {
  /** @default - reads file descriptor 0 */
  readonly readStdin?: () => string;
}

/** Parses the flags of `plan` and runs it. */
export function runPlanCli(argv: string[], io: CommandIo, deps: PlanCommandDeps = {}): number | Promise<number> {
  const v = parse(argv, {
    config: { type: 'string' }, env: { type: 'string' }, current: { type: 'string' }, out: { type: 'string' },
    json: { type: 'boolean' }, at: { type: 'string' },
  }, PLAN_USAGE, io);
  if (!v) return 2;
  if (v.help) { io.out(PLAN_USAGE); return 0; }
  if (!required(v, ['env', 'current'], PLAN_USAGE, io)) return 2;
  if (v.out === '') {
    io.err('error: --out "" is empty (fix: name the output root synth writes, e.g. --out dist)');
    io.err(PLAN_USAGE);
    return 2;
  }
  const now = parseAt(v.at, io);
  if (now === null) return 1;
  return runPlanCommand({ config: str(v.config), env: str(v.env) ?? '', current: str(v.current) ?? '', outDir: str(v.out), json: v.json === true, now }, io, deps);
}

/** Runs `plan`; returns 0 in sync, 3 when changes are pending, 1 on invalid input. */
export function runPlanCommand(options: PlanCommandOptions, io: CommandIo, deps: PlanCommandDeps = {}): number {
  const outDir = options.outDir ?? 'dist';
  const search = findConfigFile({ config: options.config });
  if (!reportConfigSearch(search, io)) return 1;
  const label = path.relative(process.cwd(), search.file) || search.file;

  // synth --check's pipeline: every environment planned, nothing written; development certificates adopted from the
  // output folder as synth would, so a committed one gives the same Secret name here.
  const absOut = path.resolve(outDir);
  let prepared;
  try {
    prepared = prepareConfig(search.file, { now: options.now, dryRun: true, previousOutputDir: fs.existsSync(path.join(absOut, OUTPUT_MARKER)) ? absOut : undefined, outRoot: absOut });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    io.err(`error: ${e.message.split('\n')[0]}`);
    for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
    return 1;
  }
  const envs = prepared.config.environments;
  const env = envs.find((e) => e.name === options.env);
  if (!env) {
    io.err(`error: --env ${JSON.stringify(options.env)} is not an environment of ${label} (environments: ${envs.map((e) => e.name).join(', ')})`);
    return 1;
  }
  const plan = planExtension(env.props);
  // prepareConfig threw for any problem, so every environment has a model.
  const model = plan.model;
  if (!model) throw new Error(`internal: environment ${env.name} has no model`);

  const source = options.current === '-' ? '--current - (standard input)' : `--current ${options.current}`;
  const text = readText(options.current, deps);
  if (text.error !== undefined) {
    io.err(`error: ${source} ${text.error} (fix: save it first: ${AZ_SHOW_COMMAND} > current.json)`);
    return 1;
  }
  const parsed = parseInstalledExtension(text.text);
  if (parsed.error !== undefined) {
    io.err(`error: ${source} ${parsed.error}`);
    return 1;
  }
  const installed = parsed.extension;
  const mismatch = clusterMismatch(installed.cluster, env.props.cluster);
  if (mismatch) {
    // The update would run against the installed extension's cluster: comparing another environment's config with it
    // and running the update printed would overwrite that cluster's settings.
    io.err(`error: ${source} is the extension of another cluster than environment ${env.name}'s: ${mismatch} (fix: show the extension of the environment's cluster, or plan the environment this cluster runs)`);
    return 1;
  }

  const leaf = plan.certificateReport?.chain[0];
  const diff = diffExtension({ model, installed, tls: { fingerprintSuffix: env.props.tls?.fingerprintSuffix === true, fingerprintSha256: leaf?.fingerprintSha256 } });
  const installDir = path.posix.join(outDir.split(path.sep).join('/'), 'install', env.name);
  const configured = env.props.cluster;
  const update = renderUpdateCommand({
    model,
    installDir,
    extensionName: installed.name,
    cluster: {
      type: installed.cluster?.type ?? (configured ? azClusterType(configured.type) : undefined),
      name: installed.cluster?.name ?? configured?.name,
      resourceGroup: installed.cluster?.resourceGroup ?? configured?.resourceGroup,
      subscriptionId: installed.cluster?.subscriptionId ?? configured?.subscriptionId,
    },
  });
  const warnings = [
    ...prepared.warnings.filter((w) => w.startsWith(`${env.name}: `)).map((w) => w.slice(env.name.length + 2)),
    ...diff.warnings,
  ];
  const stale = outputProblem(path.join(absOut, 'install', env.name, 'settings.json'), renderSettingsJson(model), installDir, outDir);
  if (stale) warnings.push(stale);
  // The TLS Secret (or what delivers it) comes before the update that names it: applied from clusters/<env>/.
  const hasManifests = !!(plan.secret || plan.sealed || plan.keyVault || plan.certManager);
  const before = hasManifests && diff.tls.secretNameChanges
    ? [`kubectl apply -k ${path.posix.join(outDir.split(path.sep).join('/'), 'clusters', env.name)}`]
    : [];

  if (options.json) {
    io.out(JSON.stringify(jsonDocument(env.name, installed, diff, update, before, warnings, installDir), null, 2));
  } else {
    printText(env.name, installed, diff, update, before, warnings, installDir, io);
  }
  return diff.inSync ? 0 : PLAN_PENDING;
}

function readText(file: string, deps: PlanCommandDeps): InputText {
  return readInputText(file, deps.readStdin);
}

// The command runs from the files synth wrote: say when they are missing or not what the config gives now.
function outputProblem(file: string, expected: string, installDir: string, outDir: string): string | undefined {
  const synth = `azureml-tls synth${outDir === 'dist' ? '' : ` --out ${outDir}`}`;
  let actual: string;
  try {
    actual = fs.readFileSync(file, 'utf8');
  } catch {
    return `${installDir}/settings.json does not exist: run ${synth} first (the update below runs from the files it writes)`;
  }
  return actual === expected ? undefined : `${installDir}/settings.json is not what the config gives now: run ${synth} first, or the update sends the old settings`;
}

function jsonDocument(env: string, installed: InstalledExtension, diff: PlanDiff, update: UpdateCommand, before: string[], warnings: string[], installDir: string) {
  return {
    environment: env,
    inSync: diff.inSync,
    pending: diff.pending,
    extension: {
      name: installed.name ?? null,
      id: installed.id ?? null,
      extensionType: installed.extensionType,
      version: installed.version ?? null,
      releaseTrain: installed.releaseTrain ?? null,
      releaseNamespace: installed.releaseNamespace ?? null,
      provisioningState: installed.provisioningState ?? null,
      cluster: installed.cluster ?? null,
    },
    settings: diff.settings.map((s) => ({
      key: s.key, change: s.change, old: s.old ?? null, new: s.new ?? null, affectsEndpoints: s.affectsEndpoints, reason: s.reason ?? null, note: s.note ?? null,
    })),
    keptAsInstalled: diff.keptAsInstalled,
    protectedSettings: diff.protectedSettings,
    tls: { ...diff.tls, fingerprintSha256: diff.tls.fingerprintSha256 ?? null },
    confirmationKeys: diff.confirmationKeys,
    warnings,
    before,
    command: update.command,
    variables: update.variables,
    script: `${installDir}/az-update.sh`,
  };
}

function printText(env: string, installed: InstalledExtension, diff: PlanDiff, update: UpdateCommand, before: string[], warnings: string[], installDir: string, io: CommandIo): void {
  const where = installed.cluster ? ` on ${installed.cluster.type}/${installed.cluster.name} (resource group ${installed.cluster.resourceGroup})` : '';
  const about = [installed.version && `version ${installed.version}`, installed.releaseTrain && `train ${installed.releaseTrain}`, installed.provisioningState].filter(Boolean).join(', ');
  io.out(`plan for environment ${env}: extension ${installed.name ?? '(unnamed)'}${where}${about ? `: ${about}` : ''}`);

  const counts = Object.values(SettingChangeKind).map((k) => `${diff.settings.filter((s) => s.change === k).length} ${k}`).join(', ');
  const marked = diff.settings.filter((s) => s.affectsEndpoints).length;
  io.out(diff.settings.length === 0
    ? 'settings: the installed settings equal settings.json'
    : `settings: ${counts}${marked > 0 ? `; ${marked} affect(s) endpoints (!)` : ''}`);
  for (const s of diff.settings) {
    io.out(`  ${s.affectsEndpoints ? '!' : ' '} ${s.change.padEnd(7)} ${s.key}: ${s.old ?? '(not installed)'} -> ${s.new ?? '(not sent)'}`);
    if (s.reason) io.out(`      affects endpoints: ${s.reason}`);
    if (s.note) io.out(`      note: ${s.note}`);
  }
  if (diff.keptAsInstalled.length > 0) {
    io.out(`  kept as installed (the az CLI derived them at install; settings.json does not set them): ${diff.keptAsInstalled.join(', ')}`);
  }

  if (diff.protectedSettings.length === 0) {
    io.out('protected settings: none installed, none sent');
  } else {
    io.out('protected settings (names only: Azure never returns their values):');
    for (const p of diff.protectedSettings) {
      io.out(`  ${p.affectsEndpoints ? '!' : ' '} ${p.change.padEnd(9)} ${p.key}: ${p.reason}`);
      if (p.markReason) io.out(`      affects endpoints: ${p.markReason}`);
    }
  }

  const t = diff.tls;
  io.out(`TLS: certificate ${t.certificate}: ${t.detail}`);
  if (t.fingerprintSha256 && t.certificate !== CertificateChange.NONE) io.out(`  configured leaf certificate SHA-256 ${t.fingerprintSha256}`);
  for (const w of warnings) io.err(`warning: ${w}`);

  if (diff.inSync) {
    io.out('in sync: nothing to update (protected values cannot be compared; to send them again anyway, run the update below)');
  } else {
    const dropped = diff.protectedSettings.filter((p) => p.change === ProtectedChangeKind.DROPPED).length;
    io.out(`${diff.pending} change(s) pending${dropped > 0 ? `, ${dropped} protected setting(s) deleted` : ''}. Apply them with the files synth wrote:`);
  }
  for (const b of before) io.out(`  ${b}    # the TLS Secret first (or let your GitOps tool sync ${b.slice('kubectl apply -k '.length)})`);
  for (const v of update.variables) io.out(`  # set ${v}`);
  for (const line of update.command.split('\n')) io.out(`  ${line}`);
  if (diff.confirmationKeys.length > 0) {
    io.out(`  # --yes: the az CLI asks for confirmation whenever the settings it sends include ${diff.confirmationKeys.join(', ')}`);
  }
  io.out(`  # or: bash ${installDir}/az-update.sh (the same update)`);
}
