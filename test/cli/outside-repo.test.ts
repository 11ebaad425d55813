import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_ENV_VAR, findConfigFile } from '../../lib/config/load';
import { packageRoot, packageVersion } from '../../lib/cli/package-info';

// The CLI installed into another project: no config means an error (never the package's example config), and
// nothing is ever kept inside node_modules. The precompiled CLI runs as a real process in temp folders.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const AT = ['--at', '2027-01-01T00:00:00Z'];

/** Runs the CLI in `cwd`; $AZUREML_TLS_CONFIG only as given, so the user's shell cannot change what it finds. */
function run(args: string[], cwd: string, opts: { env?: { [name: string]: string }; bin?: string } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (!opts.env?.[CONFIG_ENV_VAR]) delete env[CONFIG_ENV_VAR];
  const r = spawnSync(process.execPath, [opts.bin ?? BIN, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh folder below this run's temp folder (test/setup removes it at the end); real path, as a child's cwd is. */
function tmp(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-outside-')));
}

/** A valid config (a development certificate) at `file`. */
function writeConfig(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [
    'environments:',
    '  - name: dev',
    '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
    '    tls: { cname: ml.dev.example.com, certificate: { selfSigned: {} } }',
    '',
  ].join('\n'));
  return file;
}

/** Every entry below `dir`, relative, sorted. */
function entries(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

beforeAll(() => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx tsc -p tsconfig.build.json\` (npm test does)`);
});

describe('azureml-tls --version', () => {
  test('prints the version of the package.json, and --help mentions it', () => {
    const dir = tmp();
    for (const flag of ['--version', '-v']) {
      const r = run([flag], dir);
      expect(r).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    }
    const help = run(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain('  -v, --version   print the version of cdk8s-azureml-tls');
    expect(help.out).toContain('  init       Write a commented starter config');
    const extra = run(['--version', 'synth'], dir);
    expect(extra.code).toBe(2);
    expect(extra.err).toContain('error: --version takes no arguments (got "synth")');
    expect(entries(dir)).toEqual([]);
  });

  test('finds its own package.json by name, from the sources and the compiled files', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(packageRoot(path.join(ROOT, 'build', 'lib', 'cli'))).toBe(ROOT);
    expect(packageVersion()).toBe(VERSION);
    // Another package.json on the way up is skipped.
    const other = path.join(tmp(), 'nested');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'package.json'), '{"name":"someone-else","version":"9.9.9"}');
    expect(() => packageRoot(other)).toThrow(/cannot find the package.json of cdk8s-azureml-tls above .*nested \(fix: reinstall the package\)/);
  });
});

describe('without a config', () => {
  test.each([['synth', ['synth', ...AT]], ['synth --out', ['synth', '--out', 'dist', ...AT]], ['report', ['report', ...AT]]])(
    '%s exits 1, says where it looked and to run init, and writes nothing',
    (_name, args) => {
      const dir = tmp();
      const r = run(args, dir);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      const local = path.join(dir, 'azureml-tls.yaml');
      expect(r.err).toBe([
        `error: config file: none found (the package's own example config is never used). Fix: run \`npx azureml-tls init\` to write a starter ${local}, then \`npx azureml-tls synth\`; or pass --config FILE`,
        'looked for the config file at, in order:',
        '  --config: not given',
        '  $AZUREML_TLS_CONFIG: not set',
        `  ${local} (azureml-tls.yaml in the current folder): does not exist`,
        ...(args[0] === 'synth' ? ['nothing was written'] : []),
        '',
      ].join('\n'));
      // No output folder, no state folder: the folder is as empty as before.
      expect(entries(dir)).toEqual([]);
    },
  );

  test('a --config or $AZUREML_TLS_CONFIG naming a missing file is an error, not a reason to look further', () => {
    const dir = tmp();
    writeConfig(path.join(dir, 'azureml-tls.yaml'));
    const byFlag = run(['synth', '--config', 'missing.yaml', '--out', 'dist', ...AT], dir);
    expect(byFlag.code).toBe(1);
    expect(byFlag.err).toContain(`error: --config: names a config file that does not exist (got ${JSON.stringify(path.join(dir, 'missing.yaml'))}). Fix: run \`npx azureml-tls init\` to write a starter azureml-tls.yaml, or give an existing file\n`);
    expect(byFlag.err).toContain(`  --config: ${path.join(dir, 'missing.yaml')}: does not exist\nnothing was written\n`);
    const byEnv = run(['report', ...AT], dir, { env: { [CONFIG_ENV_VAR]: 'gone.yaml' } });
    expect(byEnv.code).toBe(1);
    expect(byEnv.err).toContain(`error: $AZUREML_TLS_CONFIG: names a config file that does not exist (got ${JSON.stringify(path.join(dir, 'gone.yaml'))})`);
    expect(byEnv.err).toContain('  --config: not given\n  $AZUREML_TLS_CONFIG: ');
    const folder = run(['synth', '--config', '.', ...AT], dir);
    expect(folder.code).toBe(1);
    expect(folder.err).toContain(`error: --config: names a config file that is a folder, not a file (got ${JSON.stringify(dir)})`);
    expect(entries(dir)).toEqual(['azureml-tls.yaml']);
  });

  test('the package installed in a project does not synthesize its own example config there', () => {
    // The layout npm makes: <project>/node_modules/cdk8s-azureml-tls (here a link to this repository, which holds
    // its example azureml-tls.yaml at the root).
    const project = tmp();
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'cdk8s-azureml-tls'), 'dir');
    const bin = path.join(project, 'node_modules', 'cdk8s-azureml-tls', 'build', 'lib', 'cli', 'bin.js');
    const r = run(['synth', ...AT], project, { bin });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`  ${path.join(project, 'azureml-tls.yaml')} (azureml-tls.yaml in the current folder): does not exist\n`);
    // Nothing in the project, nor in the package (the link's target is not walked: it is this repository).
    expect(fs.readdirSync(project)).toEqual(['node_modules']);
    expect(fs.readdirSync(path.join(project, 'node_modules'))).toEqual(['cdk8s-azureml-tls']);
    expect(run(['--version'], project, { bin }).out).toBe(`${VERSION}\n`);
  });
});

describe('nothing is kept inside node_modules', () => {
  const refusal = (field: string, file: string) => `error: ${field}: the config file lies inside a node_modules folder, where nothing may be kept: development certificates and protected values are written beside the config, and npm replaces node_modules on every install (got ${JSON.stringify(file)}). Fix: put the config in your project, outside node_modules: run \`npx azureml-tls init\` in the project folder and edit the azureml-tls.yaml it writes\n`;

  test('synth and report refuse a config under node_modules, by flag, variable or current folder, and write nothing', () => {
    const dir = tmp();
    const pkg = path.join(dir, 'node_modules', 'x');
    const config = writeConfig(path.join(pkg, 'azureml-tls.yaml'));
    const cases: [string[], string, { [name: string]: string } | undefined, string][] = [
      [['synth', '--config', config, '--out', 'dist', ...AT], dir, undefined, '--config'],
      [['report', '--config', config, ...AT], dir, undefined, '--config'],
      [['synth', '--out', path.join(dir, 'dist'), ...AT], dir, { [CONFIG_ENV_VAR]: config }, '$AZUREML_TLS_CONFIG'],
      [['synth', '--out', path.join(dir, 'dist'), ...AT], pkg, undefined, 'azureml-tls.yaml in the current folder'],
      [['report', ...AT], pkg, undefined, 'azureml-tls.yaml in the current folder'],
    ];
    for (const [args, cwd, env, field] of cases) {
      const r = run(args, cwd, { env });
      expect(`${args.join(' ')}: ${r.code}`).toBe(`${args.join(' ')}: 1`);
      expect(r.err).toContain(refusal(field, config));
      // Where the refused path came from.
      expect(r.err).toContain(`looked for the config file at, in order:\n`);
      expect(r.err).toContain(field === '--config' ? `  --config: ${config}\n` : field === '$AZUREML_TLS_CONFIG' ? `  $AZUREML_TLS_CONFIG: ${config}\n` : `  ${config} (azureml-tls.yaml in the current folder)\n`);
    }
    expect(entries(dir)).toEqual(['node_modules', path.join('node_modules', 'x'), path.join('node_modules', 'x', 'azureml-tls.yaml')]);
  });

  test('a config reached through a symlink into node_modules is refused with both paths', () => {
    const dir = tmp();
    const real = writeConfig(path.join(dir, 'node_modules', 'x', 'azureml-tls.yaml'));
    fs.symlinkSync(real, path.join(dir, 'azureml-tls.yaml'));
    const r = run(['synth', ...AT], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`(got ${JSON.stringify(`${path.join(dir, 'azureml-tls.yaml')} (${real})`)})`);
    expect(fs.existsSync(path.join(dir, '.azureml-tls'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('synth refuses a state folder that is a symlink into node_modules', () => {
    const dir = tmp();
    writeConfig(path.join(dir, 'azureml-tls.yaml'));
    fs.mkdirSync(path.join(dir, 'node_modules', 'state'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'node_modules', 'state'), path.join(dir, '.azureml-tls'));
    const r = run(['synth', '--out', 'dist', ...AT], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: state folder (.azureml-tls beside the config): the state folder lies inside a node_modules folder, where nothing may be kept`);
    expect(r.err).toContain(`(got ${JSON.stringify(`${path.join(dir, '.azureml-tls')} (${path.join(dir, 'node_modules', 'state')})`)})`);
    expect(r.err).toContain('nothing was written\n');
    expect(fs.readdirSync(path.join(dir, 'node_modules', 'state'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('dev-cert refuses a state folder under node_modules', () => {
    const dir = tmp();
    const state = path.join(dir, 'node_modules', '.azureml-tls');
    const r = run(['dev-cert', '--cname', 'ml.dev.example.com', '--out', 'out', '--state', state, ...AT], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: --state: the state folder lies inside a node_modules folder, where nothing may be kept: development certificates and protected values are written beside the config, and npm replaces node_modules on every install (got ${JSON.stringify(state)}). Fix: run dev-cert from your project folder, or pass --state DIR outside node_modules\n`);
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    const byDefault = run(['dev-cert', '--cname', 'ml.dev.example.com', '--out', 'out', ...AT], path.join(dir, 'node_modules', 'x'));
    expect(byDefault.code).toBe(1);
    expect(byDefault.err).toContain('error: state folder (default .azureml-tls in the current folder): the state folder lies inside a node_modules folder');
    expect(entries(dir)).toEqual(['node_modules', path.join('node_modules', 'x')]);
  });

  test('dev-cert refuses to write the key into an --out folder under node_modules', () => {
    const dir = tmp();
    const out = path.join(dir, 'node_modules', 'certs');
    const r = run(['dev-cert', '--cname', 'ml.dev.example.com', '--out', out, '--state', path.join(dir, 'state'), ...AT], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: --out: the output folder lies inside a node_modules folder, where nothing may be kept: dev-cert writes the private key there, and npm replaces node_modules on every install (got ${JSON.stringify(out)}). Fix: pass --out DIR outside node_modules, e.g. --out certs in your project\n`);
    expect(entries(dir)).toEqual([]);
  });

  test('the state stays beside a config outside node_modules (as before)', () => {
    const dir = tmp();
    const config = writeConfig(path.join(dir, 'project', 'azureml-tls.yaml'));
    const cwd = path.join(dir, 'elsewhere');
    fs.mkdirSync(cwd);
    const r = run(['synth', '--config', config, '--out', 'dist', '--write-protected-values', ...AT], cwd);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'project')).sort()).toEqual(['.azureml-tls', 'azureml-tls.yaml']);
    expect(fs.readdirSync(path.join(dir, 'project', '.azureml-tls')).sort()).toEqual(expect.arrayContaining(['protected']));
    expect(fs.readdirSync(cwd)).toEqual(['dist']);
  });
});

describe('findConfigFile', () => {
  test('the flag, else the variable, else ./azureml-tls.yaml; each place it looked at, in order', () => {
    const dir = tmp();
    const a = writeConfig(path.join(dir, 'a.yaml'));
    const b = writeConfig(path.join(dir, 'b.yaml'));
    expect(findConfigFile({ config: 'a.yaml', environment: { [CONFIG_ENV_VAR]: b }, cwd: dir })).toEqual({ file: a, problems: [], searched: [`--config: ${a}`] });
    expect(findConfigFile({ environment: { [CONFIG_ENV_VAR]: 'b.yaml' }, cwd: dir })).toEqual({ file: b, problems: [], searched: ['--config: not given', `$AZUREML_TLS_CONFIG: ${b}`] });
    const none = findConfigFile({ environment: {}, cwd: dir });
    expect(none.file).toBeUndefined();
    expect(none.problems.map((p) => p.field)).toEqual(['config file']);
    expect(none.searched).toEqual(['--config: not given', '$AZUREML_TLS_CONFIG: not set', `${path.join(dir, 'azureml-tls.yaml')} (azureml-tls.yaml in the current folder): does not exist`]);
    const local = writeConfig(path.join(dir, 'azureml-tls.yaml'));
    expect(findConfigFile({ environment: { [CONFIG_ENV_VAR]: '' }, cwd: dir }).file).toBe(local);
  });

});

test('the CLI files exist where package.json says', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { [name: string]: string }; files: string[] };
  expect(path.join(ROOT, pkg.bin['azureml-tls'])).toBe(BIN);
  expect(pkg.files).toContain('azureml-tls.schema.json');
});
