// Argument parsing shared by the CLI's commands: strict flags, required flags, --at dates. Usage errors print the
// command's usage on standard error (exit 2 is the caller's).
import * as fs from 'node:fs';
import { parseArgs, ParseArgsConfig } from 'node:util';
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

/** The text of an input flag: a file, or standard input for `-`. */
export type InputText = { readonly text: string; readonly error?: undefined } | { readonly text?: undefined; readonly error: string };

/**
 * Reads `file` (standard input for `-`, through `stdin` so tests can feed it). On failure, why in words a user can act
 * on (`does not exist`, `is a folder`, `cannot be read (EACCES)`), for the command to put in its own message.
 */
export function readInputText(file: string, stdin: () => string = () => fs.readFileSync(0, 'utf8')): InputText {
  try {
    return { text: file === '-' ? stdin() : fs.readFileSync(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? (e as Error).message})` };
  }
}
