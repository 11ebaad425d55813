import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { AzureMlExtension, createDevCa, extensionPlanOf, InferenceRouterServiceType, issueDevCertificate, loadOrCreateDevCertificate, parseConfig, TlsCertificate, TlsCertificateSourceKind, validateTlsMaterial } from '../../lib/internal';

// Development certificates are generated in the tests with fixed dates: nothing here reads the clock.
const NOW = new Date('2027-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'azml-dev-'));

describe('development CA and certificates', () => {
  const ca = createDevCa({ now: NOW });

  test('the CA is a CA: CA:TRUE, valid 10 years from now, self-signed', () => {
    const x = new X509Certificate(ca.certificatePem);
    expect(x.ca).toBe(true);
    expect(new Date(x.validFrom).toISOString()).toBe(NOW.toISOString());
    expect(new Date(x.validTo).toISOString()).toBe(new Date(NOW.getTime() + 3650 * DAY).toISOString());
    expect(x.verify(x.publicKey)).toBe(true);
  });

  test('a leaf covers the cname and extra names, has serverAuth, is RSA-2048 and passes every check', () => {
    const leaf = issueDevCertificate(ca, { cname: 'ML.dev.example.com', extraNames: ['ml-alt.example.com'], now: NOW });
    const report = validateTlsMaterial({ certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem, cname: 'ml-alt.example.com', now: NOW });
    expect(report.findings).toEqual([]);
    expect(report.chain).toHaveLength(2);
    expect(report.chain[0]).toMatchObject({
      dnsNames: ['ml.dev.example.com', 'ml-alt.example.com'],
      keyType: 'rsa',
      keySize: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      isCa: false,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      notAfter: new Date(NOW.getTime() + 90 * DAY),
    });
    expect(leaf.certificatePem.endsWith(ca.certificatePem)).toBe(true);
  });

  test('expires after the requested number of days', () => {
    const leaf = issueDevCertificate(ca, { cname: 'a.example.com', now: NOW, days: 7 });
    const report = validateTlsMaterial({ certificate: leaf.certificatePem, now: NOW });
    expect(report.findings.map((f) => f.code)).toEqual(['expiring-soon']);
  });
});

describe('the development certificate store', () => {
  test('keeps the key with mode 0600 in a folder that ignores itself, and reuses the certificate', () => {
    const stateDir = tmp();
    const first = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    expect(first.generated).toBe(true);
    expect(fs.statSync(first.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(stateDir, 'dev-ca', 'ca.key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(stateDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const again = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 30 * DAY) });
    expect(again.generated).toBe(false);
    expect(again.certificatePem).toBe(first.certificatePem);
  });

  test('renews the certificate when it nears expiry, keeping the CA', () => {
    const stateDir = tmp();
    const first = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const later = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 61 * DAY) });
    expect(later.generated).toBe(true);
    expect(later.certificatePem).not.toBe(first.certificatePem);
    expect(fs.readFileSync(later.caFile, 'utf8')).toBe(fs.readFileSync(first.caFile, 'utf8'));
  });

  test('keeps environments that share a cname but not the names or validity apart, so neither overwrites the other', () => {
    const stateDir = tmp();
    const a = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const b = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', days: 30, now: NOW });
    expect(b.certificateFile).not.toBe(a.certificateFile);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW }).generated).toBe(false);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', days: 30, now: NOW }).generated).toBe(false);
  });

  test('a validity longer than the CA\'s default gets a CA that outlives it, and is reused', () => {
    const stateDir = tmp();
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', days: 4000, now: NOW }).generated).toBe(true);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', days: 4000, now: NOW }).generated).toBe(false);
  });

  test('read-only: returns what is stored without renewing or writing, and nothing when there is nothing', () => {
    const stateDir = tmp();
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, readOnly: true })).toBeUndefined();
    expect(fs.readdirSync(stateDir)).toEqual([]);
    const stored = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const later = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 80 * DAY), readOnly: true });
    expect(later?.certificatePem).toBe(stored.certificatePem);
  });

  test('a damaged state file is reported with its path and how to recover', () => {
    const stateDir = tmp();
    const stored = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    fs.writeFileSync(stored.caFile, 'garbage');
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW })).toThrow(`${stored.caFile}: is not a readable certificate`);
  });

  test('issues a new certificate when the names or the validity change', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', extraNames: ['b.example.com'], now: NOW }).generated).toBe(true);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', extraNames: ['b.example.com'], days: 30, now: NOW }).generated).toBe(true);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', extraNames: ['b.example.com'], days: 30, now: NOW }).generated).toBe(false);
  });
});

describe('TlsCertificate.selfSigned', () => {
  const inference = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };

  test('gives a usable certificate for the cname, kept in the state folder', () => {
    const stateDir = tmp();
    const chart = Testing.chart();
    const ext = new AzureMlExtension(chart, 'Ext', { settings: inference, now: NOW, stateDir, tls: { cname: 'ml.dev.example.com', certificate: TlsCertificate.selfSigned() } });
    expect(ext.warnings).toEqual([]);
    expect(extensionPlanOf(ext).plan.resolvedCertificate?.material?.caFile).toBe(path.join(stateDir, 'dev-ca', 'ca.pem'));
    const [secret] = Testing.synth(chart);
    expect(Buffer.from(secret.data['cert.pem'], 'base64').toString()).toBe(fs.readFileSync(extensionPlanOf(ext).plan.resolvedCertificate?.material?.certificateFile ?? '', 'utf8'));
    expect(path.dirname(extensionPlanOf(ext).plan.resolvedCertificate?.material?.certificateFile ?? '')).toMatch(/dev-certs[/\\]ml\.dev\.example\.com-[0-9a-f]{8}$/);
  });

  test('is refused in a production environment', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, production: true, now: NOW, stateDir: tmp(), tls: { cname: 'ml.example.com', certificate: TlsCertificate.selfSigned() } }))
      .toThrow(/tls.certificate: a self-signed development certificate is refused in a production environment/);
  });

  test('works without a state folder (a new certificate each time)', () => {
    const r = TlsCertificate.selfSigned({ days: 10 }).resolve({ cname: 'x.example.com', now: NOW });
    expect(r.kind).toBe(TlsCertificateSourceKind.SELF_SIGNED);
    expect(r.material?.certificateFile).toBeUndefined();
    expect(validateTlsMaterial({ certificate: r.material?.certificatePem ?? '', privateKey: r.material?.privateKeyPem, cname: 'x.example.com', now: NOW }).findings.map((f) => f.code)).toEqual(['expiring-soon']);
  });

  test('is read from the config file, with days and extra names', () => {
    const config = parseConfig([
      'environments:',
      '  - name: dev',
      '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
      '    tls: { cname: ml.example.com, certificate: { selfSigned: { days: 30, extraNames: [alt.example.com] } } }',
    ].join('\n'), path.join(tmp(), 'azureml-tls.yaml'));
    expect(config.environments[0].props.tls?.certificate.kind).toBe(TlsCertificateSourceKind.SELF_SIGNED);
    expect(config.environments[0].props.tls?.certificate.description).toBe('development certificate (30 days)');
  });
});
