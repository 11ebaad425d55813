import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TLSSocket } from 'node:tls';
import { createDevCa, issueDevCertificate } from '../../lib/certificate/dev-ca';
import { main } from '../../lib/cli/bin';
import { onPath } from '../helpers/tools';

// A real client against a development certificate: a TLS 1.2 server (configured like azureml-fe: TLS 1.2 only) serves
// the leaf + CA chain that issueDevCertificate() makes, and curl and openssl, trusting only the development CA, must
// accept it for the cname and reject it for any other name. Proves that what `dev-cert` and `check` call usable is what
// real clients accept.
//
// Clocks: a live handshake checks the certificate against the real clock, so, unlike everywhere else in the tests, the
// certificates here start at the real current time (a minute ago, for clock skew with the child processes). Nothing
// here is snapshotted or compared with a stored file, so the date never leaks into test output.

const CNAME = 'ml.test.example.com';
const OTHER = 'other.example.com';
const CHILD_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 30_000;

const HAVE_CURL = onPath('curl');
const HAVE_OPENSSL = onPath('openssl');

interface Run {
  /** The exit code; null when the child was killed (e.g. by the timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program asynchronously (never spawnSync: the TLS server lives in this process and must be free to answer),
 * with standard input closed and a timeout; resolves with the exit code instead of rejecting on failure.
 */
function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: CHILD_TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** curl without any user configuration (-q ignores ~/.curlrc) and without proxies, resolving `host` to 127.0.0.1. */
function curl(host: string, port: number, extra: string[]): Promise<Run> {
  return run('curl', ['-q', '--silent', '--show-error', '--noproxy', '*', '--max-time', '8', '--resolve', `${host}:${port}:127.0.0.1`, ...extra, `https://${host}:${port}/`]);
}

/** The first PEM certificate of a chain. */
function firstCertificate(chainPem: string): string {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(chainPem);
  if (!m) throw new Error('no certificate in the chain');
  return m[0];
}

let dir: string;
let files: { cert: string; key: string; ca: string; leaf: string; otherCa: string };
let server: https.Server;
let port: number;
/** The TLS protocol of every request the server answered. */
const protocols: string[] = [];

beforeAll(async () => {
  // See the note on clocks at the top: valid from a minute ago at the real clock, because the handshake is live.
  const now = new Date(Date.now() - 60_000);
  const ca = createDevCa({ now, days: 2 });
  const leaf = issueDevCertificate(ca, { cname: CNAME, now, days: 1 });
  const otherCa = createDevCa({ now, days: 2, commonName: 'an unrelated development CA' });

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-real-tls-'));
  files = {
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
    ca: path.join(dir, 'ca.pem'),
    leaf: path.join(dir, 'leaf.pem'),
    otherCa: path.join(dir, 'other-ca.pem'),
  };
  fs.writeFileSync(files.cert, leaf.certificatePem);
  fs.writeFileSync(files.key, leaf.privateKeyPem, { mode: 0o600 });
  fs.writeFileSync(files.ca, ca.certificatePem);
  fs.writeFileSync(files.leaf, firstCertificate(leaf.certificatePem));
  fs.writeFileSync(files.otherCa, otherCa.certificatePem);

  // Served from the files just written, as azureml-fe serves cert.pem and key.pem from its Secret.
  server = https.createServer({
    cert: fs.readFileSync(files.cert),
    key: fs.readFileSync(files.key),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
  }, (req, res) => {
    protocols.push((req.socket as TLSSocket).getProtocol() ?? 'unknown');
    res.writeHead(200, { 'content-type': 'text/plain', 'connection': 'close' });
    res.end('ok');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the development certificate files', () => {
  test('are written with the key readable by its owner only, and cert.pem holds the leaf then the CA', () => {
    expect(fs.statSync(files.key).mode & 0o777).toBe(0o600);
    const cert = fs.readFileSync(files.cert, 'utf8');
    expect(cert.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(cert.endsWith(fs.readFileSync(files.ca, 'utf8'))).toBe(true);
  });

  test('are usable for the cname according to azureml-tls check, at the real time', () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const code = main(['check', '--cert', files.cert, '--key', files.key, '--cname', CNAME, '--at', new Date().toISOString()], io);
    expect(lines.filter((l) => l.startsWith('error: '))).toEqual([]);
    expect(code).toBe(0);
    // No key material in the report.
    const body = fs.readFileSync(files.key, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(body.filter((l) => lines.join('\n').includes(l))).toEqual([]);
  });

  test('are not usable for another name according to azureml-tls check', () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const code = main(['check', '--cert', files.cert, '--key', files.key, '--cname', OTHER, '--at', new Date().toISOString()], io);
    expect(lines).toContainEqual(expect.stringMatching(/^error: .*does not cover sslCname other\.example\.com/));
    expect(code).toBe(1);
  });
});

describe('curl against a TLS 1.2 server with the development certificate', () => {
  test('succeeds for the cname when it trusts the development CA, over TLS 1.2', async () => {
    if (!HAVE_CURL) {
      console.log('skipped: curl is not on this machine');
      return;
    }
    const before = protocols.length;
    const r = await curl(CNAME, port, ['--cacert', files.ca]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok');
    // The server saw exactly this request, over TLS 1.2.
    expect(protocols.slice(before)).toEqual(['TLSv1.2']);
  }, TEST_TIMEOUT_MS);

  test('fails with a name mismatch (exit 60) for a name the certificate does not cover', async () => {
    if (!HAVE_CURL) {
      console.log('skipped: curl is not on this machine');
      return;
    }
    const before = protocols.length;
    const r = await curl(OTHER, port, ['--cacert', files.ca]);
    expect(r.code).toBe(60);
    expect(r.stderr).toContain(OTHER);
    expect(r.stdout).toBe('');
    expect(protocols.length).toBe(before); // the request never reached the server
  }, TEST_TIMEOUT_MS);

  test('fails as untrusted (exit 60) without the development CA', async () => {
    if (!HAVE_CURL) {
      console.log('skipped: curl is not on this machine');
      return;
    }
    // --cacert with an unrelated CA: deterministic whatever the machine's CA store holds.
    const wrong = await curl(CNAME, port, ['--cacert', files.otherCa]);
    expect(wrong.code).toBe(60);
    expect(wrong.stderr).toMatch(/certificate/i);
    // And with the machine's default CA store.
    const defaults = await curl(CNAME, port, []);
    expect(defaults.code).toBe(60);
    expect(defaults.stdout).toBe('');
  }, TEST_TIMEOUT_MS);
});

describe('openssl on the development certificate', () => {
  test('verify accepts the leaf with the development CA, for the cname and for TLS servers', async () => {
    if (!HAVE_OPENSSL) {
      console.log('skipped: openssl is not on this machine');
      return;
    }
    const r = await run('openssl', ['verify', '-purpose', 'sslserver', '-verify_hostname', CNAME, '-CAfile', files.ca, files.leaf]);
    expect(r.stdout.trim()).toBe(`${files.leaf}: OK`);
    expect(r.code).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('verify rejects the leaf with another CA, and for another name', async () => {
    if (!HAVE_OPENSSL) {
      console.log('skipped: openssl is not on this machine');
      return;
    }
    const wrongCa = await run('openssl', ['verify', '-CAfile', files.otherCa, files.leaf]);
    expect(wrongCa.code).not.toBe(0);
    expect(`${wrongCa.stdout}${wrongCa.stderr}`).toMatch(/unable to get local issuer certificate/);
    const wrongName = await run('openssl', ['verify', '-verify_hostname', OTHER, '-CAfile', files.ca, files.leaf]);
    expect(wrongName.code).not.toBe(0);
    expect(`${wrongName.stdout}${wrongName.stderr}`).toMatch(/hostname mismatch/);
  }, TEST_TIMEOUT_MS);

  test('s_client completes a verified TLS 1.2 handshake for the cname', async () => {
    if (!HAVE_OPENSSL) {
      console.log('skipped: openssl is not on this machine');
      return;
    }
    const r = await run('openssl', [
      's_client', '-connect', `127.0.0.1:${port}`, '-servername', CNAME, '-verify_hostname', CNAME,
      '-CAfile', files.ca, '-tls1_2', '-verify_return_error',
    ]);
    expect(r.stdout).toContain('Verify return code: 0 (ok)');
    expect(r.stdout).toMatch(/Protocol\s*: TLSv1\.2/);
    expect(r.code).toBe(0);
  }, TEST_TIMEOUT_MS);
});
