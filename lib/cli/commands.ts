import * as path from 'node:path';
import { ConfigFileSearch, FindConfigFileOptions, findConfigFile, nodeModulesProblem, stateDirBeside, STATE_DIR_NAME } from '../config/load';
import { formatProblem, Problem, ValidationError } from '../problems';
import { describeFsError, OutputWriteError } from '../output';
import { checkSynth, SynthDifferenceKind, synthesize } from '../synth';

/** Where a command writes: injectable for tests. */
export interface CommandIo {
  /** Standard output, one line per call. */
  readonly out: (line: string) => void;
  /** Standard error, one line per call. */
  readonly err: (line: string) => void;
  /**
   * A progress line that replaces the previous one (a terminal only).
   * @default - no progress is shown
   */
  readonly progress?: (text: string) => void;
}

/** The process's streams; progress only when standard error is a terminal. */
export const defaultIo: CommandIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  progress: process.stderr.isTTY ? (t) => process.stderr.write(`\r\x1b[2K${t}`) : undefined,
};

/** Options of `synth`. */
export interface SynthCommandOptions {
  /** @default - found by findConfigFile(): $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml */
  readonly config?: string;
  /** The output root. */
  readonly outDir: string;
  /** @default false */
  readonly writeProtectedValues?: boolean;
  /** @default - the current time */
  readonly now?: Date;
  /** List every file written. @default false */
  readonly verbose?: boolean;
}

/**
 * Prints why no config file can be used, and where it was looked for. Returns false then; true when there is one.
 * Shared by every command that reads the config, so each says the same.
 */
export function reportConfigSearch(search: ConfigFileSearch, io: CommandIo, extraProblems: readonly Problem[] = []): search is ConfigFileSearch & { readonly file: string } {
  const problems = [...search.problems, ...extraProblems];
  if (search.file !== undefined && problems.length === 0) return true;
  for (const p of problems) io.err(`error: ${formatProblem(p)}`);
  if (search.file === undefined) {
    io.err('looked for the config file at, in order:');
    for (const s of search.searched) io.err(`  ${s}`);
  }
  return false;
}

/**
 * The config file a writing command may use, or undefined after printing why there is none. The state folder beside
 * it is checked on its own too, as it may be a symlink into node_modules.
 */
function findWritableConfig(options: FindConfigFileOptions, io: CommandIo): string | undefined {
  const search = findConfigFile(options);
  const state = search.file === undefined ? undefined : nodeModulesProblem(stateDirBeside(search.file), `state folder (${STATE_DIR_NAME} beside the config)`, 'state folder');
  return reportConfigSearch(search, io, state ? [state] : []) ? search.file : undefined;
}

/** Prints a failed command: every problem of a ValidationError, or one line for anything else (never a stack trace). */
export function reportSynthError(e: unknown, io: CommandIo): void {
  if (e instanceof ValidationError) {
    io.err(`error: ${e.message.split('\n')[0]}`);
    for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
    return;
  }
  // Anything else is the environment (disk full, permissions) or a bug: a file-system error is told with its path, what
  // it means and a fix; its message, like a crypto error's, names a path at most, never key material.
  io.err(`error: ${describeFsError(e) ?? (e as Error).message}`);
}

/** Runs synth; returns the exit code (0 written, 1 invalid input). */
export function runSynthCommand(options: SynthCommandOptions, io: CommandIo = defaultIo): number {
  const configFile = findWritableConfig({ config: options.config }, io);
  if (configFile === undefined) {
    // Nothing was attempted: no output folder, no state folder.
    io.err('nothing was written');
    return 1;
  }
  try {
    const result = synthesize({
      configFile,
      outDir: options.outDir,
      now: options.now,
      writeProtectedValues: options.writeProtectedValues,
      onProgress: io.progress ? (done, total) => io.progress?.(`synthesizing: ${done}/${total} environments`) : undefined,
    });
    io.progress?.('');
    for (const w of result.warnings) io.err(`warning: ${w}`);
    if (options.verbose) for (const f of result.files) io.out(`wrote ${options.outDir}/${f}`);
    for (const f of result.protectedFiles) io.out(`wrote ${f} (protected values, mode 0600, git-ignored)`);
    io.out(`synthesized ${result.environments} environment(s) into ${options.outDir}: ${result.files.length} files written, ${result.warnings.length} warning(s)`);
    return 0;
  } catch (e) {
    io.progress?.('');
    reportSynthError(e, io);
    // Only an error of the final write knows what the output folder holds now; every other one came before it.
    io.err(e instanceof OutputWriteError ? e.outcome : `nothing was written; ${options.outDir} is unchanged`);
    return 1;
  }
}

/** Options of `synth --check`. */
export interface SynthCheckCommandOptions {
  /** @default - found by findConfigFile(): $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml */
  readonly config?: string;
  /** The output root to compare. */
  readonly outDir: string;
  /** @default - the current time */
  readonly now?: Date;
  /** Also list the files that match, and the state files synth would write. @default false */
  readonly verbose?: boolean;
}

/** The exit code of `synth --check` when the output folder differs from what synth would write. */
export const CHECK_DIFFERS = 3;

/**
 * Runs `synth --check`; returns the exit code: 0 the output folder is what synth would write, 3 it differs (each file
 * listed on standard output), 1 invalid input (the messages of synth). Writes nothing.
 */
export function runSynthCheckCommand(options: SynthCheckCommandOptions, io: CommandIo = defaultIo): number {
  // The same refusals as synth (a config or state folder inside node_modules): a check passes where synth would run.
  const configFile = findWritableConfig({ config: options.config }, io);
  if (configFile === undefined) {
    io.err('nothing was written');
    return 1;
  }
  try {
    const result = checkSynth({
      configFile,
      outDir: options.outDir,
      now: options.now,
      onProgress: io.progress ? (done, total) => io.progress?.(`checking: ${done}/${total} environments`) : undefined,
    });
    io.progress?.('');
    for (const w of result.warnings) io.err(`warning: ${w}`);
    // Fixed-width kinds, so the list reads as a column and greps as `^changed `.
    for (const d of result.differences) io.out(`${d.kind.padEnd(7)} ${d.path}${d.detail && d.detail !== 'content' ? ` (${d.detail})` : ''}`);
    if (options.verbose) {
      const differing = new Set(result.differences.map((d) => d.path));
      for (const f of result.files) if (!differing.has(f)) io.out(`same    ${f}`);
      for (const f of result.stateFiles) io.out(`state   ${f} (synth would write it; the check kept it in memory)`);
    }
    const count = (kind: SynthDifferenceKind) => result.differences.filter((d) => d.kind === kind).length;
    if (result.upToDate) {
      io.out(`${options.outDir} is up to date: its ${result.files.length} files are what synth would write for ${result.environments} environment(s), ${result.warnings.length} warning(s)`);
      return 0;
    }
    io.out(`${options.outDir} differs from what synth would write: ${count(SynthDifferenceKind.ADDED)} added, ${count(SynthDifferenceKind.REMOVED)} removed, ${count(SynthDifferenceKind.CHANGED)} changed (run azureml-tls synth with the same options, without --check, to update it)`);
    return CHECK_DIFFERS;
  } catch (e) {
    io.progress?.('');
    reportSynthError(e, io);
    io.err(`nothing was written; ${options.outDir} is unchanged`);
    return 1;
  }
}

/** What {@link runConfigApp} needs of the app it built: its output folder and its warnings. */
export interface BuiltApp {
  readonly outdir: string;
  readonly warnings: string[];
}

/**
 * The cdk8s entry point (main.ts): finds the config as `synth` does ($AZUREML_TLS_CONFIG, else ./azureml-tls.yaml),
 * reads `$AZUREML_TLS_AT` (a time to check certificates at), lets `build` make and synthesize the app, and prints
 * every problem. Returns the exit code. `cdk8s synth` has emptied the output folder before the app runs.
 */
export function runConfigApp(build: (configFile: string, now: Date | undefined) => BuiltApp, io: CommandIo = defaultIo, environment: { readonly [name: string]: string | undefined } = process.env): number {
  const emptied = `nothing was written (cdk8s synth had already emptied ${environment.CDK8S_OUTDIR ?? 'dist'})`;
  const at = environment.AZUREML_TLS_AT;
  const now = at ? new Date(at) : undefined;
  if (now && Number.isNaN(now.getTime())) {
    io.err(`error: AZUREML_TLS_AT ${JSON.stringify(at)} is not a date (fix: use ISO 8601, e.g. 2027-01-01T00:00:00Z)`);
    return 1;
  }
  const configFile = findWritableConfig({ environment: environment as { readonly [name: string]: string } }, io);
  if (configFile === undefined) {
    io.err(emptied);
    return 1;
  }
  try {
    const app = build(configFile, now);
    for (const w of app.warnings) io.err(`warning: ${w}`);
    io.out(`synthesized ${path.relative(process.cwd(), configFile) || configFile} into ${app.outdir}, ${app.warnings.length} warning(s)`);
    return 0;
  } catch (e) {
    reportSynthError(e, io);
    io.err(emptied);
    return 1;
  }
}
