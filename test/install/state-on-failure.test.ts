import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureMlApp } from '../../lib/app';
import { synthesize, ValidationError } from '../../lib/internal';

// Issue #12 item 2: a name is validated before it becomes a path, and a synth that fails writes no state.

const NOW = new Date('2027-06-01T00:00:00Z');

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-nostate-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Every path below `dir`, relative, sorted. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).sort();
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => `${p.field}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

const selfSigned = (name: string, cname: string) => [
  `  - name: ${name}`,
  '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
  `    tls: { cname: ${JSON.stringify(cname)}, certificate: { selfSigned: {} } }`,
].join('\n');

test('tls.cname ../../../escaped/x with selfSigned: a field error, and nothing written anywhere', () => {
  const project = path.join(root, 'a', 'b', 'c');
  fs.mkdirSync(project, { recursive: true });
  const file = path.join(project, 'azureml-tls.yaml');
  fs.writeFileSync(file, `environments:\n${selfSigned('dev', '../../../escaped/x')}\n`);
  expect(problems(() => synthesize({ configFile: file, outDir: path.join(project, 'dist'), now: NOW }))).toEqual([
    expect.stringMatching(/azureml-tls\.yaml: environments\[0\] \(dev\)\.tls\.cname: sslCname "\.\.\/\.\.\/\.\.\/escaped\/x" is not a plain host name: it has a path/),
  ]);
  expect(listing(root)).toEqual(['a', 'a/b', 'a/b/c', 'a/b/c/azureml-tls.yaml']);
});

test('one environment fails: the certificates of the others are not stored either', () => {
  const file = path.join(root, 'azureml-tls.yaml');
  fs.writeFileSync(file, `environments:\n${selfSigned('good', 'ml.good.example.com')}\n${selfSigned('bad', 'ml.bad.example.com')}\n    cluster: { type: aks, nodeCount: -1 }\n`);
  expect(problems(() => synthesize({ configFile: file, outDir: path.join(root, 'dist'), now: NOW })).length).toBeGreaterThan(0);
  expect(listing(root)).toEqual(['azureml-tls.yaml']);
  // Through the cdk8s entry point too: the app is refused before anything is written.
  expect(() => AzureMlApp.fromConfig(file, { outdir: path.join(root, 'dist'), now: NOW })).toThrow(ValidationError);
  expect(listing(root)).toEqual(['azureml-tls.yaml']);
});

test('the output cannot be written: no state is written', () => {
  const file = path.join(root, 'azureml-tls.yaml');
  fs.writeFileSync(file, `environments:\n${selfSigned('dev', 'ml.dev.example.com')}\n`);
  // The output folder's place is taken by a file synth did not write: refused before anything is written.
  fs.writeFileSync(path.join(root, 'dist'), 'not a folder');
  expect(problems(() => synthesize({ configFile: file, outDir: path.join(root, 'dist'), now: NOW }))).toEqual([
    `${path.join(root, 'dist')}: is a file, not a folder`,
  ]);
  expect(listing(root)).toEqual(['azureml-tls.yaml', 'dist']);
});

test('a synth that succeeds writes the state after the output; the cdk8s entry point writes it in synth()', () => {
  const file = path.join(root, 'azureml-tls.yaml');
  fs.writeFileSync(file, `environments:\n${selfSigned('dev', 'ml.dev.example.com')}\n`);
  synthesize({ configFile: file, outDir: path.join(root, 'dist'), now: NOW });
  expect(listing(path.join(root, '.azureml-tls'))).toEqual(expect.arrayContaining(['.gitignore', 'dev-ca/ca.key.pem', 'dev-ca/ca.pem']));
  fs.rmSync(path.join(root, '.azureml-tls'), { recursive: true });
  fs.rmSync(path.join(root, 'dist'), { recursive: true });
  const app = AzureMlApp.fromConfig(file, { outdir: path.join(root, 'out-cdk8s'), now: NOW });
  expect(fs.existsSync(path.join(root, '.azureml-tls'))).toBe(false);
  app.synth();
  expect(listing(path.join(root, '.azureml-tls'))).toEqual(expect.arrayContaining(['.gitignore', 'dev-ca/ca.key.pem']));
});
