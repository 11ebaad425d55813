import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import {
  AzureMlEnvironmentChart, AzureMlExtension, AzureMlTlsSecret, InferenceRouterServiceType, renderAzCreateScript, renderAzUpdateScript, renderHelmValues,
  renderSettingsJson, TlsCertificate, TlsDelivery, TlsMode, ValidationError,
} from '../../lib/internal';
import { k8sSchemaErrors } from '../helpers/k8s-schema';

// The public example certificate (examples/certs/README.md), valid from 2026-11-29 for 100 years.
const ROOT = path.resolve(__dirname, '..', '..');
const CERT = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem'), 'latin1');
const KEY = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.key.pem'), 'latin1');
const NOW = new Date('2027-06-01T00:00:00Z');
const inference = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };

describe('AzureMlTlsSecret', () => {
  test('is exactly the Secret of the doc: namespace azureml, type Opaque, data cert.pem and key.pem in base64', () => {
    const chart = Testing.chart();
    new AzureMlTlsSecret(chart, 'Tls', { secretName: 'azureml-fe-tls', certificatePem: 'CERT\n', privateKeyPem: 'KEY\n' });
    const [secret] = Testing.synth(chart);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'azureml-fe-tls', namespace: 'azureml' },
      type: 'Opaque',
      data: { 'cert.pem': Buffer.from('CERT\n').toString('base64'), 'key.pem': Buffer.from('KEY\n').toString('base64') },
    });
    expect(k8sSchemaErrors(secret)).toEqual([]);
  });

  test('fails if the name is not DNS-1123', () => {
    expect(() => new AzureMlTlsSecret(Testing.chart(), 'Tls', { secretName: 'Bad_Name', certificatePem: 'c', privateKeyPem: 'k' }))
      .toThrow('secretName "Bad_Name" is not a valid Secret name: it must be a DNS-1123 subdomain');
  });

  test('fails if the material is empty', () => {
    expect(() => new AzureMlTlsSecret(Testing.chart(), 'Tls', { secretName: 'ok', certificatePem: ' ', privateKeyPem: 'k' }))
      .toThrow('AzureMlTlsSecret ok: the certificate or the key is empty');
  });
});

describe('AzureMlExtension modes', () => {
  // Snapshots of what each mode emits. The example key is public (examples/certs), so it may appear in a snapshot.
  function emit(delivery: TlsDelivery | 'insecure') {
    const chart = Testing.chart();
    const ext = new AzureMlExtension(chart, 'Ext', delivery === 'insecure'
      ? { settings: { ...inference, allowInsecureConnections: true }, now: NOW }
      : { settings: inference, now: NOW, tls: { cname: 'ML.dev.example.com', delivery, allowPlaintextKey: delivery === TlsDelivery.SECRET ? true : undefined, certificate: TlsCertificate.fromPem(CERT, KEY) } });
    const manifests = Testing.synth(chart);
    for (const m of manifests) expect(k8sSchemaErrors(m)).toEqual([]);
    return {
      ext,
      manifests,
      values: renderHelmValues('test', ext.model),
      settings: renderSettingsJson(ext.model),
      protectedSettingsKeys: Object.keys(ext.model.protectedSettings),
      cliProtectedSettings: ext.model.cliProtectedSettings,
      az: renderAzCreateScript(ext.model, { environment: 'test', manifest: ext.secret ? '../../clusters/test' : undefined, hasProtectedSettings: Object.keys(ext.model.cliProtectedSettings).length > 0 }),
      azUpdate: renderAzUpdateScript(ext.model, { environment: 'test', manifest: ext.secret ? '../../clusters/test' : undefined, hasProtectedSettings: Object.keys(ext.model.cliProtectedSettings).length > 0 }),
    };
  }

  test('secret delivery: a Secret plus sslSecret and scoringFe.sslSecret', () => {
    const out = emit(TlsDelivery.SECRET);
    expect(out.ext.model.tlsMode).toBe(TlsMode.SSL_SECRET);
    expect(out.manifests.map((m) => m.kind)).toEqual(['Namespace', 'Secret']);
    expect(out.ext.model.settings.sslSecret).toBe('azureml-fe-tls');
    expect(out.ext.model.settings.sslCname).toBe('ml.dev.example.com');
    const { ext: _ext, ...rest } = out;
    expect(rest).toMatchSnapshot();
  });

  test('PEM settings delivery: no Secret, protected sslCert/sslKey, and no key material in values, settings or script', () => {
    const out = emit(TlsDelivery.PEM_SETTINGS);
    expect(out.manifests).toEqual([]);
    expect(out.protectedSettingsKeys).toEqual(['scoringFe.sslCert', 'scoringFe.sslKey', 'sslCertPemFile', 'sslKeyPemFile']);
    const keyB64 = Buffer.from(KEY, 'latin1').toString('base64');
    for (const text of [out.values, out.settings, out.az, out.azUpdate, JSON.stringify(out.cliProtectedSettings)]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(keyB64.slice(0, 40));
    }
    const { ext: _ext, ...rest } = out;
    expect(rest).toMatchSnapshot();
  });

  test('insecure: no Secret, allowInsecureConnections=True', () => {
    const out = emit('insecure');
    expect(out.manifests).toEqual([]);
    expect(out.ext.model.settings.allowInsecureConnections).toBe('True');
    const { ext: _ext, ...rest } = out;
    expect(rest).toMatchSnapshot();
  });

  test('an existing Secret is referenced by name, and no Secret is emitted', () => {
    const chart = Testing.chart();
    const ext = new AzureMlExtension(chart, 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.example.com', certificate: TlsCertificate.fromExistingSecret('from-cert-manager') } });
    expect(Testing.synth(chart)).toEqual([]);
    expect(ext.model.settings.sslSecret).toBe('from-cert-manager');
  });

  test('fails if pemSettings delivery is asked for an existing Secret', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.example.com', delivery: TlsDelivery.PEM_SETTINGS, certificate: TlsCertificate.fromExistingSecret('s') } }))
      .toThrow('tls.delivery: pemSettings delivery does not fit the certificate source (existing Secret azureml/s) (got "pemSettings"). Fix: use delivery secret with this source');
  });

  test('fails if a certificate from files would be written into the manifest without an acknowledgement', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.fromPem(CERT, KEY) } }))
      .toThrow('tls.allowPlaintextKey: secret delivery writes the private key into the manifest in base64, which is not encryption: a committed manifest leaks it. '
        + 'Fix: keep the key out of git with delivery sealedSecret (tls.sealing), externalSecret (tls.keyVault) or certManager, or acknowledge with tls.allowPlaintextKey: true');
  });

  test('fails if secretName contradicts an existing Secret', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.example.com', secretName: 'other', certificate: TlsCertificate.fromExistingSecret('s') } }))
      .toThrow(/tls.secretName: conflicts with the existing Secret "s"/);
  });

  test('fails if the certificate does not cover the cname', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'other.example.org', certificate: TlsCertificate.fromPem(CERT, KEY) } }))
      .toThrow(ValidationError);
  });

  test('fails if plain HTTP is asked for in production', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: { ...inference, allowInsecureConnections: true }, production: true, now: NOW }))
      .toThrow(/allowInsecureConnections: plain HTTP is refused in a production environment/);
  });

  test('never puts key material in an error message', () => {
    const otherKey = KEY.replace(/[A-Za-z]/, 'A');
    try {
      new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.fromPem(CERT, otherKey) } });
    } catch (e) {
      const body = KEY.split('\n').filter((l) => l && !l.startsWith('-----'));
      for (const line of body) expect((e as Error).message).not.toContain(line);
      return;
    }
    throw new Error('expected a failure');
  });
});

describe('AzureMlEnvironmentChart', () => {
  test('holds the environment\'s Secret and exposes its extension', () => {
    const app = Testing.app();
    const chart = new AzureMlEnvironmentChart(app, 'dev', { settings: inference, now: NOW, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.fromPem(CERT, KEY), secretName: 'tls-dev', allowPlaintextKey: true } });
    expect(Testing.synth(chart).map((m) => `${m.kind} ${m.metadata.name}`)).toEqual(['Namespace azureml', 'Secret tls-dev']);
    expect(chart.extension.model.settings['scoringFe.sslSecret']).toBe('tls-dev');
  });
});

describe('Namespace, labels and annotations', () => {
  const tls = { cname: 'ml.dev.example.com', certificate: TlsCertificate.fromPem(CERT, KEY), allowPlaintextKey: true };

  test('labels go on every object, annotations on the objects of their kind', () => {
    const chart = Testing.chart();
    new AzureMlExtension(chart, 'Ext', {
      settings: inference, now: NOW, tls,
      labels: { 'app.kubernetes.io/part-of': 'azureml', 'team': '' },
      annotations: { Secret: { 'argocd.argoproj.io/sync-wave': '-1' }, Namespace: { 'argocd.argoproj.io/sync-options': 'Prune=false' } },
    });
    const [ns, secret] = Testing.synth(chart);
    expect(ns.metadata).toEqual({ name: 'azureml', labels: { 'app.kubernetes.io/part-of': 'azureml', 'team': '' }, annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' } });
    expect(secret.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    expect(secret.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'azureml', 'team': '' });
    for (const m of [ns, secret]) expect(k8sSchemaErrors(m)).toEqual([]);
  });

  test('the Namespace is on by default only when the extension puts objects into azureml, and can be turned on or off', () => {
    const kinds = (props: Partial<ConstructorParameters<typeof AzureMlExtension>[2]>) => {
      const chart = Testing.chart();
      new AzureMlExtension(chart, 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.fromExistingSecret('tls') }, ...props });
      return Testing.synth(chart).map((m) => m.kind);
    };
    expect(kinds({})).toEqual([]);
    expect(kinds({ createNamespace: true })).toEqual(['Namespace']);
    expect(kinds({ tls, createNamespace: false })).toEqual(['Secret']);
  });

  test('bad labels and annotations are refused, one problem each, naming the key and the fix', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', {
      settings: inference, now: NOW, tls,
      labels: { 'bad key!': 'x', 'ok': 'not a valid value' },
      annotations: { Secrets: { a: 'b' }, Secret: { '/x': 'y' } },
    })).toThrow([
      'invalid AzureML extension installation:',
      '  - labels.bad key!: the key must be a label key: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, optionally after a DNS prefix and \'/\' (got "bad key!"). Fix: use a key such as app.kubernetes.io/part-of or team',
      '  - labels.ok: is not a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (or empty) (got "not a valid value"). Fix: shorten the value or move it to an annotation',
      '  - annotations.Secrets: is not a kind this tool emits, so it would annotate nothing (got "Secrets"). Fix: use one of Namespace, Secret, SealedSecret, ExternalSecret, SecretStore, ServiceAccount, Certificate, Role, RoleBinding, Extension, Kustomization, Application (case matters)',
      '  - annotations.Secret./x: the key its prefix must not be empty (got "/x"). Fix: use a key such as argocd.argoproj.io/sync-wave',
    ].join('\n'));
  });
});
