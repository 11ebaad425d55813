import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as forge from 'node-forge';
import { createDevCa, issueDevCertificate, PemPair } from '../../lib/certificate/dev-ca';
import { Severity } from '../../lib/certificate/findings';
import { parseConnect, runVerifyCommand, VerifyCommandOptions } from '../../lib/cli/verify';
import { handshake, HandshakeResult, HandshakeStage } from '../../lib/verify/handshake';
import { evaluateHandshake } from '../../lib/verify/verify';
import { onPath } from '../helpers/tools';

// `azureml-tls verify` against live TLS servers in this process (node:tls, configured like azureml-fe: TLS 1.2 only)
// and against `openssl s_server`.
//
// Clocks: the verdict is evaluated at an explicit `now` (AT below), but OpenSSL verifies the chain during the live
// handshake at the REAL clock, so the certificates are generated around the real current time: starting a minute ago
// (for clock skew), AT is an hour after that. The expired leaf starts two years before and lasts 30 days, so it is
// expired at both clocks. Nothing here is snapshotted, so real dates never reach a stored file.

const CNAME = 'ml.verify.example.com';
const OTHER_NAME = 'other.verify.example.com';
const TEST_TIMEOUT_MS = 30_000;
const WAIT_MS = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const GENERATED_AT = new Date(Date.now() - 60_000);
const AT = new Date(GENERATED_AT.getTime() + 60 * 60_000);
const LEAF_DAYS = 90;
/** Whole days the good leaf has left at AT. */
const DAYS_LEFT = LEAF_DAYS - 1;

/** The first PEM certificate of a chain. */
function firstCertificate(chainPem: string): string {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(chainPem);
  if (!m) throw new Error('no certificate in the chain');
  return m[0];
}

/** Rejects when `promise` takes longer than `ms`, so no wait in these tests is unbounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

interface Captured {
  readonly code: number;
  readonly lines: string[];
  readonly text: string;
}

/** Runs verify in-process with a capturing io. */
async function verify(options: Partial<VerifyCommandOptions> & { connect: string }): Promise<Captured> {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const code = await within(runVerifyCommand({ cname: CNAME, now: AT, timeoutMs: 5_000, ...options }, io), WAIT_MS * 2, 'runVerifyCommand');
  return { code, lines, text: lines.join('\n') };
}

const errorLines = (c: Captured) => c.lines.filter((l) => l.startsWith('error: '));
const warningLines = (c: Captured) => c.lines.filter((l) => l.startsWith('warning: '));

let dir: string;
let ca: PemPair;
let good: PemPair;
let files: { ca: string; cert: string; key: string; leaf: string; otherKeyCert: string; caKey: string };
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

/** Starts a server on 127.0.0.1, port 0; it is closed in afterAll. */
async function listen(server: net.Server): Promise<number> {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await within(new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  }), WAIT_MS, 'listen');
  return (server.address() as net.AddressInfo).port;
}

/** A TLS server like azureml-fe (TLS 1.2 unless told otherwise) serving `certificatePem` (leaf first). */
function tlsServer(certificatePem: string, privateKeyPem: string, versions: { min: tls.SecureVersion; max: tls.SecureVersion } = { min: 'TLSv1.2', max: 'TLSv1.2' }): Promise<number> {
  return listen(tls.createServer({ cert: certificatePem, key: privateKeyPem, minVersion: versions.min, maxVersion: versions.max }, () => undefined));
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await within(new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve())), WAIT_MS, 'listen');
  const port = (s.address() as net.AddressInfo).port;
  await within(new Promise<void>((resolve) => s.close(() => resolve())), WAIT_MS, 'close');
  return port;
}

const ports: Record<'good' | 'expired' | 'otherKey' | 'otherName' | 'leafOnly' | 'tls13' | 'plainHttp' | 'silent', number> = {
  good: 0, expired: 0, otherKey: 0, otherName: 0, leafOnly: 0, tls13: 0, plainHttp: 0, silent: 0,
};

beforeAll(async () => {
  // Real-clock validity: see the note on clocks at the top.
  ca = createDevCa({ now: GENERATED_AT });
  good = issueDevCertificate(ca, { cname: CNAME, now: GENERATED_AT, days: LEAF_DAYS });
  const expired = issueDevCertificate(ca, { cname: CNAME, now: new Date(GENERATED_AT.getTime() - 730 * DAY_MS), days: 30 });
  const otherKey = issueDevCertificate(ca, { cname: CNAME, now: GENERATED_AT, days: LEAF_DAYS });
  const otherName = issueDevCertificate(ca, { cname: OTHER_NAME, now: GENERATED_AT, days: LEAF_DAYS });

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-verify-'));
  files = {
    ca: path.join(dir, 'ca.pem'),
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
    leaf: path.join(dir, 'leaf.pem'),
    otherKeyCert: path.join(dir, 'other-key-cert.pem'),
    caKey: path.join(dir, 'ca-and-key.pem'),
  };
  fs.writeFileSync(files.ca, ca.certificatePem);
  fs.writeFileSync(files.cert, good.certificatePem);
  fs.writeFileSync(files.key, good.privateKeyPem, { mode: 0o600 });
  fs.writeFileSync(files.leaf, firstCertificate(good.certificatePem));
  fs.writeFileSync(files.otherKeyCert, otherKey.certificatePem);
  fs.writeFileSync(files.caKey, ca.certificatePem + good.privateKeyPem, { mode: 0o600 });

  ports.good = await tlsServer(good.certificatePem, good.privateKeyPem);
  ports.expired = await tlsServer(expired.certificatePem, expired.privateKeyPem);
  ports.otherKey = await tlsServer(otherKey.certificatePem, otherKey.privateKeyPem);
  ports.otherName = await tlsServer(otherName.certificatePem, otherName.privateKeyPem);
  ports.leafOnly = await tlsServer(firstCertificate(good.certificatePem), good.privateKeyPem);
  ports.tls13 = await tlsServer(good.certificatePem, good.privateKeyPem, { min: 'TLSv1.3', max: 'TLSv1.3' });
  // Plain HTTP, as azureml-fe with allowInsecureConnections=True: answers the ClientHello with an HTTP error.
  ports.plainHttp = await listen(net.createServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  }));
  // Accepts TCP and never answers.
  ports.silent = await listen(net.createServer(() => undefined));
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await within(Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))), WAIT_MS, 'closing servers');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('verify against a TLS 1.2 server serving the right certificate', () => {
  test('passes with --ca and --expect-cert: exit 0, no findings, the chain and protocol reported', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}`, ca: files.ca, expectCert: files.cert });
    expect(errorLines(r)).toEqual([]);
    expect(warningLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.lines).toContain(`connect: 127.0.0.1:${ports.good} (SNI ${CNAME}, TLS 1.2 only), trusting --ca ${files.ca}`);
    expect(r.lines).toContainEqual(expect.stringMatching(/^protocol: TLSv1\.2, cipher \S+/));
    expect(r.lines).toContain('chain trusted: yes');
    expect(r.lines).toContain(`certificate 1 (leaf): O=cdk8s-azureml-tls development certificate, CN=${CNAME}`);
    expect(r.lines).toContain(`  subjectAltName: DNS:${CNAME}`);
    expect(r.lines).toContainEqual(expect.stringMatching(new RegExp(`^  valid: .* \\(${DAYS_LEFT} days left\\)$`)));
    expect(r.lines).toContainEqual(expect.stringMatching(/^certificate 2 \(root, from the trust store: the server may not have sent it\): /));
    expect(r.lines).toContain(`info: the served leaf is the certificate in ${files.cert}`);
    expect(r.lines[r.lines.length - 1]).toBe(`ok: 127.0.0.1:${ports.good} serves a verified certificate for ${CNAME} (0 error(s), 0 warning(s)) at ${AT.toISOString()}`);
  }, TEST_TIMEOUT_MS);

  test('prints fingerprints and subjects only: no certificate or key bytes', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}`, ca: files.ca, expectCert: files.cert, json: true });
    const json = await verify({ connect: `127.0.0.1:${ports.good}`, ca: files.ca, expectCert: files.cert });
    const bodies = [good.certificatePem, good.privateKeyPem, ca.certificatePem]
      .flatMap((pem) => pem.split('\n'))
      .filter((l) => l !== '' && !l.startsWith('-----'));
    const all = `${r.text}\n${json.text}`;
    expect(bodies.filter((l) => all.includes(l))).toEqual([]);
    expect(all).not.toContain('-----BEGIN');
  }, TEST_TIMEOUT_MS);

  test('--json prints one parseable document with the chain, the handshake and the findings', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}`, ca: files.ca, expectCert: files.cert, minDays: 100, json: true });
    expect(r.lines).toHaveLength(1);
    const doc = JSON.parse(r.lines[0]);
    expect(doc).toMatchObject({
      verified: true,
      at: AT.toISOString(),
      cname: CNAME,
      connect: `127.0.0.1:${ports.good}`,
      trust: 'ca',
      minDays: 100,
      handshake: { completed: true, protocol: 'TLSv1.2', authorized: true },
      errors: 0,
      warnings: 1,
      findings: [{ severity: Severity.WARNING, code: 'expiring-soon' }],
    });
    expect(doc.chain).toHaveLength(2);
    expect(doc.chain[0]).toMatchObject({ subject: `O=cdk8s-azureml-tls development certificate, CN=${CNAME}`, dnsNames: [CNAME], daysLeft: DAYS_LEFT, inTrustStore: false });
    expect(doc.chain[1]).toMatchObject({ selfSigned: true, inTrustStore: true });
    expect(doc.expected.fingerprintSha256).toBe(doc.chain[0].fingerprintSha256);
    expect(r.code).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('--min-days above the days left: an expiring-soon warning, and still exit 0', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}`, ca: files.ca, minDays: 100 });
    expect(errorLines(r)).toEqual([]);
    expect(warningLines(r)).toEqual([
      expect.stringMatching(new RegExp(`^warning: the served leaf .*CN=${CNAME.replace(/\./g, '\\.')} expires on \\S+: ${DAYS_LEFT} days left \\(fewer than --min-days 100\\)`)),
    ]);
    expect(r.lines[r.lines.length - 1]).toMatch(/^ok: .*\(0 error\(s\), 1 warning\(s\)\)/);
    expect(r.code).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('the connection is closed after the handshake', async () => {
    const result = await handshake({ host: '127.0.0.1', port: ports.good, servername: CNAME, ca: Buffer.from(ca.certificatePem), timeoutMs: 5_000 });
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('TLSv1.2');
    expect(result.chain.map((c) => c.inTrustStore)).toEqual([false, true]);
    const deadline = Date.now() + WAIT_MS;
    const open = () => [...sockets].filter((s) => s.localPort === ports.good).length;
    while (open() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(open()).toBe(0);
  }, TEST_TIMEOUT_MS);
});

describe('verify fails with a specific finding', () => {
  test('hostname-mismatch: the served certificate is for another name', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.otherName}`, ca: files.ca });
    expect(errorLines(r)).toEqual([
      expect.stringMatching(new RegExp(`^error: the certificate served by 127\\.0\\.0\\.1:${ports.otherName} \\(.*\\) does not cover ${CNAME.replace(/\./g, '\\.')}: its subjectAltNames are DNS:${OTHER_NAME.replace(/\./g, '\\.')} \\(fix: serve a certificate with DNS:`)),
    ]);
    expect(r.lines[r.lines.length - 1]).toBe('not verified: 1 error(s), 0 warning(s)');
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('certificate-differs: another certificate (another key) for the same name is served', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.otherKey}`, ca: files.ca, expectCert: files.cert, json: true });
    const doc = JSON.parse(r.lines[0]);
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(['certificate-differs']);
    const [finding] = doc.findings;
    expect(finding.message).toContain(`sha256 ${doc.chain[0].fingerprintSha256}`);
    expect(finding.message).toContain(`sha256 ${doc.expected.fingerprintSha256}`);
    expect(doc.chain[0].fingerprintSha256).not.toBe(doc.expected.fingerprintSha256);
    expect(finding.message).toContain(files.cert);
    expect(finding.fix).toMatch(/az k8s-extension update/);
    expect(finding.fix).toMatch(/restart/);
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('expired: the served leaf is past its validity (one finding, not also untrusted)', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.expired}`, ca: files.ca });
    expect(r.lines).toContain('chain trusted: no (CERT_HAS_EXPIRED)');
    expect(errorLines(r)).toEqual([expect.stringMatching(/^error: the served leaf .* expired on \S+ \(\d+ days before /)]);
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('untrusted: the chain of a development CA, without --ca', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}` });
    expect(r.lines).toContain(`connect: 127.0.0.1:${ports.good} (SNI ${CNAME}, TLS 1.2 only), trusting Node's default CA store`);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(/^error: the chain served by .* does not verify against Node's default CA store .*: SELF_SIGNED_CERT_IN_CHAIN: the chain ends at the root .* \(fix: if it is your private CA, pass it with --ca/),
    ]);
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('untrusted: a leaf served without its issuer points at a missing intermediate; with --ca it verifies', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.leafOnly}` });
    expect(errorLines(r)).toEqual([expect.stringMatching(/^error: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE: .* \(fix: likely a missing intermediate: cert\.pem must hold the leaf then every intermediate/)]);
    expect(r.code).toBe(1);
    const withCa = await verify({ connect: `127.0.0.1:${ports.leafOnly}`, ca: files.ca });
    expect(errorLines(withCa)).toEqual([]);
    // Node completes the chain from the trust store: the report says the root may not have been sent.
    expect(withCa.lines).toContainEqual(expect.stringMatching(/^certificate 2 \(root, from the trust store/));
    expect(withCa.code).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('untrusted: a leaf signed with SHA-1 is named as such, with the fix (not just "OpenSSL rejects the chain")', async () => {
    // The development CA re-signs a copy of the good leaf with SHA-1; the server is told to serve it anyway.
    const leaf = forge.pki.certificateFromPem(firstCertificate(good.certificatePem));
    leaf.sign(forge.pki.privateKeyFromPem(ca.privateKeyPem), forge.md.sha1.create());
    const sha1Chain = forge.pki.certificateToPem(leaf) + ca.certificatePem;
    const port = await listen(tls.createServer({ cert: sha1Chain, key: good.privateKeyPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' }, () => undefined));
    const r = await verify({ connect: `127.0.0.1:${port}`, ca: files.ca });
    const untrusted = errorLines(r).filter((l) => l.includes('does not verify against'));
    expect(untrusted).toEqual([
      expect.stringMatching(/: UNSPECIFIED: the served leaf \(.*CN=ml\.verify\.example\.com.*\) is signed with sha1WithRSAEncryption; OpenSSL 3, browsers and current clients reject SHA-1 and MD5 signatures \(fix: reissue the certificate with a SHA-256 \(or stronger\) signature/),
    ]);
    expect(r.text).not.toContain('OpenSSL rejects the chain');
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('connect-failed: nothing listens on the port (exit 1)', async () => {
    const port = await closedPort();
    const r = await verify({ connect: `127.0.0.1:${port}`, ca: files.ca });
    expect(errorLines(r)).toEqual([
      expect.stringMatching(new RegExp(`^error: cannot connect to 127\\.0\\.0\\.1:${port} for ${CNAME.replace(/\./g, '\\.')}: ECONNREFUSED: .*kubectl get svc azureml-fe -n azureml`)),
    ]);
    expect(r.lines[r.lines.length - 1]).toBe('not verified: 1 error(s), 0 warning(s)');
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('tls-failed: a TLS 1.3-only server refuses the TLS 1.2 handshake (protocol named)', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.tls13}`, ca: files.ca });
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: the TLS handshake with 127\.0\.0\.1:\d+ \(SNI ml\.verify\.example\.com, TLS 1\.2 only, the protocol azureml-fe serves\) failed: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: .*protocol version/);
    expect(errors[0]).toMatch(/fix: .*does not accept TLS 1\.2 \(TLS 1\.3 only\?\).*TLS 1\.3 is documented as unsupported/);
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('tls-failed: a plain HTTP port', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.plainHttp}` });
    expect(errorLines(r)).toEqual([expect.stringMatching(/^error: the TLS handshake .* failed: .*\(fix: .*does not speak TLS \(plain HTTP\?\).*allowInsecureConnections=True/)]);
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('tls-failed: a port that accepts TCP but never answers, within --timeout', async () => {
    const started = Date.now();
    const r = await verify({ connect: `127.0.0.1:${ports.silent}`, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(WAIT_MS);
    expect(errorLines(r)).toEqual([expect.stringMatching(/^error: the TLS handshake .* failed: ETIMEDOUT: no TLS handshake within 300 ms after the TCP connection was made/)]);
    expect(r.code).toBe(1);
  }, TEST_TIMEOUT_MS);
});

describe('verify refuses invalid values without connecting (exit 1)', () => {
  test.each([
    ['a cname with a scheme', { cname: `https://${CNAME}`, connect: '127.0.0.1:1' }, /^error: --cname "https:\/\/ml\.verify\.example\.com" is not a plain host name/],
    ['a connect address with a scheme', { connect: `https://${CNAME}` }, /^error: --connect "https:\/\/ml\.verify\.example\.com" has a scheme \(fix: give HOST:PORT without it: --connect ml\.verify\.example\.com\)/],
    ['port 0', { connect: '127.0.0.1:0' }, /^error: --connect "127\.0\.0\.1:0" has "0" as port, which is not a port number from 1 to 65535/],
    ['port 65536', { connect: '127.0.0.1:65536' }, /not a port number from 1 to 65535/],
    ['an IPv6 address without brackets', { connect: '::1:443' }, /must be in brackets/],
    ['a negative --min-days', { connect: '127.0.0.1:1', minDays: -1 }, /^error: --min-days "-1" is not a whole number/],
    ['a --timeout of 0', { connect: '127.0.0.1:1', timeoutMs: 0 }, /^error: --timeout "0" is not a whole number of milliseconds/],
    ['a missing --ca file', { connect: '127.0.0.1:1', ca: '/nonexistent/ca.pem' }, /^error: --ca: certificate file \/nonexistent\/ca\.pem does not exist/],
  ])('%s', async (_name, options, message) => {
    const r = await verify(options);
    expect(errorLines(r)).toEqual([expect.stringMatching(message)]);
    expect(r.lines[r.lines.length - 1]).toBe('not verified: 1 error(s), 0 warning(s) (no connection was attempted)');
    expect(r.code).toBe(1);
  });

  test('an --expect-cert file without a certificate', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}`, expectCert: files.key });
    expect(errorLines(r)).toEqual([expect.stringMatching(/^error: --expect-cert .*key\.pem holds no CERTIFICATE block \(it holds PRIVATE KEY\)/)]);
    expect(r.code).toBe(1);
  });

  test('a --ca file that also holds a key: the key block is ignored with a warning and never printed', async () => {
    const r = await verify({ connect: `127.0.0.1:${ports.good}`, ca: files.caKey });
    expect(warningLines(r)).toEqual([expect.stringMatching(/^warning: --ca .* also holds 1 block\(s\) that are not certificates \(PRIVATE KEY\); they were ignored/)]);
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    const body = good.privateKeyPem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
    expect(body.filter((l) => r.text.includes(l))).toEqual([]);
  }, TEST_TIMEOUT_MS);

  test('--json on invalid values: a document with the findings and no handshake', async () => {
    const r = await verify({ connect: 'nohost:99999', json: true });
    const doc = JSON.parse(r.lines[0]);
    expect(doc).toMatchObject({ verified: false, errors: 1, findings: [{ code: 'connect-invalid' }] });
    expect(doc.handshake).toBeUndefined();
    expect(r.code).toBe(1);
  });
});

describe('parseConnect', () => {
  test.each([
    ['ml.example.com:8443', { host: 'ml.example.com', port: 8443 }],
    ['ml.example.com', { host: 'ml.example.com', port: 443 }],
    ['20.1.2.3:443', { host: '20.1.2.3', port: 443 }],
    ['[2001:db8::1]:443', { host: '2001:db8::1', port: 443 }],
    ['[::1]', { host: '::1', port: 443 }],
  ])('%s', (value, expected) => {
    expect(parseConnect(value)).toEqual(expected);
  });

  test.each(['', 'a b:1', 'host:', 'host:x', '[notv6]:443', 'ml.example.com/path', '-bad:1'])('refuses %j', (value) => {
    expect(parseConnect(value)).toMatchObject({ finding: { code: 'connect-invalid', severity: Severity.ERROR } });
  });
});

describe('evaluateHandshake (pure)', () => {
  const failed = (stage: HandshakeStage, code: string, host = '10.0.0.4'): HandshakeResult => ({
    host, port: 443, servername: CNAME, trustStore: 'default', authorized: false, chain: [],
    error: { stage, code, message: 'x' },
  });

  test('a name that does not resolve: the fix names DNS and the azureml-fe service', () => {
    const { findings, served } = evaluateHandshake(failed(HandshakeStage.CONNECT, 'ENOTFOUND', CNAME), { cname: CNAME, now: AT });
    expect(served).toEqual([]);
    expect(findings).toEqual([expect.objectContaining({ code: 'connect-failed', fix: expect.stringMatching(/does not resolve: check that DNS resolves ml\.verify\.example\.com to azureml-fe's external IP \(kubectl get svc azureml-fe -n azureml/) })]);
  });

  test('an IPv6 address is shown in brackets', () => {
    const { findings } = evaluateHandshake(failed(HandshakeStage.CONNECT, 'ECONNREFUSED', '2001:db8::1'), { cname: CNAME, now: AT });
    expect(findings[0].message).toMatch(/^cannot connect to \[2001:db8::1\]:443 /);
  });
});

describe('openssl s_server', () => {
  test('verify passes against openssl s_server -tls1_2 with the development certificate', async () => {
    if (!onPath('openssl')) {
      console.log('skipped: openssl is not on this machine');
      return;
    }
    const port = await closedPort();
    const child: ChildProcess = spawn('openssl', [
      's_server', '-accept', `127.0.0.1:${port}`, '-cert', files.leaf, '-key', files.key, '-cert_chain', files.ca, '-tls1_2', '-www',
    ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      let output = '';
      await within(new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          output += d.toString();
          if (output.includes('ACCEPT')) resolve();
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${output}`)));
        child.once('error', reject);
      }), WAIT_MS, 'openssl s_server to accept');
      const r = await verify({ connect: `127.0.0.1:${port}`, ca: files.ca, expectCert: files.cert });
      expect(errorLines(r)).toEqual([]);
      expect(r.lines).toContainEqual(expect.stringMatching(/^protocol: TLSv1\.2, /));
      expect(r.lines).toContain('chain trusted: yes');
      // s_server sends the CA as part of the chain (-cert_chain); it is also in --ca.
      expect(r.lines).toContainEqual(expect.stringMatching(/^certificate 2 \(root/));
      expect(r.code).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await within(exited, WAIT_MS, 'openssl s_server to exit').catch(() => child.kill('SIGKILL'));
    }
  }, TEST_TIMEOUT_MS);
});
