import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildExtensionModel, CONFIG_ENV_VAR, InferenceRouterServiceType, findConfigFile, loadConfig, parseConfig, TlsCertificateSourceKind, ValidationError } from '../../lib/internal';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_CERT = path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem');
const EXAMPLE_KEY = path.join(ROOT, 'examples', 'certs', 'example-only.key.pem');

function problemsOf(text: string, file = path.join(ROOT, 'test-config.yaml')): string[] {
  try {
    parseConfig(text, file);
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => `${p.field}: ${p.message}${p.value !== undefined ? ` [${p.value}]` : ''}`);
    throw e;
  }
  return [];
}

const env = (body: string) => `environments:\n  - name: dev\n${body}`;
const inference = '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }\n';

describe('config loader', () => {
  test('loads the embedded default config', () => {
    const config = loadConfig(path.join(ROOT, 'azureml-tls.yaml'));
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'edge', 'poc']);
    const dev = config.environments[0].props;
    expect(dev.tls?.certificate.kind).toBe(TlsCertificateSourceKind.SELF_SIGNED);
    expect(dev.settings.inferenceRouterServiceType).toBe(InferenceRouterServiceType.LOAD_BALANCER);
    expect(config.environments[3].props.settings.allowInsecureConnections).toBe(true);
  });

  test('resolves relative certificate paths against the config file\'s folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-cfg-'));
    fs.copyFileSync(EXAMPLE_CERT, path.join(dir, 'c.pem'));
    fs.copyFileSync(EXAMPLE_KEY, path.join(dir, 'k.pem'));
    const file = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(file, env(`${inference}    tls: { cname: ml.dev.example.com, certificate: { files: { cert: c.pem, key: k.pem } } }\n`));
    const config = loadConfig(file);
    const resolved = config.environments[0].props.tls?.certificate.resolve({ cname: 'ml.dev.example.com', now: new Date('2027-01-01') });
    expect(resolved?.material?.certificateFile).toBe(path.join(dir, 'c.pem'));
  });

  test('accepts the router service type in any case and stores the documented spelling', () => {
    const config = parseConfig(env('    insecure: true\n    extension: { enableInference: true, inferenceRouterServiceType: nodeport }\n'), path.join(ROOT, 'x.yaml'));
    expect(config.environments[0].props.settings.inferenceRouterServiceType).toBe('NodePort');
  });

  test('reads cluster.distribution, and an OpenShift Arc cluster gets openshift=true as the az CLI sends it (issue 11)', () => {
    const config = parseConfig(env('    insecure: true\n    extension: { enableTraining: true }\n    cluster: { type: arc, distribution: OpenShift }\n'), path.join(ROOT, 'x.yaml'));
    const props = config.environments[0].props;
    expect(props.cluster?.distribution).toBe('OpenShift');
    expect(buildExtensionModel({ settings: props.settings, cluster: props.cluster }).settings.openshift).toBe('true');
    expect(problemsOf(env('    insecure: true\n    extension: { enableTraining: true }\n    cluster: { type: arc, distribution: 3 }\n')))
      .toEqual(['test-config.yaml: environments[0] (dev).cluster.distribution: must be a string, but is number 3']);
  });

  test('fails on an unknown key, naming the file, environment and field, and suggesting the right key', () => {
    expect(problemsOf(env(`${inference}    tls: { cname: ml.example.com, certifcate: { existingSecret: s } }\n`))).toEqual([
      'test-config.yaml: environments[0] (dev).tls.certifcate: is not a known key',
      'test-config.yaml: environments[0] (dev).tls: needs one of certificate, keyVault, certManager',
    ]);
    const [p] = (() => { try { parseConfig(env('    insecure: true\n    extension: { EnableInference: true }\n'), path.join(ROOT, 'x.yaml')); } catch (e) { return (e as ValidationError).problems; } return []; })();
    expect(p.fix).toBe('did you mean enableInference?');
  });

  test('fails on a wrong type', () => {
    expect(problemsOf(env('    insecure: "yes"\n    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer, nodeSelector: [a] }\n'))).toEqual([
      'test-config.yaml: environments[0] (dev).insecure: must be true or false, but is string "yes"',
      'test-config.yaml: environments[0] (dev).extension.nodeSelector: must be a map, but is a list',
    ]);
  });

  test('fails on a value outside a closed set', () => {
    expect(problemsOf(env('    insecure: true\n    extension: { enableInference: true, inferenceRouterServiceType: Ingress }\n'))).toEqual([
      'test-config.yaml: environments[0] (dev).extension.inferenceRouterServiceType: is not an allowed value [Ingress]',
    ]);
  });

  test('fails on a missing certificate file, naming the resolved path', () => {
    const problems = problemsOf(env(`${inference}    tls: { cname: ml.example.com, certificate: { files: { cert: nope.pem, key: examples/certs/example-only.key.pem } } }\n`));
    expect(problems).toEqual([`test-config.yaml: environments[0] (dev).tls.certificate.files.cert: file not found (relative paths resolve against the config file's folder) [${path.join(ROOT, 'nope.pem')}]`]);
  });

  test('fails if a certificate gives two sources', () => {
    expect(problemsOf(env(`${inference}    tls: { cname: ml.example.com, certificate: { existingSecret: s, files: { cert: a, key: b } } }\n`)))
      .toContain('test-config.yaml: environments[0] (dev).tls.certificate: has files and existingSecret, but only one may be given');
  });

  test('fails on an invalid or duplicate environment name', () => {
    expect(problemsOf('environments:\n  - name: Dev_1\n    insecure: true\n    extension: { enableTraining: true }\n  - name: a\n    extension: { enableTraining: true }\n  - name: a\n    extension: { enableTraining: true }\n')).toEqual([
      'test-config.yaml: environments[0] (Dev_1).name: must be a DNS-1123 label (lower-case letters, digits and -, at most 63), as output files and charts are named after it [Dev_1]',
      'test-config.yaml: environments[2] (a).name: is already used by environments[1] [a]',
    ]);
  });

  test('fails if insecure comes with a tls block', () => {
    expect(problemsOf(env(`    insecure: true\n${inference}    tls: { cname: ml.example.com, certificate: { existingSecret: s } }\n`)))
      .toEqual(['test-config.yaml: environments[0] (dev).insecure: plain HTTP cannot be combined with a tls block [true]']);
  });

  test('fails on invalid YAML with the line', () => {
    const problems = problemsOf('environments:\n  - name: dev\n   extension: {\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^test-config.yaml: is not valid YAML/);
  });

  test('fails on an empty file or no environments', () => {
    expect(problemsOf('')).toEqual(['test-config.yaml: must be a map, but is null']);
    expect(problemsOf('environments: []\n')).toEqual(['test-config.yaml: environments: must have at least 1 item(s)']);
  });

  test('reports the problems of every environment at once', () => {
    const problems = problemsOf('environments:\n  - name: a\n    extension: { enableTraining: 1 }\n  - name: b\n    extension: { enableInference: maybe }\n');
    expect(problems).toEqual([
      'test-config.yaml: environments[0] (a).extension.enableTraining: must be true or false, but is number 1',
      'test-config.yaml: environments[1] (b).extension.enableInference: must be true or false, but is string "maybe"',
    ]);
  });

  test('fails if the file cannot be read', () => {
    expect(() => loadConfig(path.join(ROOT, 'missing.yaml'))).toThrow(/missing.yaml: the config file does not exist\. Fix: pass an existing, readable regular file with --config or AZUREML_TLS_CONFIG/);
  });

  test('chooses the config from the flag, then the environment variable, then the current folder', () => {
    const config = path.join(ROOT, 'azureml-tls.yaml');
    const empty = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-empty-')));
    expect(findConfigFile({ config, environment: {}, cwd: empty }).file).toBe(config);
    expect(findConfigFile({ environment: { [CONFIG_ENV_VAR]: config }, cwd: empty }).file).toBe(config);
    expect(findConfigFile({ environment: {}, cwd: ROOT }).file).toBe(config);
  });

  test('never falls back to the package\'s example config outside a project', () => {
    const empty = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-empty-')));
    const search = findConfigFile({ environment: {}, cwd: empty });
    expect(search.file).toBeUndefined();
    expect(search.problems.map((p) => p.message)).toEqual(['none found (the package\'s own example config is never used)']);
  });
});
