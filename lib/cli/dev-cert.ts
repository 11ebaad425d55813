import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFinding } from '../certificate/findings';
import { DevStateRun, loadOrCreateDevCertificate } from '../certificate/dev-store';
import { validateCname } from '../certificate/validate';
import { nodeModulesProblem, STATE_DIR_NAME } from '../config/load';
import { formatProblem, Problem, ValidationError } from '../problems';
import { FileWriteError, makeDirectory, writeFileAtomic } from '../safe-write';
import { CommandIo } from './commands';

/** Options of `dev-cert`. */
export interface DevCertCommandOptions {
  /** The sslCname. */
  readonly cname: string;
  /** Where cert.pem, key.pem and ca.pem are written. */
  readonly outDir: string;
  /** Validity of the leaf in days, 1 to {@link MAX_DEV_CERT_DAYS}. @default 90 */
  readonly days?: number;
  /** More DNS names, each a DNS name or `*.` and one. @default - none */
  readonly extraNames?: string[];
  /** The state folder holding the development CA. @default '.azureml-tls' */
  readonly stateDir?: string;
  /** @default - the current time */
  readonly now?: Date;
}

/** The longest validity dev-cert issues: ten years, the development CA's own default validity. */
export const MAX_DEV_CERT_DAYS = 3650;

/**
 * Writes a development certificate: `cert.pem` (leaf + CA), `key.pem` (mode 0600) and `ca.pem` (trust it in clients:
 * `curl --cacert ca.pem`). The CA and the leaf are kept in the state folder and reused, as synth does. Every file is
 * written atomically to a fresh file renamed into place, so a symbolic link planted in `--out` is replaced, never
 * written through. Returns 1, after one line per problem, for an invalid value or a file that cannot be written.
 */
export function runDevCertCommand(options: DevCertCommandOptions, io: CommandIo): number {
  const extraNames = options.extraNames ?? [];
  // The cname is the sslCname, one exact name; extra names may be wildcards, as in the certificate's SAN.
  const bad = [
    ...validateCname(options.cname, '--cname').findings,
    ...extraNames.flatMap((n) => validateCname(n.startsWith('*.') ? n.slice(2) : n, '--name').findings),
  ];
  if (options.days !== undefined && (!Number.isInteger(options.days) || options.days < 1)) {
    io.err(`error: --days ${JSON.stringify(String(options.days))} is not a whole number of days of at least 1 (fix: e.g. --days 90)`);
    return 1;
  }
  if (options.days !== undefined && options.days > MAX_DEV_CERT_DAYS) {
    io.err(`error: --days ${JSON.stringify(String(options.days))} is more than ${MAX_DEV_CERT_DAYS} days (ten years), the longest a development certificate may be valid (fix: e.g. --days 90)`);
    return 1;
  }
  if (bad.length > 0) {
    for (const f of bad) io.err(formatFinding(f));
    return 1;
  }
  const stateDir = path.resolve(options.stateDir ?? STATE_DIR_NAME);
  // The development CA's key must survive installs and stay out of published packages.
  const inside = nodeModulesProblem(stateDir, options.stateDir === undefined ? 'state folder (default .azureml-tls in the current folder)' : '--state', 'state folder');
  if (inside) {
    io.err(`error: ${formatProblem({ ...inside, fix: 'run dev-cert from your project folder, or pass --state DIR outside node_modules' })}`);
    return 1;
  }
  // The key written to --out is as worth keeping out of node_modules as the CA's.
  const outInside = nodeModulesProblem(options.outDir, '--out', 'output folder', 'dev-cert writes the private key there');
  if (outInside) {
    io.err(`error: ${formatProblem({ ...outInside, fix: 'pass --out DIR outside node_modules, e.g. --out certs in your project' })}`);
    return 1;
  }
  const outProblem = outDirProblem(options.outDir);
  if (outProblem) {
    io.err(`error: ${formatProblem(outProblem)}`);
    return 1;
  }
  const run = new DevStateRun();
  try {
    const stored = loadOrCreateDevCertificate({
      stateDir,
      cname: options.cname,
      extraNames,
      cnameField: '--cname',
      extraNamesField: '--name',
      days: options.days,
      now: options.now ?? new Date(),
      run,
    });
    for (const w of run.warnings) io.err(`warning: ${w}`);
    makeDirectory(options.outDir, 0o755);
    const cert = path.join(options.outDir, 'cert.pem');
    const key = path.join(options.outDir, 'key.pem');
    const ca = path.join(options.outDir, 'ca.pem');
    writeFileAtomic(key, stored.privateKeyPem, { mode: 0o600, encoding: 'latin1' });
    writeFileAtomic(cert, stored.certificatePem, { mode: 0o644, encoding: 'latin1' });
    writeFileAtomic(ca, fs.readFileSync(stored.caFile), { mode: 0o644 });
    const names = [options.cname, ...extraNames].map((n) => n.toLowerCase());
    io.out(`${stored.generated ? 'issued' : 'reused'} a development certificate for ${names.join(', ')}`);
    io.out(`wrote ${cert} (leaf + CA), ${key} (mode 0600), ${ca}`);
    io.out(`trust it in clients: curl --cacert ${ca} https://${options.cname.toLowerCase()}/  (development only: never in production)`);
    return 0;
  } catch (e) {
    // The store's problems (a damaged or replaced CA) and files that cannot be written are the user's to fix: one
    // line each, no stack. Anything else is a bug and is thrown.
    if (e instanceof ValidationError) {
      for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
      return 1;
    }
    if (e instanceof FileWriteError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** Why `--out` cannot take the files (it is a file, not a folder), or undefined. */
function outDirProblem(outDir: string): Problem | undefined {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(outDir);
  } catch {
    // Missing, or not reachable (a parent is a file, no permission): creating the folder tells which, with a fix.
    return undefined;
  }
  if (stat.isDirectory()) return undefined;
  return {
    field: '--out',
    message: 'is a file, not a folder: dev-cert writes cert.pem, key.pem and ca.pem into it',
    value: outDir,
    fix: `pass a folder (it is created when missing), e.g. --out ${path.join(path.dirname(outDir), 'certs')}`,
  };
}
