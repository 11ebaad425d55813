import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFinding } from '../certificate/findings';
import { loadOrCreateDevCertificate } from '../certificate/dev-store';
import { validateCname } from '../certificate/validate';
import { nodeModulesProblem, STATE_DIR_NAME } from '../config/load';
import { writeSecretFile } from '../output';
import { formatProblem } from '../problems';
import { CommandIo } from './commands';

/** Options of `dev-cert`. */
export interface DevCertCommandOptions {
  /** The sslCname. */
  readonly cname: string;
  /** Where cert.pem, key.pem and ca.pem are written. */
  readonly outDir: string;
  /** @default 90 */
  readonly days?: number;
  /** More DNS names. @default - none */
  readonly extraNames?: string[];
  /** The state folder holding the development CA. @default '.azureml-tls' */
  readonly stateDir?: string;
  /** @default - the current time */
  readonly now?: Date;
}

/**
 * Writes a development certificate: `cert.pem` (leaf + CA), `key.pem` (mode 0600) and `ca.pem` (trust it in clients:
 * `curl --cacert ca.pem`). The CA and the leaf are kept in the state folder and reused, as synth does.
 */
export function runDevCertCommand(options: DevCertCommandOptions, io: CommandIo): number {
  const names = [options.cname, ...(options.extraNames ?? [])];
  const bad = names.flatMap((n) => validateCname(n, n === options.cname ? '--cname' : '--name').findings);
  if (options.days !== undefined && (!Number.isInteger(options.days) || options.days < 1)) {
    io.err(`error: --days ${JSON.stringify(String(options.days))} is not a whole number of days of at least 1 (fix: e.g. --days 90)`);
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
  const stored = loadOrCreateDevCertificate({
    stateDir,
    cname: options.cname,
    extraNames: options.extraNames,
    days: options.days,
    now: options.now ?? new Date(),
  });
  fs.mkdirSync(options.outDir, { recursive: true });
  const cert = path.join(options.outDir, 'cert.pem');
  const key = path.join(options.outDir, 'key.pem');
  const ca = path.join(options.outDir, 'ca.pem');
  fs.writeFileSync(cert, stored.certificatePem);
  writeSecretFile(key, stored.privateKeyPem);
  fs.copyFileSync(stored.caFile, ca);
  io.out(`${stored.generated ? 'issued' : 'reused'} a development certificate for ${names.map((n) => n.toLowerCase()).join(', ')}`);
  io.out(`wrote ${cert} (leaf + CA), ${key} (mode 0600), ${ca}`);
  io.out(`trust it in clients: curl --cacert ${ca} https://${options.cname.toLowerCase()}/  (development only: never in production)`);
  return 0;
}
