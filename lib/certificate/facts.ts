// What the certificate checks report: plain data, no node:crypto types, so the public declarations need no Node typings.
import { Finding } from './findings';

/** The algorithm of a public or private key. */
export enum KeyType {
  /** RSA (including RSA-PSS keys). */
  RSA = 'rsa',
  /** ECDSA on a named curve. */
  EC = 'ec',
  /** Ed25519. */
  ED25519 = 'ed25519',
  /** Ed448. */
  ED448 = 'ed448',
  /** Anything else (DSA, ...). */
  OTHER = 'other',
}

/** What validation needs to know about one certificate. */
export interface CertificateFacts {
  /** The subject as `O=..., CN=...`. */
  readonly subject: string;
  /** The issuer as `O=..., CN=...`. */
  readonly issuer: string;
  /** DNS names of the subjectAltName extension, as written (wildcards included). */
  readonly dnsNames: string[];
  /** IP addresses of the subjectAltName extension. */
  readonly ipAddresses: string[];
  /** Whether the certificate has a subjectAltName extension at all. */
  readonly hasSubjectAltName: boolean;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** Serial number, upper-case hex. */
  readonly serialNumber: string;
  /** SHA-256 fingerprint, `AA:BB:...` upper-case hex. */
  readonly fingerprintSha256: string;
  /** The type of the subject public key. */
  readonly keyType: KeyType;
  /**
   * RSA modulus bits, or EC curve bits.
   * @default - not known (Ed25519, Ed448, unknown curves)
   */
  readonly keySize?: number;
  /**
   * The EC curve, e.g. `prime256v1`.
   * @default - not an EC key
   */
  readonly curve?: string;
  /** The signature algorithm, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519`, or its OID. */
  readonly signatureAlgorithm: string;
  /** basicConstraints CA:TRUE. */
  readonly isCa: boolean;
  /**
   * Extended key usage OIDs.
   * @default - the certificate has no extended key usage extension (any usage)
   */
  readonly extendedKeyUsage?: string[];
  /** Subject and issuer are the same name and the signature verifies with the certificate's own key. */
  readonly selfSigned: boolean;
}

/** What validation needs to know about a key. */
export interface KeyFacts {
  /** The key algorithm. */
  readonly keyType: KeyType;
  /**
   * RSA modulus bits, or EC curve bits.
   * @default - not known
   */
  readonly keySize?: number;
  /**
   * The EC curve, e.g. `prime256v1`.
   * @default - not an EC key
   */
  readonly curve?: string;
}

/** The outcome of the certificate checks (`TlsValidator.validate()`): the chain's facts and every finding. */
export interface TlsReport {
  /** Every problem found, errors and warnings. Messages never contain key material. */
  readonly findings: Finding[];
  /** The certificates of the certificate file that could be parsed, in file order (the leaf should be first). */
  readonly chain: CertificateFacts[];
  /**
   * The private key, when the key file holds exactly one readable, unencrypted key.
   * @default - no key was given, or it could not be read
   */
  readonly key?: KeyFacts;
  /**
   * The sslCname, lower case, when it was given and is valid.
   * @default - no valid cname
   */
  readonly cname?: string;
}
