import { KeyObject, X509Certificate } from 'node:crypto';
import { asn1 as forgeAsn1, Asn1Node } from './asn1';

import { CertificateFacts, KeyFacts, KeyType } from './facts';

export { KeyType } from './facts';
export type { CertificateFacts, KeyFacts } from './facts';


const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.3': 'md4WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSA',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';
const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
};

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
  prime192v1: 192,
};

const EXT_SUBJECT_ALT_NAME = '2.5.29.17';
const EXT_BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_EXTENDED_KEY_USAGE = '2.5.29.37';

/**
 * Reads the facts of one DER certificate. Parsing uses node:crypto; the signature algorithm, validity dates and the
 * extensions are read from the DER structure (Node 20's X509Certificate does not expose them reliably).
 *
 * @param der the certificate's DER
 * @param x509 the same certificate already parsed, when the caller has it (so it is not parsed twice)
 * @throws Error when the DER is not a certificate (validation turns that into a finding)
 */
export function inspectCertificate(der: Buffer, x509: X509Certificate = new X509Certificate(der)): CertificateFacts {
  const parts = readStructure(der);
  const key = inspectKey(x509.publicKey);
  return {
    subject: formatName(x509.subject),
    issuer: formatName(x509.issuer),
    dnsNames: parts.dnsNames,
    ipAddresses: parts.ipAddresses,
    hasSubjectAltName: parts.hasSubjectAltName,
    notBefore: parts.notBefore,
    notAfter: parts.notAfter,
    serialNumber: x509.serialNumber.toUpperCase(),
    fingerprintSha256: x509.fingerprint256,
    keyType: key.keyType,
    keySize: key.keySize,
    curve: key.curve,
    signatureAlgorithm: parts.signatureAlgorithm,
    isCa: parts.isCa,
    extendedKeyUsage: parts.extendedKeyUsage,
    // Not checkIssued(self): OpenSSL also wants keyCertSign there, which self-signed server certificates rarely have.
    selfSigned: x509.subject === x509.issuer && x509.verify(x509.publicKey),
  };
}

/** Reads the type and size of a public or private key. */
export function inspectKey(key: KeyObject): KeyFacts {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { keyType: KeyType.RSA, keySize: details.modulusLength };
    case 'ec': {
      const curve = details.namedCurve;
      return { keyType: KeyType.EC, keySize: curve !== undefined ? CURVE_BITS[curve] : undefined, curve };
    }
    case 'ed25519':
      return { keyType: KeyType.ED25519 };
    case 'ed448':
      return { keyType: KeyType.ED448 };
    default:
      return { keyType: KeyType.OTHER, keySize: details.modulusLength };
  }
}

/** True for signature algorithms built on MD2, MD4, MD5 or SHA-1, which clients reject. */
export function isWeakSignatureAlgorithm(signatureAlgorithm: string): boolean {
  return /(md[245]|sha-?1)(?![0-9])/i.test(signatureAlgorithm);
}

/** `CN=x` of a subject or issuer as formatted by {@link CertificateFacts}, or the whole name when it has no CN. */
export function commonNameOf(name: string): string {
  const cn = name.split(', ').filter((part) => part.startsWith('CN=')).pop();
  return cn ?? (name === '' ? '(empty subject)' : name);
}

/** Node prints names one attribute a line; messages want one line. */
function formatName(name: string): string {
  return name.split('\n').filter((l) => l !== '').join(', ');
}

interface DerParts {
  readonly signatureAlgorithm: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly hasSubjectAltName: boolean;
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly isCa: boolean;
  readonly extendedKeyUsage?: string[];
}

type Node = Asn1Node;

function kids(n: Node | undefined): Node[] {
  return n && Array.isArray(n.value) ? n.value : [];
}

function bytesOf(n: Node | undefined): string {
  return n && typeof n.value === 'string' ? n.value : '';
}

function oidOf(n: Node | undefined): string {
  if (!n || n.tagClass !== forgeAsn1.Class.UNIVERSAL || n.type !== forgeAsn1.Type.OID) {
    throw new Error('certificate structure: expected an OID');
  }
  return forgeAsn1.derToOid(bytesOf(n));
}

function timeOf(n: Node | undefined, which: string): Date {
  let time: Date | undefined;
  if (n?.type === forgeAsn1.Type.UTCTIME) time = forgeAsn1.utcTimeToDate(bytesOf(n));
  if (n?.type === forgeAsn1.Type.GENERALIZEDTIME) time = forgeAsn1.generalizedTimeToDate(bytesOf(n));
  if (time === undefined) throw new Error(`certificate structure: expected a time for ${which}`);
  // A time outside what a Date holds (or digits that are no time, e.g. a certificate issued for 99999999999 days)
  // would make every expiry comparison false: such a certificate is unreadable, not valid forever.
  if (Number.isNaN(time.getTime())) throw new Error(`certificate structure: ${which} ${JSON.stringify(bytesOf(n).slice(0, 20))} is not a valid time`);
  return time;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 4.1). */
function readStructure(der: Buffer): DerParts {
  const root = forgeAsn1.fromDer(der.toString('binary'), true);
  const [tbs, signatureAlgorithm] = kids(root);
  const fields = kids(tbs);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, spki, [1], [2], [3] extensions
  const offset = fields[0]?.tagClass === forgeAsn1.Class.CONTEXT_SPECIFIC && fields[0].type === 0 ? 1 : 0;
  const validity = kids(fields[offset + 3]);
  const extensionsWrapper = fields.find((f) => f.tagClass === forgeAsn1.Class.CONTEXT_SPECIFIC && f.type === 3);
  // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }; only the
  // extensions read below are decoded, so an exotic one elsewhere cannot make the certificate unreadable.
  const extensions = new Map<string, string>();
  for (const ext of kids(kids(extensionsWrapper)[0])) {
    const e = kids(ext);
    extensions.set(oidOf(e[0]), bytesOf(e[e.length - 1]));
  }
  const extension = (oid: string): Node | undefined => {
    const value = extensions.get(oid);
    return value === undefined ? undefined : forgeAsn1.fromDer(value, true);
  };
  const san = extension(EXT_SUBJECT_ALT_NAME);
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of kids(san)) {
    if (name.tagClass !== forgeAsn1.Class.CONTEXT_SPECIFIC) continue;
    if (name.type === 2) dnsNames.push(bytesOf(name));
    if (name.type === 7) ipAddresses.push(formatIp(bytesOf(name)));
  }
  const basic = kids(extension(EXT_BASIC_CONSTRAINTS));
  const isCa = basic[0]?.type === forgeAsn1.Type.BOOLEAN && bytesOf(basic[0]) !== '\x00';
  const eku = extension(EXT_EXTENDED_KEY_USAGE);
  return {
    signatureAlgorithm: signatureAlgorithmName(signatureAlgorithm),
    notBefore: timeOf(validity[0], 'notBefore'),
    notAfter: timeOf(validity[1], 'notAfter'),
    hasSubjectAltName: san !== undefined,
    dnsNames,
    ipAddresses,
    isCa,
    extendedKeyUsage: eku ? kids(eku).map(oidOf) : undefined,
  };
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
function signatureAlgorithmName(algorithmIdentifier: Node | undefined): string {
  const [algorithm, parameters] = kids(algorithmIdentifier);
  const oid = oidOf(algorithm);
  if (oid !== RSASSA_PSS) return SIGNATURE_ALGORITHMS[oid] ?? oid;
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... } (RFC 4055)
  const hashField = kids(parameters).find((p) => p.tagClass === forgeAsn1.Class.CONTEXT_SPECIFIC && p.type === 0);
  const hashOid = hashField ? oidOf(kids(kids(hashField)[0])[0]) : '1.3.14.3.2.26';
  return `rsassaPss(${HASH_ALGORITHMS[hashOid] ?? hashOid})`;
}

function formatIp(bytes: string): string {
  const b = Buffer.from(bytes, 'binary');
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return b.toString('hex');
}
