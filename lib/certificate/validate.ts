import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { Finding, Severity } from './findings';
import {
  CertificateFacts,
  commonNameOf,
  inspectCertificate,
  inspectKey,
  isWeakSignatureAlgorithm,
  KeyFacts,
  KeyType,
} from './inspect';
import { PemBlock, PemKind, scanPem } from './pem';
import { TlsReport } from './facts';
import { shownValue } from '../problems';

/** The TLS material to check: the content of `cert.pem` and `key.pem`, the sslCname and the time to check against. */
export interface TlsMaterialInput {
  /** Content of `cert.pem`: the chain, leaf first. */
  readonly certificate: Buffer | string;
  /**
   * Content of `key.pem`.
   * @default - the key is not checked (e.g. checking a certificate alone)
   */
  readonly privateKey?: Buffer | string;
  /**
   * The sslCname the leaf must cover.
   * @default - names are not checked
   */
  readonly cname?: string;
  /** The time to check validity against (library code never reads the clock). */
  readonly now: Date;
  /**
   * The certificate file name, for messages.
   * @default 'cert.pem'
   */
  readonly certificateLabel?: string;
  /**
   * The key file name, for messages.
   * @default 'key.pem'
   */
  readonly keyLabel?: string;
  /**
   * Warn when a certificate expires within this many days.
   * @default 30
   */
  readonly expiryWarningDays?: number;
}

export type { TlsReport } from './facts';


const DAY_MS = 24 * 60 * 60 * 1000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const MIN_RSA_BITS = 2048;
/** Extended key usage OIDs with names, for messages. */
const EXTENDED_KEY_USAGE_NAMES: Record<string, string> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};
const KEY_TYPE_WORDS: Record<KeyType, string> = {
  [KeyType.RSA]: 'an RSA key',
  [KeyType.EC]: 'an ECDSA key',
  [KeyType.ED25519]: 'an Ed25519 key',
  [KeyType.ED448]: 'an Ed448 key',
  [KeyType.OTHER]: 'a key that is neither RSA nor ECDSA',
};

/** One parsed certificate of the certificate file. */
interface ParsedCertificate {
  /** 1-based position in the file. */
  readonly position: number;
  readonly x509: X509Certificate;
  readonly facts: CertificateFacts;
  readonly spki: Buffer;
}

/** One readable private key of the key file. */
interface ParsedKey {
  readonly line: number;
  readonly facts: KeyFacts;
  readonly spki: Buffer;
}

/**
 * Checks a certificate chain, its private key and the sslCname the way azureml-fe needs them, and returns every
 * problem at once. Never throws on bad input; never reads files or the clock.
 *
 * Checks: PEM structure and encoding of both files; leaf first and each certificate issued by the next; exactly one
 * unencrypted private key that matches the leaf; the leaf covers the cname by a DNS subjectAltName; validity of every
 * certificate at `now` (a validity date that cannot be read is an error, never a pass); key size, signature algorithm,
 * key type, extended key usage and basicConstraints of the leaf.
 */
export function validateTlsMaterial(input: TlsMaterialInput): TlsReport {
  const certLabel = input.certificateLabel ?? 'cert.pem';
  const keyLabel = input.keyLabel ?? 'key.pem';
  const findings: Finding[] = [];

  const certs = readCertificates(input.certificate, certLabel, findings);
  const keys = input.privateKey === undefined ? undefined : readKeys(input.privateKey, keyLabel, findings);

  const leaf = certs.ok && certs.parsed.length > 0 ? checkChain(certs.parsed, certLabel, findings) : undefined;
  if (keys && keys.blockLines.length > 1) {
    const matching = leaf ? keys.parsed.find((k) => k.spki.equals(leaf.spki)) : undefined;
    findings.push({
      severity: Severity.ERROR,
      code: 'key-multiple',
      message: `${keyLabel} holds ${keys.blockLines.length} private keys (blocks at lines ${keys.blockLines.join(', ')}); azureml-fe needs exactly one`,
      fix: matching
        ? `keep only the key at line ${matching.line}: it matches the leaf certificate`
        : 'keep only the private key of the leaf certificate',
    });
  } else if (leaf && keys?.ok && keys.parsed.length === 1) {
    checkKeyMatch(leaf, keys.parsed[0], certs.parsed, certLabel, keyLabel, findings);
  }

  let cname: string | undefined;
  if (input.cname !== undefined) {
    const checked = validateCname(input.cname);
    findings.push(...checked.findings);
    cname = checked.cname;
    if (cname !== undefined && leaf) checkNames(leaf, cname, certLabel, findings);
  }

  if (leaf) {
    for (const c of certs.parsed) checkValidity(c, c === leaf, input.now, input.expiryWarningDays ?? 30, certLabel, findings);
    checkStrength(leaf, certs.parsed, certLabel, findings);
  }

  return {
    findings,
    chain: certs.parsed.map((c) => c.facts),
    key: keys?.ok && keys.blockLines.length === 1 && keys.parsed.length === 1 ? keys.parsed[0].facts : undefined,
    cname,
  };
}

/**
 * Checks an sslCname: it must be a plain fully qualified host name. A scheme, port, path, trailing dot, empty label,
 * bad character, label over 63 characters, name over 253 characters, a leading `*.` or an IP address is an error
 * (`cname-invalid`) whose message shows the bad value and whose fix gives the corrected value where there is one.
 * Upper case is accepted and lowered.
 *
 * @param cname the value as the user wrote it
 * @param field the setting name for messages
 */
export function validateCname(cname: string, field = 'sslCname'): { readonly cname?: string; readonly findings: Finding[] } {
  const problems: string[] = [];
  let host = cname;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(host);
  if (scheme) {
    problems.push(`a scheme (${scheme[0]})`);
    host = host.slice(scheme[0].length);
  }
  const slash = host.indexOf('/');
  if (slash >= 0) {
    const pathPart = host.slice(slash);
    // A message is one short line, whatever was pasted: the cname itself is shortened by shownValue below.
    problems.push(`a path (${pathPart.length > 40 ? `${pathPart.slice(0, 40)}... (${pathPart.length} characters)` : pathPart})`);
    host = host.slice(0, slash);
  }
  const port = /:(\d*)$/.exec(host);
  if (port) {
    problems.push(`a port (${port[0]})`);
    host = host.slice(0, port.index);
  }
  if (host !== host.trim()) {
    problems.push('spaces around it');
    host = host.trim();
  }
  let wildcard = false;
  if (host.startsWith('*.')) {
    problems.push('a wildcard (*.): sslCname is the one name clients call, even when the certificate is a wildcard');
    host = host.slice(2);
    wildcard = true;
  }
  if (host.endsWith('.') && host.length > 1) {
    problems.push('a trailing dot');
    host = host.slice(0, -1);
  }
  host = host.toLowerCase();

  const labels = host.split('.');
  if (host === '') problems.push('no host name');
  else if (labels.some((l) => l === '')) problems.push('an empty label (two dots in a row, or a leading dot)');
  const bad = [...new Set(host.replace(/[a-z0-9.-]/g, ''))];
  if (bad.length > 0) {
    problems.push(`characters a host name cannot hold (${bad.map((c) => JSON.stringify(c)).join(' ')}); use letters, digits and '-', and punycode (xn--) for international names`);
  }
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) problems.push('a label that starts or ends with \'-\'');
  const long = labels.filter((l) => l.length > 63);
  if (long.length > 0) problems.push(`a label longer than 63 characters (${long[0].length})`);
  if (host.length > 253) problems.push(`${host.length} characters (at most 253)`);
  if (host !== '' && labels.length < 2) problems.push('a single label: it must be a fully qualified name such as ml.example.com');
  if (labels.length > 1 && /^\d+$/.test(labels[labels.length - 1])) problems.push('an IP address, not a DNS name');
  else if (host.includes(':')) problems.push('an IP address, not a DNS name');

  if (problems.length === 0) return { cname: host, findings: [] };
  let fix = `set ${field} to the fully qualified DNS name clients call, e.g. ml.example.com`;
  // A plausible host has none of the problems found after the strip above, so what is left to fix is what was stripped.
  if (wildcard && isPlausibleHost(host)) fix = `set ${field} to the exact name clients call, e.g. ml.${host}`;
  else if (isPlausibleHost(host)) fix = `set ${field} to ${host}`;
  return {
    findings: [{
      severity: Severity.ERROR,
      code: 'cname-invalid',
      // Whole up to a little over DNS's 253 characters (the length is what is wrong then), shortened beyond.
      message: `${field} ${shownValue(cname, 300)} is not a plain host name: it has ${problems.join('; ')}`,
      fix,
    }],
  };
}

/** Letters, digits, dashes and at least two non-empty labels within the length limits. */
function isPlausibleHost(host: string): boolean {
  const labels = host.split('.');
  return host.length <= 253 && labels.length >= 2
    && labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))
    && !/^\d+$/.test(labels[labels.length - 1]);
}

/**
 * True when `name` is covered by the DNS subjectAltName `pattern`, case-insensitively. A wildcard `*.x.y` covers
 * exactly one whole label (`a.x.y`, not `x.y` nor `a.b.x.y`); partial-label wildcards (`a*.x.y`) and wildcards
 * directly under a top-level domain (`*.com`) cover nothing.
 */
export function dnsNameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const n = name.toLowerCase().replace(/\.$/, '');
  if (p === '' || n === '') return false;
  if (!p.includes('*')) return p === n;
  if (!p.startsWith('*.') || p.indexOf('*', 1) >= 0) return false;
  const parent = p.slice(2);
  if (!parent.includes('.')) return false;
  const dot = n.indexOf('.');
  return dot > 0 && n.slice(dot + 1) === parent;
}

// --- the certificate file --------------------------------------------------------------------------------------------

interface ReadCertificates {
  readonly parsed: ParsedCertificate[];
  /** False when the file or a certificate in it could not be read: chain checks would be guesses. */
  readonly ok: boolean;
}

function readCertificates(content: Buffer | string, label: string, findings: Finding[]): ReadCertificates {
  const scan = scanPem(content, 'certificate', label);
  findings.push(...scan.findings);
  let ok = scan.findings.length === 0;
  const parsed: ParsedCertificate[] = [];
  for (const block of scan.blocks) {
    if (block.kind !== PemKind.CERTIFICATE) {
      findings.push(unexpectedInCertificateFile(block, label));
      continue;
    }
    const position = parsed.length + 1;
    const { certificate, x509 } = parseCertificate(block, position);
    if (certificate) {
      parsed.push(certificate);
      continue;
    }
    ok = false;
    // node:crypto reads it, but its facts cannot be read: say so when it is the dates.
    const dates = x509 ? unreadableDates(x509) : [];
    findings.push(dates.length > 0 ? invalidValidity(`${label}: the CERTIFICATE block at line ${block.line}`, dates) : {
      severity: Severity.ERROR,
      code: 'certificate-invalid',
      message: `${label}: the CERTIFICATE block at line ${block.line} is not a readable X.509 certificate`,
      fix: 'export the certificate again from its source (your CA or key vault) as PEM',
    });
  }
  return { parsed, ok };
}

/** The certificate, or, when only node:crypto can read it, its X509Certificate alone. */
function parseCertificate(block: PemBlock, position: number): { readonly certificate?: ParsedCertificate; readonly x509?: X509Certificate } {
  let x509: X509Certificate | undefined;
  try {
    x509 = new X509Certificate(block.der);
    const facts = inspectCertificate(block.der, x509);
    return { certificate: { position, x509, facts, spki: x509.publicKey.export({ type: 'spki', format: 'der' }) } };
  } catch {
    return { x509 }; // reported by the caller
  }
}

function unexpectedInCertificateFile(block: PemBlock, label: string): Finding {
  const at = `${block.label} block at line ${block.line}`;
  const [what, fix] = ((): [string, string] => {
    switch (block.kind) {
      case PemKind.PRIVATE_KEY:
      case PemKind.ENCRYPTED_PRIVATE_KEY:
        return ['a private key', 'remove the key from the certificate file and give it as the key file (key.pem) only'];
      case PemKind.CSR:
        return ['a certificate signing request, not a certificate', 'this is a certificate signing request, not a certificate: submit it to your CA and use the certificate it returns'];
      case PemKind.PUBLIC_KEY:
        return ['a public key, not a certificate', 'give the certificate issued for this key (-----BEGIN CERTIFICATE-----), not the public key'];
      case PemKind.PKCS7:
        return ['a PKCS#7 bundle, not PEM certificates', 'convert it: openssl pkcs7 -print_certs -in cert.p7b -out cert.pem'];
      default:
        return [`a ${block.label} block, not a certificate`, 'keep only -----BEGIN CERTIFICATE----- blocks in the certificate file, leaf first'];
    }
  })();
  return { severity: Severity.ERROR, code: 'unexpected-pem-block', message: `${label} holds ${what} (${at})`, fix };
}

// --- the key file ----------------------------------------------------------------------------------------------------

interface ReadKeys {
  /** The readable, unencrypted keys. */
  readonly parsed: ParsedKey[];
  /** The lines of all private key blocks, encrypted ones included. */
  readonly blockLines: number[];
  /** False when the key file has any error: the key-match check would be a guess. */
  readonly ok: boolean;
}

function readKeys(content: Buffer | string, label: string, findings: Finding[]): ReadKeys {
  const before = findings.length;
  const scan = scanPem(content, 'key', label);
  findings.push(...scan.findings);
  const keyBlocks: PemBlock[] = [];
  for (const block of scan.blocks) {
    if (block.kind === PemKind.PRIVATE_KEY || block.kind === PemKind.ENCRYPTED_PRIVATE_KEY) keyBlocks.push(block);
    else if (block.label !== 'EC PARAMETERS') findings.push(unexpectedInKeyFile(block, label));
  }
  if (keyBlocks.length === 0 && findings.length === before) {
    findings.push({
      severity: Severity.ERROR,
      code: 'key-missing',
      message: `${label} holds no private key (found ${scan.blocks.map((b) => b.label).join(', ') || 'no PEM block'})`,
      fix: 'give the unencrypted private key of the leaf certificate (a PEM "PRIVATE KEY" block)',
    });
  }
  const parsed: ParsedKey[] = [];
  for (const block of keyBlocks) {
    if (block.kind === PemKind.ENCRYPTED_PRIVATE_KEY) {
      findings.push(encryptedKey(block, label));
      continue;
    }
    const key = parsePrivateKey(block);
    if (key) {
      parsed.push({ line: block.line, facts: inspectKey(key), spki: createPublicKey(key).export({ type: 'spki', format: 'der' }) });
    } else {
      findings.push({
        severity: Severity.ERROR,
        code: 'key-invalid',
        message: `${label}: the ${block.label} block at line ${block.line} is not a readable private key`,
        fix: `export the key again, unencrypted PKCS#8: openssl pkey -in ${shellQuote(label)} -out key-plain.pem`,
      });
    }
  }
  return { parsed, blockLines: keyBlocks.map((b) => b.line), ok: findings.length === before };
}

function parsePrivateKey(block: PemBlock): KeyObject | undefined {
  try {
    return createPrivateKey({ key: block.text, format: 'pem' });
  } catch {
    return undefined; // reported by the caller as key-invalid
  }
}

function encryptedKey(block: PemBlock, label: string): Finding {
  const traditional = block.label !== 'ENCRYPTED PRIVATE KEY';
  const tool = block.label === 'RSA PRIVATE KEY' ? 'rsa' : block.label === 'EC PRIVATE KEY' ? 'ec' : 'pkey';
  return {
    severity: Severity.ERROR,
    code: 'key-encrypted',
    message: traditional
      ? `${label} holds an encrypted private key (${block.label} with Proc-Type: 4,ENCRYPTED, line ${block.line}); azureml-fe cannot use a passphrase-protected key`
      : `${label} holds an encrypted private key (ENCRYPTED PRIVATE KEY, line ${block.line}); azureml-fe cannot use a passphrase-protected key`,
    fix: `decrypt it (it asks for the passphrase): openssl ${tool} -in ${shellQuote(label)} -out key-plain.pem, give key-plain.pem and keep it out of git`,
  };
}

function unexpectedInKeyFile(block: PemBlock, label: string): Finding {
  const at = `${block.label} block at line ${block.line}`;
  const [what, fix] = ((): [string, string] => {
    switch (block.kind) {
      case PemKind.CERTIFICATE:
        return ['a certificate where the private key belongs', 'give the private key file (a PEM "PRIVATE KEY" block) as the key, and certificates only in the certificate file'];
      case PemKind.CSR:
        return ['a certificate signing request, not a private key', 'give the private key the CSR was created with'];
      case PemKind.PUBLIC_KEY:
        return ['a public key, not the private key', 'give the private key (a PEM "PRIVATE KEY" block)'];
      default:
        return [`a ${block.label} block, not a private key`, 'give the unencrypted PEM private key (a PEM "PRIVATE KEY" block), and nothing else, as the key file'];
    }
  })();
  return { severity: Severity.ERROR, code: 'unexpected-pem-block', message: `${label} holds ${what} (${at})`, fix };
}

// --- checks across files ---------------------------------------------------------------------------------------------

function name(c: ParsedCertificate): string {
  return commonNameOf(c.facts.subject);
}

function describe(c: ParsedCertificate, leaf: ParsedCertificate | undefined): string {
  return c === leaf ? `the leaf certificate (${name(c)})` : `certificate ${c.position} (${name(c)})`;
}

/** True when `child` names `parent` as issuer and its signature verifies with `parent`'s key. */
function issuedBy(child: ParsedCertificate, parent: ParsedCertificate): boolean {
  return child !== parent && child.x509.checkIssued(parent.x509) && child.x509.verify(parent.x509.publicKey);
}

/**
 * Checks that the leaf comes first and each certificate is issued by the next. Returns the leaf: the first certificate,
 * or, when the order is wrong but a correct order exists, the real leaf (so that later checks do not repeat the error).
 */
function checkChain(all: ParsedCertificate[], label: string, findings: Finding[]): ParsedCertificate {
  const certs: ParsedCertificate[] = [];
  for (const c of all) {
    const first = certs.find((o) => o.facts.fingerprintSha256 === c.facts.fingerprintSha256);
    if (first) {
      findings.push({
        severity: Severity.WARNING,
        code: 'chain-duplicate',
        message: `${label} holds the same certificate twice (${name(c)}: certificates ${first.position} and ${c.position})`,
        fix: `remove certificate ${c.position}`,
      });
    } else {
      certs.push(c);
    }
  }

  const inFileOrder = certs.every((c, i) => i === certs.length - 1 || issuedBy(c, certs[i + 1]));
  const ordered = inFileOrder ? certs : reconstruct(certs);
  if (!ordered) {
    findings.push(brokenChain(certs, label));
    return certs[0];
  }
  if (!inFileOrder) {
    findings.push({
      severity: Severity.ERROR,
      code: 'chain-order',
      message: `${label} is in the wrong order: found ${certs.map(name).join(', ')}; azureml-fe needs the leaf first, then each issuer`,
      fix: `put the certificates in this order: ${ordered.map(name).join(', ')}`,
    });
  }
  const leaf = ordered[0];
  if (ordered.length === 1 && !leaf.facts.selfSigned) {
    findings.push({
      severity: Severity.WARNING,
      code: 'chain-incomplete',
      message: `${label} holds only the leaf certificate (${name(leaf)}), not its issuer (${commonNameOf(leaf.facts.issuer)}): clients that do not already have the intermediate certificate will fail to verify it`,
      fix: `append the intermediate certificate(s) after the leaf: cat leaf.pem intermediate.pem > cert.pem (not needed if ${commonNameOf(leaf.facts.issuer)} is a root your clients trust)`,
    });
  }
  // Spec section 1: self-signed certificates are for development only.
  if (leaf.facts.selfSigned) {
    findings.push({
      severity: Severity.WARNING,
      code: 'leaf-self-signed',
      message: `${label}: the leaf certificate (${name(leaf)}) is self-signed: every client must be told to trust this exact certificate, and the doc allows self-signed certificates for development only`,
      fix: 'use a certificate from your CA in production; for development, azureml-tls dev-cert issues one from a local CA clients can trust once',
    });
  }
  return leaf;
}

/**
 * The leaf-first order of all certificates, when one exists. It starts at the one certificate that issued none of the
 * others: with two such, no single path can hold both, so there is no order.
 */
function reconstruct(certs: ParsedCertificate[]): ParsedCertificate[] | undefined {
  const leaves = certs.filter((c) => !certs.some((o) => issuedBy(o, c)));
  if (leaves.length !== 1) return undefined;
  const path = [leaves[0]];
  for (;;) {
    const last = path[path.length - 1];
    const next = certs.find((o) => !path.includes(o) && issuedBy(last, o));
    if (!next) break;
    path.push(next);
  }
  return path.length === certs.length ? path : undefined;
}

function brokenChain(certs: ParsedCertificate[], label: string): Finding {
  const i = certs.findIndex((c, j) => j < certs.length - 1 && !issuedBy(c, certs[j + 1]));
  const child = certs[i];
  const parent = certs[i + 1];
  const sameName = child.x509.checkIssued(parent.x509) || child.facts.issuer === parent.facts.subject;
  const why = sameName
    ? `names ${commonNameOf(child.facts.issuer)} as issuer, but its signature does not verify with the key of certificate ${parent.position}`
    : `is issued by ${commonNameOf(child.facts.issuer)}, but the next certificate is ${name(parent)}`;
  return {
    severity: Severity.ERROR,
    code: 'chain-broken',
    message: `${label}: certificate ${child.position} (${name(child)}) ${why}`,
    fix: 'the file must hold the leaf, then the intermediate that issued it, then that one\'s issuer: add the missing intermediate and remove unrelated certificates',
  };
}

function checkKeyMatch(
  leaf: ParsedCertificate, key: ParsedKey, certs: ParsedCertificate[], certLabel: string, keyLabel: string, findings: Finding[],
): void {
  if (key.spki.equals(leaf.spki)) return;
  const other = certs.find((c) => key.spki.equals(c.spki));
  findings.push({
    severity: Severity.ERROR,
    code: 'key-mismatch',
    message: `${keyLabel} does not belong to the leaf certificate in ${certLabel} (${name(leaf)}, SHA-256 fingerprint ${leaf.facts.fingerprintSha256}): their public keys differ`
      + (other ? `; it is the key of certificate ${other.position} (${name(other)})` : ''),
    fix: `give the key the certificate was issued for; compare: openssl x509 -noout -pubkey -in ${shellQuote(certLabel)} | openssl sha256 and openssl pkey -pubout -in ${shellQuote(keyLabel)} | openssl sha256`,
  });
}

function checkNames(leaf: ParsedCertificate, cname: string, label: string, findings: Finding[]): void {
  if (!leaf.facts.hasSubjectAltName) {
    findings.push({
      severity: Severity.ERROR,
      code: 'san-missing',
      message: `the leaf certificate in ${label} (${leaf.facts.subject}) has no subjectAltName extension: clients ignore the CN and will reject it for ${cname}`,
      fix: `get a certificate with subjectAltName = DNS:${cname}`,
    });
    return;
  }
  if (leaf.facts.dnsNames.some((p) => dnsNameMatches(p, cname))) return;
  const listed = [...leaf.facts.dnsNames.map((d) => `DNS:${d}`), ...leaf.facts.ipAddresses.map((ip) => `IP:${ip}`)];
  const parent = cname.split('.').slice(1).join('.');
  findings.push({
    severity: Severity.ERROR,
    code: 'cname-not-covered',
    message: `the leaf certificate in ${label} (${name(leaf)}) does not cover sslCname ${cname}: its subjectAltName lists ${listed.join(', ') || 'no DNS name'}`,
    fix: `get a certificate whose subjectAltName includes DNS:${cname}${parent.includes('.') ? ` (or DNS:*.${parent})` : ''}, or set sslCname to a name it lists`,
  });
}

function isoDate(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

const REISSUE_VALIDITY = 'reissue the certificate with a validity inside the X.509 range (notAfter at most 9999-12-31T23:59:59Z), '
  + 'e.g. openssl x509 -days 365 rather than a huge -days value';

/**
 * The validity dates that cannot be compared: those OpenSSL cannot read (node:crypto then shows "Bad time value"), and
 * those read as an Invalid Date. Every comparison with NaN is false, so without this check such a certificate would
 * pass as valid. RFC 5280 4.1.2.5 allows UTCTime and four-digit GeneralizedTime, up to 9999-12-31T23:59:59Z.
 */
function unreadableDates(x509: X509Certificate, facts?: CertificateFacts): string[] {
  const dates: [string, string, Date | undefined][] = [['notBefore', x509.validFrom, facts?.notBefore], ['notAfter', x509.validTo, facts?.notAfter]];
  return dates.filter(([, text, date]) => Number.isNaN(Date.parse(text)) || Number.isNaN(date?.getTime())).map(([field]) => field);
}

function invalidValidity(who: string, dates: string[]): Finding {
  return {
    severity: Severity.ERROR,
    code: 'validity-invalid',
    message: `${who} has an invalid ${dates.join(' and ')} date: it is not a time that can be represented, so its validity cannot be checked`,
    fix: REISSUE_VALIDITY,
  };
}

function checkValidity(
  c: ParsedCertificate, isLeaf: boolean, now: Date, warningDays: number, label: string, findings: Finding[],
): void {
  const who = `${label}: ${isLeaf ? `the leaf certificate (${name(c)})` : `certificate ${c.position} (${name(c)})`}`;
  const renew = isLeaf ? 'renew the certificate with your CA and replace cert.pem' : 'get the current intermediate certificate from your CA and replace it in cert.pem';
  const { notBefore, notAfter } = c.facts;
  const invalid = unreadableDates(c.x509, c.facts);
  if (invalid.length > 0) {
    findings.push(invalidValidity(who, invalid));
  } else if (notAfter.getTime() < notBefore.getTime()) {
    findings.push({
      severity: Severity.ERROR,
      code: 'validity-invalid',
      message: `${who} ends (notAfter ${isoDate(notAfter)}) before it starts (notBefore ${isoDate(notBefore)}): its validity dates are malformed or out of range`,
      fix: REISSUE_VALIDITY,
    });
  } else if (notBefore.getTime() > now.getTime()) {
    findings.push({
      severity: Severity.ERROR,
      code: 'not-yet-valid',
      message: `${who} is not valid before ${isoDate(notBefore)} (now is ${isoDate(now)})`,
      fix: 'use a certificate that is already valid, or wait until then (check the clock of the machine that issued it)',
    });
  } else if (notAfter.getTime() < now.getTime()) {
    findings.push({
      severity: Severity.ERROR,
      code: 'expired',
      message: `${who} expired on ${isoDate(notAfter)} (now is ${isoDate(now)})`,
      fix: renew,
    });
  } else if (notAfter.getTime() - now.getTime() < warningDays * DAY_MS) {
    const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
    findings.push({
      severity: Severity.WARNING,
      code: 'expiring-soon',
      message: `${who} expires on ${isoDate(notAfter)}, in ${days} day${days === 1 ? '' : 's'}`,
      fix: `${renew} before then, then update the Secret and the extension`,
    });
  }
}

function checkStrength(leaf: ParsedCertificate, certs: ParsedCertificate[], label: string, findings: Finding[]): void {
  for (const c of certs) {
    const root = c !== leaf && c.facts.selfSigned; // a root's own signature is not checked by clients
    if (c.facts.keyType === KeyType.RSA && c.facts.keySize !== undefined && c.facts.keySize < MIN_RSA_BITS && !root) {
      findings.push({
        severity: Severity.ERROR,
        code: 'weak-key',
        message: `${label}: ${describe(c, leaf)} has a ${c.facts.keySize}-bit RSA key; at least ${MIN_RSA_BITS} bits are needed`,
        fix: c === leaf
          ? 'create a new key (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem) and get a certificate for it'
          : 'get a chain from your CA whose intermediates use RSA keys of at least 2048 bits',
      });
    }
    if (isWeakSignatureAlgorithm(c.facts.signatureAlgorithm) && !root) {
      findings.push({
        severity: Severity.ERROR,
        code: 'weak-signature',
        message: `${label}: ${describe(c, leaf)} is signed with ${c.facts.signatureAlgorithm}; clients reject SHA-1 and MD5 signatures`,
        fix: 'get the certificate reissued with a SHA-256 signature',
      });
    }
  }
  const f = leaf.facts;
  if (f.keyType !== KeyType.RSA) {
    const type = KEY_TYPE_WORDS[f.keyType] + (f.curve ? ` (${f.curve})` : '');
    findings.push({
      severity: Severity.WARNING,
      code: 'key-type-unverified',
      message: `${label}: the leaf certificate (${name(leaf)}) has ${type}; azureml-fe documents and tests RSA keys only`,
      fix: 'use an RSA key of at least 2048 bits unless you have tested this key type with azureml-fe',
    });
  }
  if (f.extendedKeyUsage && !f.extendedKeyUsage.some((o) => o === SERVER_AUTH || o === ANY_EXTENDED_KEY_USAGE)) {
    const usages = f.extendedKeyUsage.map((o) => EXTENDED_KEY_USAGE_NAMES[o] ?? o).join(', ') || 'nothing';
    findings.push({
      severity: Severity.ERROR,
      code: 'eku-no-server-auth',
      message: `${label}: the leaf certificate (${name(leaf)}) allows only ${usages} (extended key usage), not TLS server authentication (serverAuth)`,
      fix: 'get a certificate issued with extendedKeyUsage = serverAuth',
    });
  }
  if (f.isCa) {
    findings.push({
      severity: Severity.WARNING,
      code: 'leaf-is-ca',
      message: `${label}: the leaf certificate (${name(leaf)}) is a CA certificate (basicConstraints CA:TRUE); some clients reject a CA certificate as a server certificate`,
      fix: 'issue the server certificate with basicConstraints = CA:FALSE',
    });
  }
}

/** Quotes a file name for a shell command when it needs it. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, '\'\\\'\'')}'`;
}
