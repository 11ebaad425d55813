import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { buildConfigSchema } from '../../lib/config/schema';
import { schemaReference, starterConfig } from '../../lib/cli/init';
import { environmentObjects } from '../helpers/output';

// `azureml-tls init`, as a user runs it in a project of their own: the precompiled CLI in a temp folder as cwd.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// Certificates are made and checked at a fixed time, never the clock's.
const AT = '2027-01-01T00:00:00Z';

/** Runs the CLI in `cwd` without $AZUREML_TLS_CONFIG, so the user's shell cannot change what it finds. */
function run(args: string[], cwd: string, bin = BIN) {
  const env = { ...process.env };
  delete env.AZUREML_TLS_CONFIG;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh folder below this run's temp folder (test/setup removes it at the end). */
function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'azml-init-'));
}

/** The schema's errors for `value` (one Ajv per schema: both carry the same $id). */
function schemaErrors(schema: object, value: unknown): unknown[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validate(value) ? [] : (validate.errors ?? []);
}
const shippedSchema = JSON.parse(fs.readFileSync(path.join(ROOT, 'azureml-tls.schema.json'), 'utf8')) as object;

beforeAll(() => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx tsc -p tsconfig.build.json\` (npm test does)`);
});

describe('azureml-tls init', () => {
  test('writes a commented starter config (mode 0644) that passes the JSON Schema, and says what to run next', () => {
    const dir = tmp();
    const r = run(['init'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const file = path.join(fs.realpathSync(dir), 'azureml-tls.yaml');
    expect(r.out).toBe([
      `wrote ${file}: a starter config with one environment (dev: a development certificate for ml.dev.example.com)`,
      'next: edit it (tls.cname, the cluster block), then run: npx azureml-tls synth',
      '',
    ].join('\n'));
    expect(fs.readdirSync(dir)).toEqual(['azureml-tls.yaml']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    const text = fs.readFileSync(file, 'utf8');
    // First line: the schema for editors, here the schema of the package the CLI runs from, as a relative path.
    const first = text.split('\n')[0];
    expect(first).toMatch(/^# yaml-language-server: \$schema=\.\.?\/\S+$/);
    const ref = first.split('$schema=')[1];
    expect(path.resolve(dir, ref)).toBe(path.join(ROOT, 'azureml-tls.schema.json'));
    expect(text).toBe(starterConfig(ref, VERSION));
    // Valid against the shipped schema and the one generated from the types.
    const config: unknown = parse(text);
    expect(schemaErrors(shippedSchema, config)).toEqual([]);
    expect(schemaErrors(buildConfigSchema(), config)).toEqual([]);
    expect(config).toEqual({
      environments: [{
        name: 'dev',
        production: false,
        extension: { enableInference: true, inferenceRouterServiceType: 'LoadBalancer' },
        tls: { cname: 'ml.dev.example.com', certificate: { selfSigned: { days: 90 } }, delivery: 'secret', secretName: 'azureml-fe-tls' },
      }],
    });
    // The comments explain the alternatives and where output and state go.
    for (const phrase of ['files:', 'existingSecret:', 'keyVault:', 'certManager:', 'sealedSecret', 'pemSettings', 'externalSecret', 'dist/clusters/<name>/', '.azureml-tls/', 'insecure: true', 'defaults:']) {
      expect(text).toContain(phrase);
    }
  });

  test('the starter config synthesizes as it is, and report reads it', () => {
    const dir = tmp();
    expect(run(['init'], dir).code).toBe(0);
    const synth = run(['synth', '--out', 'dist', '--at', AT], dir);
    expect(synth.err).toBe('');
    expect(synth.code).toBe(0);
    expect(synth.out).toMatch(/^synthesized 1 environment\(s\) into dist: \d+ files written, 0 warning\(s\)\n$/);
    const secret = environmentObjects(path.join(dir, 'dist'), 'dev').find((o) => o.kind === 'Secret');
    expect(secret).toMatchObject({ kind: 'Secret', metadata: { name: 'azureml-fe-tls', namespace: 'azureml' } });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'install', 'dev', 'settings.json'), 'utf8'))).toMatchObject({ 'scoringFe.sslSecret': 'azureml-fe-tls', 'sslCname': 'ml.dev.example.com' });
    // State beside the config, in the project: never anywhere else.
    expect(fs.readdirSync(dir).sort()).toEqual(['.azureml-tls', 'azureml-tls.yaml', 'dist']);
    const report = run(['report', '--at', AT], dir);
    expect(report.err).toBe('');
    expect(report.code).toBe(0);
    expect(report.out).toMatch(/^dev\s+ml\.dev\.example\.com\s+selfSigned\s+secret\s+2027-04-01T00:00:00\.000Z\s+90\s+ok$/m);
  });

  test('refuses to overwrite an existing file unless --force is given', () => {
    const dir = tmp();
    const file = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(file, 'mine\n');
    const r = run(['init'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`error: azureml-tls.yaml in the current folder: already exists; it was not overwritten (got ${JSON.stringify(fs.realpathSync(file))}). Fix: pass --force to replace it, or --out FILE to write another file\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');

    const explicit = run(['init', '--out', 'azureml-tls.yaml'], dir);
    expect(explicit.code).toBe(1);
    expect(explicit.err).toContain('error: --out: already exists; it was not overwritten');
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');

    fs.chmodSync(file, 0o600);
    const forced = run(['init', '--force'], dir);
    expect(forced.err).toBe('');
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
  });

  test('--out writes another file (creating its folder), and the next command names it', () => {
    const dir = tmp();
    const r = run(['init', '--out', path.join('k8s', 'ml.yaml')], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`next: edit it (tls.cname, the cluster block), then run: npx azureml-tls synth --config ${path.join('k8s', 'ml.yaml')}\n`);
    const file = path.join(dir, 'k8s', 'ml.yaml');
    expect(fs.readdirSync(dir)).toEqual(['k8s']);
    const ref = fs.readFileSync(file, 'utf8').split('\n')[0].split('$schema=')[1];
    expect(path.resolve(path.dirname(file), ref)).toBe(path.join(ROOT, 'azureml-tls.schema.json'));
    expect(run(['synth', '--config', path.join('k8s', 'ml.yaml'), '--out', 'dist', '--at', AT], dir).code).toBe(0);
    // The state goes beside that config.
    expect(fs.existsSync(path.join(dir, 'k8s', '.azureml-tls'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.azureml-tls'))).toBe(false);
  });

  test('in a project with the package installed, the schema reference points into its node_modules', () => {
    // The layout npm makes: <project>/node_modules/cdk8s-azureml-tls (here a link to this repository).
    const project = tmp();
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'cdk8s-azureml-tls'), 'dir');
    const bin = path.join(project, 'node_modules', 'cdk8s-azureml-tls', 'build', 'lib', 'cli', 'bin.js');
    expect(run(['init'], project, bin).code).toBe(0);
    expect(fs.readFileSync(path.join(project, 'azureml-tls.yaml'), 'utf8').split('\n')[0])
      .toBe('# yaml-language-server: $schema=./node_modules/cdk8s-azureml-tls/azureml-tls.schema.json');
    expect(run(['init', '--out', 'infra/azureml-tls.yaml'], project, bin).code).toBe(0);
    expect(fs.readFileSync(path.join(project, 'infra', 'azureml-tls.yaml'), 'utf8').split('\n')[0])
      .toBe('# yaml-language-server: $schema=../node_modules/cdk8s-azureml-tls/azureml-tls.schema.json');
    expect(schemaReference(path.join(project, 'infra'), '/elsewhere')).toBe('../node_modules/cdk8s-azureml-tls/azureml-tls.schema.json');
    expect(fs.readdirSync(project).sort()).toEqual(['azureml-tls.yaml', 'infra', 'node_modules']);
  });

  test('refuses a file inside node_modules, and a folder', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    const target = path.join(dir, 'node_modules', 'x', 'azureml-tls.yaml');
    const r = run(['init', '--out', target], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --out: the config file lies inside a node_modules folder, where nothing may be kept`);
    expect(r.err).toContain(`(got ${JSON.stringify(target)})`);
    expect(r.err).toContain('Fix: write it in your project, outside node_modules: run `npx azureml-tls init` in the project folder, or pass --out FILE');
    expect(fs.readdirSync(path.join(dir, 'node_modules', 'x'))).toEqual([]);

    fs.mkdirSync(path.join(dir, 'node'));
    const folder = run(['init', '--out', 'node'], dir);
    expect(folder.code).toBe(1);
    expect(folder.err).toBe(`error: --out: is a folder, not a file (got ${JSON.stringify(path.join(fs.realpathSync(dir), 'node'))}). Fix: name the file, e.g. --out ${path.join('node', 'azureml-tls.yaml')}\n`);
  });

  test('exits 2 on an unknown flag or an empty --out, 0 for --help', () => {
    const dir = tmp();
    const r = run(['init', '--bogus'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: Unknown option '--bogus'");
    expect(r.err).toContain('Usage: azureml-tls init [--out FILE] [--force]');
    const empty = run(['init', '--out', ''], dir);
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('error: --out "" is empty (fix: name the file, e.g. --out azureml-tls.yaml)');
    const help = run(['init', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: azureml-tls init [--out FILE] [--force]');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
