import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { k8sSchemaErrors } from '../helpers/k8s-schema';

// End-to-end: the precompiled CLI (`npm test` builds it first), as a user runs it.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const CERT = path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem');
const KEY = path.join(ROOT, 'examples', 'certs', 'example-only.key.pem');

// Certificates are evaluated at a fixed time (--at), never at the clock's.
const AT = ['--at', '2027-06-01T00:00:00Z'];

function run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const withAt = (args[0] === 'synth' || args[0] === 'check') && !args.includes('--help') && !args.includes('--at') ? [...args, ...AT] : args;
  const r = spawnSync(process.execPath, [BIN, ...withAt], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'azml-cli-'));
}

/** Every file below `dir`, relative, with its content and mode. */
function tree(dir: string): { [file: string]: { content: string; mode: number } } {
  const out: { [file: string]: { content: string; mode: number } } = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = { content: fs.readFileSync(p, 'utf8'), mode: fs.statSync(p).mode & 0o777 };
  }
  return out;
}

const bodyLines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
const keyBodyLines = bodyLines(KEY);

/** A temp folder holding a copy of the embedded default config, so its generated state stays out of the repository. */
function defaultConfigCopy(): string {
  const dir = tmp();
  fs.copyFileSync(path.join(ROOT, 'azureml-tls.yaml'), path.join(dir, 'azureml-tls.yaml'));
  return dir;
}

beforeAll(() => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
});

describe('azureml-tls synth', () => {
  test('synthesizes the default config: manifests, values, settings, protected settings and az scripts', () => {
    const dir = defaultConfigCopy();
    const out = path.join(dir, 'dist');
    const r = run(['synth', '--out', out], { cwd: dir });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const files = tree(out);
    expect(Object.keys(files).sort()).toEqual([
      'dev.k8s.yaml', 'dev/az-create.sh', 'dev/protected-settings.json', 'dev/settings.json', 'dev/values.yml',
      'edge.k8s.yaml', 'edge/az-create.sh', 'edge/protected-settings.json', 'edge/settings.json', 'edge/values.yml',
      'poc.k8s.yaml', 'poc/az-create.sh', 'poc/protected-settings.json', 'poc/settings.json', 'poc/values.yml',
      'staging.k8s.yaml', 'staging/az-create.sh', 'staging/protected-settings.json', 'staging/settings.json', 'staging/values.yml',
    ]);
    // Only manifests end in .yaml: cdk8s treats every *.yaml below the root as a manifest.
    expect(Object.keys(files).filter((f) => f.endsWith('.yaml'))).toEqual(['dev.k8s.yaml', 'edge.k8s.yaml', 'poc.k8s.yaml', 'staging.k8s.yaml']);
    expect(files['dev/az-create.sh'].mode).toBe(0o755);
    // Every manifest is valid against the Kubernetes 1.28 schema.
    const manifests = Object.entries(files).filter(([f]) => f.endsWith('.k8s.yaml')).flatMap(([, v]) => parseAllDocuments(v.content).map((d) => d.toJS()).filter(Boolean));
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['Secret/azureml/azureml-fe-tls']);
    for (const m of manifests) expect(k8sSchemaErrors(m)).toEqual([]);
    // The generated development keys: mode 0600, and only in the Secret (base64), nowhere else.
    const devKeys = ['ml.dev.example.com', 'ml.edge.example.com'].map((n) => path.join(dir, '.azureml-tls', 'dev-certs', n, 'key.pem'));
    for (const key of devKeys) {
      expect(fs.statSync(key).mode & 0o777).toBe(0o600);
      for (const [f, { content }] of Object.entries(files)) {
        for (const line of bodyLines(key)) expect(`${f}: ${content.includes(line)}`).toBe(`${f}: false`);
        if (f !== 'dev.k8s.yaml') expect(content).not.toContain(fs.readFileSync(key).toString('base64').slice(0, 60));
      }
    }
    expect(files['dev.k8s.yaml'].content).toContain(fs.readFileSync(devKeys[0]).toString('base64'));
    // PEM mode passes paths, relative to the environment folder.
    expect(JSON.parse(files['edge/protected-settings.json'].content)).toEqual({
      sslCertPemFile: '../../.azureml-tls/dev-certs/ml.edge.example.com/cert.pem',
      sslKeyPemFile: '../../.azureml-tls/dev-certs/ml.edge.example.com/key.pem',
    });
    expect(r.out).toContain(`wrote ${out}/dev.k8s.yaml`);
  });

  test('is byte-identical when run twice (the development certificates are kept and reused)', () => {
    const dir = defaultConfigCopy();
    const out = path.join(dir, 'dist');
    expect(run(['synth', '--out', out], { cwd: dir }).code).toBe(0);
    const first = tree(out);
    expect(run(['synth', '--out', out], { cwd: dir }).code).toBe(0);
    expect(tree(out)).toEqual(first);
  });

  test('synthesizes the bring-your-own-certificate example', () => {
    const out = path.join(tmp(), 'dist');
    const r = run(['synth', '--config', path.join(ROOT, 'examples', 'byo-certificate.yaml'), '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [secret] = parseAllDocuments(fs.readFileSync(path.join(out, 'prod.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(Buffer.from(secret.data['cert.pem'], 'base64')).toEqual(fs.readFileSync(CERT));
    expect(k8sSchemaErrors(secret)).toEqual([]);
  });

  test('synthesizes any valid config given by flag or environment variable', () => {
    const dir = tmp();
    fs.copyFileSync(CERT, path.join(dir, 'cert.pem'));
    fs.copyFileSync(KEY, path.join(dir, 'key.pem'));
    const config = path.join(dir, 'my.yaml');
    fs.writeFileSync(config, [
      'environments:',
      '  - name: prod-weu',
      '    production: true',
      '    cluster: { type: aks, subscriptionId: 11111111-2222-3333-4444-555555555555, resourceGroup: rg, name: aks, location: westeurope, nodeCount: 4 }',
      '    extension: { enableInference: true, inferenceRouterServiceType: ClusterIP }',
      '    tls: { cname: ml.dev.example.com, certificate: { files: { cert: cert.pem, key: key.pem } }, secretName: fe-tls }',
      '',
    ].join('\n'));
    const out = path.join(dir, 'out');
    expect(run(['synth', '--config', config, '--out', out]).code).toBe(0);
    expect(fs.existsSync(path.join(out, 'prod-weu.k8s.yaml'))).toBe(true);
    const settings = JSON.parse(fs.readFileSync(path.join(out, 'prod-weu', 'settings.json'), 'utf8'));
    expect(settings['scoringFe.sslSecret']).toBe('fe-tls');
    expect(settings.location).toBe('westeurope');
    const out2 = path.join(dir, 'out2');
    expect(run(['synth', '--out', out2], { cwd: dir, env: { AZUREML_TLS_CONFIG: config } }).code).toBe(0);
    expect(tree(out2)).toEqual(tree(out));
  });

  test('reports every problem of every environment, exits 1 and leaves the previous output untouched', () => {
    const dir = tmp();
    const out = path.join(dir, 'dist');
    expect(run(['synth', '--config', path.join(ROOT, 'examples', 'byo-certificate.yaml'), '--out', out]).code).toBe(0);
    const before = tree(out);
    const config = path.join(dir, 'bad.yaml');
    fs.writeFileSync(config, [
      'environments:',
      '  - name: a',
      '    extension: { enableInference: true }',
      '  - name: b',
      `    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }`,
      `    tls: { cname: wrong.example.org, certificate: { files: { cert: ${CERT}, key: ${KEY} } } }`,
      '',
    ].join('\n'));
    const r = run(['synth', '--config', config, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments[0] (a).inferenceRouterServiceType: is required when enableInference is true');
    expect(r.err).toContain('environments[0] (a).tls: inference is enabled without TLS');
    expect(r.err).toMatch(/environments\[1\] \(b\)\.tls\.certificate: .*wrong\.example\.org/);
    expect(r.err).toContain(`nothing was written; ${out} is unchanged`);
    for (const line of keyBodyLines) expect(r.err).not.toContain(line);
    expect(tree(out)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['bad.yaml', 'dist']);
  });

  test('writes protected values only on opt-in, mode 0600, in a self-ignoring folder', () => {
    const dir = defaultConfigCopy();
    expect(run(['synth', '--out', path.join(dir, 'dist')], { cwd: dir }).code).toBe(0);
    expect(fs.existsSync(path.join(dir, '.azureml-tls', 'protected'))).toBe(false);
    const r = run(['synth', '--out', path.join(dir, 'dist'), '--write-protected-values'], { cwd: dir });
    expect(r.code).toBe(0);
    const file = path.join(dir, '.azureml-tls', 'protected', 'edge.protected-settings.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const edgeKey = path.join(dir, '.azureml-tls', 'dev-certs', 'ml.edge.example.com', 'key.pem');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))['scoringFe.sslKey']).toBe(fs.readFileSync(edgeKey).toString('base64'));
    expect(fs.readFileSync(path.join(dir, '.azureml-tls', 'protected', '.gitignore'), 'utf8')).toBe('*\n');
  });

  test('prints help, and exits 2 on an unknown flag', () => {
    expect(run(['synth', '--help'])).toMatchObject({ code: 0 });
    expect(run(['synth', '--help']).out).toContain('Usage: azureml-tls synth');
    const r = run(['synth', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--bogus'");
    expect(run(['frobnicate']).code).toBe(2);
    expect(run([]).code).toBe(2);
  });
});

describe('azureml-tls check', () => {
  test('says a good pair is usable', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'ML.dev.example.com']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok: ');
    expect(r.out).toContain('usable for ml.dev.example.com');
  });

  test('fails with error lines for a name the certificate does not cover', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'other.example.org']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n').filter(Boolean).every((l) => l.startsWith('error:'))).toBe(true);
  });

  test('fails with exit 1 for a bad --cname value', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'https://ml.dev.example.com:443/x']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: /);
  });

  test('fails with exit 1 for a missing file, and never prints key material', () => {
    const r = run(['check', '--cert', path.join(ROOT, 'nope.pem'), '--key', KEY]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope.pem');
    for (const line of keyBodyLines) expect(r.err + r.out).not.toContain(line);
  });

  test('fails with exit 1 when the key does not match the certificate', () => {
    const dir = tmp();
    const other = path.join(dir, 'other.key.pem');
    spawnSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', other]);
    if (!fs.existsSync(other)) {
      console.log('skipped: openssl is not on this machine');
      return;
    }
    const r = run(['check', '--cert', CERT, '--key', other]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*does not belong to the leaf certificate/m);
  });

  test('exits 2 for missing or unknown flags', () => {
    expect(run(['check', '--cert', CERT]).code).toBe(2);
    expect(run(['check', '--cert', CERT]).err).toContain('missing --key');
    expect(run(['check', '--cert', CERT, '--key', KEY, '--nope']).code).toBe(2);
    expect(run(['check', '--cert', CERT, '--key', KEY, '--at', 'yesterday']).code).toBe(2);
    expect(run(['check', '--help']).code).toBe(0);
  });
});
