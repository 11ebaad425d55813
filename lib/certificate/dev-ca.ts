import * as crypto from 'node:crypto';
import type * as Forge from 'node-forge';

/**
 * Development certificates the way mkcert makes them: a local CA, and leaves it signs for a cname plus extra names,
 * so clients can be made to trust the CA (`curl --cacert ca.pem`). The doc allows self-signed certificates for
 * development only (spec section 1). Pure: `now` is passed in; keys come from node:crypto (native, ~0.3 s for
 * RSA-2048), X.509 building from node-forgeLib().
 */

/** A certificate and its private key, PEM. */
export interface PemPair {
  /** The certificate (for a leaf: leaf then CA, the full chain azureml-fe expects). */
  readonly certificatePem: string;
  /** The unencrypted PKCS#8 private key. */
  readonly privateKeyPem: string;
}

/** Options for {@link createDevCa}. */
export interface DevCaOptions {
  /** Start of validity. */
  readonly now: Date;
  /**
   * Validity in days.
   * @default 3650
   */
  readonly days?: number;
  /**
   * RSA modulus size.
   * @default 2048
   */
  readonly keyBits?: number;
  /**
   * The CA's common name.
   * @default 'cdk8s-azureml-tls development CA'
   */
  readonly commonName?: string;
}

/** Options for {@link issueDevCertificate}. */
export interface DevCertificateOptions {
  /** The sslCname: the leaf's first DNS SAN and its CN. */
  readonly cname: string;
  /**
   * More DNS names for the SAN.
   * @default - none
   */
  readonly extraNames?: string[];
  /** Start of validity. */
  readonly now: Date;
  /**
   * Validity in days.
   * @default 90
   */
  readonly days?: number;
  /**
   * RSA modulus size.
   * @default 2048
   */
  readonly keyBits?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

// The full node-forge (X.509 building) only when a development certificate is made: it is slow to load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forgeLib = (): typeof Forge => require('node-forge');

/** Creates a development CA (CA:TRUE, pathlen 0, keyCertSign), self-signed with SHA-256. */
export function createDevCa(options: DevCaOptions): PemPair {
  const { publicKey, privateKey, privateKeyPem } = generateRsa(options.keyBits ?? 2048);
  const cert = forgeLib().pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, options.now, options.days ?? 3650);
  const subject = [
    { name: 'organizationName', value: 'cdk8s-azureml-tls development CA' },
    { name: 'commonName', value: options.commonName ?? 'cdk8s-azureml-tls development CA' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forgeLib().md.sha256.create());
  return { certificatePem: normalizePem(forgeLib().pki.certificateToPem(cert)), privateKeyPem };
}

/**
 * Issues a server certificate for `cname` (and `extraNames`) signed by `ca`: SAN with every name, serverAuth EKU,
 * CA:FALSE. `certificatePem` is the leaf followed by the CA certificate.
 */
export function issueDevCertificate(ca: PemPair, options: DevCertificateOptions): PemPair {
  const caCert = forgeLib().pki.certificateFromPem(ca.certificatePem);
  const caKey = forgeLib().pki.privateKeyFromPem(ca.privateKeyPem);
  const { publicKey, privateKeyPem } = generateRsa(options.keyBits ?? 2048);
  const names = [...new Set([options.cname, ...(options.extraNames ?? [])].map((n) => n.toLowerCase()))];
  const cert = forgeLib().pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, options.now, options.days ?? 90);
  cert.setSubject([
    { name: 'organizationName', value: 'cdk8s-azureml-tls development certificate' },
    { name: 'commonName', value: names[0] },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forgeLib().md.sha256.create());
  return { certificatePem: normalizePem(forgeLib().pki.certificateToPem(cert)) + ca.certificatePem, privateKeyPem };
}

function generateRsa(bits: number): { publicKey: Forge.pki.rsa.PublicKey; privateKey: Forge.pki.rsa.PrivateKey; privateKeyPem: string } {
  const pair = crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const privateKey = forgeLib().pki.privateKeyFromPem(privateKeyPem) as Forge.pki.rsa.PrivateKey;
  const publicKey = forgeLib().pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { publicKey, privateKey, privateKeyPem };
}

// A positive 16-byte serial (RFC 5280: at most 20 octets, non-negative).
function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x10;
  return bytes.toString('hex');
}

function setValidity(cert: Forge.pki.Certificate, now: Date, days: number): void {
  // Whole seconds: X.509 times have no fractions, so the stored certificate round-trips exactly.
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  cert.validity.notBefore = start;
  cert.validity.notAfter = new Date(start.getTime() + days * DAY_MS);
}

function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trim()}\n`;
}
