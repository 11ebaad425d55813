import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { main } from '../../lib/cli/bin';
import { runVerifyCommand, VerifyCommandOptions } from '../../lib/cli/verify';
import { createDevCa, issueDevCertificate } from '../../lib/certificate/dev-ca';
import { Resolver } from '../../lib/verify/resolve';

// `verify --cname NAME` without `--connect`: the cname is resolved through an injected resolver that points it at a
// local TLS server on 127.0.0.1 (no network). OpenSSL checks the chain at the real clock during the handshake, so the
// certificates start a minute before the real time; the verdict is evaluated at the fixed AT after that.

const CNAME = 'ml.resolve.example.com';
const GENERATED_AT = new Date(Date.now() - 60_000);
const AT = new Date(GENERATED_AT.getTime() + 60 * 60_000);

let server: tls.Server;
let port: number;
let dir: string;
let caFile: string;

beforeAll(async () => {
  const ca = createDevCa({ now: GENERATED_AT });
  const leaf = issueDevCertificate(ca, { cname: CNAME, now: GENERATED_AT, days: 90 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-verify-resolve-'));
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.certificatePem);
  // Like azureml-fe: TLS 1.2 only.
  server = tls.createServer({ cert: leaf.certificatePem, key: leaf.privateKeyPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A resolver that answers `addresses` for CNAME and records what it was asked. */
function resolverTo(addresses: string[], asked: string[] = []): Resolver {
  return async (name) => {
    asked.push(name);
    if (name !== CNAME) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  };
}

async function verify(options: Partial<VerifyCommandOptions>) {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const code = await runVerifyCommand({ cname: CNAME, now: AT, timeoutMs: 5_000, ca: caFile, ...options }, io);
  return { code, lines };
}

describe('verify --cname without --connect', () => {
  test('resolves the name, says where it points, and verifies the certificate served there', async () => {
    const asked: string[] = [];
    const r = await verify({ port, resolver: resolverTo(['127.0.0.1'], asked) });
    expect(asked).toEqual([CNAME]);
    expect(r.lines[0]).toBe(`${CNAME} resolves to 127.0.0.1`);
    expect(r.lines[1]).toBe(`connect: 127.0.0.1:${port} (SNI ${CNAME}, TLS 1.2 only), trusting --ca ${caFile}`);
    expect(r.lines[r.lines.length - 1]).toMatch(new RegExp(`^ok: 127\\.0\\.0\\.1:${port} serves a verified certificate for ${CNAME.replace(/\./g, '\\.')} \\(0 error\\(s\\), 0 warning\\(s\\)\\)`));
    expect(r.code).toBe(0);
  }, 30_000);

  test('several addresses: all are named, the first is connected to', async () => {
    const r = await verify({ port, resolver: resolverTo(['127.0.0.1', '127.0.0.2']) });
    expect(r.lines[0]).toBe(`${CNAME} resolves to 127.0.0.1, 127.0.0.2; connecting to the first, 127.0.0.1`);
    expect(r.code).toBe(0);
  }, 30_000);

  test('--json records the resolution', async () => {
    const r = await verify({ port, resolver: resolverTo(['127.0.0.1']), json: true });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.lines.join('\n'));
    expect(doc).toMatchObject({ verified: true, connect: `127.0.0.1:${port}`, resolved: { name: CNAME, addresses: ['127.0.0.1'] } });
  }, 30_000);

  test('the port defaults to 443', async () => {
    const asked: string[] = [];
    // Nothing is asked of 127.0.0.1:443 beyond a refused or failed connection; only the address is checked.
    const r = await verify({ resolver: resolverTo(['127.0.0.1'], asked), timeoutMs: 2_000, json: true });
    expect(JSON.parse(r.lines.join('\n')).connect).toBe('127.0.0.1:443');
  }, 30_000);

  test('an unresolvable name is one error naming the dns command', async () => {
    const r = await verify({ cname: 'nowhere.resolve.example.com', port, resolver: resolverTo(['127.0.0.1']) });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      'error: --cname nowhere.resolve.example.com does not resolve (ENOTFOUND): no DNS record points it at azureml-fe yet '
      + '(fix: create the record: kubectl get svc azureml-fe -n azureml -o json | azureml-tls dns --cname nowhere.resolve.example.com --service -; '
      + 'or, before DNS exists, connect to the load balancer directly: --connect EXTERNAL-IP:443)',
      'not verified: 1 error(s), 0 warning(s) (no connection was attempted)',
    ]);
  });

  test('a resolver that answers nothing, or too late, is the same error', async () => {
    const empty = await verify({ port, resolver: async () => [] });
    expect(empty.lines[0]).toMatch(/^error: --cname ml\.resolve\.example\.com does not resolve \(no addresses\): /);
    const never = await verify({ port, timeoutMs: 50, resolver: () => new Promise(() => undefined) });
    expect(never.code).toBe(1);
    expect(never.lines[0]).toMatch(/^error: --cname ml\.resolve\.example\.com does not resolve \(ETIMEDOUT\): /);
  });

  test('the unresolvable error in --json', async () => {
    const r = await verify({ cname: 'nowhere.resolve.example.com', resolver: resolverTo([]), json: true });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.lines.join('\n'));
    expect(doc).toMatchObject({ verified: false, connect: 'nowhere.resolve.example.com:443', resolved: { name: 'nowhere.resolve.example.com', addresses: [] }, findings: [{ code: 'cname-unresolved' }] });
  });

  test('an invalid --port, and --port with --connect, are refused before resolving', async () => {
    const asked: string[] = [];
    const bad = await verify({ port: 70000, resolver: resolverTo(['127.0.0.1'], asked) });
    expect(bad.lines[0]).toBe('error: --port "70000" is not a port number from 1 to 65535 (fix: e.g. --port 443)');
    const both = await verify({ port: 8443, connect: '127.0.0.1:1', resolver: resolverTo(['127.0.0.1'], asked) });
    expect(both.lines[0]).toBe('error: --port is for a resolved cname; with --connect the port is part of it (fix: give --connect HOST:8443)');
    expect(asked).toEqual([]);
  });
});

describe('the verify flags (bin dispatcher, before any network)', () => {
  function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  test('--port with --connect is a usage error; a non-number --port is invalid; --help names --port', () => {
    const both = run(['verify', '--cname', CNAME, '--connect', '127.0.0.1:1', '--port', '443']);
    expect(both.code).toBe(2);
    expect(both.err[0]).toBe('error: --port is for a resolved cname; with --connect the port is part of it (fix: give --connect HOST:PORT without --port)');
    const bad = run(['verify', '--cname', CNAME, '--port', 'https']);
    expect(bad.code).toBe(1);
    expect(bad.err).toEqual(['error: --port "https" is not a whole number (fix: e.g. --port 443)']);
    const help = run(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toContain('--port PORT');
    expect(run(['verify']).err[0]).toBe('error: missing --cname');
  });
});
