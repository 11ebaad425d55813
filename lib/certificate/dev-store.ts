import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSecretFile } from '../output';
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
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions): StoredDevCertificate {
  const days = options.days ?? 90;
  const names = [...new Set([options.cname, ...(options.extraNames ?? [])].map((n) => n.toLowerCase()))];
  ensureStateDir(options.stateDir);
  const ca = loadOrCreateCa(path.join(options.stateDir, 'dev-ca'), options.now, days);
  const dir = path.join(options.stateDir, 'dev-certs', names[0]);
  const certificateFile = path.join(dir, 'cert.pem');
  const privateKeyFile = path.join(dir, 'key.pem');
  const metaFile = path.join(dir, 'meta.json');
  const caFile = path.join(options.stateDir, 'dev-ca', 'ca.pem');
  const meta = JSON.stringify({ names, days });

  if (fs.existsSync(certificateFile) && fs.existsSync(privateKeyFile) && fs.existsSync(metaFile)
    && fs.readFileSync(metaFile, 'utf8') === meta) {
    const certificatePem = fs.readFileSync(certificateFile, 'utf8');
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
    const certificatePem = fs.readFileSync(certFile, 'utf8');
    const ca = new crypto.X509Certificate(certificatePem);
    if (Date.parse(ca.validFrom) <= now.getTime() + 1000 && Date.parse(ca.validTo) > now.getTime() + leafDays * DAY_MS) {
      return { certificatePem, privateKeyPem: fs.readFileSync(keyFile, 'utf8') };
    }
  }
  const ca = createDevCa({ now, days: CA_DAYS });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeSecretFile(keyFile, ca.privateKeyPem);
  fs.writeFileSync(certFile, ca.certificatePem, { mode: 0o644 });
  return ca;
}

function ensureStateDir(stateDir: string): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const ignore = path.join(stateDir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# generated keys and protected values: never commit\n*\n');
}
