import { isIPv6 } from 'node:net';
import { Finding, formatFinding, Severity } from '../certificate/findings';
import { CertificateFacts } from '../certificate/inspect';
import { PemKind, scanPem } from '../certificate/pem';
import { readPemFile } from '../certificate/read';
import { validateCname } from '../certificate/validate';
import { handshake, HandshakeResult } from '../verify/handshake';
import { ResolvedAddress, resolveCname, Resolver, systemResolver } from '../verify/resolve';
import { daysLeft, DEFAULT_MIN_DAYS, evaluateHandshake, formatAddress, VerifyEvaluation } from '../verify/verify';
import { CommandIo } from './commands';

/** The usage text of `verify`, for `--help` and usage errors. */
export const VERIFY_USAGE = `Usage: azureml-tls verify --cname NAME [--connect HOST[:PORT] | --port PORT] [--ca FILE] [--expect-cert FILE] [--min-days D] [--timeout MS] [--at ISO-DATE] [--json]

  --cname NAME          the sslCname: sent as SNI; the served leaf must cover it
  --connect HOST:PORT   where azureml-fe answers: the cname itself, or its external IP
                        (kubectl get svc azureml-fe -n azureml); [IPV6]:PORT for IPv6; the port defaults to 443.
                        Without --connect, the cname is resolved, where it points is printed, and that address
                        is connected to (this checks the DNS record too; 'azureml-tls dns' prints the record)
  --port PORT           the port to connect to when the cname is resolved (default 443)
  --ca FILE             trust the PEM CA certificates in FILE instead of Node's bundled public roots
  --expect-cert FILE    the deployed cert.pem: its first certificate must be the leaf that is served
  --min-days D          warn when a served certificate has fewer than D days left (default ${DEFAULT_MIN_DAYS})
  --timeout MS          deadline for the connection and the handshake, in milliseconds (default 10000)
  --at DATE             evaluate validity at this time instead of now (ISO 8601)
  --json                print one JSON document (for CI)
  -h, --help            show this help

Connects with TLS 1.2 only (what azureml-fe serves; TLS 1.3 is documented as unsupported), then prints the served
chain (subject, SANs, issuer, validity, SHA-256 fingerprint) and protocol, one 'error:' or 'warning:' line per
finding, and a verdict. Certificates are shown by subject and fingerprint only.
Exit codes: 0 verified (warnings such as expiring-soon allowed), 1 any error (a cname that does not resolve, no
connection, no TLS 1.2 handshake, wrong name, untrusted chain, a different or expired certificate, or an invalid
value), 2 unknown or missing flags.`;

/** Options of `verify`. */
export interface VerifyCommandOptions {
  /** The sslCname: the SNI name, which the served leaf must cover. */
  readonly cname: string;
  /**
   * `HOST:PORT`, `[IPV6]:PORT`, or `HOST` alone for port 443.
   * @default - the cname is resolved with `resolver` and its first address is connected to on `port`
   */
  readonly connect?: string;
  /**
   * The port when `connect` is not given.
   * @default 443
   */
  readonly port?: number;
  /**
   * Resolves the cname when `connect` is not given (tests point it at 127.0.0.1).
   * @default - the system resolver (getaddrinfo), as clients resolve the name
   */
  readonly resolver?: Resolver;
  /**
   * A PEM file of CA certificates to trust.
   * @default - Node's default CA store
   */
  readonly ca?: string;
  /**
   * A PEM file (the deployed cert.pem) whose first certificate must be the served leaf.
   * @default - the served leaf is not compared
   */
  readonly expectCert?: string;
  /**
   * Warn when a served certificate has fewer whole days left.
   * @default 30
   */
  readonly minDays?: number;
  /** Print one JSON document instead of the text report. @default false */
  readonly json?: boolean;
  /**
   * Deadline of the connection and handshake in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * The time validity is evaluated at (the handshake itself is checked by OpenSSL at the real clock).
   * @default - the current time
   */
  readonly now?: Date;
}

/** The port used when `--connect` gives none: azureml-fe's HTTPS port behind a LoadBalancer. */
export const DEFAULT_VERIFY_PORT = 443;
/** `--timeout` when not given. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 10_000;
/** The largest `--timeout` (what a Node timer can hold). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Parses `--connect`: `HOST:PORT`, `[IPV6]:PORT`, or `HOST` / `[IPV6]` alone for port {@link DEFAULT_VERIFY_PORT}. The
 * port must be 1-65535; an IPv6 address must be in brackets; a scheme or path is refused with a corrected value.
 */
export function parseConnect(value: string): { readonly host: string; readonly port: number } | { readonly finding: Finding } {
  const invalid = (detail: string, fix = 'give HOST:PORT, e.g. --connect ml.example.com:443, --connect 20.1.2.3:443 or --connect [2001:db8::1]:443'): { finding: Finding } => ({
    finding: { severity: Severity.ERROR, code: 'connect-invalid', message: `--connect ${JSON.stringify(value)} ${detail}`, fix },
  });
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)/.exec(value);
  if (scheme) return invalid('has a scheme', `give HOST:PORT without it: --connect ${scheme[1] || 'HOST:PORT'}`);
  if (value === '' || /[\s/]/.test(value)) return invalid('is not HOST:PORT (it is empty, or has spaces or a path)');
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2];
    if (!isIPv6(host)) return invalid(`has ${JSON.stringify(host)} in brackets, which is not an IPv6 address`);
  } else {
    const parts = value.split(':');
    if (parts.length > 2) return invalid('has more than one colon: an IPv6 address must be in brackets', 'give [IPV6]:PORT, e.g. --connect [2001:db8::1]:443');
    [host, port] = parts;
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/.test(host) || host.includes('..')) {
      return invalid(`has ${JSON.stringify(host)} as host, which is not a host name or IPv4 address`);
    }
  }
  if (port === undefined) return { host, port: DEFAULT_VERIFY_PORT };
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) return invalid(`has ${JSON.stringify(port)} as port, which is not a port number from 1 to 65535`);
  return { host, port: n };
}

/**
 * Runs verify: a TLS 1.2 handshake with `--connect`, sending `--cname` as SNI, then a report of the served chain and
 * one `error:` / `warning:` line per finding (see {@link evaluateHandshake}), and a verdict line; `--json` prints
 * one JSON document instead. Returns 0 when verified (warnings allowed), 1 on any error, including invalid values
 * (then no connection is attempted). Never prints DER or key material.
 */
export async function runVerifyCommand(options: VerifyCommandOptions, io: CommandIo): Promise<number> {
  const now = options.now ?? new Date();
  const input = readInput(options);
  if (!input.ok) return report({ options, now, findings: input.findings, io });

  let host = input.host;
  let resolved: readonly ResolvedAddress[] | undefined;
  if (options.connect === undefined) {
    // Resolve as a client would, so a missing or stale record shows up here (spec section 5: the FQDN points at
    // azureml-fe's external IP). The first address is the one getaddrinfo's ordering puts first, as clients try.
    const r = await resolveCname(input.cname, options.resolver ?? systemResolver, input.timeoutMs);
    if (r.finding) return report({ options, now, findings: [...input.findings, r.finding], io, cname: input.cname, minDays: input.minDays });
    resolved = r.addresses;
    host = r.addresses[0].address;
    if (!options.json) {
      const others = r.addresses.length > 1 ? `; connecting to the first, ${host}` : '';
      io.out(`${input.cname} resolves to ${r.addresses.map((a) => a.address).join(', ')}${others}`);
    }
  }

  const result = await handshake({ host, port: input.port, servername: input.cname, ca: input.ca, timeoutMs: input.timeoutMs });
  const evaluation = evaluateHandshake(result, {
    cname: input.cname,
    expectedCertificatePem: input.expected,
    expectedLabel: options.expectCert,
    caLabel: `--ca ${options.ca ?? ''}`,
    minDays: input.minDays,
    now,
  });
  return report({ options, now, findings: [...input.findings, ...evaluation.findings], io, cname: input.cname, minDays: input.minDays, result, evaluation, resolved });
}

type Input =
  | { readonly ok: false; readonly findings: Finding[] }
  | {
    readonly ok: true;
    readonly findings: Finding[];
    readonly cname: string;
    readonly host: string;
    readonly port: number;
    readonly minDays: number;
    readonly timeoutMs: number;
    readonly ca?: Buffer;
    readonly expected?: string;
  };

/** Validates the values and reads the files; nothing here touches the network. */
function readInput(options: VerifyCommandOptions): Input {
  const findings: Finding[] = [];
  const name = validateCname(options.cname, '--cname');
  findings.push(...name.findings);
  const connect = options.connect !== undefined
    ? parseConnect(options.connect)
    : { host: name.cname ?? options.cname, port: options.port ?? DEFAULT_VERIFY_PORT };
  if ('finding' in connect) findings.push(connect.finding);
  if (options.connect !== undefined && options.port !== undefined) {
    findings.push({ severity: Severity.ERROR, code: 'port-with-connect', message: '--port is for a resolved cname; with --connect the port is part of it', fix: `give --connect HOST:${options.port}` });
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 1 && options.port <= 65535)) {
    findings.push({ severity: Severity.ERROR, code: 'port-invalid', message: `--port ${JSON.stringify(String(options.port))} is not a port number from 1 to 65535`, fix: `e.g. --port ${DEFAULT_VERIFY_PORT}` });
  }
  const minDays = options.minDays ?? DEFAULT_MIN_DAYS;
  if (!Number.isInteger(minDays) || minDays < 0) {
    findings.push({ severity: Severity.ERROR, code: 'min-days-invalid', message: `--min-days ${JSON.stringify(String(options.minDays))} is not a whole number of days of at least 0`, fix: `e.g. --min-days ${DEFAULT_MIN_DAYS}` });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    findings.push({ severity: Severity.ERROR, code: 'timeout-invalid', message: `--timeout ${JSON.stringify(String(options.timeoutMs))} is not a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`, fix: `e.g. --timeout ${DEFAULT_VERIFY_TIMEOUT_MS}` });
  }
  const ca = options.ca === undefined ? undefined : readCertificates(options.ca, '--ca');
  const expected = options.expectCert === undefined ? undefined : readCertificates(options.expectCert, '--expect-cert');
  findings.push(...(ca?.findings ?? []), ...(expected?.findings ?? []));
  if (findings.some((f) => f.severity === Severity.ERROR) || name.cname === undefined || 'finding' in connect) {
    return { ok: false, findings };
  }
  return {
    ok: true,
    findings,
    cname: name.cname,
    host: connect.host,
    port: connect.port,
    minDays,
    timeoutMs,
    ca: ca?.pems ? Buffer.from(ca.pems.join('')) : undefined,
    expected: expected?.pems?.[0],
  };
}

/** The CERTIFICATE blocks of a PEM file (normalized PEM text); other blocks are ignored with a warning naming their labels. */
function readCertificates(file: string, flag: string): { readonly pems?: string[]; readonly findings: Finding[] } {
  const read = readPemFile(file, 'certificate');
  if (!read.bytes) {
    return {
      findings: read.findings.map((f) => ({
        ...f,
        message: `${flag}: ${f.message}`,
        fix: flag === '--ca' && f.code === 'file-not-found' ? 'check the path: give the PEM certificate of the CA that issued the chain' : f.fix,
      })),
    };
  }
  const scan = scanPem(read.bytes, 'certificate', `${flag} ${file}`);
  if (scan.findings.length > 0) return { findings: scan.findings };
  const pems = scan.blocks.filter((b) => b.kind === PemKind.CERTIFICATE).map((b) => b.text);
  const others = scan.blocks.filter((b) => b.kind !== PemKind.CERTIFICATE);
  const findings: Finding[] = [];
  if (pems.length === 0) {
    findings.push({
      severity: Severity.ERROR,
      code: flag === '--ca' ? 'ca-invalid' : 'expect-cert-invalid',
      message: `${flag} ${file} holds no CERTIFICATE block (it holds ${others.map((b) => b.label).join(', ')})`,
      fix: flag === '--ca' ? 'give the PEM certificate of the CA that issued the chain' : 'give the deployed cert.pem (leaf first)',
    });
    return { findings };
  }
  if (others.length > 0) {
    findings.push({
      severity: Severity.WARNING,
      code: 'ignored-blocks',
      message: `${flag} ${file} also holds ${others.length} block(s) that are not certificates (${[...new Set(others.map((b) => b.label))].join(', ')}); they were ignored`,
      fix: `give ${flag} a file of certificates only${others.some((b) => b.kind === PemKind.PRIVATE_KEY || b.kind === PemKind.ENCRYPTED_PRIVATE_KEY) ? ', and keep private keys out of files passed around for verification' : ''}`,
    });
  }
  return { pems, findings };
}

interface ReportInput {
  readonly options: VerifyCommandOptions;
  readonly now: Date;
  readonly findings: Finding[];
  readonly io: CommandIo;
  readonly cname?: string;
  readonly minDays?: number;
  readonly result?: HandshakeResult;
  readonly evaluation?: VerifyEvaluation;
  /** The addresses the cname resolved to, when there was no --connect. */
  readonly resolved?: readonly ResolvedAddress[];
}

function report(r: ReportInput): number {
  const { options, now, findings, io, result, evaluation } = r;
  const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
  const warnings = findings.length - errors;
  const verified = errors === 0 && result !== undefined;
  const served = evaluation?.served ?? [];
  const chain = served.map((c, i) => ({ facts: c, inTrustStore: result?.chain[i]?.inTrustStore === true }));
  const address = result ? formatAddress(result.host, result.port) : options.connect ?? formatAddress(r.cname ?? options.cname, options.port ?? DEFAULT_VERIFY_PORT);

  if (options.json) {
    io.out(JSON.stringify({
      verified,
      at: now.toISOString(),
      cname: r.cname ?? options.cname,
      connect: address,
      resolved: options.connect === undefined ? { name: r.cname ?? options.cname, addresses: (r.resolved ?? []).map((a) => a.address) } : undefined,
      trust: result?.trustStore ?? (options.ca !== undefined ? 'ca' : 'default'),
      ca: options.ca,
      expectCert: options.expectCert,
      minDays: r.minDays ?? options.minDays,
      handshake: result
        ? {
          completed: result.error === undefined,
          protocol: result.protocol,
          cipher: result.cipher,
          authorized: result.authorized,
          authorizationError: result.authorizationError,
          error: result.error,
        }
        : undefined,
      chain: chain.map((c) => ({ ...factsJson(c.facts, now), inTrustStore: c.inTrustStore })),
      expected: evaluation?.expected ? factsJson(evaluation.expected, now) : undefined,
      info: evaluation?.info ?? [],
      findings,
      errors,
      warnings,
    }, null, 2));
    return verified ? 0 : 1;
  }

  if (result) {
    const trust = result.trustStore === 'ca' ? `--ca ${options.ca ?? ''}` : 'Node\'s default CA store';
    io.out(`connect: ${address} (SNI ${result.servername}, TLS 1.2 only), trusting ${trust}`);
    if (!result.error) {
      io.out(`protocol: ${result.protocol ?? 'unknown'}${result.cipher ? `, cipher ${result.cipher}` : ''}`);
      io.out(`chain trusted: ${result.authorized ? 'yes' : `no (${result.authorizationError ?? 'unknown error'})`}`);
    }
  }
  chain.forEach((c, i) => {
    for (const line of describeCertificate(c.facts, c.inTrustStore, i, chain.length, now)) io.out(line);
  });
  if (evaluation?.expected) {
    io.out(`expected leaf (${options.expectCert ?? '--expect-cert'}): ${evaluation.expected.subject}, sha256 fingerprint ${evaluation.expected.fingerprintSha256}`);
  }
  for (const line of evaluation?.info ?? []) io.out(`info: ${line}`);
  for (const f of findings) io.out(formatFinding(f));
  const summary = `${errors} error(s), ${warnings} warning(s)`;
  if (verified) {
    io.out(`ok: ${address} serves a verified certificate for ${r.cname ?? options.cname} (${summary}) at ${now.toISOString()}`);
  } else {
    io.out(`not verified: ${summary}${result ? '' : ' (no connection was attempted)'}`);
  }
  return verified ? 0 : 1;
}

function describeCertificate(c: CertificateFacts, inTrustStore: boolean, index: number, count: number, now: Date): string[] {
  const role = index === 0 ? 'leaf' : c.selfSigned ? 'root' : index === count - 1 && c.isCa ? 'CA' : 'intermediate';
  const days = daysLeft(c, now);
  const names = [...c.dnsNames.map((n) => `DNS:${n}`), ...c.ipAddresses.map((n) => `IP:${n}`)];
  return [
    `certificate ${index + 1} (${role}${inTrustStore && index > 0 ? ', from the trust store: the server may not have sent it' : ''}): ${c.subject}`,
    `  subjectAltName: ${c.hasSubjectAltName ? names.join(', ') || '(empty)' : '(none)'}`,
    `  issuer: ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`,
    `  valid: ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()} (${days >= 0 ? `${days} days left` : `expired ${-days} days ago`})`,
    `  sha256 fingerprint: ${c.fingerprintSha256}`,
  ];
}

function factsJson(c: CertificateFacts, now: Date) {
  return { ...c, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), daysLeft: daysLeft(c, now) };
}
