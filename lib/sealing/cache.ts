import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sealingCertificateFingerprint } from './seal';

/**
 * Remembers sealed values by a one-way digest of what was sealed, so that synthesizing again with unchanged input
 * reuses the earlier ciphertext instead of producing a new random one (which would change every committed
 * SealedSecret on every run).
 *
 * Keys are {@link digestFor} digests; values are sealed values (base64), which Sealed Secrets is designed to let
 * you commit. Nothing in a cache is plaintext.
 */
export interface ISealCache {
  /**
   * The sealed value stored for `digest`.
   *
   * @param digest a {@link digestFor} digest
   * @returns the sealed value (base64), or undefined when there is none
   */
  get(digest: string): string | undefined;

  /**
   * Stores the sealed value for `digest`.
   *
   * @param digest a {@link digestFor} digest
   * @param ciphertext the sealed value (base64)
   */
  set(digest: string, ciphertext: string): void;
}

/** Separates these digests from any other SHA-256 of the same bytes; a new format gets a new tag. */
const DIGEST_DOMAIN = 'cdk8s-azureml-tls/seal-cache/v1';
const DIGEST = /^[0-9a-f]{64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The version of the cache file format. */
const FILE_VERSION = 1;

/**
 * The cache key of one sealed value: the hex SHA-256 over the length-prefixed (uint32, big-endian) concatenation of
 * a format tag, the SHA-256 fingerprint of the sealing certificate's DER, the OAEP label and the plaintext.
 *
 * A changed value, name or namespace (in the label of strict scope), scope or sealing certificate gives another
 * digest and so a fresh seal. The digest is one-way: committing it reveals nothing about high-entropy values such
 * as private keys, or about public ones such as certificates (it does let someone who already holds a candidate
 * value confirm it, so do not cache low-entropy secrets such as short passwords).
 *
 * @param plaintext the value's bytes (a Buffer is one)
 * @param label the OAEP label the value is sealed with
 * @param sealingCertificatePem the controller's certificate, PEM text
 * @throws Error when the sealing certificate cannot be read
 */
export function digestFor(plaintext: Uint8Array, label: string, sealingCertificatePem: string): string {
  const hash = createHash('sha256');
  const parts = [
    Buffer.from(DIGEST_DOMAIN, 'utf8'),
    Buffer.from(sealingCertificateFingerprint(sealingCertificatePem), 'hex'),
    Buffer.from(label, 'utf8'),
    plaintext,
  ];
  for (const part of parts) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length);
    hash.update(part);
  }
  return hash.digest('hex');
}

/**
 * A {@link ISealCache} held in memory, e.g. for tests or for one process that synthesizes several charts.
 */
export class InMemorySealCache implements ISealCache {
  private readonly entries: Map<string, string>;

  /**
   * @param entries sealed values by digest to start with (none when omitted)
   */
  constructor(entries: { [digest: string]: string } = {}) {
    this.entries = new Map(Object.entries(entries));
  }

  /** The number of entries. */
  public get size(): number {
    return this.entries.size;
  }

  /** @inheritdoc */
  public get(digest: string): string | undefined {
    return this.entries.get(digest);
  }

  /** @inheritdoc */
  public set(digest: string, ciphertext: string): void {
    checkEntry(digest, ciphertext, 'InMemorySealCache');
    this.entries.set(digest, ciphertext);
  }

  /** A copy of the entries, sorted by digest. */
  public toJson(): { [digest: string]: string } {
    return sortedObject(this.entries);
  }
}

/**
 * A {@link ISealCache} kept in a JSON file, meant to be committed next to the configuration so that fresh clones and
 * `cdk8s synth` (which empties its output folder) reuse earlier ciphertext:
 *
 * ```json
 * { "version": 1, "entries": { "<digest>": "<sealed value, base64>" } }
 * ```
 *
 * The file is read once by {@link FileSealCache.load}. Call {@link FileSealCache.prune} after a run that sealed every
 * value the file is for, to drop the entries that run did not use (old keys, old certificates), then
 * {@link FileSealCache.save}, which writes (sorted, with a trailing newline) only when something changed.
 */
export class FileSealCache implements ISealCache {
  /**
   * Reads the cache file; a missing file is an empty cache (created by the first {@link FileSealCache.save} that
   * has something to store).
   *
   * @param filePath the JSON file
   * @throws Error when the file exists but is not a seal cache of this version
   */
  public static load(filePath: string): FileSealCache {
    if (!fs.existsSync(filePath)) return new FileSealCache(filePath, new Map());
    const text = fs.readFileSync(filePath, 'utf8');
    const fix = 'delete the file; the next synth seals every value again (each SealedSecret changes once)';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`seal cache ${filePath} is not valid JSON: ${fix}`);
    }
    if (!isObject(parsed) || parsed.version !== FILE_VERSION || !isObject(parsed.entries)) {
      throw new Error(`seal cache ${filePath} is not a version ${FILE_VERSION} seal cache ({ "version": 1, "entries": { ... } }): ${fix}`);
    }
    const entries = new Map<string, string>();
    for (const [digest, ciphertext] of Object.entries(parsed.entries)) {
      if (typeof ciphertext !== 'string' || !DIGEST.test(digest) || !isBase64(ciphertext)) {
        throw new Error(`seal cache ${filePath}: the entry ${JSON.stringify(digest.slice(0, 80))} is not a SHA-256 digest with a base64 sealed value: ${fix}`);
      }
      entries.set(digest, ciphertext);
    }
    return new FileSealCache(filePath, entries);
  }

  /** The JSON file. */
  public readonly filePath: string;
  private readonly entries: Map<string, string>;
  private readonly used = new Set<string>();
  private changed = false;

  private constructor(filePath: string, entries: Map<string, string>) {
    this.filePath = filePath;
    this.entries = entries;
  }

  /** The number of entries. */
  public get size(): number {
    return this.entries.size;
  }

  /** True when the entries differ from the file's. */
  public get isChanged(): boolean {
    return this.changed;
  }

  /** @inheritdoc */
  public get(digest: string): string | undefined {
    const ciphertext = this.entries.get(digest);
    if (ciphertext !== undefined) this.used.add(digest);
    return ciphertext;
  }

  /** @inheritdoc */
  public set(digest: string, ciphertext: string): void {
    checkEntry(digest, ciphertext, `seal cache ${this.filePath}`);
    if (this.entries.get(digest) !== ciphertext) {
      this.entries.set(digest, ciphertext);
      this.changed = true;
    }
    this.used.add(digest);
  }

  /**
   * Drops every entry that was neither read nor written since {@link FileSealCache.load}. Call it only after a run
   * that sealed every value this file is for; otherwise the values left out are sealed again next time.
   *
   * @returns the number of entries dropped
   */
  public prune(): number {
    let dropped = 0;
    for (const digest of [...this.entries.keys()]) {
      if (!this.used.has(digest)) {
        this.entries.delete(digest);
        dropped++;
      }
    }
    if (dropped > 0) this.changed = true;
    return dropped;
  }

  /**
   * Writes the file when the entries changed (sorted by digest, two-space indent, trailing newline), through a
   * temporary file and a rename so that an interrupted write leaves the old file.
   *
   * @returns true when the file was written
   */
  public save(): boolean {
    if (!this.changed) return false;
    const content = `${JSON.stringify({ version: FILE_VERSION, entries: sortedObject(this.entries) }, undefined, 2)}\n`;
    fs.mkdirSync(path.dirname(path.resolve(this.filePath)), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, this.filePath);
    this.changed = false;
    return true;
  }
}

/** Throws when a digest or a sealed value has the wrong shape (never printing the value). */
function checkEntry(digest: string, ciphertext: string, where: string): void {
  if (!DIGEST.test(digest)) {
    throw new Error(`${where}: ${JSON.stringify(digest.slice(0, 80))} is not a digestFor() digest (64 lower-case hex digits)`);
  }
  if (!isBase64(ciphertext)) {
    throw new Error(`${where}: the sealed value for ${digest} is not standard padded base64`);
  }
}

function isBase64(value: string): boolean {
  return value.length > 0 && BASE64.test(value);
}

function sortedObject(entries: Map<string, string>): { [digest: string]: string } {
  const out: { [digest: string]: string } = {};
  for (const digest of [...entries.keys()].sort()) out[digest] = entries.get(digest) as string;
  return out;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
