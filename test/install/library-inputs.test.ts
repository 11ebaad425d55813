import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { runTriageCli } from '../../lib/cli/triage';
import { AzureMlExtension } from '../../lib/constructs/extension';
import { TlsCertificate } from '../../lib/certificate/source';
import { ExtensionPlanner } from '../../lib/planner';
import { InferenceRouterServiceType } from '../../lib/settings/model';

// Issue #12 items 4 and 5 for library users (the config loader has its own tests in test/config): unbounded reads and
// prototype-named keys give problems naming the field, not a hang or an internal error.

const ROOT = path.resolve(__dirname, '..', '..');
const NOW = new Date('2027-06-01T00:00:00Z');
const settings = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };

test('TlsCertificate.fromPemFiles on /dev/zero: a problem naming the field, no read without end', () => {
  const plan = ExtensionPlanner.plan({
    settings,
    tls: { cname: 'ml.example.com', certificate: TlsCertificate.fromPemFiles('/dev/zero', path.join(ROOT, 'examples', 'certs', 'example-only.key.pem')) },
    now: NOW,
  });
  expect(plan.problems).toContainEqual(expect.objectContaining({ field: 'tls.certificate.files.cert', message: 'certificate file /dev/zero is a character device, not a regular file' }));
});

test('labels and annotations named after Object.prototype members are refused, as cdk8s cannot render them', () => {
  const problems = ExtensionPlanner.plan({
    settings: { ...settings, allowInsecureConnections: true },
    labels: { constructor: 'x', team: 'ml' },
    annotations: { Secret: { toString: 'y' } },
    now: NOW,
  }).problems.map((p) => `${p.field}: ${p.message}`);
  expect(problems).toEqual([
    'labels.constructor: the key is a name every JavaScript object has (Object.prototype.constructor), which cdk8s cannot render as a key',
    'annotations.Secret.toString: the key is a name every JavaScript object has (Object.prototype.toString), which cdk8s cannot render as a key',
  ]);
  const chart = new Chart(Testing.app(), 'c');
  expect(() => new AzureMlExtension(chart, 'x', { settings: { ...settings, allowInsecureConnections: true }, labels: { constructor: 'x' }, now: NOW })).toThrow(/labels\.constructor: the key is a name every JavaScript object has/);
});

test('triage --healthcheck /dev/zero ends with one error line, without reading it', () => {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  expect(runTriageCli(['--healthcheck', '/dev/zero'], io)).toBe(1);
  expect(lines).toEqual([expect.stringMatching(/^error: health check ConfigMap \/dev\/zero cannot be read \(is a character device, not a regular file\)/)]);
});

test('a protected pass-through key named like an Object.prototype member is not a false duplicate of a setting', () => {
  const problems = ExtensionPlanner.plan({
    settings: { ...settings, allowInsecureConnections: true, additionalProtectedSettings: { toString: 'secret-value' } },
    now: NOW,
  }).problems.map((p) => p.message);
  expect(problems.filter((m) => /both/i.test(m))).toEqual([]);
  expect(problems.join('\n')).not.toContain('secret-value');
});
