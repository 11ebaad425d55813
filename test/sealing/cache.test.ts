import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { digestFor, FileSealCache, InMemorySealCache } from '../../lib/sealing/cache';
import { sealingFixture } from './unseal';

const SEALING_CERT = sealingFixture('controller.pem');
const OTHER_SEALING_CERT = sealingFixture('other-controller.pem');
const D1 = '1'.repeat(64);
const D2 = '2'.repeat(64);
const D3 = 'a'.repeat(64);

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-cache-unit-'));
  file = path.join(dir, 'cache.json');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('digestFor', () => {
  test('is a stable hex SHA-256 that depends on the value, the label and the sealing certificate', () => {
    // GIVEN
    const base = digestFor(Buffer.from('value'), 'ns/name', SEALING_CERT);
    // THEN
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(digestFor(Buffer.from('value'), 'ns/name', SEALING_CERT)).toBe(base);
    expect(digestFor(Buffer.from('value'), 'ns/name', `\n${SEALING_CERT.replace(/\n/g, '\r\n')}`)).toBe(base);
    const others = [
      digestFor(Buffer.from('valuf'), 'ns/name', SEALING_CERT),
      digestFor(Buffer.from('value'), 'ns/other', SEALING_CERT),
      digestFor(Buffer.from('value'), 'ns', SEALING_CERT),
      digestFor(Buffer.from('value'), '', SEALING_CERT),
      digestFor(Buffer.from('value'), 'ns/name', OTHER_SEALING_CERT),
    ];
    expect(new Set([base, ...others]).size).toBe(6);
  });

  test('length prefixes keep label and value apart', () => {
    expect(digestFor(Buffer.from('bc'), 'a', SEALING_CERT)).not.toBe(digestFor(Buffer.from('c'), 'ab', SEALING_CERT));
  });

  test('fails, without printing the input, when the sealing certificate is not one', () => {
    expect(() => digestFor(Buffer.from('secret-value'), 'ns/name', 'garbage')).toThrow(/holds no PEM block/);
    expect(() => digestFor(Buffer.from('secret-value'), 'ns/name', 'garbage')).not.toThrow(/secret-value/);
  });
});

describe('FileSealCache', () => {
  test('a missing file is an empty cache, and nothing is written when nothing changed', () => {
    const cache = FileSealCache.load(file);
    expect(cache.size).toBe(0);
    expect(cache.get(D1)).toBeUndefined();
    expect(cache.save()).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('saves sorted entries with a trailing newline and reads them back', () => {
    // GIVEN
    const cache = FileSealCache.load(path.join(dir, 'sub', 'cache.json'));
    cache.set(D3, 'QUJD');
    cache.set(D1, 'WFla');
    // WHEN
    expect(cache.isChanged).toBe(true);
    expect(cache.save()).toBe(true);
    // THEN
    const text = fs.readFileSync(path.join(dir, 'sub', 'cache.json'), 'utf8');
    expect(text).toBe(`{\n  "version": 1,\n  "entries": {\n    "${D1}": "WFla",\n    "${D3}": "QUJD"\n  }\n}\n`);
    const again = FileSealCache.load(path.join(dir, 'sub', 'cache.json'));
    expect(again.get(D3)).toBe('QUJD');
    expect(again.size).toBe(2);
    expect(fs.readdirSync(path.join(dir, 'sub'))).toEqual(['cache.json']);
  });

  test('setting the same value again is not a change', () => {
    const cache = FileSealCache.load(file);
    cache.set(D1, 'QUJD');
    cache.save();
    const again = FileSealCache.load(file);
    again.set(D1, 'QUJD');
    expect(again.isChanged).toBe(false);
    expect(again.save()).toBe(false);
  });

  test('prune drops the entries neither read nor written since load', () => {
    // GIVEN
    const cache = FileSealCache.load(file);
    cache.set(D1, 'QUJD');
    cache.set(D2, 'REVG');
    cache.set(D3, 'R0hJ');
    cache.save();
    // WHEN
    const again = FileSealCache.load(file);
    again.get(D1);
    again.set(D2, 'SktM');
    again.get('f'.repeat(64));
    const dropped = again.prune();
    // THEN
    expect(dropped).toBe(1);
    expect(again.save()).toBe(true);
    const entries = (JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: Record<string, string> }).entries;
    expect(entries).toEqual({ [D1]: 'QUJD', [D2]: 'SktM' });
    expect(FileSealCache.load(file).prune()).toBe(2);
  });

  test.each([
    ['not JSON', 'nope', /is not valid JSON: delete the file/],
    ['another version', '{"version":2,"entries":{}}', /is not a version 1 seal cache/],
    ['an array', '[]', /is not a version 1 seal cache/],
    ['a bad digest', '{"version":1,"entries":{"abc":"QUJD"}}', /the entry "abc" is not a SHA-256 digest/],
    ['a value that is not base64', `{"version":1,"entries":{"${D1}":"-----BEGIN"}}`, /is not a SHA-256 digest with a base64 sealed value/],
  ])('fails to load %s, naming the file', (_what, content, message) => {
    fs.writeFileSync(file, content);
    expect(() => FileSealCache.load(file)).toThrow(message);
    expect(() => FileSealCache.load(file)).toThrow(file);
  });

  test('refuses entries that are not a digest and a base64 value', () => {
    const cache = FileSealCache.load(file);
    expect(() => cache.set('ns/name', 'QUJD')).toThrow(/not a digestFor\(\) digest/);
    expect(() => cache.set(D1, '-----BEGIN PRIVATE KEY-----')).toThrow(/is not standard padded base64/);
    expect(() => cache.set(D1, '-----BEGIN PRIVATE KEY-----')).not.toThrow(/PRIVATE KEY/);
  });
});

describe('InMemorySealCache', () => {
  test('starts from the given entries and lists them sorted', () => {
    const cache = new InMemorySealCache({ [D3]: 'QUJD' });
    cache.set(D1, 'REVG');
    expect(cache.get(D3)).toBe('QUJD');
    expect(Object.keys(cache.toJson())).toEqual([D1, D3]);
    expect(cache.size).toBe(2);
    expect(() => cache.set('x', 'QUJD')).toThrow(/not a digestFor\(\) digest/);
  });
});
