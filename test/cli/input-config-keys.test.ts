import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Issue 12: configs that once crashed the loader (keys every JavaScript object has, a billion-laughs document, a
// validity of 99999999999 days) give one plain error line per problem through every command that reads the config,
// `report` included (it printed a stack trace). The CLI is the precompiled one (`npm test` builds it first).
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const AT = ['--at', '2027-06-01T00:00:00Z'];

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-keys-')));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  if (r.signal) throw new Error(`azureml-tls ${args.join(' ')} did not finish (killed with ${r.signal})`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const commands = (): [string, string[]][] => [
  ['synth --check', ['synth', '--check', '--config', 'azureml-tls.yaml', '--out', 'dist', ...AT]],
  ['report', ['report', '--config', 'azureml-tls.yaml', ...AT]],
];

describe('configs that crashed the loader', () => {
  test.each(commands())('%s reports keys named constructor, toString and __proto__ as problems, not a stack trace', (_name, args) => {
    // GIVEN
    fs.writeFileSync(path.join(dir, 'azureml-tls.yaml'), [
      'constructor: 1',
      'environments:',
      '  - name: dev',
      '    toString: x',
      '    __proto__: { name: other }',
      '    insecure: true',
      '    extension: { enableTraining: true, additionalSettings: { valueOf: x } }',
      '',
    ].join('\n'));
    // WHEN
    const r = run(args);
    // THEN
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/^\s+at |TypeError/m);
    const errors = r.err.split('\n').filter((l) => l.startsWith('error: azureml-tls.yaml: '));
    expect(errors).toEqual([
      'error: azureml-tls.yaml: constructor: is not a known key. Fix: use one of defaults, fleet, environments',
      'error: azureml-tls.yaml: environments[0] (dev).toString: is not a known key. Fix: use one of name, production, cluster, extension, tls, insecure, manifests, aso, fleet',
      'error: azureml-tls.yaml: environments[0] (dev).__proto__: is not a known key. Fix: use one of name, production, cluster, extension, tls, insecure, manifests, aso, fleet',
      'error: azureml-tls.yaml: environments[0] (dev).extension.additionalSettings.valueOf: is a name every JavaScript object has (Object.prototype.valueOf), which this tool cannot take as a key. Fix: remove the key valueOf or rename it',
    ]);
  });

  test.each(commands())('%s reports a billion-laughs document in one line naming the file', (_name, args) => {
    const ladder = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) ladder.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    fs.writeFileSync(path.join(dir, 'azureml-tls.yaml'), `${ladder.join('\n')}\nenvironments: [*f]\n`);
    const r = run(args);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: azureml-tls.yaml: is not a usable YAML document: its aliases (*name) expand to too many copies (Excessive alias count indicates a resource exhaustion attack), as in a "billion laughs" document; the first alias is at line 2, column 8. Fix: expand the aliases (write the values out) or remove the anchor loop; a config file needs few aliases, if any');
  });

  test('selfSigned.days: 99999999999 is refused before a certificate is issued', () => {
    fs.writeFileSync(path.join(dir, 'azureml-tls.yaml'), 'environments:\n  - name: dev\n    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }\n    tls: { cname: ml.dev.example.com, certificate: { selfSigned: { days: 99999999999 } } }\n');
    const r = run(['synth', '--check', '--config', 'azureml-tls.yaml', '--out', 'dist', ...AT]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: azureml-tls.yaml: environments[0] (dev).tls.certificate.selfSigned.days: must be at most 3650 (got "99999999999"). Fix: use at most 3650 days (10 years, the development CA\'s own validity), e.g. 90: synth renews a development certificate before it expires');
    expect(fs.readdirSync(dir)).toEqual(['azureml-tls.yaml']);
  });

  test('check --json gives each unreadable Secret manifest its finding code', () => {
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 4 * 1024 * 1024 + 1);
    const code = (secret: string) => (JSON.parse(run(['check', '--secret', secret, '--json', ...AT]).out) as { findings: { code: string }[] }).findings.map((f) => f.code);
    expect(code(path.join(dir, 'none.yaml'))).toEqual(['file-not-found']);
    expect(code('/dev/zero')).toEqual(['file-not-found']);
    expect(code(big)).toEqual(['file-too-large']);
    if (process.getuid?.() === 0 && fs.existsSync('/proc/self/mem')) expect(code('/proc/self/mem')).toEqual(['file-unreadable']);
  });
});
