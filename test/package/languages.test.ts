/**
 * The jsii side of the package: API.md is what jsii-docgen makes of the current assembly, and jsii-pacmak generates
 * the Python, Java, Go and .NET bindings from it. Needs `npm test`'s build first (it writes .jsii).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const ENV = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] };

function run(tool: string, args: string[]) {
  const r = spawnSync(path.join(BIN, tool), args, { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Every file below `dir`, relative. */
function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

test('API.md is current: jsii-docgen of the built assembly gives the committed file (npm run docgen rewrites it)', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-docgen-')), 'API.md');
  run('jsii-docgen', ['-o', out]);
  const fresh = fs.readFileSync(out, 'utf8');
  const committed = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
  if (fresh !== committed) throw new Error('API.md is stale: run `npm run docgen` and commit API.md');
  expect(fresh).toMatch(/### AzureMlApp /);
}, 60_000);

test('jsii-pacmak generates Python, Java, Go and .NET bindings with the public classes', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-pacmak-'));
  run('jsii-pacmak', ['--code-only', '--targets', 'python,java,go,dotnet', '-o', out]);
  const expectations: { [target: string]: RegExp } = {
    python: /cdk8s_azureml_tls[/\\]__init__\.py$/,
    java: /io[/\\]github[/\\]cdk8s_azureml_tls[/\\]AzureMlApp\.java$/,
    go: /cdk8sazuremltls[/\\]AzureMlApp\.go$/,
    dotnet: /Cdk8sAzureMlTls[/\\]AzureMlApp\.cs$/,
  };
  for (const [target, file] of Object.entries(expectations)) {
    const generated = filesBelow(path.join(out, target));
    expect({ target, found: generated.some((f) => file.test(f)) }).toEqual({ target, found: true });
  }
  const python = filesBelow(path.join(out, 'python')).find((f) => expectations.python.test(f)) ?? '';
  expect(fs.readFileSync(path.join(out, 'python', python), 'utf8')).toMatch(/class AzureMlApp\(/);
}, 120_000);
