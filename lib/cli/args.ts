// Argument parsing shared by the CLI's commands: strict flags, required flags, --at dates. Usage errors print the
// command's usage on standard error (exit 2 is the caller's).
import { parseArgs, ParseArgsConfig } from 'node:util';
import { MAX_INPUT_FILE_BYTES, readStdinTextBounded, readTextFileBounded, ReadFailureKind, tooLarge } from '../read-file';
import { CommandIo } from './commands';

export type Values = { [key: string]: string | boolean | string[] | undefined };

/** Parses `argv` strictly; on a usage error prints it and returns undefined. */
export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string, io: CommandIo): Values | undefined {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as Values;
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    io.err(usage);
    return undefined;
  }
}

/** Reports missing required flags (exit 2); returns true when all are there. */
export function required(v: Values, flags: string[], usage: string, io: CommandIo): boolean {
  const missing = flags.filter((k) => typeof v[k] !== 'string' || v[k] === '');
  if (missing.length === 0) return true;
  io.err(`error: missing ${missing.map((m) => `--${m}`).join(' and ')}`);
  io.err(usage);
  return false;
}

/** `--at`: undefined when absent, null (after printing why) when not a date. */
export function parseAt(at: Values[string], io: CommandIo): Date | undefined | null {
  if (at === undefined) return undefined;
  const now = new Date(String(at));
  if (Number.isNaN(now.getTime())) {
    io.err(`error: --at ${JSON.stringify(at)} is not a date (fix: use ISO 8601, e.g. 2027-01-01T00:00:00Z)`);
    return null;
  }
  return now;
}

export const str = (v: Values[string]) => (typeof v === 'string' ? v : undefined);

/** The text of an input flag: a file, or standard input for `-`; on failure, why, and what kind of failure. */
export type InputText = { readonly text: string; readonly error?: undefined; readonly kind?: undefined } | { readonly text?: undefined; readonly error: string; readonly kind: ReadFailureKind };

/** Bounds of {@link readInputText}. */
export interface InputTextOptions {
  /** @default MAX_INPUT_FILE_BYTES (4 MiB) */
  readonly maxBytes?: number;
  /** What the input is, for the too-large message. @default 'an input document' */
  readonly what?: string;
}

/**
 * Reads `file` (standard input for `-`, through `stdin` when given, so tests can feed it), at most 4 MiB: a manifest
 * or JSON document from kubectl or az is a few KiB, and a path may name /dev/zero or a FIFO. Only a regular file is
 * read. On failure, why in words a user can act on (`does not exist`, `is a folder`,
 * `is a FIFO (named pipe), not a regular file`, `cannot be read: permission denied (EACCES)`, `is N bytes; ...`),
 * for the command to put in its own message.
 */
export function readInputText(file: string, stdin?: () => string, options: InputTextOptions = {}): InputText {
  const bounds = { maxBytes: options.maxBytes ?? MAX_INPUT_FILE_BYTES, what: options.what ?? 'an input document' };
  if (file === '-' && stdin) {
    let text: string;
    try {
      text = stdin();
    } catch (e) {
      return { error: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, kind: ReadFailureKind.UNREADABLE };
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes > bounds.maxBytes ? { error: tooLarge(bounds, bytes).message, kind: ReadFailureKind.TOO_LARGE } : { text };
  }
  const read = file === '-' ? readStdinTextBounded(bounds) : readTextFileBounded(file, bounds);
  if (!read.failure) return { text: read.text };
  // A folder keeps the words the commands always used.
  return { error: read.failure.type === 'a folder' ? 'is a folder' : read.failure.message, kind: read.failure.kind };
}
