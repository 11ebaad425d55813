import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { toHelmValues } from '../../lib/internal';
import { runSynthCommand } from '../../lib/cli/commands';
import { crdSchemaErrors } from '../helpers/crd-schema';
import { k8sSchemaErrors } from '../helpers/k8s-schema';
import { unseal } from '../sealing/unseal';

// End-to-end: the precompiled CLI (`npm test` builds it first), as a user runs it.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const CERT = path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem');
const KEY = path.join(ROOT, 'examples', 'certs', 'example-only.key.pem');

// Certificates are evaluated at a fixed time (--at), never at the clock's.
const AT = ['--at', '2027-06-01T00:00:00Z'];

function run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const withAt = ['synth', 'check', 'dev-cert', 'report'].includes(args[0]) && !args.includes('--help') && !args.includes('--at') ? [...args, ...AT] : args;
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

/** The state folder of a generated development certificate: `.azureml-tls/dev-certs/<cname>-<hash of names and days>`. */
function devCertDir(dir: string, cname: string): string {
  const base = path.join(dir, '.azureml-tls', 'dev-certs');
  const found = fs.readdirSync(base).filter((d) => d.startsWith(`${cname}-`));
  if (found.length !== 1) throw new Error(`expected one development certificate for ${cname} in ${base}, found ${found.join(', ')}`);
  return path.join(base, found[0]);
}

/** A temp copy of examples/ (configs name their files relative to themselves). */
function examplesCopy(): string {
  const dir = tmp();
  fs.cpSync(path.join(ROOT, 'examples'), dir, { recursive: true });
  return dir;
}

/** A config with the example certificate in plain secret delivery (acknowledged), in a temp folder. */
function plainSecretConfig(): string {
  const dir = tmp();
  const file = path.join(dir, 'plain.yaml');
  fs.writeFileSync(file, [
    'environments:',
    '  - name: prod',
    '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
    `    tls: { cname: ml.dev.example.com, certificate: { files: { cert: ${CERT}, key: ${KEY} } }, allowPlaintextKey: true }`,
    '',
  ].join('\n'));
  return file;
}

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
  test('synthesizes the default config: a folder of Kubernetes objects per environment, and values, settings, protected settings and az scripts apart', () => {
    const dir = defaultConfigCopy();
    const out = path.join(dir, 'dist');
    const r = run(['synth', '--out', out], { cwd: dir });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const files = tree(out);
    const iac = (env: string) => [`install/${env}/azuredeploy.json`, `install/${env}/extension.bicep`, `install/${env}/main.tf.json`];
    const install = (env: string) => ['az-create.sh', 'az-update.sh', 'protected-settings.json', 'settings.json', 'values.yml'].map((f) => `install/${env}/${f}`);
    expect(Object.keys(files).sort()).toEqual([
      '.azureml-tls-output',
      'clusters/dev/Namespace.azureml.k8s.yaml', 'clusters/dev/Secret.azureml-fe-tls.k8s.yaml', 'clusters/dev/kustomization.yaml',
      'clusters/edge/kustomization.yaml', 'clusters/poc/kustomization.yaml', 'clusters/staging/kustomization.yaml',
      ...install('dev'), ...iac('dev'), ...install('edge'), ...iac('edge'), ...install('poc'), ...install('staging'), ...iac('staging'),
    ].sort());
    // Below clusters/ only Kubernetes objects and their kustomization.yaml; everything else is below install/.
    expect(Object.keys(files).filter((f) => f.startsWith('clusters/')).every((f) => f.endsWith('.k8s.yaml') || f.endsWith('/kustomization.yaml'))).toBe(true);
    expect(files['install/dev/az-create.sh'].mode).toBe(0o755);
    // Every manifest is valid against the Kubernetes 1.28 schema, and carries the config's labels and annotations.
    const manifests = Object.entries(files).filter(([f]) => f.endsWith('.k8s.yaml')).flatMap(([, v]) => parseAllDocuments(v.content).map((d) => d.toJS()).filter(Boolean));
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['Namespace/undefined/azureml', 'Secret/azureml/azureml-fe-tls']);
    for (const m of manifests) expect(k8sSchemaErrors(m)).toEqual([]);
    for (const m of manifests) expect(m.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'azureml' });
    expect(manifests[1].metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    // The generated development keys: mode 0600, and only in the Secret (base64), nowhere else.
    const devKeys = ['ml.dev.example.com', 'ml.edge.example.com'].map((n) => path.join(devCertDir(dir, n), 'key.pem'));
    for (const key of devKeys) {
      expect(fs.statSync(key).mode & 0o777).toBe(0o600);
      for (const [f, { content }] of Object.entries(files)) {
        for (const line of bodyLines(key)) expect(`${f}: ${content.includes(line)}`).toBe(`${f}: false`);
        if (f !== 'clusters/dev/Secret.azureml-fe-tls.k8s.yaml') expect(content).not.toContain(fs.readFileSync(key).toString('base64').slice(0, 60));
      }
    }
    expect(files['clusters/dev/Secret.azureml-fe-tls.k8s.yaml'].content).toContain(fs.readFileSync(devKeys[0]).toString('base64'));
    // PEM mode passes paths, relative to the environment's install folder.
    const edgeDir = path.relative(path.join(out, 'install', 'edge'), devCertDir(dir, 'ml.edge.example.com'));
    expect(JSON.parse(files['install/edge/protected-settings.json'].content)).toEqual({ sslCertPemFile: `${edgeDir}/cert.pem`, sslKeyPemFile: `${edgeDir}/key.pem` });
    expect(r.out).toBe(`synthesized 4 environment(s) into ${out}: 36 files written, 0 warning(s)\n`);
    expect(run(['synth', '--out', out, '--verbose'], { cwd: dir }).out).toContain(`wrote ${out}/clusters/dev/Secret.azureml-fe-tls.k8s.yaml`);
  });

  test('every install path carries the same settings, and they expand to the reference values.yml', () => {
    const dir = defaultConfigCopy();
    const out = path.join(dir, 'dist');
    expect(run(['synth', '--out', out], { cwd: dir }).code).toBe(0);
    for (const env of ['dev', 'edge', 'staging', 'poc']) {
      const settings = JSON.parse(fs.readFileSync(path.join(out, 'install', env, 'settings.json'), 'utf8'));
      expect(toHelmValues(settings).values).toEqual(parseAllDocuments(fs.readFileSync(path.join(out, 'install', env, 'values.yml'), 'utf8'))[0].toJS());
      if (env === 'poc') continue;
      const arm = JSON.parse(fs.readFileSync(path.join(out, 'install', env, 'azuredeploy.json'), 'utf8'));
      expect(arm.resources.find((r: { type: string }) => r.type === 'Microsoft.KubernetesConfiguration/extensions').properties.configurationSettings).toEqual(settings);
      const tf = JSON.parse(fs.readFileSync(path.join(out, 'install', env, 'main.tf.json'), 'utf8'));
      const tfExtension = Object.values(tf.resource).flatMap((byName) => Object.values(byName as object)).find((r) => (r as { extension_type?: string }).extension_type) as { configuration_settings: object };
      expect(tfExtension.configuration_settings).toEqual(settings);
      expect(fs.readFileSync(path.join(out, 'install', env, 'extension.bicep'), 'utf8')).toContain(`sslCname: '${settings.sslCname}'`); // unquoted: Bicep's prefer-unquoted-property-names
    }
  });

  test('shows progress on a terminal and ends with a one-line summary', () => {
    const dir = defaultConfigCopy();
    const progress: string[] = [];
    const out: string[] = [];
    const code = runSynthCommand({ config: path.join(dir, 'azureml-tls.yaml'), outDir: path.join(dir, 'dist'), now: new Date(AT[1]) }, { out: (l) => out.push(l), err: () => undefined, progress: (t) => progress.push(t) });
    expect(code).toBe(0);
    expect(progress).toEqual(['synthesizing: 1/4 environments', 'synthesizing: 2/4 environments', 'synthesizing: 3/4 environments', 'synthesizing: 4/4 environments', '']);
    expect(out).toEqual([`synthesized 4 environment(s) into ${path.join(dir, 'dist')}: 36 files written, 0 warning(s)`]);
  });

  test('is byte-identical when run twice (the development certificates are kept and reused)', () => {
    const dir = defaultConfigCopy();
    const out = path.join(dir, 'dist');
    expect(run(['synth', '--out', out], { cwd: dir }).code).toBe(0);
    const first = tree(out);
    expect(run(['synth', '--out', out], { cwd: dir }).code).toBe(0);
    expect(tree(out)).toEqual(first);
  });

  test('cdk8s synth -o DIR runs the precompiled app and writes the same files', () => {
    const dir = defaultConfigCopy();
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: node ${path.join(ROOT, 'build', 'main.js')}\n`);
    const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', AZUREML_TLS_AT: AT[1] };
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '-o', 'out-cdk8s'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('out-cdk8s/clusters/dev/Secret.azureml-fe-tls.k8s.yaml');
    expect(run(['synth', '--out', path.join(dir, 'out-cli')], { cwd: dir }).code).toBe(0);
    expect(tree(path.join(dir, 'out-cdk8s'))).toEqual(tree(path.join(dir, 'out-cli')));
  });

  test('synthesizes the bring-your-own-certificate example: a SealedSecret that unseals to the files, stable on re-run', () => {
    const dir = examplesCopy();
    const out = path.join(dir, 'dist');
    const r = run(['synth', '--config', path.join(dir, 'byo-certificate.yaml'), '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [sealed] = parseAllDocuments(fs.readFileSync(path.join(out, 'clusters', 'prod', 'SealedSecret.azureml-fe-tls.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(sealed).toMatchObject({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'azureml-fe-tls', namespace: 'azureml' } });
    expect(crdSchemaErrors(sealed)).toEqual([]);
    const controllerKey = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'sealing', 'controller.key'), 'utf8');
    expect(unseal(sealed.spec.encryptedData['cert.pem'], controllerKey, 'azureml/azureml-fe-tls')).toEqual(fs.readFileSync(CERT));
    expect(unseal(sealed.spec.encryptedData['key.pem'], controllerKey, 'azureml/azureml-fe-tls')).toEqual(fs.readFileSync(KEY));
    const first = fs.readFileSync(path.join(out, 'clusters', 'prod', 'SealedSecret.azureml-fe-tls.k8s.yaml'), 'utf8');
    // Sealing is deterministic: nothing is kept beside the config, and a second synth gives the same bytes.
    expect(fs.existsSync(path.join(dir, 'byo-certificate.sealed.json'))).toBe(false);
    expect(run(['synth', '--config', path.join(dir, 'byo-certificate.yaml'), '--out', out]).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'clusters', 'prod', 'SealedSecret.azureml-fe-tls.k8s.yaml'), 'utf8')).toBe(first);
  });

  test('synthesizes a plain Secret when the plaintext key is acknowledged', () => {
    const out = path.join(tmp(), 'dist');
    expect(run(['synth', '--config', plainSecretConfig(), '--out', out]).code).toBe(0);
    const [secret] = parseAllDocuments(fs.readFileSync(path.join(out, 'clusters', 'prod', 'Secret.azureml-fe-tls.k8s.yaml'), 'utf8')).map((d) => d.toJS());
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
      '    tls: { cname: ml.dev.example.com, certificate: { files: { cert: cert.pem, key: key.pem } }, secretName: fe-tls, allowPlaintextKey: true }',
      '',
    ].join('\n'));
    const out = path.join(dir, 'out');
    expect(run(['synth', '--config', config, '--out', out]).code).toBe(0);
    expect(fs.existsSync(path.join(out, 'clusters', 'prod-weu', 'Secret.fe-tls.k8s.yaml'))).toBe(true);
    const settings = JSON.parse(fs.readFileSync(path.join(out, 'install', 'prod-weu', 'settings.json'), 'utf8'));
    expect(settings['scoringFe.sslSecret']).toBe('fe-tls');
    expect(settings.location).toBe('westeurope');
    const out2 = path.join(dir, 'out2');
    expect(run(['synth', '--out', out2], { cwd: dir, env: { AZUREML_TLS_CONFIG: config } }).code).toBe(0);
    expect(tree(out2)).toEqual(tree(out));
  });

  test('reports every problem of every environment, exits 1 and leaves the previous output untouched', () => {
    const dir = tmp();
    const out = path.join(dir, 'dist');
    expect(run(['synth', '--config', plainSecretConfig(), '--out', out]).code).toBe(0);
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
    expect(r.err).toContain('environments[0] (a).extension.inferenceRouterServiceType: is required when enableInference is true');
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
    const edgeKey = path.join(devCertDir(dir, 'ml.edge.example.com'), 'key.pem');
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
    const bare = run([]);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('Usage: azureml-tls <command>');
    expect(bare.out).toBe('');
  });
});

describe('azureml-tls check', () => {
  test('reports the chain and says a good pair is usable', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'ML.dev.example.com']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('certificate 1 (leaf): O=cdk8s-azureml-tls EXAMPLE ONLY, CN=ml.dev.example.com');
    expect(r.out).toContain('  subjectAltName: DNS:ml.dev.example.com, DNS:ml.edge.example.com');
    expect(r.out).toContain('  key: RSA 2048 bits; signature: sha256WithRSAEncryption');
    expect(r.out).toMatch(/ {2}valid: 2026-11-29T04:47:41.000Z to 2126-11-05T04:47:41.000Z \(36316 days left\)/);
    expect(r.out).toMatch(/ {2}sha256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(r.out).toContain('certificate 2 (root): ');
    expect(r.out).toContain('ok: usable for ml.dev.example.com (0 error(s), 0 warning(s)) at 2027-06-01T00:00:00.000Z');
  });

  test('fails with error lines for a name the certificate does not cover', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'other.example.org']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: .*does not cover sslCname other\.example\.org/m);
    expect(r.out).toMatch(/^not usable: 1 error\(s\), 0 warning\(s\)$/m);
  });

  test('fails with exit 1 for a bad --cname value', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'https://ml.dev.example.com:443/x']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: sslCname "https:\/\/ml.dev.example.com:443\/x" is not a plain host name/m);
  });

  test('fails with exit 1 for a missing file, and never prints key material', () => {
    const r = run(['check', '--cert', path.join(ROOT, 'nope.pem'), '--key', KEY]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error: certificate file ${path.join(ROOT, 'nope.pem')} does not exist`);
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
    expect(r.out).toMatch(/^error: .*does not belong to the leaf certificate/m);
  });

  test('--at evaluates at another time: the example certificate is not yet valid in 2020', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--at', '2020-01-01T00:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: .*is not valid before 2026-11-29T04:47:41Z/m);
  });

  test('--strict counts warnings as errors', () => {
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'certs');
    const args = ['check', '--cert', path.join(fixtures, 'ecdsa-p256-chain.pem'), '--key', path.join(fixtures, 'ecdsa-p256.key'), '--at', '2026-06-01T00:00:00Z'];
    const lenient = run(args);
    expect(lenient.code).toBe(0);
    expect(lenient.out).toMatch(/^warning: .*azureml-fe documents and tests RSA keys only/m);
    const strict = run([...args, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('(--strict counts warnings as errors)');
  });

  test('--json prints one document for CI', () => {
    const r = run(['check', '--cert', CERT, '--key', KEY, '--cname', 'other.example.org', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ usable: false, errors: 1, warnings: 0, cname: 'other.example.org', at: '2027-06-01T00:00:00.000Z' });
    expect(doc.chain[0]).toMatchObject({ dnsNames: ['ml.dev.example.com', 'ml.edge.example.com'], keyType: 'rsa', keySize: 2048, daysLeft: 36316 });
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(['cname-not-covered']);
    expect(doc.privateKey).toEqual({ keyType: 'rsa', keySize: 2048 });
  });

  describe('--secret reads a Secret manifest, as kubectl get secret -o yaml prints it', () => {
    const secret = (over: { [k: string]: unknown } = {}, data: { [k: string]: string } = { 'cert.pem': fs.readFileSync(CERT).toString('base64'), 'key.pem': fs.readFileSync(KEY).toString('base64') }) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'azureml-fe-tls', namespace: 'azureml' }, type: 'Opaque', data, ...over });
    const check = (manifest: string, extra: string[] = []) => {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 's.yaml'), manifest);
      return run(['check', '--secret', path.join(dir, 's.yaml'), '--cname', 'ml.dev.example.com', ...extra]);
    };

    test('accepts the synthesized Secret from standard input', () => {
      const out = path.join(tmp(), 'dist');
      expect(run(['synth', '--config', plainSecretConfig(), '--out', out]).code).toBe(0);
      const r = spawnSync(process.execPath, [BIN, 'check', '--secret', '-', '--cname', 'ml.dev.example.com', ...AT], { input: fs.readFileSync(path.join(out, 'clusters', 'prod', 'Secret.azureml-fe-tls.k8s.yaml')), encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('key: RSA 2048 bits (Secret azureml/azureml-fe-tls key.pem)');
    });

    test('fails if the Secret uses the kubernetes.io/tls keys, saying azureml-fe reads cert.pem and key.pem', () => {
      const r = check(secret({ type: 'kubernetes.io/tls' }, { 'tls.crt': 'QQ==', 'tls.key': 'QQ==' }));
      expect(r.code).toBe(1);
      expect(r.out).toContain('error: Secret azureml/azureml-fe-tls has no cert.pem (keys: tls.crt, tls.key); tls.crt is the kubernetes.io/tls name (cert-manager writes it), but azureml-fe reads cert.pem');
      expect(r.out).toContain('warning: Secret azureml/azureml-fe-tls has type kubernetes.io/tls; the documented type is Opaque');
    });

    test('fails if the Secret is not in namespace azureml', () => {
      const r = check(secret({ metadata: { name: 'x', namespace: 'default' } }));
      expect(r.code).toBe(1);
      expect(r.out).toContain('error: Secret default/x is in namespace default, but azureml-fe reads its TLS Secret from namespace azureml only');
    });

    test('fails if the input is not one Secret', () => {
      const r = check('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/holds 0 Secret objects \(kinds found: ConfigMap\)/);
    });

    test('exits 2 when --secret is combined with --cert', () => {
      expect(run(['check', '--secret', '-', '--cert', CERT]).code).toBe(2);
    });
  });

  test('exits 2 for missing or unknown flags, 1 for a bad --at value', () => {
    expect(run(['check', '--cert', CERT]).code).toBe(2);
    expect(run(['check', '--cert', CERT]).err).toContain('missing --key');
    expect(run(['check', '--cert', CERT, '--key', KEY, '--nope']).code).toBe(2);
    expect(run(['check', '--cert', CERT, '--key', KEY, '--at', 'yesterday']).code).toBe(1);
    expect(run(['check', '--help']).code).toBe(0);
  });
});

describe('azureml-tls report', () => {
  const BYO = path.join(ROOT, 'examples', 'byo-certificate.yaml');

  test('prints a table of every environment\'s certificate', () => {
    const dir = defaultConfigCopy();
    const r = run(['report'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ENVIRONMENT\s+CNAME\s+SOURCE\s+DELIVERY\s+NOT AFTER\s+DAYS LEFT\s+FINDINGS$/);
    // No state folder yet: the development certificate does not exist, so it has no dates (and is not "ok").
    expect(lines[1]).toMatch(/^dev\s+ml\.dev\.example\.com\s+selfSigned\s+secret\s+-\s+-\s+not created yet: the next synth creates it \(or adopts the one committed in the output\)$/);
    expect(lines[2]).toMatch(/^staging\s+ml\.staging\.example\.com\s+existingSecret\s+secret\s+-\s+-\s+ok$/);
    expect(lines[4]).toMatch(/^poc\s+-\s+none\s+-/);
    expect(lines[5]).toBe('ok: 4 environment(s), none expires within 30 days');
    expect(fs.existsSync(path.join(dir, '.azureml-tls'))).toBe(false);
    // Once synth made it, its dates show, the same on every run.
    expect(run(['synth'], { cwd: dir }).code).toBe(0);
    const after = run(['report'], { cwd: dir });
    expect(after.out.trim().split('\n')[1]).toMatch(/^dev\s+ml\.dev\.example\.com\s+selfSigned\s+secret\s+2027-08-30T00:00:00\.000Z\s+90\s+ok$/);
    expect(run(['report'], { cwd: dir }).out).toBe(after.out);
  });

  test('exits 1 when a certificate expires within --days, and --json says which', () => {
    const soon = ['--config', BYO, '--at', '2126-10-20T00:00:00Z'];
    const r = run(['report', ...soon]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^prod\s+ml\.dev\.example\.com\s+pemFiles\s+sealedSecret\s+2126-11-05T04:47:41\.000Z\s+16\s+expiring-soon, sealing-certificate-expiring-soon$/m);
    expect(r.out).toContain('1 of 1 environment(s) expire within 30 days or are unusable');
    expect(run(['report', ...soon, '--days', '10']).code).toBe(0);
    const json = JSON.parse(run(['report', ...soon, '--json']).out);
    expect(json).toMatchObject({ days: 30, failing: 1, environments: [{ environment: 'prod', daysLeft: 16, failing: true }] });
  });

  test('exits 1 with the problems of an invalid config, and for a bad --days', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'environments: []\n');
    const r = run(['report', '--config', path.join(dir, 'c.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments: must have at least 1 item(s)');
    expect(run(['report', '--config', BYO, '--days', 'soon']).code).toBe(1);
    expect(run(['report', '--bogus']).code).toBe(2);
  });
});

describe('azureml-tls verify (flags; the handshake itself is tested in test/integration/verify.test.ts)', () => {
  test('exits 2 for missing or unknown flags, 0 for --help, 1 for a closed port', () => {
    // --connect is optional now (verify resolves the cname); a missing --cname or --port beside --connect is a usage error.
    expect(run(['verify', '--connect', '127.0.0.1:1']).code).toBe(2);
    expect(run(['verify', '--cname', 'ml.example.com', '--connect', '127.0.0.1:1', '--port', '443']).code).toBe(2);
    expect(run(['verify', '--cname', 'ml.example.com', '--connect', '127.0.0.1:1', '--nope']).code).toBe(2);
    expect(run(['verify', '--help']).out).toContain('Usage: azureml-tls verify');
    const closed = run(['verify', '--cname', 'ml.example.com', '--connect', '127.0.0.1:1', '--timeout', '3000']);
    expect(closed.code).toBe(1);
    expect(closed.out).toMatch(/^error: cannot connect to 127\.0\.0\.1:1 for ml\.example\.com: ECONNREFUSED/m);
  });
});

describe('azureml-tls dev-cert', () => {
  test('writes cert.pem (leaf + CA), key.pem (0600) and ca.pem, and reuses them on a second run', () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    const args = ['dev-cert', '--cname', 'API.example.com', '--name', 'www.example.com', '--out', out, '--state', path.join(dir, 'state'), '--days', '30'];
    const first = run(args);
    expect(first.code).toBe(0);
    expect(first.out).toContain('issued a development certificate for api.example.com, www.example.com');
    expect(fs.statSync(path.join(out, 'key.pem')).mode & 0o777).toBe(0o600);
    const cert = fs.readFileSync(path.join(out, 'cert.pem'), 'utf8');
    expect(cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(cert.endsWith(fs.readFileSync(path.join(out, 'ca.pem'), 'utf8'))).toBe(true);
    const second = run(args);
    expect(second.out).toContain('reused a development certificate');
    expect(fs.readFileSync(path.join(out, 'cert.pem'), 'utf8')).toBe(cert);
    const check = run(['check', '--cert', path.join(out, 'cert.pem'), '--key', path.join(out, 'key.pem'), '--cname', 'www.example.com']);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/valid: 2027-06-01T00:00:00.000Z to 2027-07-01T00:00:00.000Z/);
  });

  test('fails with exit 1 for a bad cname or days, and exits 2 without --out', () => {
    const dir = tmp();
    expect(run(['dev-cert', '--cname', 'https://x.example.com', '--out', dir]).code).toBe(1);
    expect(run(['dev-cert', '--cname', 'x.example.com', '--out', dir, '--days', '0']).err).toContain('--days "0" is not a whole number of days of at least 1');
    expect(run(['dev-cert', '--cname', 'x.example.com']).code).toBe(2);
    expect(run(['dev-cert', '--help']).code).toBe(0);
  });
});
