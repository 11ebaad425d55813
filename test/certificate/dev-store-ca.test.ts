import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDevCa, DevStateRun, loadOrCreateDevCertificate, ValidationError } from '../../lib/internal';

// The development CA synth made, and what happens when it is replaced behind synth's back. Certificates are generated
// in-test at a fixed time: nothing here reads the clock.
const NOW = new Date('2027-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const CNAME = 'ml.example.com';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-ca-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A state folder with a CA and one certificate, and the paths of its CA files. */
function state() {
  const stateDir = tmp();
  const stored = loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: NOW });
  const caDir = path.join(stateDir, 'dev-ca');
  return { stateDir, stored, caDir, caPem: path.join(caDir, 'ca.pem'), caKey: path.join(caDir, 'ca.key.pem'), caSha: path.join(caDir, 'ca.sha256') };
}
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;
/** Every file below `dir` with a digest of its bytes (never the bytes: keys). */
const digests = (dir: string) => Object.fromEntries((fs.readdirSync(dir, { recursive: true }) as string[]).sort()
  .filter((f) => fs.statSync(path.join(dir, f)).isFile())
  .map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));
const thrown = (f: () => unknown): ValidationError => {
  try {
    f();
  } catch (e) {
    return e as ValidationError;
  }
  throw new Error('expected an error');
};
const fixFor = (caDir: string) => `restore it from backup, or delete ${caDir} to start a new development CA (clients must trust the new ca.pem)`;

describe('the development CA is recorded and checked', () => {
  test('synth records the fingerprint of the CA it creates in dev-ca/ca.sha256', () => {
    const { caPem, caSha } = state();
    expect(fs.readFileSync(caSha, 'utf8')).toBe(`${fingerprintOf(fs.readFileSync(caPem, 'utf8'))}\n`);
    expect(fs.readFileSync(caSha, 'utf8')).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}\n$/);
  });

  test('a ca.pem replaced behind synth\'s back stops the run, naming the file and both fingerprints, and changes nothing', () => {
    // GIVEN another CA in ca.pem (with its key, so the pair matches: only the record tells)
    const { stateDir, caDir, caPem, caKey, caSha } = state();
    const expected = fs.readFileSync(caSha, 'utf8').trim();
    const other = createDevCa({ now: NOW });
    fs.writeFileSync(caPem, other.certificatePem);
    fs.writeFileSync(caKey, other.privateKeyPem);
    const before = digests(stateDir);
    // WHEN / THEN: also for a certificate that would only be reused, as clients are told to trust ca.pem
    const e = thrown(() => loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: NOW }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.problems).toEqual([{
      field: caPem,
      message: `was replaced or edited since synth created it (fingerprint ${fingerprintOf(other.certificatePem)}, expected ${expected})`,
      fix: fixFor(caDir),
    }]);
    expect(e.message.split('\n')[0]).toBe('development CA changed outside synth:');
    expect(e.message).not.toContain(other.privateKeyPem.split('\n')[1]);
    expect(digests(stateDir)).toEqual(before);
  });

  test('a ca.key.pem replaced by another key stops the run, naming the key file', () => {
    const { stateDir, caDir, caKey, caSha } = state();
    const other = createDevCa({ now: NOW });
    fs.writeFileSync(caKey, other.privateKeyPem);
    const e = thrown(() => loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW }));
    expect(e.problems).toEqual([{
      field: caKey,
      message: `was replaced or edited since synth created it (it is not the key of the CA certificate with fingerprint ${fs.readFileSync(caSha, 'utf8').trim()})`,
      fix: fixFor(caDir),
    }]);
  });

  test.each([
    ['ca.pem', 'is missing since synth created it (expected the CA certificate with fingerprint FP)'],
    ['ca.key.pem', 'is missing since synth created it (the key of the CA certificate with fingerprint FP)'],
  ])('a deleted %s stops the run instead of making a new CA silently', (file, message) => {
    const { stateDir, caDir, caSha } = state();
    const fp = fs.readFileSync(caSha, 'utf8').trim();
    fs.rmSync(path.join(caDir, file));
    const e = thrown(() => loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW }));
    expect(e.problems).toEqual([{ field: path.join(caDir, file), message: message.replace('FP', fp), fix: fixFor(caDir) }]);
  });

  test('a dry run (synth --check) reports a replaced CA too', () => {
    const { stateDir, caPem } = state();
    fs.writeFileSync(caPem, createDevCa({ now: NOW }).certificatePem);
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: NOW, run: new DevStateRun({ dryRun: true }) }))
      .toThrow(`${caPem}: was replaced or edited since synth created it`);
  });

  test('after following the fix (deleting dev-ca), a new CA is made and recorded', () => {
    const { stateDir, caDir, caPem, caSha } = state();
    fs.writeFileSync(caPem, createDevCa({ now: NOW }).certificatePem);
    fs.rmSync(caDir, { recursive: true });
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW });
    expect(got.generated).toBe(true);
    expect(fs.readFileSync(caSha, 'utf8')).toBe(`${fingerprintOf(fs.readFileSync(caPem, 'utf8'))}\n`);
  });

  test('a damaged ca.sha256 is reported with how to recover', () => {
    const { stateDir, caDir, caSha } = state();
    fs.writeFileSync(caSha, 'not a fingerprint\n');
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: NOW }))
      .toThrow(`${caSha}: is not a readable SHA-256 fingerprint (not 32 colon-separated hex bytes). Fix: restore it from backup, or delete ${caDir}: the next synth makes a new development CA (clients must trust the new ca.pem)`);
  });

  test('a CA renewed by synth itself is normal: the new one goes first, its fingerprint is recorded, the old one stays to trust', () => {
    // GIVEN a state whose CA (3650 days) expires within the next leaf's 90 days
    const { stateDir, caPem, caSha } = state();
    const oldCa = fs.readFileSync(caPem, 'utf8');
    const later = new Date(NOW.getTime() + 3600 * DAY);
    // WHEN
    const got = loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: later });
    // THEN
    expect(got.generated).toBe(true);
    const bundle = fs.readFileSync(caPem, 'utf8');
    expect(bundle.endsWith(oldCa)).toBe(true);
    expect(bundle).not.toBe(oldCa);
    expect(fs.readFileSync(caSha, 'utf8')).toBe(`${fingerprintOf(bundle)}\n`);
    expect(got.certificatePem.endsWith(bundle.slice(0, bundle.length - oldCa.length))).toBe(true);
    // And the renewed state is accepted by the next run.
    expect(loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: later })).toMatchObject({ generated: false, certificatePem: got.certificatePem });
  });
});

describe('state from before fingerprints were recorded', () => {
  test('a matching CA and key are adopted as synth\'s own and recorded, with the certificate reused', () => {
    const { stateDir, stored, caPem, caSha } = state();
    fs.rmSync(caSha);
    const caBefore = fs.readFileSync(caPem, 'utf8');
    const run = new DevStateRun();
    const got = loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: NOW, run });
    expect(got).toMatchObject({ generated: false, certificatePem: stored.certificatePem });
    expect(run.writtenFiles).toEqual([caSha]);
    expect(fs.readFileSync(caSha, 'utf8')).toBe(`${fingerprintOf(caBefore)}\n`);
    expect(fs.readFileSync(caPem, 'utf8')).toBe(caBefore);
    // From then on a replacement is caught.
    fs.writeFileSync(caPem, createDevCa({ now: NOW }).certificatePem);
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: CNAME, now: NOW })).toThrow('was replaced or edited since synth created it');
  });

  test('a CA whose key does not match is replaced by a new CA, as before (nothing tells which of the two synth made)', () => {
    const { stateDir, caPem, caKey, caSha } = state();
    fs.rmSync(caSha);
    fs.writeFileSync(caKey, createDevCa({ now: NOW }).privateKeyPem);
    const oldCa = fs.readFileSync(caPem, 'utf8');
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW });
    expect(got.generated).toBe(true);
    const bundle = fs.readFileSync(caPem, 'utf8');
    expect(bundle.endsWith(oldCa)).toBe(true);
    expect(fs.readFileSync(caSha, 'utf8')).toBe(`${fingerprintOf(bundle)}\n`);
  });
});
