import {
  constants, createCipheriv, createHash, createPublicKey, hkdfSync, KeyObject, publicEncrypt, X509Certificate,
} from 'node:crypto';
import type * as Forge from 'node-forge';
import { Finding, Severity } from '../certificate/findings';
import { CertificateFacts, commonNameOf, inspectCertificate, KeyType } from '../certificate/inspect';
import { PemKind, scanPem } from '../certificate/pem';

import { SealingScope } from './scope';

export { SealingScope } from './scope';


/** The annotation that marks a SealedSecret as sealed namespace-wide. */
export const NAMESPACE_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/namespace-wide';

/** The annotation that marks a SealedSecret as sealed cluster-wide. */
export const CLUSTER_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/cluster-wide';

/** Warn when the sealing certificate expires within this many days. */
const EXPIRY_WARNING_DAYS = 30;
/** Below this modulus size the sealing key is reported as weak (the controller generates RSA-4096 keys). */
const MIN_RSA_BITS = 2048;
const DAY_MS = 24 * 60 * 60 * 1000;
/** AES-256-GCM session key: derived per value (see {@link deriveSealingSecrets}). */
const SESSION_KEY_BYTES = 32;
/** The OAEP seed is as long as the OAEP hash's output (hLen of SHA-256, RFC 8017 section 7.1.1). */
const OAEP_SEED_BYTES = 32;
/** The nonce kubeseal and the controller use: all zero, 12 bytes (why that is safe here: see {@link sealValue}). */
const GCM_NONCE = Buffer.alloc(12);
/**
 * Separates this derivation from every other use of the same bytes. A new derivation gets a new tag (and changes
 * every sealed value once); the controller never sees it, since it only unwraps what was derived.
 */
const DERIVATION_DOMAIN = 'cdk8s-azureml-tls/seal/v1';
const FETCH_CERT_FIX = 'fetch the controller\'s current certificate with kubeseal --fetch-cert > sealing-cert.pem '
  + '(add --controller-namespace and --controller-name when the controller is not kube-system/sealed-secrets-controller)';

/**
 * The OAEP label a value is sealed with for `scope`: `<namespace>/<name>` (strict), `<namespace>` (namespace-wide)
 * or the empty string (cluster-wide). The controller derives the same label from the SealedSecret when it unseals.
 *
 * @param scope the sealing scope
 * @param namespace the namespace of the Secret the controller creates
 * @param name the name of the Secret the controller creates
 */
export function sealingLabel(scope: SealingScope, namespace: string, name: string): string {
  switch (scope) {
    case SealingScope.STRICT:
      return `${namespace}/${name}`;
    case SealingScope.NAMESPACE_WIDE:
      return namespace;
    case SealingScope.CLUSTER_WIDE:
      return '';
    default:
      throw new Error(`sealing scope ${JSON.stringify(scope)} is unknown: use strict, namespace-wide or cluster-wide`);
  }
}

/**
 * The annotations a SealedSecret needs for `scope` (none for strict, the default scope of the controller).
 *
 * @param scope the sealing scope
 */
export function sealingScopeAnnotations(scope: SealingScope): { [key: string]: string } {
  switch (scope) {
    case SealingScope.STRICT:
      return {};
    case SealingScope.NAMESPACE_WIDE:
      return { [NAMESPACE_WIDE_ANNOTATION]: 'true' };
    case SealingScope.CLUSTER_WIDE:
      return { [CLUSTER_WIDE_ANNOTATION]: 'true' };
    default:
      throw new Error(`sealing scope ${JSON.stringify(scope)} is unknown: use strict, namespace-wide or cluster-wide`);
  }
}

/**
 * The RSA public key values are sealed under: the key of the Sealed Secrets controller's certificate.
 *
 * Build it from the certificate `kubeseal --fetch-cert` prints ({@link SealingKey.fromCertificatePem}), or from a
 * public key. Whether the certificate is current is {@link checkSealingCertificate}'s job; the factories only make
 * sure there is an RSA key to seal with.
 */
export class SealingKey {
  /**
   * The key of a sealing certificate in PEM (the first CERTIFICATE block, as kubeseal uses it).
   *
   * @param certificatePem the controller's certificate, PEM text
   * @throws Error when the text holds no readable certificate or the certificate's key is not RSA
   */
  public static fromCertificatePem(certificatePem: string): SealingKey {
    const certificate = firstSealingCertificate(certificatePem);
    return SealingKey.fromKeyObject(certificate.publicKey);
  }

  /**
   * An RSA public key in PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`).
   *
   * @param publicKeyPem the public key, PEM text
   * @throws Error when the text is not a public key or the key is not RSA
   */
  public static fromPublicKeyPem(publicKeyPem: string): SealingKey {
    let key: KeyObject;
    try {
      key = createPublicKey(publicKeyPem);
    } catch {
      throw new Error('the sealing public key is not a readable PEM public key: give the controller\'s certificate (kubeseal --fetch-cert) instead');
    }
    return SealingKey.fromKeyObject(key);
  }

  /**
   * An RSA key object: a public key, or a private key whose public half is used.
   *
   * @param key the key
   * @throws Error when the key is not an RSA key
   */
  public static fromKeyObject(key: KeyObject): SealingKey {
    const publicKey = key.type === 'public' ? key : key.type === 'private' ? createPublicKey(key) : undefined;
    if (publicKey === undefined) {
      throw new Error(`the sealing key is a ${key.type} (symmetric) key: Sealed Secrets seals with the controller's RSA public key`);
    }
    if (publicKey.asymmetricKeyType !== 'rsa') {
      throw new Error(`the sealing key is ${publicKey.asymmetricKeyType ?? 'of an unknown type'}, not RSA: Sealed Secrets seals with RSA-OAEP under the controller's RSA certificate`);
    }
    return new SealingKey(publicKey);
  }

  /** The RSA public key. */
  public readonly publicKey: KeyObject;

  private constructor(publicKey: KeyObject) {
    this.publicKey = publicKey;
  }

  /** The modulus size in bits. */
  public get modulusBits(): number {
    return this.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  }
}

/**
 * Seals one value in the format kubeseal writes, so that the Sealed Secrets controller can unseal it.
 *
 * A 32-byte session key encrypts the plaintext with AES-256-GCM (all-zero 12-byte nonce, no additional data, the
 * 16-byte tag appended); RSA-OAEP with SHA-256 (hash and MGF1) and the OAEP label `label` wraps the session key. The
 * result is the big-endian uint16 length of the wrapped key, the wrapped key and the AES ciphertext with its tag, in
 * standard padded base64: the value of `spec.encryptedData[key]`.
 *
 * Unlike kubeseal, nothing is random: the session key and the OAEP seed are derived from the plaintext, the sealing
 * key and the label ({@link deriveSealingSecrets}), so the output is a pure function of the input. Every run can seal
 * again and compare byte for byte, which is what makes a swapped or foreign sealed value visible (`synth --check`
 * reports it as changed) without keeping earlier ciphertext anywhere. The price: whoever holds the public sealing
 * certificate and guesses a value can confirm the guess by sealing it, so seal only high-entropy values.
 *
 * The fixed all-zero GCM nonce is safe because a GCM key must never encrypt two different messages under one nonce,
 * and here each session key is derived from the one plaintext it encrypts: a second, different plaintext gets
 * another key (barring an HKDF-SHA256 collision); the same plaintext gets the same key and the same ciphertext, which
 * reveals nothing beyond "same value", the trade-off above.
 *
 * @param plaintext the value's bytes (the bytes the Secret's key will hold)
 * @param key the controller's public key
 * @param label the OAEP label, from {@link sealingLabel}
 * @returns the sealed value, base64
 */
export function sealValue(plaintext: Buffer, key: SealingKey, label: string): string {
  const { sessionKey, oaepSeed } = deriveSealingSecrets(plaintext, key, label);
  try {
    const wrappedKey = oaepWrap(key, sessionKey, Buffer.from(label, 'utf8'), oaepSeed);
    if (wrappedKey.length > 0xffff) throw new Error(`the sealing key is too large (${wrappedKey.length}-byte RSA ciphertext)`);
    const cipher = createCipheriv('aes-256-gcm', sessionKey, GCM_NONCE, { authTagLength: 16 });
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(wrappedKey.length);
    return Buffer.concat([length, wrappedKey, sealed]).toString('base64');
  } finally {
    sessionKey.fill(0);
    oaepSeed.fill(0);
  }
}

/** What {@link sealValue} derives for one value. */
interface SealingSecrets {
  /** The AES-256-GCM key (32 bytes). */
  readonly sessionKey: Buffer;
  /** The RSA-OAEP seed (32 bytes, the SHA-256 output length). */
  readonly oaepSeed: Buffer;
}

/**
 * The session key and OAEP seed of one value: HKDF-SHA256 (RFC 5869) over the length-prefixed (uint32, big-endian)
 * concatenation of the domain tag, the sealing public key's SubjectPublicKeyInfo DER, the label's UTF-8 bytes and the
 * plaintext, with one `info` string per output, so the two outputs are independent of each other.
 *
 * The length prefixes make the encoding injective: no two different (key, label, plaintext) give the same input (a
 * label `a/b` with plaintext `c` is not label `a` with plaintext `/bc`). The SPKI DER is the same whether the
 * {@link SealingKey} came from a certificate or from a public key, so both seal alike.
 */
function deriveSealingSecrets(plaintext: Buffer, key: SealingKey, label: string): SealingSecrets {
  const spki = keyForms(key).spki;
  const fields = [Buffer.from(DERIVATION_DOMAIN, 'utf8'), spki, Buffer.from(label, 'utf8'), plaintext];
  const input = Buffer.concat(fields.flatMap((field) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(field.length);
    return [length, field];
  }));
  try {
    const derive = (purpose: string, bytes: number): Buffer =>
      Buffer.from(hkdfSync('sha256', input, Buffer.alloc(0), `${DERIVATION_DOMAIN} ${purpose}`, bytes));
    return {
      sessionKey: derive('aes-256-gcm session key', SESSION_KEY_BYTES),
      oaepSeed: derive('rsa-oaep seed', OAEP_SEED_BYTES),
    };
  } finally {
    // The input holds the plaintext (e.g. a private key PEM): do not leave a copy behind.
    input.fill(0);
  }
}

/** The part of node-forge's `pkcs1` module used here (its typings do not declare it). */
interface ForgePkcs1 {
  encode_rsa_oaep(key: Forge.pki.rsa.PublicKey, message: string, options: {
    md: Forge.md.MessageDigest; mgf1: { md: Forge.md.MessageDigest }; label: string; seed: string;
  }): string;
}

/** The node-forge modules OAEP encoding needs, loaded on the first seal (loading them costs ~15 ms). */
interface ForgeOaep {
  readonly pkcs1: ForgePkcs1;
  readonly sha256: { create(): Forge.md.MessageDigest };
  readonly rsa: typeof Forge.pki.rsa;
  readonly jsbn: typeof Forge.jsbn;
}
let forgeOaep: ForgeOaep | undefined;

function loadForgeOaep(): ForgeOaep {
  /* eslint-disable @typescript-eslint/no-require-imports */
  forgeOaep ??= {
    pkcs1: require('node-forge/lib/pkcs1') as ForgePkcs1,
    sha256: require('node-forge/lib/sha256') as { create(): Forge.md.MessageDigest },
    rsa: require('node-forge/lib/rsa') as typeof Forge.pki.rsa,
    jsbn: require('node-forge/lib/jsbn') as typeof Forge.jsbn,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return forgeOaep;
}

/** The forms of a sealing key that sealing needs, computed once per key (each costs a fraction of a millisecond). */
interface KeyForms {
  readonly spki: Buffer;
  forge?: Forge.pki.rsa.PublicKey;
}
const keyFormsOf = new WeakMap<SealingKey, KeyForms>();
function keyForms(key: SealingKey): KeyForms {
  let forms = keyFormsOf.get(key);
  if (forms === undefined) {
    forms = { spki: key.publicKey.export({ type: 'spki', format: 'der' }) };
    keyFormsOf.set(key, forms);
  }
  return forms;
}

/**
 * RSAES-OAEP encryption (RFC 8017 section 7.1.1) with SHA-256 as hash and MGF1 hash and an explicit seed: node-forge
 * builds the encoded message from the seed, Node's raw RSA (no padding) encrypts it. With a random seed this is
 * exactly what `publicEncrypt` with `RSA_PKCS1_OAEP_PADDING` does, so the controller unwraps it the same way.
 */
function oaepWrap(key: SealingKey, message: Buffer, label: Buffer, seed: Buffer): Buffer {
  // RFC 8017 7.1.1 step 1b: the message may be at most k - 2 hLen - 2 bytes, so k must be at least 32 + 66 bytes.
  const minBits = (message.length + 2 * OAEP_SEED_BYTES + 2) * 8;
  if (key.modulusBits < minBits) {
    throw new Error(`the sealing key is RSA-${key.modulusBits}, too small for RSA-OAEP with SHA-256 to wrap a ${message.length}-byte session key (at least ${minBits} bits; the controller generates RSA-4096 keys): ${FETCH_CERT_FIX}`);
  }
  const forge = loadForgeOaep();
  const forms = keyForms(key);
  if (forms.forge === undefined) {
    const jwk = key.publicKey.export({ format: 'jwk' });
    const bigInteger = (base64url: string | undefined) => new forge.jsbn.BigInteger(Buffer.from(base64url ?? '', 'base64url').toString('hex'), 16);
    forms.forge = forge.rsa.setPublicKey(bigInteger(jwk.n), bigInteger(jwk.e));
  }
  // node-forge works on binary strings (one character per byte).
  const encoded = forge.pkcs1.encode_rsa_oaep(forms.forge, message.toString('binary'), {
    md: forge.sha256.create(),
    mgf1: { md: forge.sha256.create() },
    label: label.toString('binary'),
    seed: seed.toString('binary'),
  });
  const em = Buffer.from(encoded, 'binary');
  try {
    return publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, em);
  } finally {
    // The encoded message is the session key masked with values derivable from the seed: wipe it as well.
    em.fill(0);
  }
}

/**
 * The hex SHA-256 fingerprint of the sealing certificate's DER (its first CERTIFICATE block, the one kubeseal uses).
 *
 * @param certificatePem the controller's certificate, PEM text
 * @throws Error when the text holds no readable certificate
 */
export function sealingCertificateFingerprint(certificatePem: string): string {
  return createHash('sha256').update(firstSealingCertificate(certificatePem).raw).digest('hex');
}

/**
 * Checks the certificate values are sealed with: the Sealed Secrets controller's certificate, as
 * `kubeseal --fetch-cert` prints it. Returns every problem; never throws, never reads files or the clock.
 *
 * Errors: unreadable PEM, no certificate, a key that is not RSA, expired or not yet valid at `now`. Warnings: expiry
 * within 30 days, an RSA key below 2048 bits, more than one certificate (the first is used, as kubeseal does).
 *
 * @param certPem the certificate, PEM text
 * @param now the time to check validity against
 * @param label the file or field name for messages
 */
export function checkSealingCertificate(certPem: string, now: Date, label: string = 'the sealing certificate'): Finding[] {
  const scan = scanPem(certPem, 'certificate', label);
  const findings: Finding[] = scan.findings.map((f) => ({ ...f, fix: FETCH_CERT_FIX }));
  if (findings.length > 0) return findings;

  const certificates = scan.blocks.filter((b) => b.kind === PemKind.CERTIFICATE);
  if (certificates.length === 0) {
    const found = [...new Set(scan.blocks.map((b) => b.label))].join(', ');
    return [{
      severity: Severity.ERROR,
      code: 'sealing-certificate-missing',
      message: `${label} holds no CERTIFICATE block (it holds ${found}): kubeseal seals with the controller's certificate`,
      fix: FETCH_CERT_FIX,
    }];
  }

  const first = certificates[0];
  let facts: CertificateFacts;
  let keyType: string | undefined;
  try {
    facts = inspectCertificate(first.der);
    keyType = new X509Certificate(first.der).publicKey.asymmetricKeyType;
  } catch {
    return [{
      severity: Severity.ERROR,
      code: 'sealing-certificate-invalid',
      message: `${label}: the CERTIFICATE block at line ${first.line} is not a readable X.509 certificate`,
      fix: FETCH_CERT_FIX,
    }];
  }
  const who = `${label}: the certificate ${commonNameOf(facts.subject)} (SHA-256 ${facts.fingerprintSha256})`;

  if (certificates.length > 1) {
    findings.push({
      severity: Severity.WARNING,
      code: 'sealing-certificate-multiple',
      message: `${label} holds ${certificates.length} certificates; only the first (${commonNameOf(facts.subject)}, line ${first.line}) is used to seal`,
      fix: 'keep only the controller\'s current certificate in the file (kubeseal --fetch-cert prints exactly that one)',
    });
  }
  const privateKeys = scan.blocks.filter((b) => b.kind === PemKind.PRIVATE_KEY || b.kind === PemKind.ENCRYPTED_PRIVATE_KEY);
  if (privateKeys.length > 0) {
    findings.push({
      severity: Severity.ERROR,
      code: 'sealing-certificate-holds-private-key',
      message: `${label} also holds a ${privateKeys[0].label} block (line ${privateKeys[0].line}): sealing needs only the certificate, and a private key must not sit in this file`,
      fix: `remove the key from the file (if it is the controller's key, it has leaked: rotate it), then ${FETCH_CERT_FIX}`,
    });
  }
  // RSA-PSS keys count as RSA elsewhere, but are restricted to signatures: RSA-OAEP needs a plain rsaEncryption key.
  if (facts.keyType !== KeyType.RSA || keyType !== 'rsa') {
    findings.push({
      severity: Severity.ERROR,
      code: 'sealing-certificate-not-rsa',
      message: `${who} has ${keyType === 'rsa-pss' ? 'an RSA-PSS' : describeKey(facts.keyType, facts.curve)} key, not an RSA key: Sealed Secrets seals with RSA-OAEP under the controller's RSA certificate`,
      fix: FETCH_CERT_FIX,
    });
  } else if (facts.keySize !== undefined && facts.keySize < MIN_RSA_BITS) {
    findings.push({
      severity: Severity.WARNING,
      code: 'sealing-key-weak',
      message: `${who} has an RSA-${facts.keySize} key; at least ${MIN_RSA_BITS} bits are expected (the controller generates RSA-4096 keys)`,
      fix: `let the controller generate a new key (it renews its key every 30 days by default), then ${FETCH_CERT_FIX}`,
    });
  }

  if (facts.notBefore.getTime() > now.getTime()) {
    findings.push({
      severity: Severity.ERROR,
      code: 'sealing-certificate-not-yet-valid',
      message: `${who} is not valid before ${isoDate(facts.notBefore)} (now is ${isoDate(now)})`,
      fix: `check the clock of this machine and of the cluster, then ${FETCH_CERT_FIX}`,
    });
  } else if (facts.notAfter.getTime() < now.getTime()) {
    findings.push({
      severity: Severity.ERROR,
      code: 'sealing-certificate-expired',
      message: `${who} expired on ${isoDate(facts.notAfter)} (now is ${isoDate(now)}); kubeseal refuses to seal with it`,
      fix: FETCH_CERT_FIX,
    });
  } else if (facts.notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * DAY_MS) {
    const days = Math.floor((facts.notAfter.getTime() - now.getTime()) / DAY_MS);
    findings.push({
      severity: Severity.WARNING,
      code: 'sealing-certificate-expiring-soon',
      message: `${who} expires on ${isoDate(facts.notAfter)}, in ${days} day${days === 1 ? '' : 's'}; sealing stops working then`,
      fix: `before then, ${FETCH_CERT_FIX} and synthesize again`,
    });
  }
  return findings;
}

/** The first certificate of a PEM text; throws (without content) when there is none or it cannot be read. */
function firstSealingCertificate(certificatePem: string): X509Certificate {
  const scan = scanPem(certificatePem, 'certificate', 'the sealing certificate');
  const block = scan.blocks.find((b) => b.kind === PemKind.CERTIFICATE);
  if (scan.findings.length > 0 || block === undefined) {
    const reason = scan.findings.length > 0 ? scan.findings[0].message : 'the sealing certificate holds no CERTIFICATE block';
    throw new Error(`${reason}. ${FETCH_CERT_FIX[0].toUpperCase()}${FETCH_CERT_FIX.slice(1)}.`);
  }
  try {
    return new X509Certificate(block.der);
  } catch {
    throw new Error(`the sealing certificate: the CERTIFICATE block at line ${block.line} is not a readable X.509 certificate`);
  }
}

function describeKey(keyType: KeyType, curve: string | undefined): string {
  switch (keyType) {
    case KeyType.EC:
      return `an ECDSA${curve ? ` (${curve})` : ''}`;
    case KeyType.ED25519:
      return 'an Ed25519';
    case KeyType.ED448:
      return 'an Ed448';
    default:
      return 'a non-RSA';
  }
}

function isoDate(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
