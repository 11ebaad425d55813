import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTriageCli } from '../../lib/cli/triage';
import { fixtureText } from '../certificate/corpus';

// `azureml-tls triage` in-process, on hand-written health check ConfigMaps (test/fixtures/healthcheck) and TLS
// Secrets built from the certificate corpus (test/fixtures/certs: TEST FIXTURES, not secrets). Fixed time, no network.

const HC = path.join(__dirname, '..', 'fixtures', 'healthcheck');
const AT = '2026-06-01T00:00:00Z'; // the corpus's good certificates are valid then; leaf-expired is not
const CNAME = 'ml.example.com';

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-triage-')); });
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

interface Run { code: number; out: string[]; err: string[]; output: string }

function triage(argv: string[], stdin?: string): Run {
  const out: string[] = [];
  const err: string[] = [];
  const code = runTriageCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, () => {
    if (stdin === undefined) throw new Error('stdin read unexpectedly');
    return stdin;
  });
  if (typeof code !== 'number') throw new Error('triage answers synchronously');
  return { code, out, err, output: [...out, ...err].join('\n') };
}

const hc = (name: string) => path.join(HC, name);

/** A Secret manifest holding the corpus files under the given keys, written to the temp folder. */
function secret(name: string, files: { [key: string]: string }, secretName = 'azureml-fe-tls'): string {
  const data = Object.entries(files).map(([k, f]) => `  ${k}: ${Buffer.from(fixtureText(f), 'latin1').toString('base64')}`).join('\n');
  const file = path.join(dir, name);
  fs.writeFileSync(file, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${secretName}\n  namespace: azureml\ntype: Opaque\ndata:\n${data}\n`);
  return file;
}

/** Every base64 line of every key in the corpus: none may reach the output. */
function keyLines(): string[] {
  return ['leaf.key', 'other.key'].flatMap((f) => fixtureText(f).split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
}

function expectNoKeyMaterial(output: string) {
  expect(output).not.toMatch(/PRIVATE KEY/);
  for (const l of keyLines()) expect(output).not.toContain(l.trim());
}

describe('triage reports', () => {
  test('all passed: exit 0 and a summary', () => {
    const r = triage(['--healthcheck', hc('all-passed.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('pre-install: passed (5 checks); report of 2026-05-28 09:12:04.118402113 +0000 UTC m=+0.301522870');
    expect(r.out).toContain('test: passed (2 checks); report of 2026-05-28 09:16:40.503118827 +0000 UTC m=+0.287001914');
    expect(r.out[r.out.length - 1]).toBe('ok: all 7 checks passed');
    expect(r.err).toEqual([]);
  });

  test('E45006 is named with its meaning and next step; several failures per phase; unknown codes kept', () => {
    const r = triage(['--healthcheck', hc('several-failed.yaml')]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('pre-install: FAILED (4 passed, 2 failed)');
    expect(r.output).toContain('CorrelationId 0d8e7f6a-5b4c-4d3e-9f2a-1b0c9d8e7f6a');
    expect(r.output).toContain('  failed: instancetype E45006 (not in Microsoft\'s table) "Failed to validate or update instancetype"');
    expect(r.output).toMatch(/meaning: the instance type check failed: .*InstanceType/);
    expect(r.output).toContain('next: list them with kubectl get instancetype -A');
    expect(r.output).toContain('kind: diagnostic');
    expect(r.output).toContain('  failed: loadbalancer E40001 LOAD_BALANCER_NOT_SUPPORT');
    expect(r.output).toContain('kind: blocking');
    expect(r.output).toContain('inferenceRouterServiceType to NodePort or ClusterIP');
    expect(r.output).toContain('  failed: futurecheck E47001 (unknown code) "Something a newer extension checks"');
    expect(r.output).toContain('pre-delete: passed (1 check)');
    expect(r.out[r.out.length - 1]).toBe('failed: 3 check(s) in pre-install, pre-upgrade: loadbalancer E40001, instancetype E45006, futurecheck E47001');
  });

  test('kubectl describe output reads like the YAML', () => {
    const r = triage(['--healthcheck', hc('describe-e45006.txt')]);
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe(`health check arcml-healthcheck (${hc('describe-e45006.txt')}, describe): 2 report(s), 6 check(s), 1 failed`);
    expect(r.output).toContain('failed: instancetype E45006 (not in Microsoft\'s table)');
    expect(r.output).toContain('pre-delete: passed (1 check)');
  });

  test('standard input', () => {
    const r = triage(['--healthcheck', '-'], fs.readFileSync(hc('all-passed.yaml'), 'utf8'));
    expect(r.code).toBe(0);
    expect(r.out[0]).toContain('(standard input, yaml)');
  });

  test('--json for CI', () => {
    const r = triage(['--healthcheck', hc('several-failed.yaml'), '--json', '--at', AT]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out.join('\n'));
    expect(doc).toMatchObject({ passed: false, format: 'yaml', configMap: 'arcml-healthcheck', at: '2026-06-01T00:00:00.000Z', checks: 8, failed: 3 });
    const failed = doc.reports[0].checks.find((c: { name: string }) => c.name === 'instancetype');
    expect(failed).toMatchObject({ passed: false, errorCode: 'E45006', code: { known: true, code: 'E45006', blocking: false } });
    expect(doc.reports[1].checks[0].code).toEqual({ known: false });
    expect(triage(['--healthcheck', hc('all-passed.yaml'), '--json']).code).toBe(0);
  });
});

describe('TLS codes: the certificate checks on the Secret', () => {
  test('E40007 + a Secret whose key does not match names the mismatch', () => {
    const s = secret('mismatch.yaml', { 'cert.pem': 'leaf-chain.pem', 'key.pem': 'other.key' });
    const r = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', s, '--cname', CNAME, '--at', AT]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('failed: sslsetting E40007 INVALID_SSL_SETTING "SSL key or cert is invalid"');
    expect(r.output).toContain('TLS (E40007): E40007 is INVALID_SSL_SETTING (E40004 in extension releases before June 2022)');
    expect(r.output).toContain(`checked Secret azureml/azureml-fe-tls for cname ${CNAME}`);
    expect(r.output).toMatch(/cause: error: .*key/);
    expectNoKeyMaterial(r.output);
    const json = JSON.parse(triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', s, '--cname', CNAME, '--at', AT, '--json']).out.join('\n'));
    expect(json.tls.findings.map((f: { code: string }) => f.code)).toContain('key-mismatch');
  });

  test('tls.crt / tls.key instead of cert.pem / key.pem', () => {
    const s = secret('tls-names.yaml', { 'tls.crt': 'leaf-chain.pem', 'tls.key': 'leaf.key' });
    const r = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', s, '--cname', CNAME, '--at', AT]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('cause: error: Secret azureml/azureml-fe-tls has no cert.pem (keys: tls.crt, tls.key); tls.crt is the kubernetes.io/tls name');
    expectNoKeyMaterial(r.output);
  });

  test('cname not covered, and an expired certificate', () => {
    const good = secret('good.yaml', { 'cert.pem': 'leaf-chain.pem', 'key.pem': 'leaf.key' });
    const wrongName = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', good, '--cname', 'other.example.org', '--at', AT, '--json']);
    expect(JSON.parse(wrongName.out.join('\n')).tls.findings.map((f: { code: string }) => f.code)).toContain('cname-not-covered');
    const expired = secret('expired.yaml', { 'cert.pem': 'leaf-expired-chain.pem', 'key.pem': 'leaf.key' });
    const r = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', expired, '--cname', CNAME, '--at', AT]);
    expect(r.output).toMatch(/cause: error: .*expired/);
    expectNoKeyMaterial(r.output);
  });

  test('a Secret that passes every check points at the settings', () => {
    const good = secret('good2.yaml', { 'cert.pem': 'leaf-chain.pem', 'key.pem': 'leaf.key' });
    const r = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', good, '--cname', CNAME, '--at', AT]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('the Secret passes every certificate check, so the failure is in the settings');
    expect(r.output).not.toContain('cause:');
  });

  test('E40004 (before June 2022) is treated as E40007 and says so; the Secret from standard input', () => {
    const s = secret('mismatch-old.yaml', { 'cert.pem': 'leaf-chain.pem', 'key.pem': 'other.key' });
    const r = triage(['--healthcheck', hc('tls-e40004-old.json'), '--secret', '-', '--cname', CNAME, '--at', AT], fs.readFileSync(s, 'utf8'));
    expect(r.code).toBe(1);
    expect(r.output).toContain('failed: sslsetting E40004 INVALID_SSL_SETTING');
    expect(r.output).toContain('TLS (E40004): E40004 is the number of INVALID_SSL_SETTING in extension releases before June 2022 (E40007 since)');
    expect(r.output).toContain('checked Secret azureml/azureml-fe-tls for cname ml.example.com');
    expect(r.output).toMatch(/cause: error: .*key/);
    expectNoKeyMaterial(r.output);
  });

  test('without --secret: the command that fetches it, the Secret named from the config', () => {
    const config = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(config, [
      'environments:',
      '  - name: prod',
      '    production: true',
      '    cluster: { type: aks, subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg-ml, name: aks-ml, location: westeurope, nodeCount: 3 }',
      '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
      '    tls:',
      '      cname: ML.Example.com',
      '      certificate: { existingSecret: prod-fe-tls }',
      '',
    ].join('\n'));
    const r = triage(['--healthcheck', hc('tls-e40007.yaml'), '--config', config, '--env', 'prod', '--at', AT]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`note: environment prod of ${config} names the Secret prod-fe-tls`);
    expect(r.output).toContain(`next: fetch the Secret and run triage on it: kubectl get secret -n azureml prod-fe-tls -o yaml | azureml-tls triage --healthcheck ${hc('tls-e40007.yaml')} --secret - --config ${config} --env prod`);
    // With the Secret, the config's cname (lower case) is checked.
    const s = secret('prod.yaml', { 'cert.pem': 'leaf-chain.pem', 'key.pem': 'leaf.key' }, 'prod-fe-tls');
    const withSecret = triage(['--healthcheck', hc('tls-e40007.yaml'), '--config', config, '--env', 'prod', '--secret', s, '--at', AT]);
    expect(withSecret.output).toContain('checked Secret azureml/prod-fe-tls for cname ml.example.com');
    const unknownEnv = triage(['--healthcheck', hc('tls-e40007.yaml'), '--config', config, '--env', 'nope']);
    expect(unknownEnv.code).toBe(1);
    expect(unknownEnv.err).toContain(`error: ${config} has no environment "nope" (environments: prod)`);
  });

  test('without --secret or a config: a placeholder for the Secret name', () => {
    const r = triage(['--healthcheck', hc('tls-e40007.yaml')]);
    expect(r.output).toContain(`kubectl get secret -n azureml <sslSecret> -o yaml | azureml-tls triage --healthcheck ${hc('tls-e40007.yaml')} --secret - --cname <sslCname>`);
  });
});

describe('invalid input: exit 1, one clear error each', () => {
  test.each([
    ['missing.yaml', /^error: health check ConfigMap .*missing\.yaml cannot be read \(does not exist\)/],
    ['not-configmap.yaml', /^error: .*not-configmap\.yaml is not a ConfigMap: it holds 0 ConfigMap objects \(kinds found: Secret\)/],
    ['no-reports.yaml', /^error: .*no-reports\.yaml: ConfigMap arcml-healthcheck has no health check reports \(no data key reports-pre-install, .*keys found: config\.yaml\)/],
  ])('%s', (file, message) => {
    const r = triage(['--healthcheck', hc(file)]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(r.out).toEqual([]);
  });

  test('not YAML', () => {
    const f = path.join(dir, 'garbage.txt');
    fs.writeFileSync(f, 'key: [unclosed\n');
    const r = triage(['--healthcheck', f]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/is not YAML, JSON or kubectl describe output/);
  });

  test('empty input', () => {
    const r = triage(['--healthcheck', '-'], '');
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['error: standard input is empty (fix: pass the output of kubectl get configmap arcml-healthcheck -n azureml -o yaml)']);
  });

  test('an unreadable Secret, and one that is not a Secret', () => {
    const missing = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', path.join(dir, 'none.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.err[0]).toMatch(/^error: Secret manifest .*none\.yaml cannot be read \(does not exist\)/);
    const notSecret = triage(['--healthcheck', hc('tls-e40007.yaml'), '--secret', hc('all-passed.yaml')]);
    expect(notSecret.code).toBe(1);
    expect(notSecret.err[0]).toMatch(/^error: .*all-passed\.yaml holds 0 Secret objects \(kinds found: ConfigMap\)/);
  });

  test('a bad --at', () => {
    const r = triage(['--healthcheck', hc('all-passed.yaml'), '--at', 'yesterday']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('error: --at "yesterday" is not a date (fix: use ISO 8601, e.g. 2027-01-01T00:00:00Z)');
  });
});

describe('usage: exit 2', () => {
  test('--help', () => {
    const r = triage(['--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Usage: azureml-tls triage --healthcheck FILE\|- /);
  });

  test.each([
    [[], 'error: missing --healthcheck'],
    [['--healthcheck', '-', '--secret', '-'], 'error: --healthcheck - and --secret - both read standard input (fix: save one to a file first)'],
    [['--healthcheck', 'x', '--config', 'c.yaml'], 'error: --config and --env go together (fix: name both, e.g. --config azureml-tls.yaml --env prod)'],
    [['--healthcheck', 'x', '--config', 'c.yaml', '--env', 'e', '--cname', 'n'], 'error: give either --config and --env or --cname, not both (the environment has its cname)'],
    [['--healthcheck', 'x', '--secret', ''], 'error: --secret "" is empty'],
    [['--healthcheck', 'x', '--bogus'], "error: Unknown option '--bogus'"],
  ])('%j', (argv, message) => {
    const r = triage(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(message);
    expect(r.err[1]).toMatch(/^Usage: azureml-tls triage/);
  });
});
