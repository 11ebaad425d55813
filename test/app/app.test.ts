import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { AzureMlApp, AzureMlEnvironmentChart, AzureMlExtension, ExtensionPlanner, InferenceRouterServiceType, InstallInputs, Severity, TlsCertificate, TlsValidator } from '../../lib';
import { setChartFolder, synthesize } from '../../lib/internal';

const ROOT = path.resolve(__dirname, '..', '..');
const NOW = new Date('2027-06-01T00:00:00Z');
const INFERENCE = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'azml-app-'));
}

/** Every file below `dir` (relative path -> bytes and mode), hidden files included. */
function tree(dir: string): Map<string, { bytes: Buffer; mode: number }> {
  const files = new Map<string, { bytes: Buffer; mode: number }>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(dir, p), { bytes: fs.readFileSync(p), mode: fs.statSync(p).mode & 0o777 });
    }
  };
  walk(dir);
  return files;
}

/** A copy of the embedded default config and of the BYO example (files + Sealed Secrets) in a temp folder. */
function configs(): string[] {
  const dir = tmp();
  fs.copyFileSync(path.join(ROOT, 'azureml-tls.yaml'), path.join(dir, 'azureml-tls.yaml'));
  fs.cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return [path.join(dir, 'azureml-tls.yaml'), path.join(dir, 'examples', 'byo-certificate.yaml')];
}

describe('AzureMlApp', () => {
  test.each(configs())('one synth() writes the same bytes as azureml-tls synth for the same config (%s)', (config) => {
    const out = tmp();
    const cli = synthesize({ configFile: config, outDir: path.join(out, 'cli'), now: NOW });
    const app = AzureMlApp.fromConfig(config, { outdir: path.join(out, 'app'), now: NOW });
    app.synth();
    const fromCli = tree(path.join(out, 'cli'));
    const fromApp = tree(path.join(out, 'app'));
    expect([...fromApp.keys()].sort()).toEqual([...fromCli.keys()].sort());
    expect([...fromCli.keys()].sort()).toEqual(cli.files);
    for (const [file, f] of fromCli) {
      expect({ file, text: fromApp.get(file)?.bytes.toString('latin1'), mode: fromApp.get(file)?.mode }).toEqual({ file, text: f.bytes.toString('latin1'), mode: f.mode });
    }
    expect(app.warnings).toEqual(cli.warnings);
  });

  test('writes the chart\'s objects with a kustomization.yaml and, apart from them, values, settings and az scripts for a chart declared in code', () => {
    const dir = tmp();
    const app = new AzureMlApp({ outdir: path.join(dir, 'dist'), stateDir: path.join(dir, 'state'), now: NOW });
    new AzureMlEnvironmentChart(app, 'dev', { settings: INFERENCE, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.selfSigned() } });
    app.synth();
    expect([...tree(path.join(dir, 'dist')).keys()].sort()).toEqual([
      '.azureml-tls-output',
      'clusters/dev/Namespace.azureml.k8s.yaml', 'clusters/dev/Secret.azureml-fe-tls.k8s.yaml', 'clusters/dev/kustomization.yaml',
      'install/dev/az-create.sh', 'install/dev/az-update.sh', 'install/dev/protected-settings.json', 'install/dev/settings.json', 'install/dev/values.yml',
    ]);
    expect(fs.readFileSync(path.join(dir, 'dist', 'install', 'dev', 'values.yml'), 'utf8')).toMatch(/sslCname: ml\.dev\.example\.com/);
    // The app lent its state folder: the development certificate is kept there and reused.
    expect(fs.existsSync(path.join(dir, 'state', 'dev-ca', 'ca.pem'))).toBe(true);
    const first = fs.readFileSync(path.join(dir, 'dist', 'clusters', 'dev', 'Secret.azureml-fe-tls.k8s.yaml'), 'utf8');
    const again = new AzureMlApp({ outdir: path.join(dir, 'again'), stateDir: path.join(dir, 'state'), now: NOW });
    new AzureMlEnvironmentChart(again, 'dev', { settings: INFERENCE, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.selfSigned() } });
    again.synth();
    expect(fs.readFileSync(path.join(dir, 'again', 'clusters', 'dev', 'Secret.azureml-fe-tls.k8s.yaml'), 'utf8')).toBe(first);
  });

  test('renders the files of an extension placed in a chart of the user\'s own', () => {
    const dir = tmp();
    const app = new AzureMlApp({ outdir: dir, now: NOW });
    const chart = new Chart(app, 'ml-prod');
    new AzureMlExtension(chart, 'Extension', { settings: INFERENCE, tls: { cname: 'ml.example.com', certificate: TlsCertificate.fromExistingSecret('azureml-fe-tls') } });
    app.synth();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'install', 'ml-prod', 'settings.json'), 'utf8'))).toMatchObject({ sslCname: 'ml.example.com', sslSecret: 'azureml-fe-tls' });
    // A chart of the user's own gets its folder under clusters/ too: here without objects (an existing Secret).
    expect(fs.readFileSync(path.join(dir, 'clusters', 'ml-prod', 'kustomization.yaml'), 'utf8')).toMatch(/^resources: \[\]$/m);
  });

  test('fails when one chart holds two extensions, naming both', () => {
    const app = new AzureMlApp({ outdir: tmp(), now: NOW });
    const chart = new Chart(app, 'both');
    const tls = { cname: 'ml.example.com', certificate: TlsCertificate.fromExistingSecret('azureml-fe-tls') };
    new AzureMlExtension(chart, 'A', { settings: INFERENCE, tls });
    new AzureMlExtension(chart, 'B', { settings: INFERENCE, tls });
    expect(() => app.synth()).toThrow('chart both holds 2 AzureML extensions (both/A, both/B): their files would share install/both/. Put each extension in its own chart.');
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });

  test('takes only the output layout it writes: another yamlOutputType or file extension is refused, saying so', () => {
    expect(() => new AzureMlApp({ outdir: tmp(), yamlOutputType: YamlOutputType.FILE_PER_CHART }))
      .toThrow('AzureMlApp writes a folder per chart with a file per object and a kustomization.yaml (YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE); yamlOutputType FILE_PER_CHART is not supported: leave it out');
    expect(() => new AzureMlApp({ outdir: tmp(), outputFileExtension: '.yaml' }))
      .toThrow('AzureMlApp names manifests <Kind>.<name>.k8s.yaml; outputFileExtension ".yaml" is not supported: leave it out');
    expect(new AzureMlApp({ outdir: tmp(), yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }).yamlOutputType).toBe(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
  });

  test('refuses two objects that would share a file, and a chart validation error, writing nothing', () => {
    const dup = new AzureMlApp({ outdir: tmp(), now: NOW });
    const chart = new Chart(dup, 'dup');
    new ApiObject(chart, 'A', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'a' } });
    new ApiObject(chart, 'B', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'b' } });
    expect(() => dup.synth()).toThrow('chart dup has two objects that would both be written to clusters/dup/ConfigMap.same.k8s.yaml (same kind and name): give one another name');
    expect(fs.readdirSync(dup.outdir)).toEqual([]);
    const shared = new AzureMlApp({ outdir: tmp(), now: NOW });
    setChartFolder(new Chart(shared, 'one'), 'clusters/x', 'one');
    setChartFolder(new Chart(shared, 'two'), 'clusters/x', 'two');
    expect(() => shared.synth()).toThrow('charts one and two would both write clusters/x/: give one of them another id');
    const invalid = new AzureMlApp({ outdir: tmp(), now: NOW });
    new Chart(invalid, 'c').node.addValidation({ validate: () => ['something is wrong'] });
    expect(() => invalid.synth()).toThrow('Validation failed with the following errors:\n  [c] something is wrong');
    expect(fs.readdirSync(invalid.outdir)).toEqual([]);
  });

  test('fromConfig reports every problem of every environment at once', () => {
    const dir = tmp();
    const config = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(config, [
      'environments:',
      '  - name: a',
      '    extension: { enableInference: true }',
      '    insecure: true',
      '  - name: b',
      '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
      '',
    ].join('\n'));
    let message = '';
    try {
      AzureMlApp.fromConfig(config, { outdir: path.join(dir, 'dist'), now: NOW });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/environments\[0\] \(a\)\.extension\.inferenceRouterServiceType/);
    expect(message).toMatch(/environments\[1\] \(b\)/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('a plain cdk8s App still synthesizes the manifests (only AzureMlApp writes the other files)', () => {
    const dir = tmp();
    const app = new App({ outdir: dir });
    new AzureMlEnvironmentChart(app, 'dev', { settings: INFERENCE, now: NOW, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.fromExistingSecret('azureml-fe-tls') } });
    app.synth();
    expect(fs.readdirSync(dir)).toEqual(['dev.k8s.yaml']);
    expect(Testing.synth(new Chart(Testing.app(), 'empty'))).toEqual([]);
  });
});

describe('the public API', () => {
  test('every runtime export of the entry point is a type of the .jsii assembly (nothing other languages would miss)', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8')) as { name: string; types: { [fqn: string]: unknown } };
    // The compiled entry point, as consumers load it (type-only exports vanish there, as they should).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require(path.join(ROOT, 'build', 'lib', 'index.js')) as { [key: string]: unknown };
    const exported = Object.keys(lib).sort();
    expect(exported).toContain('AzureMlApp');
    expect(exported.filter((name) => !(`${assembly.name}.${name}` in assembly.types))).toEqual([]);
    // Classes and enums only: a free function or constant exported here would silently be TypeScript-only.
    for (const name of exported) {
      const value = lib[name];
      expect({ name, kind: typeof value === 'function' ? 'class' : typeof value === 'object' ? 'enum' : typeof value }).toEqual({ name, kind: typeof value === 'function' ? 'class' : 'enum' });
    }
  });
});

describe('the static building blocks', () => {
  const cert = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem'), 'latin1');
  const key = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.key.pem'), 'latin1');

  test('TlsValidator.validate takes PEM text and reports the chain and every finding', () => {
    const report = TlsValidator.validate({ certificatePem: cert, privateKeyPem: key, now: NOW });
    expect(report.findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    expect(report.chain.length).toBeGreaterThan(0);
    const wrongName = TlsValidator.validate({ certificatePem: cert, privateKeyPem: key, cname: 'other.example.org', now: NOW });
    expect(wrongName.findings.map((f) => f.code)).toContain('cname-not-covered');
  });

  test('ExtensionPlanner.plan returns every problem instead of throwing, and the model the renderers take', () => {
    const bad = ExtensionPlanner.plan({ settings: { enableInference: true } });
    expect(bad.model).toBeUndefined();
    expect(bad.problems.map((p) => p.field)).toContain('inferenceRouterServiceType');
    const good = ExtensionPlanner.plan({ settings: INFERENCE, now: NOW, tls: { cname: 'ml.example.com', certificate: TlsCertificate.fromExistingSecret('azureml-fe-tls') } });
    expect(good.problems).toEqual([]);
    expect(InstallInputs.helmValues('prod', good.model ?? fail('no model'))).toMatch(/sslSecret: azureml-fe-tls/);
  });
});

function fail(message: string): never {
  throw new Error(message);
}
