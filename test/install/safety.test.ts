import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildExtensionModel, InferenceRouterServiceType, renderAzCreateScript, synthesize, ValidationError } from '../../lib/internal';
import { reportRows } from '../../lib/cli/report';
import { onPath } from '../helpers/tools';

const NOW = new Date('2027-06-01T00:00:00Z');
const ROOT = path.resolve(__dirname, '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'azml-safe-'));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => `${p.field.replace(/^.*?: /, '')}: ${p.message}`);
    throw e;
  }
  return [];
}

function withConfig(body: string): { dir: string; file: string } {
  const dir = tmp();
  const file = path.join(dir, 'azureml-tls.yaml');
  fs.writeFileSync(file, body);
  return { dir, file };
}

describe('the output folder', () => {
  test('refuses to replace a folder synth did not write, and leaves it as it was', () => {
    const { dir, file } = withConfig('environments:\n  - name: a\n    extension: { enableTraining: true }\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const problems = problemsOf(() => synthesize({ configFile: file, outDir: dir, now: NOW }));
    expect(problems).toEqual([expect.stringMatching(/is a folder synth did not write \(no \.azureml-tls-output in it; it holds azureml-tls\.yaml, notes\.txt\)/)]);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(problemsOf(() => synthesize({ configFile: file, outDir: path.join(dir, 'notes.txt'), now: NOW }))).toEqual([expect.stringMatching(/is a file, not a folder/)]);
  });

  test('replaces its own previous output, and leaves the root readable (0755)', () => {
    const { dir, file } = withConfig('environments:\n  - name: a\n    extension: { enableTraining: true }\n');
    const out = path.join(dir, 'dist');
    synthesize({ configFile: file, outDir: out, now: NOW });
    synthesize({ configFile: file, outDir: out, now: NOW });
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
    expect(fs.existsSync(path.join(out, '.azureml-tls-output'))).toBe(true);
  });
});

describe('every problem at once', () => {
  test('shape errors of some environments and rule or certificate errors of others are reported together', () => {
    const { file } = withConfig([
      'environments:',
      '  - name: a',
      '    extension: { enableTraining: "yes" }',
      '  - name: b',
      '    extension: { enableInference: true }',
      '  - name: c',
      '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer, inferenceRouterHA: true }',
      '    cluster: { type: aks, nodeCount: 1 }',
      '    insecure: true',
      '',
    ].join('\n'));
    expect(problemsOf(() => synthesize({ configFile: file, outDir: path.join(path.dirname(file), 'dist'), now: NOW }))).toEqual([
      'environments[0] (a).extension.enableTraining: must be true or false, but is string "yes"',
      'environments[1] (b).extension.inferenceRouterServiceType: is required when enableInference is true',
      'environments[1] (b).tls: inference is enabled without TLS: to enable an HTTPS endpoint, either provide sslCertPemFile and sslKeyPemFile (pemSettings delivery) or sslSecret (a Secret in namespace azureml holding cert.pem and key.pem)',
      'environments[2] (c).extension.inferenceRouterHA: is true but the cluster has 1 node(s): three azureml-fe replicas need at least 3 nodes',
    ]);
  });

  test('a certificate file over 1 MiB is refused before it is read', () => {
    const { dir, file } = withConfig('');
    const big = path.join(dir, 'big.pem');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 2 * 1024 * 1024);
    fs.writeFileSync(file, `environments:\n  - name: a\n    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }\n    tls: { cname: ml.example.com, certificate: { files: { cert: big.pem, key: big.pem } }, allowPlaintextKey: true }\n`);
    expect(problemsOf(() => synthesize({ configFile: file, outDir: path.join(dir, 'dist'), now: NOW }))).toEqual([
      'environments[0] (a).tls.certificate.files.cert: is 2097152 bytes; a PEM file is a few KiB (at most 1048576 bytes are read)',
      'environments[0] (a).tls.certificate.files.key: is 2097152 bytes; a PEM file is a few KiB (at most 1048576 bytes are read)',
    ]);
  });

  test('options that do nothing in the chosen delivery are refused', () => {
    const cert = path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem');
    const key = path.join(ROOT, 'examples', 'certs', 'example-only.key.pem');
    const { dir, file } = withConfig(`environments:\n  - name: a\n    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }\n    tls: { cname: ml.dev.example.com, certificate: { files: { cert: ${cert}, key: ${key} } }, delivery: pemSettings, secretName: x, allowPlaintextKey: true, fingerprintSuffix: true }\n`);
    expect(problemsOf(() => synthesize({ configFile: file, outDir: path.join(dir, 'dist'), now: NOW }))).toEqual([
      'environments[0] (a).tls.allowPlaintextKey: does nothing with pemSettings delivery (it applies to secret)',
      'environments[0] (a).tls.fingerprintSuffix: does nothing with pemSettings delivery (it applies to secret and sealedSecret)',
      'environments[0] (a).tls.secretName: does nothing with pemSettings delivery (it applies to every delivery that creates a Secret, not pemSettings)',
    ]);
  });
});

describe('report', () => {
  test('never writes the state folder: a development certificate not made yet is shown from memory, nothing is stored', () => {
    const { dir, file } = withConfig('environments:\n  - name: a\n    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }\n    tls: { cname: ml.example.com, certificate: { selfSigned: {} } }\n');
    const [row] = reportRows(file, NOW, 30);
    // Not made yet: no dates (they would be new on every run) and no "ok", but not failing either.
    expect(row).toEqual({
      environment: 'a', cname: 'ml.example.com', source: 'selfSigned', delivery: 'secret',
      findings: ['not created yet: the next synth creates it (or adopts the one committed in the output)'], failing: false,
    });
    expect(fs.existsSync(path.join(dir, '.azureml-tls'))).toBe(false);
    // After synth the certificate exists, and report shows its dates.
    synthesize({ configFile: file, outDir: path.join(dir, 'dist'), now: NOW });
    const [made] = reportRows(file, NOW, 30);
    expect(made).toMatchObject({ environment: 'a', source: 'selfSigned', daysLeft: 90, notAfter: '2027-08-30T00:00:00.000Z', findings: [], failing: false });
  });
});

describe('pass-through protected settings', () => {
  test('never reach the files: the az script reads them from environment variables', () => {
    const model = buildExtensionModel({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, allowInsecureConnections: true, additionalProtectedSettings: { 'logAnalytics.key': 'SUPERSECRET' } },
    });
    expect(model.cliProtectedSettings).toEqual({});
    expect(model.protectedSettings).toEqual({ 'logAnalytics.key': 'SUPERSECRET' });
    const script = renderAzCreateScript(model, { environment: 'dev' });
    expect(script).not.toContain('SUPERSECRET');
    expect(script).toContain('AZUREML_PROTECTED_LOGANALYTICS_KEY="${AZUREML_PROTECTED_LOGANALYTICS_KEY:?set AZUREML_PROTECTED_LOGANALYTICS_KEY to the protected setting logAnalytics.key}"');
    expect(script).toContain('--config-protected logAnalytics.key="$AZUREML_PROTECTED_LOGANALYTICS_KEY"');
  });

  test('keys that spell one variable name get one variable each, and the script passes each its own value', () => {
    const model = buildExtensionModel({
      settings: {
        enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, allowInsecureConnections: true,
        additionalProtectedSettings: { 'db.password': 'x', 'db_password': 'x', 'DB-PASSWORD': 'x', 'db.password_2': 'x' },
      },
    });
    const script = renderAzCreateScript(model, { environment: 'dev' });
    const passed = script.split('\n').filter((l) => l.includes('--config-protected')).map((l) => l.trim().replace(/ \\$/, ''));
    expect(passed).toEqual([
      '--config-protected DB-PASSWORD="$AZUREML_PROTECTED_DB_PASSWORD"',
      '--config-protected db.password="$AZUREML_PROTECTED_DB_PASSWORD_3"',
      '--config-protected db.password_2="$AZUREML_PROTECTED_DB_PASSWORD_2"',
      '--config-protected db_password="$AZUREML_PROTECTED_DB_PASSWORD_4"',
    ]);
    if (!onPath('bash')) {
      console.log('skipped running az-create.sh: bash is not on PATH');
      return;
    }
    // Run the script with a stand-in az that prints its arguments: every key receives its own secret.
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'az-create.sh'), script, { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'az'), '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const r = spawnSync('bash', [path.join(dir, 'az-create.sh')], {
      encoding: 'utf8',
      env: {
        PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
        RESOURCE_GROUP: 'rg', CLUSTER_NAME: 'c', CLUSTER_TYPE: 'managedClusters',
        AZUREML_PROTECTED_DB_PASSWORD: 'for DB-PASSWORD', AZUREML_PROTECTED_DB_PASSWORD_2: 'for db.password_2',
        AZUREML_PROTECTED_DB_PASSWORD_3: 'for db.password', AZUREML_PROTECTED_DB_PASSWORD_4: 'for db_password',
      },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l.includes('=for '))).toEqual([
      'DB-PASSWORD=for DB-PASSWORD', 'db.password=for db.password', 'db.password_2=for db.password_2', 'db_password=for db_password',
    ]);
    expect(r.status).toBe(0);
  });
});
