import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findConfigFile, formatProblem, MAX_NODE_COUNT, MAX_SELF_SIGNED_DAYS, mergeDefaults, parseConfig, Problem, readConfig, shownValue, ValidationError } from '../../lib/internal';
import { onPath } from '../helpers/tools';

// Issue 12: keys every JavaScript object has, YAML the library refuses to convert, unbounded numbers and values, and
// config paths that are not regular files. Every case is a problem naming the file and the field, never a TypeError.
const ROOT = path.resolve(__dirname, '..', '..');
const FILE = path.join(ROOT, 'test-config.yaml');
const NOW = new Date('2027-06-01T00:00:00Z');

function problems(text: string): Problem[] {
  try {
    parseConfig(text, FILE, { now: NOW });
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw e;
  }
  return [];
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lines = (text: string) => problems(text).map((p) => `${p.field}: ${p.message}`);

const OK_ENV = '{ name: dev, insecure: true, extension: { enableTraining: true } }';
const config = (env: string, top = '') => `${top}environments: [${env}]\n`;

describe('keys every JavaScript object has (constructor, toString, __proto__, ...)', () => {
  const PROTO_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

  test.each(PROTO_KEYS)('%s is an unknown key at every level of the config, not a crash', (key) => {
    // GIVEN the key at the top level, in an environment, and in each block with known keys
    const at: [string, string][] = [
      [config(OK_ENV, `${key}: 1\n`), key],
      [config(`{ name: dev, insecure: true, extension: { enableTraining: true }, ${key}: 1 }`), `environments[0] (dev).${key}`],
      [config(`{ name: dev, insecure: true, extension: { enableTraining: true, ${key}: true } }`), `environments[0] (dev).extension.${key}`],
      [config(`{ name: dev, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }, tls: { cname: ml.example.com, certificate: { existingSecret: s }, ${key}: 1 } }`), `environments[0] (dev).tls.${key}`],
      [config(`{ name: dev, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }, tls: { cname: ml.example.com, certificate: { existingSecret: s, ${key}: 1 } } }`), `environments[0] (dev).tls.certificate.${key}`],
      [config(`{ name: dev, insecure: true, extension: { enableTraining: true }, cluster: { type: aks, ${key}: 1 } }`), `environments[0] (dev).cluster.${key}`],
      [config(`{ name: dev, insecure: true, extension: { enableTraining: true }, manifests: { ${key}: 1 } }`), `environments[0] (dev).manifests.${key}`],
      [config(`{ name: dev, insecure: true, extension: { enableTraining: true }, aso: { ${key}: 1 } }`), `environments[0] (dev).aso.${key}`],
      [config(`{ name: dev, insecure: true, extension: { enableTraining: true }, fleet: { ${key}: 1 } }`), `environments[0] (dev).fleet.${key}`],
      [config(OK_ENV, `fleet: { ${key}: 1 }\n`), `fleet.${key}`],
      [config(OK_ENV, `defaults: { ${key}: 1 }\n`), `defaults.${key}`],
    ];
    for (const [text, field] of at) {
      // WHEN / THEN
      expect(lines(text)).toContain(`test-config.yaml: ${field}: is not a known key`);
    }
  });

  test.each(PROTO_KEYS)('a map (labels, annotations, nodeSelector, pass-through settings, secretNames) refuses the key %s with a clear problem', (key) => {
    const message = `is a name every JavaScript object has (Object.prototype.${key}), which this tool cannot take as a key`;
    const env = (block: string) => config(`{ name: dev, insecure: true, extension: { enableTraining: true${block.startsWith('extension') ? `, ${block.slice('extension.'.length)}` : ''} }${block.startsWith('extension') ? '' : `, ${block}`} }`);
    const cases: [string, string][] = [
      [env(`manifests: { labels: { ${key}: x } }`), 'manifests.labels'],
      [env(`manifests: { annotations: { Secret: { ${key}: x } } }`), 'manifests.annotations.Secret'],
      [env(`manifests: { annotations: { ${key}: { a: b } } }`), 'manifests.annotations'],
      [env(`extension.nodeSelector: { ${key}: x }`), 'extension.nodeSelector'],
      [env(`extension.additionalSettings: { ${key}: x }`), 'extension.additionalSettings'],
      [env(`extension.additionalProtectedSettings: { ${key}: x }`), 'extension.additionalProtectedSettings'],
      [env(`aso: { keyVault: { vaultUrl: 'https://v.vault.azure.net/', clientId: c, tenantId: t, secretNames: { ${key}: x } } }`), 'aso.keyVault.secretNames'],
    ];
    for (const [text, map] of cases) {
      const found = problems(text);
      expect(found.map((p) => `${p.field}: ${p.message}`)).toEqual([`test-config.yaml: environments[0] (dev).${map}.${key}: ${message}`]);
      expect(found[0].fix).toBe(`remove the key ${key} or rename it`);
    }
    // In the defaults too, named once there.
    expect(lines(config(OK_ENV, `defaults: { manifests: { labels: { ${key}: x } } }\n`))).toEqual([`test-config.yaml: defaults.manifests.labels.${key}: ${message}`]);
  });

  test('a map still takes ordinary keys', () => {
    const loaded = parseConfig(config('{ name: dev, insecure: true, extension: { enableTraining: true, additionalSettings: { constructorName: x } }, manifests: { labels: { team: ml } } }'), FILE, { now: NOW });
    expect(loaded.environments[0].props.labels).toEqual({ team: 'ml' });
    expect(loaded.environments[0].props.settings.additionalSettings).toEqual({ constructorName: 'x' });
  });

  test.each([
    ['YAML', 'environments:\n  - __proto__: { polluted: yes }\n    name: dev\n'],
    ['JSON', '{"__proto__": {"polluted": "yes"}, "environments": [{"__proto__": {"polluted": "yes"}, "name": "dev"}]}'],
  ])('__proto__ in %s input is an own key: it is reported and pollutes no prototype', (_format, text) => {
    // WHEN
    const found = lines(text);
    // THEN
    expect(found).toContain('test-config.yaml: environments[0] (dev).__proto__: is not a known key');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('merging defaults keeps __proto__ an own key and leaves the prototype alone', () => {
    // GIVEN an environment as the YAML parser makes it: __proto__ is an own property
    const env = JSON.parse('{"name": "dev", "__proto__": {"name": "evil", "tls": {}}}') as { [key: string]: unknown };
    // WHEN
    const merged = mergeDefaults({ extension: { enableTraining: true } }, env);
    // THEN
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['extension', 'name', '__proto__']);
    expect(merged.tls).toBeUndefined();
  });

  test('an environment\'s prototype-named keys merged over defaults of the same name are reported, not a crash', () => {
    expect(lines('defaults: { extension: { enableTraining: true } }\nenvironments:\n  - { name: dev, insecure: true, __proto__: { extension: 1 }, constructor: { a: 1 } }\n')).toEqual([
      'test-config.yaml: environments[0] (dev).__proto__: is not a known key',
      'test-config.yaml: environments[0] (dev).constructor: is not a known key',
    ]);
  });
});

describe('YAML the library cannot turn into data', () => {
  test('a billion-laughs document is a problem naming the file, the first alias\'s line and the fix', () => {
    // GIVEN nine levels of nine aliases each (9^9 copies if expanded)
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const text = `${levels.join('\n')}\nenvironments: [*i]\n`;
    // WHEN
    const found = problems(text);
    // THEN
    expect(found).toEqual([{
      field: 'test-config.yaml',
      message: 'is not a usable YAML document: its aliases (*name) expand to too many copies (Excessive alias count indicates a resource exhaustion attack), as in a "billion laughs" document; the first alias is at line 2, column 8',
      fix: 'expand the aliases (write the values out) or remove the anchor loop; a config file needs few aliases, if any',
    }]);
  });

  test('a few aliases are fine', () => {
    const text = 'defaults: { extension: &ext { enableTraining: true } }\nenvironments: [{ name: a, insecure: true }, { name: b, insecure: true, extension: *ext }]\n';
    expect(parseConfig(text, FILE, { now: NOW }).environments.map((e) => e.props.settings.enableTraining)).toEqual([true, true]);
  });

  test('an alias before its anchor names the alias', () => {
    expect(problems('environments: [*env]\nx: &env { name: a }\n')).toEqual([{
      field: 'test-config.yaml',
      message: 'is not a usable YAML document: Unresolved alias (the anchor must be set before the alias): env',
      fix: 'set the anchor (&name) before the alias (*name) that uses it, or write the value out',
    }]);
  });

  test('a syntax error names the line and column', () => {
    const [first] = problems('environments:\n  - name: dev\n   extension: {\n');
    expect(first).toEqual({ field: 'test-config.yaml', message: expect.stringMatching(/^is not valid YAML at line 3, column \d+: \S/), fix: 'fix the YAML syntax at the line shown' });
    expect(lines('environments: []\nenvironments: []\n')).toEqual(['test-config.yaml: is not valid YAML at line 2, column 1: Map keys must be unique']);
  });

  test('after ten YAML errors the rest are counted, not listed', () => {
    // GIVEN twelve duplicate keys, each an error on its own line
    const text = `${Array.from({ length: 13 }, (_, i) => `environments: [${i}]`).join('\n')}\n`;
    // WHEN
    const found = lines(text);
    // THEN
    expect(found).toHaveLength(11);
    expect(found[0]).toBe('test-config.yaml: is not valid YAML at line 2, column 1: Map keys must be unique');
    expect(found[10]).toBe('test-config.yaml: has 2 more YAML error(s)');
  });

  test('a key that is a list or a map is refused where it is', () => {
    expect(problems('environments:\n  - name: dev\n    ? [a, b]\n    : c\n')).toEqual([
      { field: 'test-config.yaml', message: 'has a key that is a list or a map at line 3, column 7', fix: 'write the key as plain text (a name such as tls or a label key)' },
    ]);
  });

  test('a %YAML 1.1 document is read with the YAML 1.2 core schema: yes is a string, !!timestamp no Date', () => {
    expect(lines('%YAML 1.1\n---\nenvironments:\n  - { name: dev, insecure: yes, extension: { enableTraining: true, additionalSettings: { at: !!timestamp 2001-12-14 } } }\n'))
      .toEqual(['test-config.yaml: environments[0] (dev).insecure: must be true or false, but is string "yes"']);
  });

  test('nesting too deep for the parser is a problem, not a RangeError', () => {
    const deep = `environments: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(problems(deep)).toEqual([expect.objectContaining({ field: 'test-config.yaml', message: expect.stringMatching(/^is not valid YAML at line 1, column \d+: Maximum call stack size exceeded$/) })]);
  });
});

describe('numbers and values out of bounds', () => {
  const selfSigned = (days: string) => config(`{ name: dev, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }, tls: { cname: ml.example.com, certificate: { selfSigned: { days: ${days} } } } }`);

  test('selfSigned.days over 3650 names the field, the value and the fix', () => {
    // WHEN
    const found = problems(selfSigned('99999999999'));
    // THEN
    expect(found).toEqual([{
      field: 'test-config.yaml: environments[0] (dev).tls.certificate.selfSigned.days',
      message: `must be at most ${MAX_SELF_SIGNED_DAYS}`,
      value: '99999999999',
      fix: 'use at most 3650 days (10 years, the development CA\'s own validity), e.g. 90: synth renews a development certificate before it expires',
    }]);
    expect(problems(selfSigned('3651'))).toHaveLength(1);
    expect(problems(selfSigned('3650'))).toEqual([]);
    expect(problems(selfSigned('1e300'))[0].message).toBe('must be at most 3650');
  });

  test('not-a-number and infinity are not whole numbers, and say so as written', () => {
    expect(lines(selfSigned('.nan'))).toEqual(['test-config.yaml: environments[0] (dev).tls.certificate.selfSigned.days: must be a whole number, but is number NaN']);
    expect(lines(selfSigned('-.inf'))).toEqual(['test-config.yaml: environments[0] (dev).tls.certificate.selfSigned.days: must be a whole number, but is number -Infinity']);
  });

  test(`cluster.nodeCount over ${MAX_NODE_COUNT} is refused`, () => {
    const found = problems(config(`{ name: dev, insecure: true, extension: { enableTraining: true }, cluster: { type: aks, nodeCount: ${MAX_NODE_COUNT + 1} } }`));
    expect(found).toEqual([expect.objectContaining({ field: 'test-config.yaml: environments[0] (dev).cluster.nodeCount', message: `must be at most ${MAX_NODE_COUNT}`, value: String(MAX_NODE_COUNT + 1) })]);
  });

  test('a 50 MB value is shown as its first characters and its length, wherever the config echoes it', () => {
    // GIVEN a 50 MB value of an enum setting, and 100 KB ones as a boolean, the environment's name and a key
    const huge = 'x'.repeat(50 * 1024 * 1024);
    const long = 'y'.repeat(100 * 1024);
    const text = config(`{ name: ${long}, insecure: true, extension: { enableTraining: ${long}, inferenceRouterServiceType: ${huge}, ${long}: 1 } }`);
    // WHEN
    const found = problems(text);
    // THEN every printed line is short, and says how long the value was
    expect(found).toHaveLength(4);
    for (const p of found) expect(formatProblem(p).length).toBeLessThan(1200);
    const printed = found.map(formatProblem);
    const where = `test-config.yaml: environments[0] ("${'y'.repeat(80)}"... (102400 characters))`;
    expect(printed).toEqual([
      `${where}.extension.enableTraining: must be true or false, but is string "${'y'.repeat(80)}"... (102400 characters). Fix: write true or false without quotes`,
      expect.stringMatching(new RegExp(`^${escape(where)}\\.extension\\.inferenceRouterServiceType: is not an allowed value \\(got "x{512}"\\.\\.\\. \\(52428800 characters\\)\\)\\. Fix: use one of `)),
      expect.stringMatching(new RegExp(`^${escape(where)}\\.extension\\."y{80}"\\.\\.\\. \\(102400 characters\\): is not a known key\\. Fix: use one of `)),
      expect.stringMatching(new RegExp(`^${escape(where)}\\.name: must be a DNS-1123 label .*\\(got "y{80}`)),
    ]);
  });

  test('shownValue quotes, escapes and shortens', () => {
    expect(shownValue('ml.example.com')).toBe('"ml.example.com"');
    expect(shownValue('a\nb"')).toBe('"a\\nb\\""');
    expect(shownValue('y'.repeat(81))).toBe(`"${'y'.repeat(80)}"... (81 characters)`);
    // A surrogate pair at the cut is not split.
    expect(shownValue(`${'y'.repeat(79)}😀z`)).toBe(`"${'y'.repeat(79)}"... (82 characters)`);
    expect(shownValue('abcdef', 3)).toBe('"abc"... (6 characters)');
  });

  test('a key with a line break is quoted in the field, so a problem stays one line', () => {
    expect(lines(config('{ name: dev, insecure: true, extension: { enableTraining: true }, "a\\nb": 1 }'))).toEqual(['test-config.yaml: environments[0] (dev)."a\\nb": is not a known key']);
  });
});

describe('config paths that are not regular files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-cfg-input-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const sparseFile = (file: string, bytes: number) => {
    fs.writeFileSync(file, '');
    fs.truncateSync(file, bytes);
    return file;
  };
  const readProblems = (file: string) => readConfig(file, { now: NOW }).problems.map((p) => `${p.message}. Fix: ${p.fix}`);

  test('a character device (/dev/zero) is refused by its kind, without reading it', () => {
    expect(readProblems('/dev/zero')).toEqual(['the config file is a character device, not a regular file. Fix: pass an existing, readable regular file with --config or AZUREML_TLS_CONFIG']);
    expect(findConfigFile({ config: '/dev/zero', environment: {} }).problems.map((p) => p.message)).toEqual(['names a config file that is a character device, not a regular file']);
  });

  test('a FIFO is refused by its kind, without waiting for a writer', () => {
    if (!onPath('mkfifo')) {
      console.log('skipped: mkfifo is not on the PATH');
      return;
    }
    const fifo = path.join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(readProblems(fifo)).toEqual(['the config file is a FIFO (named pipe), not a regular file. Fix: pass an existing, readable regular file with --config or AZUREML_TLS_CONFIG']);
    expect(findConfigFile({ config: fifo, environment: {} }).problems.map((p) => p.message)).toEqual(['names a config file that is a FIFO (named pipe), not a regular file']);
  });

  test('a file over 16 MiB is refused without being read', () => {
    // GIVEN a sparse file one byte over the cap (made instantly, no disk used)
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 16 * 1024 * 1024 + 1);
    expect(readProblems(big)).toEqual(['the config file is 16777217 bytes; a config file is at most 16 MiB. Fix: check the path: give the config file itself (azureml-tls.yaml)']);
    expect(findConfigFile({ config: big, environment: {} }).problems.map((p) => p.message)).toEqual(['names a config file that is 16777217 bytes; a config file is at most 16 MiB']);
  });

  test('a folder and a missing file keep their words', () => {
    expect(findConfigFile({ config: dir, environment: {} }).problems.map((p) => p.message)).toEqual(['names a config file that is a folder, not a file']);
    expect(readProblems(dir)).toEqual(['the config file is a folder, not a regular file. Fix: pass an existing, readable regular file with --config or AZUREML_TLS_CONFIG']);
    expect(readProblems(path.join(dir, 'none.yaml'))).toEqual(['the config file does not exist. Fix: pass an existing, readable regular file with --config or AZUREML_TLS_CONFIG']);
  });

  test('a config or PEM file the system cannot read is named with the reason', () => {
    // Permissions do not stop root (as CI runs), but reading /proc/self/mem fails with EIO for everyone on Linux.
    const unreadable = process.getuid?.() === 0 ? '/proc/self/mem' : path.join(dir, 'locked.yaml');
    if (unreadable === '/proc/self/mem' && !fs.existsSync(unreadable)) {
      console.log('skipped: running as root without /proc/self/mem, so no file is unreadable');
      return;
    }
    if (unreadable !== '/proc/self/mem') fs.writeFileSync(unreadable, 'x', { mode: 0o000 });
    const reason = unreadable === '/proc/self/mem' ? 'input/output error (EIO)' : 'permission denied (EACCES)';
    expect(readProblems(unreadable)).toEqual([`the config file cannot be read: ${reason}. Fix: pass an existing, readable regular file with --config or AZUREML_TLS_CONFIG`]);
    const file = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(file, config(`{ name: dev, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }, tls: { cname: ml.example.com, certificate: { files: { cert: ${unreadable}, key: ${unreadable} } } } }`));
    expect(readConfig(file, { now: NOW }).problems.map((p) => `${p.field}: ${p.message}. Fix: ${p.fix}`)).toEqual(['cert', 'key'].map((k) => (
      `azml-cfg-input-${path.basename(dir).slice('azml-cfg-input-'.length)}/azureml-tls.yaml: environments[0] (dev).tls.certificate.files.${k}: cannot be read: ${reason}. Fix: check the file's permissions: it must be readable by the user running this tool`)).map((l) => expect.stringContaining(l)));
  });

  test('a PEM file over 1 MiB or a folder is refused without being read', () => {
    const big = sparseFile(path.join(dir, 'big.pem'), 1024 * 1024 + 1);
    const file = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(file, config(`{ name: dev, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }, tls: { cname: ml.example.com, certificate: { files: { cert: ${big}, key: ${dir} } } } }`));
    expect(readConfig(file, { now: NOW }).problems.map((p) => `${p.message} [${p.value}]`)).toEqual([
      `is 1048577 bytes; a PEM file is a few KiB (at most 1048576 bytes are read) [${big}]`,
      `is a folder, not a file [${dir}]`,
    ]);
  });

  test('a sealing certificate or PEM file that is a device is named as one', () => {
    const file = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(file, config('{ name: dev, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }, tls: { cname: ml.example.com, certificate: { files: { cert: /dev/zero, key: /dev/null } }, sealing: { certificate: /dev/zero } } }'));
    expect(readConfig(file, { now: NOW }).problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      expect.stringMatching(/environments\[0\] \(dev\)\.tls\.certificate\.files\.cert: is a character device, not a regular file$/),
      expect.stringMatching(/environments\[0\] \(dev\)\.tls\.certificate\.files\.key: is a character device, not a regular file$/),
      expect.stringMatching(/environments\[0\] \(dev\)\.tls\.sealing\.certificate: is a character device, not a regular file$/),
    ]);
  });
});
