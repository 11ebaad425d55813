#!/usr/bin/env node
// `azureml-tls`: the command-line entry point. Argument parsing only; the work is in the command modules.
import { parse, parseAt, required, str } from './args';
import { runCheckCommand } from './check';
import { runDnsCli } from './dns';
import { runPlanCli } from './plan';
import { runTriageCli } from './triage';
import { CommandIo, defaultIo, reportSynthError, runSynthCheckCommand, runSynthCommand } from './commands';
import { runDevCertCommand } from './dev-cert';
import { runInitCommand } from './init';
import { packageVersion } from './package-info';
import { runReportCommand } from './report';
import { runVerifyCommand, VERIFY_USAGE } from './verify';
import { describeFsError } from '../output';
import { ValidationError } from '../problems';

const USAGE = `Usage: azureml-tls <command> [options]
       azureml-tls --version

Commands:
  init       Write a commented starter config (azureml-tls.yaml) to edit, then synth.
  synth      Write manifests, Helm values, settings and az scripts for every environment of the config.
  check      Report on a certificate and key (files or a Secret manifest) and say whether azureml-fe can use them.
  dev-cert   Write a development certificate signed by a local development CA (development only).
  report     A table of every environment's certificate: cname, source, delivery, expiry; exit 1 if any expires soon.
  verify     Connect to the endpoint (TLS 1.2, SNI = cname) and prove it serves the configured certificate.
  plan       Compare an installed extension (az k8s-extension show -o json) with the config: what an update changes.
  triage     Explain a failed install from the arcml-healthcheck ConfigMap (and the TLS Secret).
  dns        The DNS record that points the cname at azureml-fe's load balancer (from kubectl get svc -o json).

Options:
  -v, --version   print the version of cdk8s-azureml-tls
  -h, --help      show this help

The config is --config FILE, else $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml (write one with 'azureml-tls init').
Run 'azureml-tls <command> --help' for a command's options.`;

const INIT_USAGE = `Usage: azureml-tls init [--out FILE] [--force]

  --out FILE   the config file to write (default: ./azureml-tls.yaml)
  --force      replace the file if it exists
  -h, --help   show this help

Writes a commented starter config: one development environment (a self-signed certificate for ml.dev.example.com,
inference behind a LoadBalancer), with the alternatives for each field in comments. It synthesizes as it is.
Exit codes: 0 written, 1 not written (the file exists, or the path is refused), 2 unknown flags.`;

const SYNTH_USAGE = `Usage: azureml-tls synth [--config FILE] [--out DIR] [--write-protected-values] [--at ISO-DATE] [--verbose]
       azureml-tls synth --check [--config FILE] [--out DIR] [--at ISO-DATE] [--verbose]

  --config FILE              config file (default: $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml; never the package's
                             example: with none, synth exits 1 and writes nothing; 'azureml-tls init' writes one)
  --out DIR                  output root, replaced atomically (default: dist)
  --write-protected-values   also write the protected settings with their values (PEM base64 included) to
                             .azureml-tls/protected/<env>.protected-settings.json beside the config (mode 0600, git-ignored)
  --at DATE                  check (and date new development) certificates at this time instead of now (ISO 8601)
  --verbose                  list every file written (with --check: every file compared, and the state files
                             synth would write)
  --check                    write nothing (not DIR, not .azureml-tls/): compare what synth
                             would write with DIR byte for byte (files, content, mode) and list each file added,
                             removed or changed; development certificates are reused, adopted or renewed as synth
                             would, in memory. For CI: exit 3 means DIR is out of date
  -h, --help                 show this help

Prints progress on a terminal, warnings, and a one-line summary.
Exit codes: 0 written (--check: DIR is up to date), 1 invalid input or no config found (nothing written),
2 unknown or missing flags, 3 (--check only) DIR differs from what synth would write.`;

const CHECK_USAGE = `Usage: azureml-tls check (--cert FILE --key FILE | --secret FILE|-) [--cname NAME] [--at ISO-DATE] [--strict] [--json]

  --cert FILE     cert.pem: the full chain, leaf first
  --key FILE      key.pem: the unencrypted private key
  --secret FILE   a Secret manifest instead (- reads standard input):
                  kubectl get secret -n azureml NAME -o yaml | azureml-tls check --secret - --cname NAME
  --cname NAME    the sslCname clients call; must be covered by a DNS SAN of the leaf
  --at DATE       evaluate validity at this time instead of now (ISO 8601)
  --strict        count warnings as errors
  --json          print one JSON document (for CI)
  -h, --help      show this help

Prints the chain (subject, SANs, issuer, key, validity, SHA-256 fingerprint), then one 'error:' or 'warning:' line
per finding. Key material is never printed.
Exit codes: 0 usable, 1 any error, 2 unknown or missing flags.`;

const DEV_CERT_USAGE = `Usage: azureml-tls dev-cert --cname NAME --out DIR [--days N] [--name EXTRA]... [--state DIR] [--at ISO-DATE]

  --cname NAME   the sslCname: first DNS name of the certificate
  --out DIR      writes DIR/cert.pem (leaf + CA), DIR/key.pem (mode 0600), DIR/ca.pem (trust this in clients)
  --days N       validity of the leaf in days, 1 to 3650 (default 90)
  --name EXTRA   another DNS name or wildcard (*.example.com) for the certificate (repeatable)
  --state DIR    where the development CA is kept and reused (default .azureml-tls, git-ignored; never inside
                 node_modules)
  --at DATE      start of validity instead of now (ISO 8601)
  -h, --help     show this help

Development only: production environments refuse self-signed certificates.
Exit codes: 0 written, 1 invalid value, 2 unknown or missing flags.`;

const REPORT_USAGE = `Usage: azureml-tls report [--config FILE] [--days D] [--at ISO-DATE] [--json]

  --config FILE   config file (default: $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml; 'azureml-tls init' writes one)
  --days D        fail when a certificate expires within D days (default 30)
  --at DATE       evaluate at this time instead of now (ISO 8601)
  --json          print one JSON document (for CI)
  -h, --help      show this help

Certificates managed in the cluster (existingSecret) show no dates.
Exit codes: 0 none expires within D days, 1 any does (or is unusable, or the config is invalid or not found),
2 unknown flags.`;


/**
 * Runs the CLI on `argv` (without node and script); returns the exit code, or a promise of it for `verify` (the only
 * command that waits on the network).
 */
export function main(argv: string[], io: CommandIo = defaultIo): number | Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'init': {
      const v = parse(rest, { out: { type: 'string' }, force: { type: 'boolean' } }, INIT_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(INIT_USAGE); return 0; }
      if (v.out === '') {
        io.err('error: --out "" is empty (fix: name the file, e.g. --out azureml-tls.yaml)');
        return 2;
      }
      return runInitCommand({ out: str(v.out), force: v.force === true }, io);
    }
    case 'synth': {
      const v = parse(rest, {
        'config': { type: 'string' }, 'out': { type: 'string' }, 'write-protected-values': { type: 'boolean' }, 'at': { type: 'string' },
        'verbose': { type: 'boolean' }, 'check': { type: 'boolean' },
      }, SYNTH_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(SYNTH_USAGE); return 0; }
      if (v.check && v['write-protected-values'] !== undefined) {
        // A check writes nothing, and protected values live outside the output folder it compares.
        io.err('error: --check writes nothing, so --write-protected-values cannot be combined with it (fix: run synth --write-protected-values without --check to write them)');
        io.err(SYNTH_USAGE);
        return 2;
      }
      const now = parseAt(v.at, io);
      if (now === null) return 1;
      if (v.check) return runSynthCheckCommand({ config: str(v.config), outDir: str(v.out) ?? 'dist', now, verbose: v.verbose === true }, io);
      return runSynthCommand({ config: str(v.config), outDir: str(v.out) ?? 'dist', writeProtectedValues: v['write-protected-values'] === true, now, verbose: v.verbose === true }, io);
    }
    case 'check': {
      const v = parse(rest, {
        cert: { type: 'string' }, key: { type: 'string' }, secret: { type: 'string' }, cname: { type: 'string' },
        at: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' },
      }, CHECK_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(CHECK_USAGE); return 0; }
      if (v.secret !== undefined && (v.cert !== undefined || v.key !== undefined)) {
        io.err('error: give either --secret or --cert and --key, not both');
        io.err(CHECK_USAGE);
        return 2;
      }
      if (v.secret === undefined && !required(v, ['cert', 'key'], CHECK_USAGE, io)) return 2;
      const now = parseAt(v.at, io);
      if (now === null) return 1;
      return runCheckCommand({ cert: str(v.cert), key: str(v.key), secret: str(v.secret), cname: str(v.cname), now, strict: v.strict === true, json: v.json === true }, io);
    }
    case 'dev-cert': {
      const v = parse(rest, {
        cname: { type: 'string' }, out: { type: 'string' }, days: { type: 'string' }, name: { type: 'string', multiple: true },
        state: { type: 'string' }, at: { type: 'string' },
      }, DEV_CERT_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(DEV_CERT_USAGE); return 0; }
      if (!required(v, ['cname', 'out'], DEV_CERT_USAGE, io)) return 2;
      if (v.days !== undefined && !/^[0-9]+$/.test(String(v.days))) {
        io.err(`error: --days ${JSON.stringify(v.days)} is not a whole number of days of at least 1 (fix: e.g. --days 90)`);
        return 1;
      }
      const now = parseAt(v.at, io);
      if (now === null) return 1;
      return runDevCertCommand({
        cname: str(v.cname) ?? '', outDir: str(v.out) ?? '', days: v.days === undefined ? undefined : Number(v.days),
        extraNames: Array.isArray(v.name) ? v.name : undefined, stateDir: str(v.state), now,
      }, io);
    }
    case 'report': {
      const v = parse(rest, { config: { type: 'string' }, days: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } }, REPORT_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(REPORT_USAGE); return 0; }
      const now = parseAt(v.at, io);
      if (now === null) return 1;
      const days = v.days === undefined ? undefined : Number(v.days);
      if (days !== undefined && (!Number.isInteger(days) || days < 0)) {
        io.err(`error: --days ${JSON.stringify(v.days)} is not a whole number of days (fix: e.g. --days 30)`);
        return 1;
      }
      return runReportCommand({ config: str(v.config), days, now, json: v.json === true }, io);
    }
    case 'verify': {
      const v = parse(rest, {
        'cname': { type: 'string' }, 'connect': { type: 'string' }, 'port': { type: 'string' }, 'ca': { type: 'string' }, 'expect-cert': { type: 'string' },
        'min-days': { type: 'string' }, 'timeout': { type: 'string' }, 'json': { type: 'boolean' }, 'at': { type: 'string' },
      }, VERIFY_USAGE, io);
      if (!v) return 2;
      if (v.help) { io.out(VERIFY_USAGE); return 0; }
      // Without --connect the cname is resolved (issue 11): only --cname is required.
      if (!required(v, ['cname'], VERIFY_USAGE, io)) return 2;
      if (v.connect !== undefined && v.port !== undefined) {
        io.err('error: --port is for a resolved cname; with --connect the port is part of it (fix: give --connect HOST:PORT without --port)');
        io.err(VERIFY_USAGE);
        return 2;
      }
      const now = parseAt(v.at, io);
      if (now === null) return 1;
      for (const flag of ['min-days', 'timeout', 'port']) {
        if (v[flag] !== undefined && !/^[0-9]+$/.test(String(v[flag]))) {
          io.err(`error: --${flag} ${JSON.stringify(v[flag])} is not a whole number (fix: e.g. --${flag} ${flag === 'timeout' ? '10000' : flag === 'port' ? '443' : '30'})`);
          return 1;
        }
      }
      return runVerifyCommand({
        cname: str(v.cname) ?? '', connect: str(v.connect), port: v.port === undefined ? undefined : Number(v.port), ca: str(v.ca), expectCert: str(v['expect-cert']),
        minDays: v['min-days'] === undefined ? undefined : Number(v['min-days']),
        timeoutMs: v.timeout === undefined ? undefined : Number(v.timeout),
        json: v.json === true, now,
      }, io);
    }
    case 'plan':
      return runPlanCli(rest, io);
    case 'triage':
      return runTriageCli(rest, io);
    case 'dns':
      return runDnsCli(rest, io);
    case '-v':
    case '--version':
      if (rest.length > 0) {
        io.err(`error: ${command} takes no arguments (got ${JSON.stringify(rest.join(' '))})`);
        io.err(USAGE);
        return 2;
      }
      io.out(packageVersion());
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      // Asked for, help goes to standard output; a missing command is a usage error, on standard error.
      if (command === undefined) {
        io.err(USAGE);
        return 2;
      }
      io.out(USAGE);
      return 0;
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
  void runMain(process.argv.slice(2), defaultIo).then((code) => {
    process.exitCode = code;
  });
}

/**
 * {@link main}, with a last line of defence: an error no command caught is printed as one line (a problem list for
 * invalid input, the path and a fix for a file-system error, otherwise an internal error to report), exit 1, never a
 * stack trace (set AZUREML_TLS_DEBUG=1 to see one). Messages name paths and values at most, never key material.
 * `run` is the command runner (tests pass one that throws).
 */
export async function runMain(argv: string[], io: CommandIo, run: (argv: string[], io: CommandIo) => number | Promise<number> = main): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof ValidationError || describeFsError(e) !== undefined) {
      reportSynthError(e, io);
      return 1;
    }
    // Only the first line, shortened: a library's message may quote a piece of its input.
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    io.err(`error: internal error in azureml-tls ${argv[0] ?? ''}: ${message.length > 200 ? `${message.slice(0, 200)}...` : message} (fix: this is a bug; please report it with the command you ran, without any key material)`);
    if (process.env.AZUREML_TLS_DEBUG === '1' && e instanceof Error && e.stack) io.err(e.stack);
    return 1;
  }
}
