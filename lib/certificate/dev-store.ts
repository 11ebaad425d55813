import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { OUTPUT_MARKER, writeSecretFile } from '../output';
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
  /**
   * The synth run this resolve is part of: where certificates may be adopted from, and whether the state is only
   * drafted in memory (`synth --check`).
   * @default - a run of its own that writes the state folder and adopts nothing
   */
  readonly run?: DevStateRun;
}

/** A development certificate kept in the state folder. */
export interface StoredDevCertificate extends PemPair {
  /** `cert.pem`: leaf then CA. */
  readonly certificateFile: string;
  /** `key.pem`, mode 0600. */
  readonly privateKeyFile: string;
  /** The development CA certificates, for `curl --cacert` (every CA the stored leaves chain to). */
  readonly caFile: string;
  /** True when this call made the leaf (false when it reused or adopted one). */
  readonly generated: boolean;
  /** True when the leaf was taken from a committed Secret manifest of the previous output. */
  readonly adopted: boolean;
}

/** Options for {@link DevStateRun}. */
export interface DevStateRunOptions {
  /**
   * Make the decisions a writing run would (reuse, adopt, renew) but keep every file it would write in memory, so
   * the state folder is never touched (`synth --check`).
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * The output folder the run replaces or checks. When it is a synth output (it holds the output marker), its
   * committed Secret manifests are where certificates missing from the state are adopted from: a fresh clone has the
   * output but not the git-ignored state.
   * @default - nothing is adopted
   */
  readonly previousOutputDir?: string;
}

/** A development certificate found in a committed Secret manifest. */
interface CommittedCertificate {
  /** The manifest, relative to the previous output folder (for tests and messages). */
  readonly file: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/**
 * What the environments of one synth run share about the state folder: where development certificates may be
 * adopted from (scanned once, however many environments ask), and in a dry run the state as the run would leave it,
 * so the second environment with the same names sees what the first would have written, as in a real synth.
 */
export class DevStateRun {
  private static count = 0;

  /** Tells runs apart in the certificate sources' caches. */
  public readonly id: number;
  public readonly dryRun: boolean;
  public readonly previousOutputDir?: string;
  private readonly draft = new Map<string, { readonly content: string; readonly mode: number }>();
  private readonly written = new Set<string>();
  private committed?: CommittedCertificate[];

  constructor(options: DevStateRunOptions = {}) {
    this.id = ++DevStateRun.count;
    this.dryRun = options.dryRun === true;
    this.previousOutputDir = options.previousOutputDir === undefined ? undefined : path.resolve(options.previousOutputDir);
  }

  /** The state files this run wrote (or, in a dry run, would have written), absolute, sorted. */
  public get writtenFiles(): string[] {
    return [...this.written].sort();
  }

  /** Whether a state file exists, as this run has left it so far. */
  public exists(file: string): boolean {
    return this.draft.has(file) || fs.existsSync(file);
  }

  /** A state file's text, as this run has left it so far. */
  public read(file: string): string {
    return this.draft.get(file)?.content ?? fs.readFileSync(file, 'latin1');
  }

  /** Writes a state file, or drafts it in a dry run. Keys get mode 0600. */
  public write(file: string, content: string, mode: number): void {
    this.written.add(file);
    if (this.dryRun) {
      this.draft.set(file, { content, mode });
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (mode === 0o600) writeSecretFile(file, content);
    else fs.writeFileSync(file, content, { mode, encoding: 'latin1' });
  }

  /** Creates the state folder with its .gitignore (nothing in a dry run: there is nothing to ignore yet). */
  public ensureStateDir(stateDir: string): void {
    if (this.dryRun) return;
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const ignore = path.join(stateDir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# generated keys and protected values: never commit\n*\n');
  }

  /** The development certificates in the previous output's Secret manifests, read once per run. */
  public committedCertificates(): readonly CommittedCertificate[] {
    this.committed ??= readCommittedCertificates(this.previousOutputDir);
    return this.committed;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
/** The organization every development CA of this tool has (dev-ca.ts): adoption takes no other CA's certificates. */
const DEV_CA_SUBJECT = 'O=cdk8s-azureml-tls development CA';
/** The manifests' file extension (layout.ts names them so; kept here so the store does not load cdk8s). */
const MANIFEST_EXTENSION = '.k8s.yaml';
/** Larger manifests are not ours: a Secret with a chain and a key is a few KiB. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * The development certificate for `cname`: reused from the state folder while it has the same names and validity
 * length, verifies against the CA in its own chain, matches its key and has more than a third of its validity (at
 * most 30 days) left, unless the previous output commits another usable one for the same names and validity: that one is
 * adopted (a fresh clone, or a machine whose state made its own), else a new one is issued by the stored CA (a new CA when there is none with a key, or it would expire
 * first). Reuse and adoption keep synth output byte-identical.
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
  const caDir = path.join(options.stateDir, 'dev-ca');
  const caFile = path.join(caDir, 'ca.pem');
  const files = { certificateFile, privateKeyFile, caFile };
  if (options.readOnly) {
    if (![certificateFile, privateKeyFile, caFile].every((f) => fs.existsSync(f))) return undefined;
    const certificatePem = readState(certificateFile, (t) => new crypto.X509Certificate(t));
    return { certificatePem, privateKeyPem: fs.readFileSync(privateKeyFile, 'utf8'), ...files, generated: false, adopted: false };
  }
  const run = options.run ?? new DevStateRun();
  run.ensureStateDir(options.stateDir);
  // Read first, so a damaged CA file is reported whichever way this call goes.
  const caBundle = run.exists(caFile) ? readState(caFile, parseCertificates, run) : '';
  const wanted = { names, days, now: options.now };

  // The committed output wins over the state: git is what every clone shares, so two machines whose state folders
  // made different certificates converge on the committed one instead of alternating in git.
  const committed = pickCommitted(run.committedCertificates(), wanted);
  if (run.exists(certificateFile) && run.exists(privateKeyFile) && run.exists(metaFile) && run.read(metaFile) === meta) {
    const certificatePem = readState(certificateFile, parseCertificates, run);
    const privateKeyPem = readState(privateKeyFile, (t) => crypto.createPrivateKey(t), run);
    const same = !committed || (committed.certificatePem === certificatePem && committed.privateKeyPem === privateKeyPem);
    if (same && isUsableDevCertificate(certificatePem, privateKeyPem, wanted)) {
      return { certificatePem, privateKeyPem, ...files, generated: false, adopted: false };
    }
  }

  if (committed) {
    run.write(privateKeyFile, committed.privateKeyPem, 0o600);
    run.write(certificateFile, committed.certificatePem, 0o644);
    run.write(metaFile, meta, 0o644);
    // ca.pem stays the file to trust for every stored certificate: the adopted one's CA joins it (after the CA whose
    // key is in ca.key.pem, which stays first).
    const adoptedCa = certificateBlocks(committed.certificatePem)[1];
    const stored = certificateBlocks(caBundle);
    if (!stored.includes(adoptedCa)) run.write(caFile, [...stored, adoptedCa].join(''), 0o644);
    return { ...committed, ...files, generated: false, adopted: true };
  }

  const ca = loadOrCreateCa(run, caDir, caBundle, options.now, days);
  const issued = issueDevCertificate(ca, { cname: names[0], extraNames: names.slice(1), now: options.now, days });
  run.write(privateKeyFile, issued.privateKeyPem, 0o600);
  run.write(certificateFile, issued.certificatePem, 0o644);
  run.write(metaFile, meta, 0o644);
  return { ...issued, ...files, generated: true, adopted: false };
}

/** What a development certificate must be to be reused or adopted. */
interface WantedCertificate {
  /** Its DNS names, in order (the cname first, as issued). */
  readonly names: readonly string[];
  /** Its validity length. */
  readonly days: number;
  readonly now: Date;
}

/**
 * Whether a chain and key are a development certificate this store may hand out for `wanted`: exactly a leaf and a
 * self-signed development CA that issued it (checked against that CA, not the stored one, so a certificate adopted in
 * a clone stays valid after the clone makes a CA of its own), the leaf with exactly these DNS names and this validity
 * length, matching the key, started and outside the renewal window (a third of its validity, at most 30 days).
 * Never throws: anything unreadable is simply not usable.
 */
export function isUsableDevCertificate(certificatePem: string, privateKeyPem: string, wanted: WantedCertificate): boolean {
  try {
    const blocks = certificateBlocks(certificatePem);
    if (blocks.length !== 2) return false;
    const [leaf, ca] = blocks.map((b) => new crypto.X509Certificate(b));
    if (leaf.ca || !ca.ca || !ca.subject.split('\n').includes(DEV_CA_SUBJECT)) return false;
    if (!ca.checkIssued(ca) || !ca.verify(ca.publicKey) || !leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return false;
    if (!leaf.checkPrivateKey(crypto.createPrivateKey(privateKeyPem))) return false;
    const dns = (leaf.subjectAltName ?? '').split(', ').map((n) => (n.startsWith('DNS:') ? n.slice(4) : `not-dns:${n}`));
    if (dns.join('\n') !== wanted.names.join('\n')) return false;
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    if (to - from !== wanted.days * DAY_MS) return false;
    const now = wanted.now.getTime();
    const renewBeforeMs = Math.min(30, wanted.days / 3) * DAY_MS;
    return from <= now + 1000 && to - now > renewBeforeMs && Date.parse(ca.validFrom) <= now + 1000 && Date.parse(ca.validTo) >= to;
  } catch {
    return false;
  }
}

// Of the committed certificates that fit, the one valid longest (the newest renewal); the first manifest on a tie.
function pickCommitted(candidates: readonly CommittedCertificate[], wanted: WantedCertificate): CommittedCertificate | undefined {
  let best: CommittedCertificate | undefined;
  let bestTo = -Infinity;
  for (const c of candidates) {
    if (!isUsableDevCertificate(c.certificatePem, c.privateKeyPem, wanted)) continue;
    const to = Date.parse(new crypto.X509Certificate(c.certificatePem).validTo);
    if (to > bestTo) {
      best = c;
      bestTo = to;
    }
  }
  return best;
}

/**
 * Every Secret with `data` `cert.pem` and `key.pem` in the `*.k8s.yaml` files below a synth output folder (only when
 * it holds the output marker: a folder synth did not write is never read). Unreadable files and documents are
 * skipped: whether a certificate fits is decided later, and a miss only means a new certificate is issued.
 */
function readCommittedCertificates(outDir: string | undefined): CommittedCertificate[] {
  if (outDir === undefined || !fs.existsSync(path.join(outDir, OUTPUT_MARKER))) return [];
  const found: CommittedCertificate[] = [];
  const rels = (fs.readdirSync(outDir, { recursive: true }) as string[]).filter((f) => f.endsWith(MANIFEST_EXTENSION)).sort();
  for (const rel of rels) {
    const file = path.join(outDir, rel);
    const stat = fs.lstatSync(file);
    if (!stat.isFile() || stat.size > MAX_MANIFEST_BYTES) continue;
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) continue;
      const o = doc.toJS() as { kind?: unknown; data?: { [key: string]: unknown } } | null;
      if (!o || o.kind !== 'Secret' || typeof o.data !== 'object' || o.data === null) continue;
      const cert = o.data['cert.pem'];
      const key = o.data['key.pem'];
      if (typeof cert !== 'string' || typeof key !== 'string') continue;
      // latin1 round-trips every byte, so an adopted file is byte for byte the committed one.
      found.push({ file: rel.split(path.sep).join('/'), certificatePem: Buffer.from(cert, 'base64').toString('latin1'), privateKeyPem: Buffer.from(key, 'base64').toString('latin1') });
    }
  }
  return found;
}

/**
 * The CA that issues new leaves: the first certificate of ca.pem with its key ca.key.pem, while they match and it
 * outlives a new leaf. Otherwise a new CA, put first in ca.pem; the CAs there that have not expired stay after it,
 * as stored (or adopted) leaves may still chain to them.
 */
function loadOrCreateCa(run: DevStateRun, dir: string, bundle: string, now: Date, leafDays: number): PemPair {
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key.pem');
  const blocks = certificateBlocks(bundle);
  if (blocks.length > 0 && run.exists(keyFile)) {
    const privateKeyPem = readState(keyFile, (t) => crypto.createPrivateKey(t), run);
    const ca = new crypto.X509Certificate(blocks[0]);
    if (ca.checkPrivateKey(crypto.createPrivateKey(privateKeyPem))
      && Date.parse(ca.validFrom) <= now.getTime() + 1000 && Date.parse(ca.validTo) > now.getTime() + leafDays * DAY_MS) {
      return { certificatePem: blocks[0], privateKeyPem };
    }
  }
  // The CA outlives the leaves it signs, whatever their validity.
  const ca = createDevCa({ now, days: Math.max(CA_DAYS, leafDays + 365) });
  const kept = blocks.filter((b) => Date.parse(new crypto.X509Certificate(b).validTo) > now.getTime());
  run.write(keyFile, ca.privateKeyPem, 0o600);
  run.write(certFile, [ca.certificatePem, ...kept].join(''), 0o644);
  return ca;
}

/** The PEM certificate blocks of a text, each ending with one newline (as dev-ca.ts writes them). */
function certificateBlocks(text: string): string[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => `${b}\n`);
}

function parseCertificates(text: string): void {
  const blocks = certificateBlocks(text);
  if (blocks.length === 0) throw new Error('no PEM certificate in it');
  for (const b of blocks) new crypto.X509Certificate(b);
}

// State files are ours, but a user may have edited or truncated one: say which and how to recover, instead of a
// bare crypto error (whose message names no key material).
function readState(file: string, parse: (text: string) => unknown, run?: DevStateRun): string {
  const text = run ? run.read(file) : fs.readFileSync(file, 'utf8');
  try {
    parse(text);
  } catch (e) {
    throw new ValidationError([{
      field: file,
      message: `is not a readable ${file.endsWith('key.pem') ? 'private key' : 'certificate'} (${(e as Error).message})`,
      fix: `delete ${path.dirname(file)}: the next synth makes a new development certificate`,
    }], 'damaged development certificate state');
  }
  return text;
}
