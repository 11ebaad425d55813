import { resolveConfigPath } from '../config/load';
import { formatProblem, ValidationError } from '../problems';
import { synthesize } from '../synth';

/** Where a command writes: injectable for tests. */
export interface CommandIo {
  /** Standard output, one line per call. */
  readonly out: (line: string) => void;
  /** Standard error, one line per call. */
  readonly err: (line: string) => void;
}

const defaultIo: CommandIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

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
}

/** Runs synth; returns the exit code (0 written, 1 invalid input). */
export function runSynthCommand(options: SynthCommandOptions, io: CommandIo = defaultIo): number {
  try {
    const result = synthesize({
      configFile: resolveConfigPath(options.config),
      outDir: options.outDir,
      now: options.now,
      writeProtectedValues: options.writeProtectedValues,
    });
    for (const w of result.warnings) io.err(w);
    for (const f of result.files) io.out(`wrote ${options.outDir}/${f}`);
    for (const f of result.protectedFiles) io.out(`wrote ${f} (protected values, mode 0600, git-ignored)`);
    return 0;
  } catch (e) {
    if (e instanceof ValidationError) {
      io.err(`error: ${e.message.split('\n')[0]}`);
      for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
      io.err(`nothing was written; ${options.outDir} is unchanged`);
      return 1;
    }
    throw e;
  }
}

