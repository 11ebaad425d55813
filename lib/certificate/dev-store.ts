import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSecretFile } from '../output';
import { ValidationError } from '../problems';
import { createDevCa, issueDevCertificate, PemPair } from './dev-ca';

/** Options for {@link loadOrCreateDevCertificate}. */
export interface DevCertificateStoreOptions {
  /** The git-ignored state folder (it ignores itself). */
  readonly stateDir: string;
  /** The sslCname. */
  readonly cname: string;
  /**
   * More DNS names for the SAN.
   * @default - none
   */
  readonly extraNames?: string[];
  /**
   * Validity of the leaf in days.
   * @default 90
   */
  readonly days?: number;
  /** The time: decides reuse and starts new certificates. */
  readonly now: Date;
  /**
   * Only read the state: return the stored certificate for these names as it is (even near expiry), or undefined;
   * never write (for `report`, which must not renew what synth would).
   * @default false
   */
  readonly readOnly?: boolean;
}

/** A development certificate kept in the state folder. */
export interface StoredDevCertificate extends PemPair {
  /** `cert.pem`: leaf then CA. */
  readonly certificateFile: string;
  /** `key.pem`, mode 0600. */
  readonly privateKeyFile: string;
  /** The CA certificate alone, for `curl --cacert`. */
  readonly caFile: string;
  /** True when this call made the leaf (false when it reused a stored one). */
  readonly generated: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;

/**
 * The development certificate for `cname`: reused from the state folder while it has the same names and validity
 * length, is signed by the stored CA and has more than a third of its validity (at most 30 days) left; otherwise a
 * new one is issued (and a new CA when the stored one would expire first). Reuse keeps synth output byte-identical.
 */
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions & { readonly readOnly?: false }): StoredDevCertificate;
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions): StoredDevCertificate | undefined;
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions): StoredDevCertificate | undefined {
  const days = options.days ?? 90;
  const names = [...new Set([options.cname, ...(options.extraNames ?? [])].map((n) => n.toLowerCase()))];
  const meta = JSON.stringify({ names, days });
  // One folder per (names, days): environments that share a cname but not the rest keep their own certificate.
  const dir = path.join(options.stateDir, 'dev-certs', `${names[0]}-${crypto.createHash('sha256').update(meta).digest('hex').slice(0, 8)}`);
  const certificateFile = path.join(dir, 'cert.pem');
  const privateKeyFile = path.join(dir, 'key.pem');
  const metaFile = path.join(dir, 'meta.json');
  const caFile = path.join(options.stateDir, 'dev-ca', 'ca.pem');
  if (options.readOnly) {
    if (![certificateFile, privateKeyFile, caFile].every((f) => fs.existsSync(f))) return undefined;
    const certificatePem = readState(certificateFile, (t) => new crypto.X509Certificate(t));
    return { certificatePem, privateKeyPem: fs.readFileSync(privateKeyFile, 'utf8'), certificateFile, privateKeyFile, caFile, generated: false };
  }
  ensureStateDir(options.stateDir);
  const ca = loadOrCreateCa(path.join(options.stateDir, 'dev-ca'), options.now, days);

  if (fs.existsSync(certificateFile) && fs.existsSync(privateKeyFile) && fs.existsSync(metaFile)
    && fs.readFileSync(metaFile, 'utf8') === meta) {
    const certificatePem = readState(certificateFile, (t) => new crypto.X509Certificate(t));
    const leaf = new crypto.X509Certificate(certificatePem);
    const caCert = new crypto.X509Certificate(ca.certificatePem);
    const renewBeforeMs = Math.min(30, days / 3) * DAY_MS;
    if (leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey)
      && Date.parse(leaf.validFrom) <= options.now.getTime() + 1000
      && Date.parse(leaf.validTo) - options.now.getTime() > renewBeforeMs) {
      return { certificatePem, privateKeyPem: fs.readFileSync(privateKeyFile, 'utf8'), certificateFile, privateKeyFile, caFile, generated: false };
    }
  }

  const issued = issueDevCertificate(ca, { cname: names[0], extraNames: names.slice(1), now: options.now, days });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeSecretFile(privateKeyFile, issued.privateKeyPem);
  fs.writeFileSync(certificateFile, issued.certificatePem, { mode: 0o644 });
  fs.writeFileSync(metaFile, meta);
  return { ...issued, certificateFile, privateKeyFile, caFile, generated: true };
}

function loadOrCreateCa(dir: string, now: Date, leafDays: number): PemPair {
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const certificatePem = readState(certFile, (t) => new crypto.X509Certificate(t));
    const ca = new crypto.X509Certificate(certificatePem);
    if (Date.parse(ca.validFrom) <= now.getTime() + 1000 && Date.parse(ca.validTo) > now.getTime() + leafDays * DAY_MS) {
      return { certificatePem, privateKeyPem: fs.readFileSync(keyFile, 'utf8') };
    }
  }
  // The CA outlives the leaves it signs, whatever their validity.
  const ca = createDevCa({ now, days: Math.max(CA_DAYS, leafDays + 365) });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeSecretFile(keyFile, ca.privateKeyPem);
  fs.writeFileSync(certFile, ca.certificatePem, { mode: 0o644 });
  return ca;
}

// State files are ours, but a user may have edited or truncated one: say which and how to recover, instead of a
// bare crypto error.
function readState(file: string, parse: (text: string) => unknown): string {
  const text = fs.readFileSync(file, 'utf8');
  try {
    parse(text);
  } catch (e) {
    throw new ValidationError([{
      field: file,
      message: `is not a readable certificate (${(e as Error).message})`,
      fix: `delete ${path.dirname(file)}: the next synth makes a new development certificate`,
    }], 'damaged development certificate state');
  }
  return text;
}

function ensureStateDir(stateDir: string): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const ignore = path.join(stateDir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# generated keys and protected values: never commit\n*\n');
}
