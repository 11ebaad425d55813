import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { SealedTlsSecret, SealedTlsSecretProps } from '../../lib/constructs/delivery/sealed-secret';
import { FileSealCache } from '../../lib/sealing/cache';
import { SealingScope } from '../../lib/sealing/seal';
import { certFixture, NOW, privateKeyLines, sealingFixture, unseal } from './unseal';

const SEALING_CERT = sealingFixture('controller.pem');
const OTHER_SEALING_CERT = sealingFixture('other-controller.pem');
const TLS_CHAIN = certFixture('leaf-chain.pem');
const TLS_KEY = certFixture('leaf.key');
const OTHER_TLS_KEY = certFixture('other.key');

const props: SealedTlsSecretProps = {
  secretName: 'azureml-fe-tls',
  certificatePem: TLS_CHAIN,
  privateKeyPem: TLS_KEY,
  sealingCertificatePem: SEALING_CERT,
  now: NOW,
};

let dir: string;
let cacheFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-cache-'));
  cacheFile = path.join(dir, 'sealed-secrets.cache.json');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One run of the generator: load the cache, synthesize, prune, save. Returns encryptedData. */
function run(overrides: Partial<SealedTlsSecretProps> = {}): Record<string, string> {
  const cache = FileSealCache.load(cacheFile);
  const chart = Testing.chart();
  new SealedTlsSecret(chart, 'Tls', { ...props, ...overrides, cache });
  cache.prune();
  cache.save();
  return (Testing.synth(chart)[0] as { spec: { encryptedData: Record<string, string> } }).spec.encryptedData;
}

describe('stable ciphertext with a FileSealCache', () => {
  test('unchanged input gives identical encryptedData and leaves the cache file untouched', () => {
    // GIVEN
    const first = run();
    const written = fs.readFileSync(cacheFile, 'utf8');
    const mtime = fs.statSync(cacheFile).mtimeMs;
    // WHEN
    const second = run();
    // THEN
    expect(second).toEqual(first);
    expect(fs.readFileSync(cacheFile, 'utf8')).toBe(written);
    expect(fs.statSync(cacheFile).mtimeMs).toBe(mtime);
  });

  test('a changed key reseals key.pem only', () => {
    const first = run();
    const second = run({ privateKeyPem: OTHER_TLS_KEY });
    expect(second['cert.pem']).toBe(first['cert.pem']);
    expect(second['key.pem']).not.toBe(first['key.pem']);
    expect(unseal(second['key.pem'], sealingFixture('controller.key'), 'azureml/azureml-fe-tls').toString('latin1')).toBe(OTHER_TLS_KEY);
  });

  test.each<[string, Partial<SealedTlsSecretProps>]>([
    ['the name (strict label)', { secretName: 'azureml-fe-tls-2' }],
    ['the scope', { scope: SealingScope.NAMESPACE_WIDE }],
    ['the sealing certificate', { sealingCertificatePem: OTHER_SEALING_CERT }],
  ])('changing %s reseals every value', (_what, change) => {
    const first = run();
    const second = run(change);
    expect(second['cert.pem']).not.toBe(first['cert.pem']);
    expect(second['key.pem']).not.toBe(first['key.pem']);
  });

  test('namespace-wide values are reused across names (their label has no name)', () => {
    const first = run({ scope: SealingScope.NAMESPACE_WIDE });
    const second = run({ scope: SealingScope.NAMESPACE_WIDE, secretName: 'renamed' });
    expect(second).toEqual(first);
  });

  test('prune drops the entries a run did not use, so going back reseals', () => {
    // GIVEN
    const first = run();
    run({ privateKeyPem: OTHER_TLS_KEY });
    // THEN the old key.pem entry is gone: two entries, both of the last run
    const file = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(file.entries)).toHaveLength(2);
    expect(Object.values(file.entries)).not.toContain(first['key.pem']);
    expect(Object.values(file.entries)).toContain(first['cert.pem']);
    expect(run()['key.pem']).not.toBe(first['key.pem']);
  });

  test('the cache file holds only digests and sealed values: no PEM text and no key base64', () => {
    // GIVEN
    run();
    run({ scope: SealingScope.CLUSTER_WIDE });
    // WHEN
    const text = fs.readFileSync(cacheFile, 'utf8');
    // THEN
    const parsed = JSON.parse(text) as { version: number; entries: Record<string, string> };
    expect(Object.keys(parsed)).toEqual(['version', 'entries']);
    expect(parsed.version).toBe(1);
    for (const [digest, sealed] of Object.entries(parsed.entries)) {
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
    expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|CERTIFICATE/);
    const bodies = [TLS_KEY, TLS_CHAIN].map((pem) => Buffer.from(pem, 'latin1').toString('base64'));
    for (const b64 of bodies) expect(text).not.toContain(b64.slice(0, 40));
    for (const line of privateKeyLines(TLS_KEY)) expect(text).not.toContain(line.slice(0, 24));
    expect(text.endsWith('}\n')).toBe(true);
  });
});
