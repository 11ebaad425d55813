/**
 * The package as its users get it: `npm pack`, installed offline (from the npm cache `npm ci` filled) into a fresh
 * cdk8s TypeScript project whose cdk8s, constructs and cdk8s-plus-28 are at the floors of the peer ranges. The project
 * compiles every TypeScript example of the README with tsc, runs the library example as written, and uses the CLI.
 *
 * Needs `npm test`'s build first (the tarball packs build/ and .jsii).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  scripts: { [name: string]: string };
  peerDependencies: { [name: string]: string };
  devDependencies: { [name: string]: string };
};
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// Quiet jsii's and npm's notices; never reach the network.
const ENV = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', CDK8S_CHECK_UPGRADE: 'false' };

interface PackResult { filename: string; files: { path: string; mode: number }[] }

let work: string;
let tarball: string;
let packed: PackResult;
let consumer: string;
let installLog = '';

/** The README's ```ts blocks, in order. */
function readmeTypeScriptBlocks(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

function run(cmd: string, args: string[], cwd: string) {
  return spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', timeout: 180_000 });
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-consumer-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, env: ENV, encoding: 'utf8' });
  packed = (JSON.parse(out) as PackResult[])[0];
  tarball = path.join(work, packed.filename);

  // A fresh cdk8s project on the peer floors. The repository's devDependencies pin exactly those, so `npm ci` put
  // their tarballs in the npm cache; it keeps no registry metadata, so they are named by their tarball address, which
  // `npm install --offline` serves from the cache.
  consumer = path.join(work, 'consumer');
  fs.mkdirSync(consumer);
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { env: ENV, encoding: 'utf8' }).trim().replace(/\/?$/, '/');
  const floors: { [name: string]: string } = {};
  for (const name of Object.keys(pkg.peerDependencies)) {
    const version = pkg.devDependencies[name];
    floors[name] = `${registry}${name}/-/${name.split('/').pop()}-${version}.tgz`;
  }
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, dependencies: { ...floors, [pkg.name]: `file:${tarball}` } }, null, 2));
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'CommonJS', lib: ['ES2022'], strict: true, noImplicitAny: true, noImplicitReturns: true,
      noUnusedLocals: true, noFallthroughCasesInSwitch: true, declaration: false, skipLibCheck: false,
      typeRoots: [path.join(ROOT, 'node_modules', '@types')], types: ['node'],
    },
    include: ['*.ts'],
  }, null, 2));
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  installLog = `${install.stdout}\n${install.stderr}`;
  if (install.status !== 0) throw new Error(`npm install of the packed package failed offline:\n${installLog}`);
}, 240_000);

describe('the packed tarball', () => {
  test('holds the library, the CLI, the .jsii assembly, LICENSE and README, and nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    const outside = files.filter((f) => !/^(build\/(lib|imports)\/.*\.(js|d\.ts)|\.jsii|LICENSE|README\.md|package\.json|azureml-tls\.schema\.json|node_modules\/(node-forge|yaml)\/.*)$/.test(f));
    expect(outside).toEqual([]);
    for (const needed of ['.jsii', 'LICENSE', 'README.md', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/cli/bin.js', 'build/imports/sealedsecrets-bitnami.com.js']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('examples/') || f.startsWith('test/') || f === 'azureml-tls.yaml')).toBe(false);
  });

  test('ships no private key and no script that runs on install', () => {
    const unpacked = path.join(consumer, 'node_modules', pkg.name);
    const keyFiles = packed.files.map((f) => f.path).filter((f) => !f.startsWith('node_modules/'))
      .filter((f) => /-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----/.test(fs.readFileSync(path.join(unpacked, f), 'latin1')));
    expect(keyFiles).toEqual([]);
    const installed = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as { scripts?: { [name: string]: string } };
    expect(Object.keys(installed.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
  });

  test('carries a .jsii assembly with python, java, go and dotnet targets', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', pkg.name, '.jsii'), 'utf8')) as { targets: { [lang: string]: unknown }; types: { [fqn: string]: unknown } };
    expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
    expect(Object.keys(assembly.types)).toContain(`${pkg.name}.AzureMlApp`);
  });

  test('installs with one copy of cdk8s, constructs and cdk8s-plus-28, at the floor versions', () => {
    const copies = (name: string) => {
      const found: string[] = [];
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          if (!entry.isDirectory()) continue;
          const p = path.join(dir, entry.name);
          if (entry.name === name && fs.existsSync(path.join(p, 'package.json')) && path.basename(dir) === 'node_modules') found.push(p);
          walk(p);
        }
      };
      walk(path.join(consumer, 'node_modules'));
      return found;
    };
    for (const name of Object.keys(pkg.peerDependencies)) {
      const found = copies(name);
      expect(found.map((p) => path.relative(consumer, p))).toEqual([`node_modules/${name}`]);
      expect((JSON.parse(fs.readFileSync(path.join(found[0], 'package.json'), 'utf8')) as { version: string }).version).toBe(pkg.devDependencies[name]);
    }
  });
});

describe('a fresh cdk8s project that installed the package', () => {
  test('compiles every TypeScript example of the README with tsc, without errors', () => {
    const blocks = readmeTypeScriptBlocks();
    expect(blocks.length).toBeGreaterThan(0);
    blocks.forEach((code, i) => fs.writeFileSync(path.join(consumer, `readme-${i + 1}.ts`), code));
    const tsc = run(process.execPath, [TSC, '-p', '.'], consumer);
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  test('needs no Node typings to compile against the library: the public declarations use none', () => {
    // As on TypeScript 6 (which loads no @types by default) or beside an old @types/node: no Node types at all.
    fs.writeFileSync(path.join(consumer, 'tsconfig.no-node.json'), JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { types: [], noEmit: true },
      include: [],
      files: ['readme-1.ts'],
    }, null, 2));
    const tsc = run(process.execPath, [TSC, '-p', 'tsconfig.no-node.json'], consumer);
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  test('runs the README library example as written: manifests and the values file', () => {
    // The first example is the library one ("Using the library"); tsc above compiled it to readme-1.js.
    const result = run(process.execPath, ['readme-1.js'], consumer);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const dist = path.join(consumer, 'dist');
    const manifest = fs.readFileSync(path.join(dist, 'clusters', 'dev', 'Secret.azureml-fe-tls.k8s.yaml'), 'utf8');
    expect(manifest).toMatch(/^kind: Secret$/m);
    expect(manifest).toMatch(/^ {2}namespace: azureml$/m);
    expect(fs.readFileSync(path.join(dist, 'clusters', 'dev', 'kustomization.yaml'), 'utf8')).toMatch(/^ {2}- Namespace\.azureml\.k8s\.yaml\n {2}- Secret\.azureml-fe-tls\.k8s\.yaml$/m);
    const values = fs.readFileSync(path.join(dist, 'install', 'dev', 'values.yml'), 'utf8');
    expect(values).toMatch(/sslCname: ml\.dev\.example\.com/);
    for (const f of ['settings.json', 'protected-settings.json', 'az-create.sh', 'az-update.sh']) expect(fs.existsSync(path.join(dist, 'install', 'dev', f))).toBe(true);
    // The development CA and key live in the project's own state folder, which ignores itself; never in node_modules.
    const state = path.join(consumer, '.azureml-tls');
    expect(fs.readFileSync(path.join(state, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(fs.statSync(path.join(state, 'dev-ca', 'ca.key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.join(consumer, 'node_modules', pkg.name))).not.toContain('.azureml-tls');
  });

  test('re-running the example changes nothing (the development certificate is reused)', () => {
    const secret = path.join(consumer, 'dist', 'clusters', 'dev', 'Secret.azureml-fe-tls.k8s.yaml');
    const before = fs.readFileSync(secret, 'utf8');
    expect(run(process.execPath, ['readme-1.js'], consumer).status).toBe(0);
    expect(fs.readFileSync(secret, 'utf8')).toBe(before);
  });

  test('has the CLI: --version, and synth without a config says where it looked and suggests init', () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'azureml-tls');
    const version = run(bin, ['--version'], consumer);
    expect(version.stdout.trim()).toBe(pkg.version);
    expect(version.status).toBe(0);
    const empty = fs.mkdtempSync(path.join(work, 'empty-'));
    const synth = run(bin, ['synth'], empty);
    expect(synth.status).toBe(1);
    expect(synth.stderr).toMatch(/azureml-tls init/);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  test('init writes a starter config that synth turns into output', () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'azureml-tls');
    const project = fs.mkdtempSync(path.join(work, 'project-'));
    expect(run(bin, ['init'], project).status).toBe(0);
    const synth = run(bin, ['synth'], project);
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    expect(fs.readdirSync(path.join(project, 'dist', 'clusters', 'dev')).some((f) => f.endsWith('.k8s.yaml'))).toBe(true);
  });
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});
