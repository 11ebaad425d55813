import { constants, createDecipheriv, createHash, privateDecrypt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The TEST FIXTURE sealing material (see test/fixtures/sealing/README.md). */
export const SEALING_DIR = path.join(__dirname, '..', 'fixtures', 'sealing');
/** TLS material (the values being sealed), from the certificate corpus. */
export const CERTS_DIR = path.join(__dirname, '..', 'fixtures', 'certs');

export function sealingFixture(name: string): string {
  return fs.readFileSync(path.join(SEALING_DIR, name), 'latin1');
}

export function certFixture(name: string): string {
  return fs.readFileSync(path.join(CERTS_DIR, name), 'latin1');
}

/** A time at which the sealing fixtures (2026-11-29 .. 2126-11-05) and the corpus' good certificates are valid. */
export const NOW = new Date('2030-01-01T00:00:00Z');

/** The parts of a sealed value: uint16 BE length || RSA-OAEP ciphertext || AES-GCM ciphertext || 16-byte tag. */
export interface SealedParts {
  readonly wrappedKey: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** Splits a sealed value (base64) into its parts, written from the format description, independently of lib/. */
export function splitSealed(sealedBase64: string): SealedParts {
  const bytes = Buffer.from(sealedBase64, 'base64');
  if (bytes.length < 2) throw new Error('sealed value shorter than its length prefix');
  const n = bytes.readUInt16BE(0);
  if (bytes.length < 2 + n + 16) throw new Error('sealed value shorter than its parts');
  const body = bytes.subarray(2 + n);
  return { wrappedKey: bytes.subarray(2, 2 + n), ciphertext: body.subarray(0, body.length - 16), tag: body.subarray(body.length - 16) };
}

/** AES-256-GCM decryption with the all-zero 12-byte nonce and no additional data; throws when the tag does not verify. */
export function gcmOpen(sessionKey: Buffer, parts: SealedParts): Buffer {
  if (sessionKey.length !== 32) throw new Error(`session key of ${sessionKey.length} bytes`);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(parts.tag);
  return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
}

/**
 * What the controller does to one value: RSA-OAEP (SHA-256, MGF1-SHA-256, the label) unwraps the session key, then
 * AES-256-GCM opens the value. Throws when the label or the key is wrong.
 */
export function unseal(sealedBase64: string, privateKeyPem: string, label: string): Buffer {
  const parts = splitSealed(sealedBase64);
  const sessionKey = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') },
    parts.wrappedKey,
  );
  return gcmOpen(sessionKey, parts);
}

/** True when `unseal` fails (a wrong label, key or value). */
export function failsToUnseal(sealedBase64: string, privateKeyPem: string, label: string): boolean {
  try {
    unseal(sealedBase64, privateKeyPem, label);
    return false;
  } catch {
    return true;
  }
}

/** The base64 body lines of every private key block in `texts` (to check that no message or file contains them). */
export function privateKeyLines(...texts: string[]): string[] {
  const lines = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/-----BEGIN ([A-Z ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g)) {
      for (const line of m[2].split(/\r?\n/)) {
        if (/^[A-Za-z0-9+/=]{16,}$/.test(line.trim())) lines.add(line.trim());
      }
    }
  }
  return [...lines];
}

/** MGF1 with SHA-256 (RFC 8017 appendix B.2.1), written here independently of lib/ and node-forge. */
function mgf1Sha256(seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash('sha256').update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/**
 * The OAEP seed a wrapped key was encrypted with: raw RSA decryption gives the encoded message
 * `0x00 || maskedSeed || maskedDB`, and the seed is `maskedSeed XOR MGF1(maskedDB, 32)` (RFC 8017 section 7.1.2).
 */
export function oaepSeedOf(wrappedKey: Buffer, privateKeyPem: string): Buffer {
  const em = privateDecrypt({ key: privateKeyPem, padding: constants.RSA_NO_PADDING }, wrappedKey);
  if (em[0] !== 0) throw new Error('the encoded message does not start with 0x00');
  const maskedSeed = em.subarray(1, 33);
  const mask = mgf1Sha256(em.subarray(33), 32);
  return Buffer.from(maskedSeed.map((b, i) => b ^ mask[i]));
}

/** The session key sealValue unwrapped from a sealed value with the controller's key (RSA-OAEP as the controller does). */
export function sessionKeyOf(sealedBase64: string, privateKeyPem: string, label: string): Buffer {
  return privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') },
    splitSealed(sealedBase64).wrappedKey,
  );
}
