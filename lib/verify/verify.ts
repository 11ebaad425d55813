import { X509Certificate } from 'node:crypto';
import { Finding, Severity } from '../certificate/findings';
import { CertificateFacts, commonNameOf, inspectCertificate, isWeakSignatureAlgorithm } from '../certificate/inspect';
import { PemKind, scanPem } from '../certificate/pem';
import { HandshakeResult, HandshakeStage } from './handshake';

/**
 * Pure evaluation of a {@link HandshakeResult}: does the endpoint serve, for the cname, a trusted, current certificate
 * (and the expected one)? No I/O, no clock: `now` is passed in.
 */

/** `--min-days` when not given: the same 30 days `report` uses. */
export const DEFAULT_MIN_DAYS = 30;

/** Options of {@link evaluateHandshake}. */
export interface VerifyEvaluationOptions {
  /** The sslCname (already validated, lower case): what the served leaf must cover. */
  readonly cname: string;
  /**
   * PEM text whose first CERTIFICATE block is the leaf azureml-fe should serve (e.g. the cert.pem that was deployed).
   * @default - the served leaf is not compared
   */
  readonly expectedCertificatePem?: Buffer | string;
  /**
   * A display name for `expectedCertificatePem`, e.g. its file name.
   * @default '--expect-cert'
   */
  readonly expectedLabel?: string;
  /**
   * A display name for the trust store when `ca` was given, e.g. `--ca ca.pem`.
   * @default '--ca'
   */
  readonly caLabel?: string;
  /**
   * Warn (`expiring-soon`) when a served certificate has fewer whole days left than this.
   * @default 30
   */
  readonly minDays?: number;
  /** The time validity is evaluated at. */
  readonly now: Date;
}

/** The outcome of {@link evaluateHandshake}. */
export interface VerifyEvaluation {
  /** Errors and warnings with stable codes (`connect-failed`, `tls-failed`, `hostname-mismatch`, `untrusted`, ...). */
  readonly findings: Finding[];
  /** The facts of the served chain, leaf first (aligned with `result.chain`); empty when the handshake failed. */
  readonly served: CertificateFacts[];
  /**
   * The facts of the expected leaf.
   * @default - no expected certificate was given (or it could not be read)
   */
  readonly expected?: CertificateFacts;
  /** Lines saying what was served (printed as `info:` lines). */
  readonly info: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const KUBECTL_SVC = 'kubectl get svc azureml-fe -n azureml';

/**
 * Evaluates one handshake:
 * - `connect-failed` (no TCP connection) and `tls-failed` (no TLS 1.2 handshake) end the evaluation;
 * - `hostname-mismatch`: the served leaf's DNS subjectAltNames do not cover the cname (the CN is ignored, as clients do);
 * - `untrusted`: the chain does not verify against `--ca` or Node's default store (`authorizationError` explained);
 * - `certificate-differs`: the served leaf is not the first certificate of `expectedCertificatePem`;
 * - `expired` / `not-yet-valid` (errors) and `expiring-soon` (warning, fewer than `minDays` days left), per certificate;
 * - `served-unreadable` / `expect-cert-invalid` when a certificate cannot be parsed.
 *
 * Messages carry subjects, names, dates and SHA-256 fingerprints only, never DER or key material.
 */
export function evaluateHandshake(result: HandshakeResult, options: VerifyEvaluationOptions): VerifyEvaluation {
  const address = formatAddress(result.host, result.port);
  const { cname, now } = options;
  const minDays = options.minDays ?? DEFAULT_MIN_DAYS;
  const findings: Finding[] = [];
  const expectedRead = options.expectedCertificatePem === undefined
    ? undefined
    : readExpected(options.expectedCertificatePem, options.expectedLabel ?? '--expect-cert');
  if (expectedRead?.finding) findings.push(expectedRead.finding);
  const expected = expectedRead?.facts;

  if (result.error) {
    findings.unshift(result.error.stage === HandshakeStage.CONNECT
      ? connectFailed(result, address, cname)
      : tlsFailed(result, address, cname));
    return { findings, served: [], expected, info: [] };
  }

  const served: CertificateFacts[] = [];
  for (const [i, c] of result.chain.entries()) {
    try {
      served.push(inspectCertificate(c.der));
    } catch (e) {
      findings.unshift({
        severity: Severity.ERROR,
        code: 'served-unreadable',
        message: `certificate ${i + 1} served by ${address} cannot be read (${(e as Error).message})`,
        fix: `look at what is served: openssl s_client -connect ${address} -servername ${cname} -showcerts`,
      });
      return { findings, served: [], expected, info: [] };
    }
  }
  const leaf = served[0];
  if (!leaf) {
    findings.unshift({
      severity: Severity.ERROR,
      code: 'tls-failed',
      message: `${address} completed a TLS handshake for ${cname} without a certificate`,
      fix: 'check that the port is azureml-fe\'s HTTPS port',
    });
    return { findings, served, expected, info: [] };
  }

  const own: Finding[] = [];
  const nameFinding = hostnameFinding(result.chain[0].der, leaf, cname, address);
  if (nameFinding) own.push(nameFinding);

  const validity = served.flatMap((c, i) => validityFindings(c, i, result.chain[i].inTrustStore, now, minDays));
  const validityErrors = validity.filter((f) => f.severity === Severity.ERROR);
  if (!result.authorized) {
    const code = result.authorizationError ?? 'UNKNOWN';
    // Node checks validity at the real clock; our own expired/not-yet-valid findings already say it better.
    const timeError = code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID';
    if (!(timeError && validityErrors.length > 0)) own.push(untrusted(result, served, code, options.caLabel ?? '--ca', address, cname));
  }

  if (expected && expected.fingerprintSha256 !== leaf.fingerprintSha256) {
    own.push(certificateDiffers(leaf, expected, options.expectedLabel ?? '--expect-cert', address, cname));
  }
  own.push(...validityErrors, ...validity.filter((f) => f.severity === Severity.WARNING));

  const info = [
    `${address} served ${leaf.subject} (sha256 ${leaf.fingerprintSha256}), issued by ${leaf.issuer}, `
      + `for SNI ${cname} over ${result.protocol ?? 'an unknown protocol'}${result.cipher ? ` (${result.cipher})` : ''}`,
  ];
  if (expected && expected.fingerprintSha256 === leaf.fingerprintSha256) {
    info.push(`the served leaf is the certificate in ${options.expectedLabel ?? '--expect-cert'}`);
  }
  return { findings: [...findings, ...own], served, expected, info };
}

/** `host:port`, with an IPv6 address in brackets. */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Whole days from `now` to the end of validity (negative once expired). */
export function daysLeft(c: CertificateFacts, now: Date): number {
  return Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS);
}

function readExpected(pem: Buffer | string, label: string): { facts?: CertificateFacts; finding?: Finding } {
  const scan = scanPem(pem, 'certificate', label);
  const block = scan.blocks.find((b) => b.kind === PemKind.CERTIFICATE);
  const invalid = (detail: string): Finding => ({
    severity: Severity.ERROR,
    code: 'expect-cert-invalid',
    message: `${label} ${detail}`,
    fix: 'give the deployed cert.pem (leaf first): its first CERTIFICATE block is the certificate azureml-fe should serve',
  });
  if (!block) {
    const first = scan.findings[0];
    return { finding: invalid(first ? `cannot be read: ${first.message}` : 'holds no CERTIFICATE block') };
  }
  try {
    return { facts: inspectCertificate(block.der) };
  } catch (e) {
    return { finding: invalid(`has a CERTIFICATE block at line ${block.line} that cannot be read (${(e as Error).message})`) };
  }
}

function connectFailed(result: HandshakeResult, address: string, cname: string): Finding {
  const error = result.error ?? { code: 'ERROR', message: 'unknown error' };
  const notFound = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN';
  const dns = result.host === cname
    ? `check that DNS resolves ${cname} to azureml-fe's external IP (${KUBECTL_SVC}: EXTERNAL-IP)`
    : `check that ${result.host} is azureml-fe's external IP (${KUBECTL_SVC}: EXTERNAL-IP) and that DNS points ${cname} at it`;
  return {
    severity: Severity.ERROR,
    code: 'connect-failed',
    message: `cannot connect to ${address} for ${cname}: ${error.code}: ${error.message}`,
    fix: notFound
      ? `${result.host} does not resolve: ${dns}`
      : `${dns}, and that ${result.port} is its HTTPS port (443 for a LoadBalancer, the node port for NodePort: ${KUBECTL_SVC}: PORT(S)), `
        + 'and that no firewall or network security group blocks it',
  };
}

function tlsFailed(result: HandshakeResult, address: string, cname: string): Finding {
  const error = result.error ?? { code: 'ERROR', message: 'unknown error' };
  const text = `${error.code} ${error.message}`;
  let fix: string;
  if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|protocol version|unsupported protocol|no protocols available/i.test(text)) {
    fix = `${address} does not accept TLS 1.2 (TLS 1.3 only?): azureml-fe serves TLS 1.2 and TLS 1.3 is documented as unsupported; `
      + 'check that the address is azureml-fe itself, not a proxy, gateway or ingress in front of it that allows TLS 1.3 only';
  } else if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long|http request/i.test(text)) {
    fix = `${address} does not speak TLS (plain HTTP?): azureml-fe serves plain HTTP when allowInsecureConnections=True; `
      + 'for HTTPS set it to False with sslSecret (or sslCertPemFile/sslKeyPemFile) and sslCname, or check the port';
  } else if (error.code === 'ETIMEDOUT') {
    fix = `the TCP connection was accepted but no TLS handshake followed: check that ${result.port} is azureml-fe's HTTPS port (${KUBECTL_SVC}) and that no proxy holds the connection`;
  } else {
    fix = `check that ${result.port} is azureml-fe's HTTPS port (${KUBECTL_SVC}) and that the azureml-fe pods are running `
      + '(kubectl get pods -n azureml); an invalid TLS setting shows as health-check error E40007 INVALID_SSL_SETTING';
  }
  return {
    severity: Severity.ERROR,
    code: 'tls-failed',
    message: `the TLS handshake with ${address} (SNI ${cname}, TLS 1.2 only, the protocol azureml-fe serves) failed: ${error.code}: ${error.message}`,
    fix,
  };
}

function hostnameFinding(der: Buffer, leaf: CertificateFacts, cname: string, address: string): Finding | undefined {
  // The way TLS clients match (OpenSSL's X509_check_host): DNS subjectAltNames only, one-label wildcards.
  let covered: boolean;
  try {
    covered = new X509Certificate(der).checkHost(cname, { subject: 'never', partialWildcards: false }) !== undefined;
  } catch {
    covered = false;
  }
  if (covered) return undefined;
  const names = [...leaf.dnsNames.map((n) => `DNS:${n}`), ...leaf.ipAddresses.map((n) => `IP:${n}`)];
  return {
    severity: Severity.ERROR,
    code: 'hostname-mismatch',
    message: leaf.hasSubjectAltName
      ? `the certificate served by ${address} (${leaf.subject}) does not cover ${cname}: its subjectAltNames are ${names.join(', ') || '(empty)'}`
      : `the certificate served by ${address} (${leaf.subject}) has no subjectAltName: clients ignore the CN (${commonNameOf(leaf.subject)}) and reject it for ${cname}`,
    fix: `serve a certificate with DNS:${cname} in its subjectAltName, or, if ${cname} is the wrong name, correct --cname and sslCname`,
  };
}

function untrusted(result: HandshakeResult, served: CertificateFacts[], code: string, caLabel: string, address: string, cname: string): Finding {
  const store = result.trustStore === 'ca' ? caLabel : 'Node\'s default CA store (its bundled public roots)';
  const top = served[served.length - 1];
  const showcerts = `openssl s_client -connect ${address} -servername ${cname} -showcerts`;
  let why: string;
  let fix: string;
  // OpenSSL 3 refuses SHA-1 and MD5 signatures at its default security level, but says only UNSPECIFIED (or
  // CA_MD_TOO_WEAK): name the weak certificate, which is what needs reissuing. A trust anchor's own signature is
  // never checked, so a self-signed root signed with SHA-1 is not the cause.
  const weak = served.findIndex((c, i) => isWeakSignatureAlgorithm(c.signatureAlgorithm) && !(i > 0 && i === served.length - 1 && c.subject === c.issuer));
  if (weak >= 0 && !['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'].includes(code)) {
    const c = served[weak];
    const which = weak === 0 ? 'the served leaf' : `served certificate ${weak + 1}`;
    return {
      severity: Severity.ERROR,
      code: 'untrusted',
      message: `the chain served by ${address} does not verify against ${store}: ${code}: ${which} (${c.subject}) is signed with `
        + `${c.signatureAlgorithm}; OpenSSL 3, browsers and current clients reject SHA-1 and MD5 signatures`,
      fix: `reissue ${weak === 0 ? 'the certificate' : 'that CA certificate'} with a SHA-256 (or stronger) signature, e.g. openssl req/x509 -sha256, then update the Secret or protected settings`,
    };
  }
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      why = `the issuer of the leaf (${served[0].issuer}) is neither served nor trusted`;
      fix = 'likely a missing intermediate: cert.pem must hold the leaf then every intermediate CA certificate '
        + '(cat leaf.pem intermediate.pem > cert.pem), then update the Secret or protected settings'
        + (result.trustStore === 'default' ? '; for a private CA, pass its certificate with --ca' : `; or give the issuing CA in ${caLabel}`);
      break;
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      why = `the chain ends at ${top.subject}, whose issuer (${top.issuer}) is not trusted`;
      fix = result.trustStore === 'ca'
        ? `give the root CA that issued the chain (${top.issuer}) in ${caLabel}`
        : `a private CA: pass its root with --ca (clients must trust it too); a public CA: append the missing intermediate to cert.pem (check with ${showcerts})`;
      break;
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      why = `the chain ends at the root ${top.subject}, which is not trusted`;
      fix = `if it is your private CA, pass it with --ca (every client must trust it too); otherwise serve a chain from a trusted CA`;
      break;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      why = 'the served certificate is self-signed';
      fix = 'self-signed certificates are for development only: production needs a CA-issued certificate; to verify a development endpoint pass the certificate (or its CA) with --ca';
      break;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      why = 'a certificate of the chain is outside its validity at this machine\'s clock';
      fix = `look at the dates of every certificate: ${showcerts}`;
      break;
    default:
      why = 'OpenSSL rejects the chain';
      fix = `look at the chain: ${showcerts}`;
  }
  return {
    severity: Severity.ERROR,
    code: 'untrusted',
    message: `the chain served by ${address} does not verify against ${store}: ${code}: ${why}`,
    fix,
  };
}

function certificateDiffers(leaf: CertificateFacts, expected: CertificateFacts, label: string, address: string, cname: string): Finding {
  return {
    severity: Severity.ERROR,
    code: 'certificate-differs',
    message: `${address} serves ${leaf.subject} (sha256 ${leaf.fingerprintSha256}, not after ${leaf.notAfter.toISOString()}) `
      + `but ${label} holds ${expected.subject} (sha256 ${expected.fingerprintSha256}, not after ${expected.notAfter.toISOString()})`,
    fix: 'the Secret or protected settings were updated but azureml-fe still serves the old certificate: re-apply the settings '
      + '(az k8s-extension update ... --config-protected / --config, with --yes) or restart azureml-fe '
      + `(kubectl rollout restart deployment azureml-fe -n azureml); also check that DNS points ${cname} at this cluster's azureml-fe (${KUBECTL_SVC})`,
  };
}

function validityFindings(c: CertificateFacts, index: number, inTrustStore: boolean, now: Date, minDays: number): Finding[] {
  const which = `${index === 0 ? 'the served leaf' : `served certificate ${index + 1}`} ${c.subject}`;
  if (c.notBefore.getTime() > now.getTime()) {
    return [{
      severity: Severity.ERROR,
      code: 'not-yet-valid',
      message: `${which} is not valid until ${c.notBefore.toISOString()} (evaluated at ${now.toISOString()})`,
      fix: 'check the clock of the machine that issued it; wait until it is valid, or issue it again with a start in the past',
    }];
  }
  const days = daysLeft(c, now);
  if (c.notAfter.getTime() < now.getTime()) {
    return [{
      severity: Severity.ERROR,
      code: 'expired',
      message: `${which} expired on ${c.notAfter.toISOString()} (${-days} days before ${now.toISOString()})`,
      fix: 'renew the certificate, update the Secret or protected settings with it, and run verify again',
    }];
  }
  if (days < minDays && (index === 0 || !inTrustStore)) {
    return [{
      severity: Severity.WARNING,
      code: 'expiring-soon',
      message: `${which} expires on ${c.notAfter.toISOString()}: ${days} days left (fewer than --min-days ${minDays})`,
      fix: 'renew it before then and update the Secret or protected settings',
    }];
  }
  return [];
}
