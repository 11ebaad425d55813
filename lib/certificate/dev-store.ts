import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { OUTPUT_MARKER } from '../output';
import { Problem, throwIfProblems, ValidationError } from '../problems';
import { makeDirectory, setModeNoFollow, writeFileAtomic } from '../safe-write';
import { createDevCa, issueDevCertificate, PemPair } from './dev-ca';
import { validateCname } from './validate';

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
   * The cname's field, for messages: a name that is not a DNS name is refused naming it.
   * @default 'tls.cname'
   */
  readonly cnameField?: string;
  /**
   * The extra names' field, for messages (an entry is named `<field>[i]`).
   * @default 'tls.certificate.selfSigned.extraNames'
   */
  readonly extraNamesField?: string;
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
   * Make the decisions of a writing run and keep the files in memory, as a dry run does, until {@link DevStateRun.commit}
   * writes them: synth commits only after its output was written, so a failed synth leaves no new state. An existing
   * state folder's protection (its .gitignore, key file modes) is still repaired at once: that adds no state.
   * @default false
   */
  readonly deferWrites?: boolean;
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

/** The state folder's .gitignore: it ignores everything in the folder, itself included. */
const STATE_GITIGNORE = '# generated keys and protected values: never commit\n*\n';

/**
 * What the environments of one synth run share about the state folder: where development certificates may be
 * adopted from (scanned once, however many environments ask), and in a dry or deferred run the state as the run would
 * leave it, so the second environment with the same names sees what the first would have written, as in a real synth.
 *
 * Every state file is written atomically (a fresh file renamed into place, never through a symbolic link). Each run
 * checks the state folder once: a .gitignore that no longer ignores everything is rewritten, and a key file that group
 * or others may read is set to 0600; both are told in {@link DevStateRun.warnings}.
 */
export class DevStateRun {
  private static count = 0;

  /** Tells runs apart in the certificate sources' caches. */
  public readonly id: number;
  public readonly dryRun: boolean;
  public readonly deferWrites: boolean;
  public readonly previousOutputDir?: string;
  private readonly draft = new Map<string, { readonly content: string; readonly mode: number }>();
  private readonly written = new Set<string>();
  /** The state folders this run was asked to prepare: commit() creates them. */
  private readonly stateDirs = new Set<string>();
  /** The state folders already checked this run (once each, however many environments share one). */
  private readonly checkedDirs = new Set<string>();
  private readonly notes: string[] = [];
  private committed?: CommittedCertificate[];

  constructor(options: DevStateRunOptions = {}) {
    this.id = ++DevStateRun.count;
    this.dryRun = options.dryRun === true;
    this.deferWrites = options.deferWrites === true;
    this.previousOutputDir = options.previousOutputDir === undefined ? undefined : path.resolve(options.previousOutputDir);
  }

  /** The state files this run wrote (or, in a dry or deferred run, would write), absolute, sorted. */
  public get writtenFiles(): string[] {
    return [...this.written].sort();
  }

  /**
   * What the run found wrong in the state folder and mended (in a dry run: what synth would mend), one line each
   * naming the file, for synth's warnings.
   */
  public get warnings(): string[] {
    return [...this.notes];
  }

  /** Whether a state file exists, as this run has left it so far. */
  public exists(file: string): boolean {
    return this.draft.has(file) || fs.existsSync(file);
  }

  /** A state file's text, as this run has left it so far. */
  public read(file: string): string {
    return this.draft.get(file)?.content ?? fs.readFileSync(file, 'latin1');
  }

  /**
   * Writes a state file atomically with `mode` (keys 0600), or drafts it in a dry or deferred run.
   * @throws FileWriteError naming the file, the reason and a fix (the file is as it was)
   */
  public write(file: string, content: string, mode: number): void {
    this.written.add(file);
    if (this.dryRun || this.deferWrites) {
      this.draft.set(file, { content, mode });
      return;
    }
    writeStateFile(file, content, mode);
  }

  /**
   * Prepares the state folder, once per run: creates it (mode 0700; in a dry or deferred run it is left to commit()),
   * rewrites a .gitignore that does not ignore everything, and sets key files that group or others may read to 0600.
   * A dry run changes nothing and only tells what synth would mend.
   */
  public ensureStateDir(stateDir: string): void {
    const dir = path.resolve(stateDir);
    this.stateDirs.add(dir);
    if (this.checkedDirs.has(dir)) return;
    this.checkedDirs.add(dir);
    const existed = fs.existsSync(dir);
    if (!this.dryRun && !this.deferWrites) makeDirectory(dir, 0o700);
    else if (!existed) return;
    // Repairs protect what is already there, so a deferred run makes them at once: they add no state.
    this.checkIgnoreFile(dir, !this.dryRun);
    this.checkKeyModes(dir, !this.dryRun);
  }

  /**
   * Writes what a deferred run drafted, each file atomically, after creating the state folders (mode 0700) and
   * checking their .gitignore. Returns the files written, absolute, sorted. Does nothing in a dry run.
   * @throws FileWriteError naming the first file that could not be written (the files before it are written)
   */
  public commit(): string[] {
    if (this.dryRun) return [];
    for (const dir of this.stateDirs) {
      makeDirectory(dir, 0o700);
      this.checkIgnoreFile(dir, true);
    }
    const files: string[] = [];
    // In drafting order: a CA's key and certificate are written before the leaves it signed.
    for (const [file, { content, mode }] of [...this.draft]) {
      writeStateFile(file, content, mode);
      this.draft.delete(file);
      files.push(file);
    }
    return files.sort();
  }

  /** The development certificates in the previous output's Secret manifests, read once per run. */
  public committedCertificates(): readonly CommittedCertificate[] {
    this.committed ??= readCommittedCertificates(this.previousOutputDir);
    return this.committed;
  }

  // The .gitignore must be a regular file with a `*` line and no negation: anything else (missing, empty after a
  // failed write, edited, a symbolic link, which git does not follow) lets `git add -A` stage the keys.
  private checkIgnoreFile(dir: string, fix: boolean): void {
    const file = path.join(dir, '.gitignore');
    const problem = ignoreFileProblem(file);
    if (problem === undefined) return;
    if (fix) writeFileAtomic(file, STATE_GITIGNORE, { mode: 0o644 });
    // A missing one is only news in a dry run; writing it is what a first run does.
    if (problem === MISSING && fix) return;
    this.note(`${file} ${problem}: ${fix ? 'rewrote it' : 'synth rewrites it'} so that git ignores the state folder (check with git status that no key was staged)`);
  }

  private checkKeyModes(dir: string, fix: boolean): void {
    for (const file of stateKeyFiles(dir)) {
      const mode = fs.lstatSync(file).mode & 0o777;
      if ((mode & 0o077) === 0) continue;
      const access = mode & 0o044 ? 'readable' : mode & 0o022 ? 'writable' : 'executable';
      const octal = mode.toString(8).padStart(4, '0');
      if (fix) {
        setModeNoFollow(file, 0o600);
        this.note(`${file} was ${access} by group/others (mode ${octal}): set to 0600`);
      } else {
        this.note(`${file} is ${access} by group/others (mode ${octal}): synth sets it to 0600`);
      }
    }
  }

  private note(line: string): void {
    if (!this.notes.includes(line)) this.notes.push(line);
  }
}

const MISSING = 'is missing';

/** Why the state folder's .gitignore does not ignore everything, or undefined when it does. */
function ignoreFileProblem(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return MISSING;
    throw e;
  }
  if (stat.isSymbolicLink()) return 'is a symbolic link (git does not follow it)';
  if (!stat.isFile()) return 'is not a file';
  if (stat.size === 0) return 'was empty';
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim());
  if (!lines.includes('*')) return 'did not ignore everything (no line "*")';
  if (lines.some((l) => l.startsWith('!'))) return 'un-ignored some files (a line starting with "!")';
  return undefined;
}

/** The key files of a state folder that exist as regular files: the CA's key and every development key. */
function stateKeyFiles(dir: string): string[] {
  const files = [path.join(dir, 'dev-ca', 'ca.key.pem')];
  const certs = path.join(dir, 'dev-certs');
  if (fs.existsSync(certs) && fs.lstatSync(certs).isDirectory()) {
    for (const e of fs.readdirSync(certs, { withFileTypes: true })) {
      if (e.isDirectory()) files.push(path.join(certs, e.name, 'key.pem'));
    }
  }
  return files.filter((f) => fs.existsSync(f) && fs.lstatSync(f).isFile());
}

// Folders 0700 (a new state folder is private), files atomically with their mode. latin1 writes back the bytes read
// (an adopted key is byte for byte the committed one).
function writeStateFile(file: string, content: string, mode: number): void {
  makeDirectory(path.dirname(file), 0o700);
  writeFileAtomic(file, content, { mode, encoding: 'latin1' });
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
 *
 * The names are checked before any path is built (each a DNS name or `*.` and one), and the CA is checked against the
 * fingerprint synth recorded when it made it.
 * @throws ValidationError for a name that is not a DNS name (naming `cnameField` / `extraNamesField`), damaged state,
 * or a CA replaced, edited or deleted outside synth (naming the file)
 * @throws FileWriteError when a state file cannot be written (naming it; the file is as it was)
 */
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions & { readonly readOnly?: false }): StoredDevCertificate;
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions): StoredDevCertificate | undefined;
export function loadOrCreateDevCertificate(options: DevCertificateStoreOptions): StoredDevCertificate | undefined {
  const days = options.days ?? 90;
  // Before any path is built: the cname names the certificate's folder.
  const names = checkedNames(options);
  const meta = JSON.stringify({ names, days });
  // One folder per (names, days): environments that share a cname but not the rest keep their own certificate.
  const dir = path.join(options.stateDir, 'dev-certs', `${folderLabel(names[0])}-${crypto.createHash('sha256').update(meta).digest('hex').slice(0, 8)}`);
  assertDirectlyIn(path.join(options.stateDir, 'dev-certs'), dir);
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
  // Read and checked first, so a damaged or replaced CA is reported whichever way this call goes: ca.pem is what
  // clients are told to trust, also for a reused certificate.
  const caBundle = run.exists(caFile) ? readState(caFile, parseCertificates, run) : '';
  const storedCa = checkedStoredCa(run, caDir, caBundle);
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

  const ca = loadOrCreateCa(run, caDir, caBundle, storedCa, options.now, days);
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
 * The CA synth keeps, the first certificate of ca.pem with its key ca.key.pem, checked against what synth recorded
 * when it made it: the certificate's SHA-256 fingerprint in ca.sha256. Undefined when there is no such pair (no CA
 * yet, or only CAs of adopted certificates, which come without a key).
 *
 * State from before fingerprints were recorded: a matching pair is taken as synth's own and its fingerprint recorded;
 * a pair that does not match is replaced by a new CA, as it always was.
 * @throws ValidationError naming the file when the CA was replaced, edited or deleted since synth made it
 */
function checkedStoredCa(run: DevStateRun, dir: string, bundle: string): PemPair | undefined {
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key.pem');
  const fingerprintFile = path.join(dir, CA_FINGERPRINT_FILE);
  const recorded = run.exists(fingerprintFile) ? readState(fingerprintFile, parseFingerprint, run).trim() : undefined;
  const first = certificateBlocks(bundle)[0];
  const privateKeyPem = run.exists(keyFile) ? readState(keyFile, (t) => crypto.createPrivateKey(t), run) : undefined;
  const changed = (file: string, message: string) => new ValidationError([{
    field: file,
    message,
    fix: `restore it from backup, or delete ${dir} to start a new development CA (clients must trust the new ca.pem)`,
  }], 'development CA changed outside synth');

  if (recorded === undefined) {
    if (first === undefined || privateKeyPem === undefined) return undefined;
    const ca = new crypto.X509Certificate(first);
    if (!ca.checkPrivateKey(crypto.createPrivateKey(privateKeyPem))) return undefined;
    run.write(fingerprintFile, `${ca.fingerprint256}\n`, 0o644);
    return { certificatePem: first, privateKeyPem };
  }
  if (first === undefined) throw changed(certFile, `is missing since synth created it (expected the CA certificate with fingerprint ${recorded})`);
  const fingerprint = new crypto.X509Certificate(first).fingerprint256;
  if (fingerprint !== recorded) {
    throw changed(certFile, `was replaced or edited since synth created it (fingerprint ${fingerprint}, expected ${recorded})`);
  }
  if (privateKeyPem === undefined) throw changed(keyFile, `is missing since synth created it (the key of the CA certificate with fingerprint ${recorded})`);
  if (!new crypto.X509Certificate(first).checkPrivateKey(crypto.createPrivateKey(privateKeyPem))) {
    throw changed(keyFile, `was replaced or edited since synth created it (it is not the key of the CA certificate with fingerprint ${recorded})`);
  }
  return { certificatePem: first, privateKeyPem };
}

/**
 * The CA that issues new leaves: the stored one while it is valid and outlives a new leaf. Otherwise a new CA, put
 * first in ca.pem with its fingerprint recorded; the CAs there that have not expired stay after it, as stored (or
 * adopted) leaves may still chain to them.
 */
function loadOrCreateCa(run: DevStateRun, dir: string, bundle: string, stored: PemPair | undefined, now: Date, leafDays: number): PemPair {
  if (stored) {
    const ca = new crypto.X509Certificate(stored.certificatePem);
    if (Date.parse(ca.validFrom) <= now.getTime() + 1000 && Date.parse(ca.validTo) > now.getTime() + leafDays * DAY_MS) return stored;
  }
  // The CA outlives the leaves it signs, whatever their validity.
  const ca = createDevCa({ now, days: Math.max(CA_DAYS, leafDays + 365) });
  const kept = certificateBlocks(bundle).filter((b) => Date.parse(new crypto.X509Certificate(b).validTo) > now.getTime());
  run.write(path.join(dir, 'ca.key.pem'), ca.privateKeyPem, 0o600);
  run.write(path.join(dir, 'ca.pem'), [ca.certificatePem, ...kept].join(''), 0o644);
  run.write(path.join(dir, CA_FINGERPRINT_FILE), `${new crypto.X509Certificate(ca.certificatePem).fingerprint256}\n`, 0o644);
  return ca;
}

/** In dev-ca: the SHA-256 fingerprint of the CA certificate synth made, as `openssl x509 -fingerprint -sha256` shows it. */
const CA_FINGERPRINT_FILE = 'ca.sha256';

function parseFingerprint(text: string): void {
  if (!/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(text.trim())) throw new Error('not 32 colon-separated hex bytes');
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
    const kind = file.endsWith('key.pem') ? 'private key' : file.endsWith('.sha256') ? 'SHA-256 fingerprint' : 'certificate';
    const inCa = path.basename(path.dirname(file)) === 'dev-ca';
    throw new ValidationError([{
      field: file,
      message: `is not a readable ${kind} (${(e as Error).message})`,
      fix: inCa
        ? `restore it from backup, or delete ${path.dirname(file)}: the next synth makes a new development CA (clients must trust the new ca.pem)`
        : `delete ${path.dirname(file)}: the next synth makes a new development certificate`,
    }], 'damaged development certificate state');
  }
  return text;
}

/**
 * The names of a development certificate, lower case, without duplicates: each a DNS name, or `*.` and a DNS name
 * (the rules of validateCname, which the sslCname also follows). They name the certificate's folder, so nothing else
 * may reach a path.
 * @throws ValidationError naming the field, the value and the fix of every name that is not one
 */
function checkedNames(options: DevCertificateStoreOptions): string[] {
  const cnameField = options.cnameField ?? 'tls.cname';
  const extraField = options.extraNamesField ?? 'tls.certificate.selfSigned.extraNames';
  const entries: [string, string][] = [[cnameField, options.cname], ...(options.extraNames ?? []).map((n, i): [string, string] => [`${extraField}[${i}]`, n])];
  const problems: Problem[] = [];
  const names: string[] = [];
  for (const [field, name] of entries) {
    const wildcard = name.startsWith('*.');
    const checked = validateCname(wildcard ? name.slice(2) : name, field);
    if (checked.cname !== undefined) {
      names.push(wildcard ? `*.${checked.cname}` : checked.cname);
      continue;
    }
    // validateCname says "<field> "<value>" is not a plain host name: it has ..."; the problem names both already.
    const message = checked.findings[0]?.message ?? '';
    const at = message.indexOf(NOT_A_HOST_NAME);
    const detail = at >= 0 ? `: ${message.slice(at + NOT_A_HOST_NAME.length)}` : ` (${message})`;
    problems.push({
      field,
      message: `is not a DNS name or wildcard (such as ml.example.com or *.example.com)${detail}`,
      value: name,
      fix: checked.findings[0]?.fix ?? `set ${field} to a DNS name such as ml.example.com`,
    });
  }
  throwIfProblems(problems, 'invalid development certificate name');
  return [...new Set(names)];
}

const NOT_A_HOST_NAME = ' is not a plain host name: ';
/** Below the usual 255-byte limit of a file name, with room for the hash suffix. */
const MAX_FOLDER_LABEL = 200;

// A folder name safe by construction, besides the names being checked: only [a-z0-9.-], a wildcard spelled out.
function folderLabel(name: string): string {
  return name.toLowerCase().replace(/^\*\./, 'wildcard.').replace(/[^a-z0-9.-]/g, '-').slice(0, MAX_FOLDER_LABEL);
}

// Defence in depth: whatever the names, a certificate's folder is a direct child of <stateDir>/dev-certs.
function assertDirectlyIn(parent: string, dir: string): void {
  if (path.dirname(path.resolve(dir)) !== path.resolve(parent) || ['.', '..'].includes(path.basename(dir))) {
    throw new Error(`internal error: the development certificate folder ${dir} is not directly in ${parent}`);
  }
}
