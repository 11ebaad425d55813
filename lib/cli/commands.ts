import { resolveConfigPath } from '../config/load';
import { formatProblem, ValidationError } from '../problems';
import { synthesize } from '../synth';

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
  /** @default - resolved by resolveConfigPath() */
  readonly config?: string;
  /** The output root. */
  readonly outDir: string;
  /** @default false */
  readonly writeProtectedValues?: boolean;
  /** @default - the current time */
  readonly now?: Date;
  /** List every file written. @default false */
  readonly verbose?: boolean;
  /**
   * Running under `cdk8s synth`, which empties the output folder before the app runs (so it cannot stay unchanged).
   * @default false
   */
  readonly underCdk8s?: boolean;
}

/** Runs synth; returns the exit code (0 written, 1 invalid input). */
export function runSynthCommand(options: SynthCommandOptions, io: CommandIo = defaultIo): number {
  try {
    const result = synthesize({
      configFile: resolveConfigPath(options.config),
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
    const unchanged = options.underCdk8s
      ? `nothing was written (cdk8s synth had already emptied ${options.outDir})`
      : `nothing was written; ${options.outDir} is unchanged`;
    if (e instanceof ValidationError) {
      io.err(`error: ${e.message.split('\n')[0]}`);
      for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
      io.err(unchanged);
      return 1;
    }
    // Anything else is a bug or the environment (disk full, permissions): one line, no stack trace; the message of
    // a file-system or crypto error names a path at most, never key material.
    io.err(`error: ${(e as Error).message}`);
    io.err(unchanged);
    return 1;
  }
}

