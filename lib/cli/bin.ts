#!/usr/bin/env node
// `azureml-tls`: the command-line entry point. Argument parsing only; the work is in commands.ts.
import { parseArgs, ParseArgsConfig } from 'node:util';
import { CommandIo, runCheckCommand, runSynthCommand } from './commands';

const USAGE = `Usage: azureml-tls <command> [options]

Commands:
  synth   Write manifests, Helm values, settings and az scripts for every environment of the config.
  check   Say whether a certificate and key pair is usable by azureml-fe.

Run 'azureml-tls <command> --help' for a command's options.`;

const SYNTH_USAGE = `Usage: azureml-tls synth [--config FILE] [--out DIR] [--write-protected-values] [--at ISO-DATE]

  --config FILE              config file (default: $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml)
  --out DIR                  output root, replaced atomically (default: dist)
  --write-protected-values   also write the protected settings with their values (PEM base64 included) to
                             .azureml-tls/protected/<env>.protected-settings.json beside the config (mode 0600, git-ignored)
  --at DATE                  check certificates at this time instead of now (ISO 8601)
  -h, --help                 show this help

Exit codes: 0 written, 1 invalid input (nothing written), 2 usage error.`;

const CHECK_USAGE = `Usage: azureml-tls check --cert FILE --key FILE [--cname NAME] [--at ISO-DATE]

  --cert FILE     cert.pem: the full chain, leaf first
  --key FILE      key.pem: the unencrypted private key
  --cname NAME    the sslCname clients call; must be covered by a DNS SAN of the leaf
  --at DATE       evaluate validity at this time instead of now (ISO 8601)
  -h, --help      show this help

Errors are printed one per line starting 'error:'. Key material is never printed.
Exit codes: 0 usable, 1 any error, 2 unknown or missing flags.`;

type Values = { [key: string]: string | boolean | undefined };

/** Parses `argv` strictly; on a usage error prints it and returns undefined. */
function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string, io: CommandIo): Values | undefined {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as Values;
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    io.err(usage);
    return undefined;
  }
}

/** `--at`: undefined when absent, null (after printing why) when not a date. */
function parseAt(at: string | boolean | undefined, io: CommandIo): Date | undefined | null {
  if (at === undefined) return undefined;
  const now = new Date(String(at));
  if (Number.isNaN(now.getTime())) {
    io.err(`error: --at ${JSON.stringify(at)} is not a date; use ISO 8601, e.g. 2027-01-01T00:00:00Z`);
    return null;
  }
  return now;
}

/** Runs the CLI on `argv` (without node and script); returns the exit code. */
export function main(argv: string[], io: CommandIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'synth': {
      const v = parse(rest, { 'config': { type: 'string' }, 'out': { type: 'string' }, 'write-protected-values': { type: 'boolean' }, 'at': { type: 'string' } }, SYNTH_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(SYNTH_USAGE); return 0; }
      const now = parseAt(v.at, io);
      if (now === null) return 2;
      return runSynthCommand({ config: v.config as string | undefined, outDir: (v.out as string | undefined) ?? 'dist', writeProtectedValues: v['write-protected-values'] === true, now }, io);
    }
    case 'check': {
      const v = parse(rest, { cert: { type: 'string' }, key: { type: 'string' }, cname: { type: 'string' }, at: { type: 'string' } }, CHECK_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(CHECK_USAGE); return 0; }
      const missing = ['cert', 'key'].filter((k) => typeof v[k] !== 'string' || v[k] === '');
      if (missing.length > 0) {
        io.err(`error: missing ${missing.map((m) => `--${m}`).join(' and ')}`);
        io.err(CHECK_USAGE);
        return 2;
      }
      const now = parseAt(v.at, io);
      if (now === null) return 2;
      return runCheckCommand({ cert: v.cert as string, key: v.key as string, cname: v.cname as string | undefined, now }, io);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`error: unknown command ${JSON.stringify(command)}`);
      io.err(USAGE);
      return 2;
  }
}

if (require.main === module) {
  // A closed pipe (`azureml-tls synth | head`) is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(process.argv.slice(2));
}
