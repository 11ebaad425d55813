import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { synthesize } from '../../lib/internal';
import { onPath } from '../helpers/tools';
import { schemaErrors } from '../helpers/validators';

/*
 * The output as a GitOps tool sees it (issue 10): every folder with a kustomization.yaml holds Kubernetes objects and
 * nothing else, so Flux (which, without a kustomization.yaml, reads every .yaml/.yml below a path) and Argo CD (which
 * reads .yaml, .yml and .json in directory mode) can point at it; `kubectl kustomize` builds it; everything that is
 * not a Kubernetes object lives in install/.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const NOW = new Date('2027-06-01T00:00:00Z');
const KUBECTL = onPath('kubectl');
if (!KUBECTL) console.log('kubectl is not installed: the `kubectl kustomize` checks are skipped (apt install kubectl)');

/** The message synth fails with (empty when it succeeds). */
function synthError(configFile: string, outDir: string): string {
  try {
    synthesize({ configFile, outDir, now: NOW });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'azml-gitops-'));
}

/** Every file below `dir`, relative, `/`-separated. */
function filesBelow(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

// A fleet of every delivery mode the tool has, with labels, annotations and the Namespace switched on and off.
function fleetConfig(dir: string): string {
  const certs = path.join(ROOT, 'examples', 'certs');
  const env = (name: string, tls: string, extra = '') => [
    `  - name: ${name}`,
    `    cluster: { type: aks, subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg-${name}, name: aks-${name}, location: westeurope, nodeCount: 3 }`,
    '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
    `    tls: ${tls}`,
    ...(extra ? [extra] : []),
  ].join('\n');
  const file = path.join(dir, 'fleet.yaml');
  fs.writeFileSync(file, [
    'defaults:',
    '  manifests:',
    '    labels: { app.kubernetes.io/part-of: azureml, team: ml-platform }',
    '    annotations: { Secret: { argocd.argoproj.io/sync-wave: "-1" }, SealedSecret: { argocd.argoproj.io/sync-wave: "-1" } }',
    'environments:',
    env('plain', `{ cname: ml.edge.example.com, certificate: { files: { cert: ${certs}/example-only.cert.pem, key: ${certs}/example-only.key.pem } }, allowPlaintextKey: true }`),
    env('sealed', `{ cname: ml.dev.example.com, certificate: { files: { cert: ${certs}/example-only.cert.pem, key: ${certs}/example-only.key.pem } }, delivery: sealedSecret, sealing: { certificate: ${certs}/example-only.sealing.pem } }`),
    env('vault', '{ cname: ml.vault.example.com, keyVault: { vaultUrl: "https://ml-vault.vault.azure.net/", certificateName: fe, clientId: 00000000-0000-0000-0000-000000000001, tenantId: 00000000-0000-0000-0000-000000000002 } }'),
    env('issued', '{ cname: ml.issued.example.com, certManager: { issuerName: letsencrypt } }'),
    env('existing', '{ cname: ml.existing.example.com, certificate: { existingSecret: fe-tls } }', '    manifests: { namespace: true }'),
    env('devcert', '{ cname: ml.devcert.example.com, certificate: { selfSigned: {} } }', '    manifests: { namespace: false }'),
    '',
  ].join('\n'));
  return file;
}

/** The configs a user starts from: the embedded default, every example, and a fleet of every delivery mode. */
function configs(): [string, string][] {
  const dir = tmp();
  fs.copyFileSync(path.join(ROOT, 'azureml-tls.yaml'), path.join(dir, 'azureml-tls.yaml'));
  fs.cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  const examples = fs.readdirSync(path.join(dir, 'examples')).filter((f) => f.endsWith('.yaml')).sort()
    .map((f): [string, string] => [`examples/${f}`, path.join(dir, 'examples', f)]);
  return [['azureml-tls.yaml', path.join(dir, 'azureml-tls.yaml')], ...examples, ['a fleet of every delivery mode', fleetConfig(dir)]];
}

describe.each(configs())('the output of %s', (_label, config) => {
  const out = path.join(path.dirname(config), `dist-${path.basename(config, '.yaml')}`);
  beforeAll(() => {
    synthesize({ configFile: config, outDir: out, now: NOW });
  });
  const kustomizationFolders = () => filesBelow(out).filter((f) => f.endsWith('/kustomization.yaml')).map((f) => path.posix.dirname(f));

  test('has a kustomization folder per environment, and nothing but folders and the marker at the root', () => {
    const envs = fs.readdirSync(path.join(out, 'clusters'));
    expect(envs.length).toBeGreaterThan(0);
    for (const env of envs) expect(fs.existsSync(path.join(out, 'clusters', env, 'kustomization.yaml'))).toBe(true);
    expect(fs.readdirSync(out, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name)).toEqual(['.azureml-tls-output']);
    // The install tree holds no Kubernetes objects and no kustomization.
    for (const f of filesBelow(path.join(out, 'install'))) expect(f).not.toMatch(/(\.k8s\.yaml|kustomization\.yaml)$/);
  });

  test('every .yaml, .yml and .json file in or below a kustomization folder is a Kubernetes object that validates, and is listed', () => {
    for (const folder of kustomizationFolders()) {
      const kustomization = parse(fs.readFileSync(path.join(out, folder, 'kustomization.yaml'), 'utf8')) as { apiVersion: string; kind: string; resources: string[] };
      expect({ folder, apiVersion: kustomization.apiVersion, kind: kustomization.kind }).toEqual({ folder, apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
      const scanned = filesBelow(path.join(out, folder)).filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'kustomization.yaml');
      expect({ folder, files: scanned }).toEqual({ folder, files: [...kustomization.resources].sort() });
      for (const f of scanned) {
        const docs = parseAllDocuments(fs.readFileSync(path.join(out, folder, f), 'utf8')).map((d) => d.toJS());
        expect({ file: `${folder}/${f}`, count: docs.length }).toEqual({ file: `${folder}/${f}`, count: 1 });
        const [obj] = docs as { apiVersion?: string; kind?: string; metadata?: { name?: string } }[];
        expect({ file: `${folder}/${f}`, named: !!(obj.apiVersion && obj.kind && obj.metadata?.name), errors: schemaErrors(obj) })
          .toEqual({ file: `${folder}/${f}`, named: true, errors: [] });
      }
    }
  });

  (KUBECTL ? test : test.skip)('kubectl kustomize builds every folder, into exactly the objects of its files', () => {
    for (const folder of kustomizationFolders()) {
      const r = spawnSync('kubectl', ['kustomize', path.join(out, folder)], { encoding: 'utf8' });
      expect({ folder, status: r.status, stderr: r.stderr }).toEqual({ folder, status: 0, stderr: '' });
      const built = parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean) as { kind: string; metadata: { name: string } }[];
      const listed = (parse(fs.readFileSync(path.join(out, folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources
        .map((f) => parse(fs.readFileSync(path.join(out, folder, f), 'utf8')) as { kind: string; metadata: { name: string } });
      const key = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;
      expect(built.map(key).sort()).toEqual(listed.map(key).sort());
    }
  });
});

describe('labels, annotations and the Namespace come from the config', () => {
  test('in the fleet: every object carries the labels, Secrets and SealedSecrets the wave, and the Namespace follows manifests.namespace', () => {
    const dir = tmp();
    const out = path.join(dir, 'dist');
    synthesize({ configFile: fleetConfig(dir), outDir: out, now: NOW });
    const objects = (env: string) => (parse(fs.readFileSync(path.join(out, 'clusters', env, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources
      .map((f) => parse(fs.readFileSync(path.join(out, 'clusters', env, f), 'utf8')) as { kind: string; metadata: { labels?: object; annotations?: object } });
    for (const env of ['plain', 'sealed', 'vault', 'issued', 'existing', 'devcert']) {
      for (const o of objects(env)) expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'azureml', 'team': 'ml-platform' });
    }
    expect(objects('plain').map((o) => o.kind)).toEqual(['Namespace', 'Secret']);
    expect(objects('plain')[1].metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    expect(objects('sealed').map((o) => [o.kind, o.metadata.annotations])).toEqual([['Namespace', undefined], ['SealedSecret', { 'argocd.argoproj.io/sync-wave': '-1' }]]);
    expect(objects('existing').map((o) => o.kind)).toEqual(['Namespace']);
    expect(objects('devcert').map((o) => o.kind)).toEqual(['Secret']);
  });

  test('a bad label or annotation in the config names the environment and the field, and writes nothing', () => {
    const dir = tmp();
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, [
      'environments:',
      '  - name: a',
      '    insecure: true',
      '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
      '    manifests:',
      '      labels: { team: "two words" }',
      '      annotations: { Secret: { argocd.argoproj.io/sync-wave: -1 }, Secrets: { a: b } }',
      '',
    ].join('\n'));
    let message = synthError(file, path.join(dir, 'dist'));
    expect(message).toContain('environments[0] (a).manifests.annotations.Secret.argocd.argoproj.io/sync-wave: must be a string, but is number -1. Fix: quote the value');
    // Shape problems come first and stop the environment's conversion; the label and kind problems come with a valid shape.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('sync-wave: -1', 'sync-wave: "-1"'));
    message = synthError(file, path.join(dir, 'dist'));
    expect(message).toContain('environments[0] (a).manifests.labels.team: is not a label value');
    expect(message).toContain('environments[0] (a).manifests.annotations.Secrets: is not a kind this tool emits, so it would annotate nothing (got "Secrets")');
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});

describe('labels and annotations of the defaults block', () => {
  test('a problem there is reported once, as defaults.manifests, with a did-you-mean for a kind in the wrong case', () => {
    const dir = tmp();
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, [
      'defaults:',
      '  manifests: { labels: { "bad key!": x }, annotations: { secret: { a: b } } }',
      'environments:',
      '  - { name: a, insecure: true, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer } }',
      '  - { name: b, insecure: true, extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer } }',
      '',
    ].join('\n'));
    const message = synthError(file, path.join(dir, 'dist'));
    const lines = message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines.map((l) => l.replace(/^ {2}- \S+: /, ''))).toEqual([
      'defaults.manifests.labels.bad key!: the key must be a label key: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, optionally after a DNS prefix and \'/\' (got "bad key!"). Fix: use a key such as app.kubernetes.io/part-of or team',
      'defaults.manifests.annotations.secret: is not a kind this tool emits, so it would annotate nothing (got "secret"). Fix: did you mean Secret? Kinds are matched exactly',
    ]);
  });
});
