import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type * as Forge from 'node-forge';
import { asn1 as forgeAsn1, Asn1Node } from './asn1';
import { Finding, Severity } from './findings';

/** What a PEM block holds, from its label (and, for keys, its `Proc-Type` header). */
export enum PemKind {
  /** `CERTIFICATE`. */
  CERTIFICATE = 'certificate',
  /** An unencrypted private key: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `DSA PRIVATE KEY`. */
  PRIVATE_KEY = 'private-key',
  /** `ENCRYPTED PRIVATE KEY` (PKCS#8), or any private key block with `Proc-Type: 4,ENCRYPTED` (traditional). */
  ENCRYPTED_PRIVATE_KEY = 'encrypted-private-key',
  /** `CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`. */
  CSR = 'csr',
  /** `PUBLIC KEY` or `RSA PUBLIC KEY`. */
  PUBLIC_KEY = 'public-key',
  /** `PKCS7`, `PKCS #7 SIGNED DATA` or `CMS`. */
  PKCS7 = 'pkcs7',
  /** Anything else, e.g. `EC PARAMETERS` or `OPENSSH PRIVATE KEY`. */
  OTHER = 'other',
}

/** One complete, decodable PEM block. */
export interface PemBlock {
  /** The label between `-----BEGIN ` and `-----`, e.g. `RSA PRIVATE KEY`. */
  readonly label: string;
  /** What the block holds. */
  readonly kind: PemKind;
  /** The decoded body. */
  readonly der: Buffer;
  /** RFC 1421 headers such as `Proc-Type` and `DEK-Info` (empty for most blocks). */
  readonly headers: Record<string, string>;
  /** The block alone, lines trimmed, LF line ends, ending with a newline. */
  readonly text: string;
  /** The 1-based line of the BEGIN line in the input, for messages. */
  readonly line: number;
}

/** The outcome of {@link scanPem}: the complete blocks, and errors about the input as a whole or about broken blocks. */
export interface PemScan {
  /** Complete blocks in input order. */
  readonly blocks: PemBlock[];
  /** Errors (`empty`, `not-ascii`, `der-not-pem`, `pkcs12-not-pem`, `truncated`, `no-pem-block`). */
  readonly findings: Finding[];
}

/** Which file a scan is for; chooses the wording of messages and fixes. */
type Role = 'certificate' | 'key';

const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);
const KIND_BY_LABEL: Record<string, PemKind> = {
  'CERTIFICATE': PemKind.CERTIFICATE,
  'ENCRYPTED PRIVATE KEY': PemKind.ENCRYPTED_PRIVATE_KEY,
  'CERTIFICATE REQUEST': PemKind.CSR,
  'NEW CERTIFICATE REQUEST': PemKind.CSR,
  'PUBLIC KEY': PemKind.PUBLIC_KEY,
  'RSA PUBLIC KEY': PemKind.PUBLIC_KEY,
  'PKCS7': PemKind.PKCS7,
  'PKCS #7 SIGNED DATA': PemKind.PKCS7,
  'CMS': PemKind.PKCS7,
};

const BEGIN_LINE = /^-----BEGIN ([^-]+(?:-[^-]+)*)-----$/;
const END_LINE = /^-----END ([^-]+(?:-[^-]+)*)-----$/;
const HEADER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/;
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;
const BASE64_BODY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The kind of a block from its label and headers. */
function pemKindOf(label: string, headers: Record<string, string>): PemKind {
  if (PRIVATE_KEY_LABELS.has(label)) {
    return /ENCRYPTED/i.test(headers['Proc-Type'] ?? '') ? PemKind.ENCRYPTED_PRIVATE_KEY : PemKind.PRIVATE_KEY;
  }
  return KIND_BY_LABEL[label] ?? PemKind.OTHER;
}

/**
 * Splits PEM text into blocks.
 *
 * Tolerates CRLF, a UTF-8 BOM, surrounding whitespace and ASCII text between blocks (e.g. `Bag Attributes` lines from
 * `openssl pkcs12`). Reports, as errors that name what was found: empty input, non-ASCII or binary bytes, DER and
 * PKCS#12 files, blocks without an END line, damaged base64 and bodies shorter than their DER length says. Never
 * throws, and never puts file content in a message.
 *
 * @param input the file content (bytes, or text read as latin1 or UTF-8)
 * @param role which file this is; chooses the wording of fixes
 * @param label a display name such as the file name
 */
export function scanPem(input: Buffer | string, role: 'certificate' | 'key', label: string): PemScan {
  const bytes = toBytes(input);
  if (bytes === undefined) {
    return { blocks: [], findings: [notAscii(label, role, 'it contains characters outside the ASCII range')] };
  }
  if (bytes.length === 0) return { blocks: [], findings: [empty(label, role, 'is empty')] };

  const binary = describeBinary(bytes, role, label);
  if (binary) return { blocks: [], findings: [binary] };

  const bad = firstNonText(bytes);
  if (bad !== undefined) {
    return { blocks: [], findings: [notAscii(label, role, nonTextDetail(bytes, bad))] };
  }

  const text = bytes.toString('latin1');
  if (text.trim() === '') return { blocks: [], findings: [empty(label, role, 'holds only whitespace')] };
  return scanText(text, role, label);
}

/** Bytes with a UTF-8 BOM removed; undefined when a string holds characters that cannot be bytes. */
function toBytes(input: Buffer | string): Buffer | undefined {
  if (typeof input === 'string') {
    const s = input.startsWith('\uFEFF') ? input.slice(1) : input;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0xff) return undefined;
    }
    return stripBom(Buffer.from(s, 'latin1'));
  }
  return stripBom(input);
}

function stripBom(b: Buffer): Buffer {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

function isTextByte(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d);
}

function firstNonText(b: Buffer): number | undefined {
  for (let i = 0; i < b.length; i++) {
    if (!isTextByte(b[i])) return i;
  }
  return undefined;
}

/** Says what the non-text content looks like, by position only (never the bytes). */
function nonTextDetail(b: Buffer, offset: number): string {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    return 'it is UTF-16 text (save it as ASCII)';
  }
  if (looksBinary(b)) return `it is binary data, not PEM text (first non-text byte at offset ${offset})`;
  const where = position(b, offset);
  return `it contains a non-ASCII character at line ${where.line}, column ${where.column}`;
}

/** More than a tenth of the first 512 bytes outside printable ASCII. */
function looksBinary(b: Buffer): boolean {
  const head = b.subarray(0, 512);
  let count = 0;
  for (const x of head) if (!isTextByte(x)) count++;
  return count * 10 > head.length;
}

function position(b: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * The length a DER TLV at the start of `der` declares for itself (header included), or undefined when the header is
 * not a definite-length one with a single-byte tag.
 */
function derDeclaredLength(der: Uint8Array): number | undefined {
  if (der.length < 2 || (der[0] & 0x1f) === 0x1f) return undefined;
  const first = der[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return undefined;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[2 + i];
  return 2 + n + length;
}

/** What a whole-file DER encoding holds, when it is one of the things people confuse with PEM. */
type DerContent = 'certificate' | 'pkcs12' | 'private-key' | 'encrypted-private-key' | 'public-key' | 'csr' | 'unknown';

function describeBinary(b: Buffer, role: Role, label: string): Finding | undefined {
  if (b[0] !== 0x30 || derDeclaredLength(b) !== b.length) return undefined;
  const content = derContent(b);
  if (content === 'pkcs12') {
    return {
      severity: Severity.ERROR,
      code: 'pkcs12-not-pem',
      message: `${label} is a PKCS#12 (PFX) archive, not PEM text`,
      fix: role === 'certificate'
        ? 'extract PEM files: openssl pkcs12 -in cert.pfx -clcerts -nokeys -out cert.pem, append the intermediates with '
          + 'openssl pkcs12 -in cert.pfx -cacerts -nokeys >> cert.pem, and take the key with openssl pkcs12 -in cert.pfx -nocerts -nodes -out key.pem'
        : 'extract the unencrypted key: openssl pkcs12 -in cert.pfx -nocerts -nodes -out key.pem '
          + '(and the certificate with openssl pkcs12 -in cert.pfx -clcerts -nokeys -out cert.pem)',
    };
  }
  const what: Record<DerContent, string> = {
    'certificate': 'a DER (binary) certificate',
    'pkcs12': 'a PKCS#12 archive',
    'private-key': 'a DER (binary) private key',
    'encrypted-private-key': 'a DER (binary) encrypted private key',
    'public-key': 'a DER (binary) public key',
    'csr': 'a DER (binary) certificate signing request',
    'unknown': 'binary ASN.1 (DER) data',
  };
  let fix: string;
  if (role === 'certificate' && content === 'certificate') {
    fix = 'convert it to PEM: openssl x509 -inform der -in cert.der -out cert.pem';
  } else if (role === 'key' && content === 'private-key') {
    fix = 'convert it to PEM: openssl pkey -inform der -in key.der -out key.pem';
  } else if (role === 'key' && content === 'encrypted-private-key') {
    fix = 'decrypt it to PEM: openssl pkey -inform der -in key.der -out key.pem (it asks for the passphrase)';
  } else if (content === 'csr') {
    fix = 'this is a certificate signing request, not a certificate: submit it to your CA and use the certificate it returns';
  } else {
    fix = role === 'certificate'
      ? 'give the PEM certificate chain (text starting with -----BEGIN CERTIFICATE-----), leaf first'
      : 'give the unencrypted PEM private key (a PEM "PRIVATE KEY" block)';
  }
  return {
    severity: Severity.ERROR,
    code: 'der-not-pem',
    message: `${label} is ${what[content]}, not PEM text; the ${role === 'certificate' ? 'certificate' : 'key'} file must be PEM`,
    fix,
  };
}

// Each probe below turns a parse failure into "not this kind"; the caller reports what was found.
function derContent(b: Buffer): DerContent {
  const root = asn1(b);
  if (root && isPfx(root)) return 'pkcs12';
  if (root && isEncryptedPrivateKeyInfo(root)) return 'encrypted-private-key';
  if (root && isCsr(root)) return 'csr';
  if (attempt(() => new X509Certificate(b))) return 'certificate';
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    if (attempt(() => createPrivateKey({ key: b, format: 'der', type }))) return 'private-key';
  }
  if (attempt(() => createPublicKey({ key: b, format: 'der', type: 'spki' }))) return 'public-key';
  return 'unknown';
}

function attempt(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

function asn1(b: Buffer): Asn1Node | undefined {
  try {
    return forgeAsn1.fromDer(b.toString('binary'), true);
  } catch {
    return undefined;
  }
}

function kids(n: Asn1Node | undefined): Asn1Node[] {
  return n && Array.isArray(n.value) ? n.value : [];
}

function isUniversal(n: Asn1Node | undefined, type: Forge.asn1.Type): boolean {
  return n !== undefined && n.tagClass === forgeAsn1.Class.UNIVERSAL && n.type === type;
}

function oidOf(n: Asn1Node | undefined): string | undefined {
  if (!isUniversal(n, forgeAsn1.Type.OID) || typeof n?.value !== 'string') return undefined;
  return forgeAsn1.derToOid(n.value);
}

/** PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo (data or signedData), macData OPTIONAL }. */
function isPfx(root: Asn1Node): boolean {
  const [version, authSafe] = kids(root);
  if (!isUniversal(root, forgeAsn1.Type.SEQUENCE) || !isUniversal(version, forgeAsn1.Type.INTEGER)) return false;
  if (typeof version.value !== 'string' || version.value !== '\x03') return false;
  const contentType = oidOf(kids(authSafe)[0]);
  return contentType === '1.2.840.113549.1.7.1' || contentType === '1.2.840.113549.1.7.2';
}

/** EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier (PBES2, PBE...), OCTET STRING }. */
function isEncryptedPrivateKeyInfo(root: Asn1Node): boolean {
  const parts = kids(root);
  if (parts.length !== 2 || !isUniversal(parts[1], forgeAsn1.Type.OCTETSTRING)) return false;
  const alg = oidOf(kids(parts[0])[0]);
  return alg !== undefined && alg.startsWith('1.2.840.113549.1.5.');
}

/** CertificationRequest ::= SEQUENCE { SEQUENCE { version INTEGER 0, subject, spki, [0] attributes }, alg, sig }. */
function isCsr(root: Asn1Node): boolean {
  const parts = kids(root);
  if (parts.length !== 3) return false;
  const info = kids(parts[0]);
  return info.length === 4
    && isUniversal(info[0], forgeAsn1.Type.INTEGER)
    && info[0].value === '\x00'
    && info[3].tagClass === forgeAsn1.Class.CONTEXT_SPECIFIC
    && info[3].type === 0;
}

function scanText(text: string, role: Role, label: string): PemScan {
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trim());
  const blocks: PemBlock[] = [];
  const findings: Finding[] = [];
  let i = 0;
  while (i < lines.length) {
    const begin = BEGIN_LINE.exec(lines[i]);
    const end = END_LINE.exec(lines[i]);
    if (end) {
      findings.push(truncated(label, role, `has an -----END ${end[1]}----- line at line ${i + 1} without a BEGIN line before it`));
      i++;
      continue;
    }
    if (!begin) {
      i++; // text between blocks (Bag Attributes, subject=, comments) is tolerated
      continue;
    }
    const result = readBlock(lines, i, role, label);
    if ('block' in result) blocks.push(result.block);
    else findings.push(result.finding);
    i = result.next;
  }
  if (blocks.length === 0 && findings.length === 0) {
    findings.push({
      severity: Severity.ERROR,
      code: 'no-pem-block',
      message: `${label} holds no PEM block (no -----BEGIN ...----- line)`,
      fix: role === 'certificate'
        ? 'give the PEM certificate chain: text starting with -----BEGIN CERTIFICATE-----, leaf first'
        : 'give the unencrypted PEM private key: a PEM "PRIVATE KEY" block',
    });
  }
  return { blocks, findings };
}

type BlockResult = { readonly block: PemBlock; readonly next: number } | { readonly finding: Finding; readonly next: number };

/** Reads the block whose BEGIN line is `lines[start]`. */
function readBlock(lines: string[], start: number, role: Role, label: string): BlockResult {
  const blockLabel = (BEGIN_LINE.exec(lines[start]) ?? ['', ''])[1];
  const what = `the ${blockLabel} block at line ${start + 1}`;
  const headers: Record<string, string> = {};
  const headerLines: string[] = [];
  const body: string[] = [];
  let damagedAt: number | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    const end = END_LINE.exec(line);
    if (end) {
      if (end[1] !== blockLabel) {
        return { next: i + 1, finding: truncated(label, role, `${what} ends with -----END ${end[1]}----- at line ${i + 1}`) };
      }
      if (damagedAt !== undefined) {
        return { next: i + 1, finding: truncated(label, role, `${what} is damaged: line ${damagedAt} is not base64`) };
      }
      return finishBlock({ blockLabel, what, headers, headerLines, body, start, end: i, role, label });
    }
    if (BEGIN_LINE.test(line)) {
      return { next: i, finding: truncated(label, role, `${what} has no -----END ${blockLabel}----- line (another BEGIN line follows at line ${i + 1})`) };
    }
    if (body.length === 0 && HEADER_LINE.test(line)) {
      const m = HEADER_LINE.exec(line) ?? ['', '', ''];
      headers[m[1]] = m[2];
      headerLines.push(line);
    } else if (line === '') {
      continue; // the blank line after headers, or stray blank lines
    } else if (BASE64_LINE.test(line)) {
      body.push(line);
    } else if (damagedAt === undefined) {
      damagedAt = i + 1;
    }
  }
  return { next: lines.length, finding: truncated(label, role, `${what} has no -----END ${blockLabel}----- line (the file ends first)`) };
}

interface BlockParts {
  readonly blockLabel: string;
  readonly what: string;
  readonly headers: Record<string, string>;
  readonly headerLines: string[];
  readonly body: string[];
  readonly start: number;
  readonly end: number;
  readonly role: Role;
  readonly label: string;
}

function finishBlock(p: BlockParts): BlockResult {
  const next = p.end + 1;
  const b64 = p.body.join('');
  if (b64 === '') return { next, finding: truncated(p.label, p.role, `${p.what} is empty`) };
  if (!BASE64_BODY.test(b64)) {
    return { next, finding: truncated(p.label, p.role, `${p.what} is damaged: its base64 body has a wrong length or padding`) };
  }
  const der = Buffer.from(b64, 'base64');
  const kind = pemKindOf(p.blockLabel, p.headers);
  // Bodies that are plain DER declare their length; traditional encrypted keys and OTHER blocks may not be DER at all.
  const isDer = kind !== PemKind.OTHER && !(kind === PemKind.ENCRYPTED_PRIVATE_KEY && p.blockLabel !== 'ENCRYPTED PRIVATE KEY');
  const declared = isDer ? derDeclaredLength(der) : undefined;
  if (declared !== undefined && declared !== der.length) {
    const detail = declared > der.length
      ? `is truncated: it holds ${der.length} bytes but its DER header says ${declared}`
      : `is damaged: it holds ${der.length - declared} bytes after the end of its DER content`;
    return { next, finding: truncated(p.label, p.role, `${p.what} ${detail}`) };
  }
  const headerPart = p.headerLines.length > 0 ? `${p.headerLines.join('\n')}\n\n` : '';
  const text = `-----BEGIN ${p.blockLabel}-----\n${headerPart}${p.body.join('\n')}\n-----END ${p.blockLabel}-----\n`;
  return {
    next,
    block: { label: p.blockLabel, kind, der, headers: p.headers, text, line: p.start + 1 },
  };
}

function expected(role: Role): string {
  return role === 'certificate'
    ? 'the PEM certificate chain (-----BEGIN CERTIFICATE----- blocks, leaf first)'
    : 'the unencrypted PEM private key (a PEM "PRIVATE KEY" block)';
}

function empty(label: string, role: Role, what: string): Finding {
  return { severity: Severity.ERROR, code: 'empty', message: `${label} ${what}`, fix: `give ${expected(role)}` };
}

function notAscii(label: string, role: Role, detail: string): Finding {
  return {
    severity: Severity.ERROR,
    code: 'not-ascii',
    message: `${label} is not ASCII text: ${detail}`,
    fix: `the az CLI sends the file as ASCII: give ${expected(role)} and remove non-ASCII characters around the blocks`,
  };
}

function truncated(label: string, role: Role, detail: string): Finding {
  return {
    severity: Severity.ERROR,
    code: 'truncated',
    message: `${label}: ${detail}`,
    fix: `copy the ${role === 'certificate' ? 'certificate' : 'key'} file again from its source, whole: each block runs from -----BEGIN ...----- to the matching -----END ...----- line`,
  };
}
