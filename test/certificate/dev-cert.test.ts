import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { AzureMlExtension, createDevCa, DevStateRun, extensionPlanOf, InferenceRouterServiceType, isUsableDevCertificate, issueDevCertificate, loadOrCreateDevCertificate, parseConfig, TlsCertificate, TlsCertificateSourceKind, validateTlsMaterial } from '../../lib/internal';

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
    const secret = Testing.synth(chart).find((o) => o.kind === 'Secret');
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

describe('development certificates adopted from the previous output (a fresh clone)', () => {
  const ca = createDevCa({ now: NOW });
  const committed = issueDevCertificate(ca, { cname: 'ml.example.com', extraNames: ['alt.example.com'], now: NOW, days: 90 });
  const wanted = { cname: 'ml.example.com', extraNames: ['alt.example.com'], days: 90 };
  const LATER = new Date(NOW.getTime() + 10 * DAY);

  /** A synth output folder (with the marker) holding `secrets` as Secret manifests below clusters/. */
  function outputWith(secrets: { certificatePem: string; privateKeyPem: string }[], marker = true): string {
    const out = tmp();
    if (marker) fs.writeFileSync(path.join(out, '.azureml-tls-output'), 'Generated by cdk8s-azureml-tls: synth replaces this whole folder.\n');
    secrets.forEach((s, i) => {
      fs.mkdirSync(path.join(out, 'clusters', `env${i}`), { recursive: true });
      fs.writeFileSync(path.join(out, 'clusters', `env${i}`, 'Secret.azureml-fe-tls.k8s.yaml'), [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: { name: azureml-fe-tls, namespace: azureml }',
        'type: Opaque',
        'data:',
        `  cert.pem: ${Buffer.from(s.certificatePem).toString('base64')}`,
        `  key.pem: ${Buffer.from(s.privateKeyPem).toString('base64')}`,
        '',
      ].join('\n'));
    });
    // Other manifests and documents are skipped, not errors.
    fs.writeFileSync(path.join(out, 'Namespace.azureml.k8s.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: azureml }\n---\n: not yaml [\n');
    return out;
  }

  test('adopts the committed certificate with the same names and days into the state, then reuses it', () => {
    const stateDir = tmp();
    const run = new DevStateRun({ previousOutputDir: outputWith([committed]) });
    const adopted = loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run });
    expect(adopted).toMatchObject({ generated: false, adopted: true, certificatePem: committed.certificatePem, privateKeyPem: committed.privateKeyPem });
    expect(fs.readFileSync(adopted.certificateFile, 'utf8')).toBe(committed.certificatePem);
    expect(fs.readFileSync(adopted.privateKeyFile, 'utf8')).toBe(committed.privateKeyPem);
    expect(fs.statSync(adopted.privateKeyFile).mode & 0o777).toBe(0o600);
    // ca.pem is the adopted certificate's CA (clients trust it); there is no CA key to go with it.
    expect(fs.readFileSync(adopted.caFile, 'utf8')).toBe(ca.certificatePem);
    expect(fs.existsSync(path.join(stateDir, 'dev-ca', 'ca.key.pem'))).toBe(false);
    expect(run.writtenFiles).toEqual([adopted.caFile, adopted.certificateFile, adopted.privateKeyFile, path.join(path.dirname(adopted.certificateFile), 'meta.json')].sort());
    // The next run needs no previous output: the state has it.
    const again = loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER });
    expect(again).toMatchObject({ generated: false, adopted: false, certificatePem: committed.certificatePem });
  });

  test('a new certificate for other names gets a new CA (the adopted CA has no key), and ca.pem keeps both', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([committed]) }) });
    const other = loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: LATER });
    expect(other.generated).toBe(true);
    const bundle = fs.readFileSync(other.caFile, 'utf8');
    const ownCa = other.certificatePem.slice(other.certificatePem.indexOf('-----BEGIN CERTIFICATE-----', 1));
    expect(bundle).toBe(ownCa + ca.certificatePem);
    expect(fs.statSync(path.join(stateDir, 'dev-ca', 'ca.key.pem')).mode & 0o777).toBe(0o600);
    // The adopted certificate verifies against the CA in its own chain: it is not renewed for the clone's new CA.
    expect(loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER })).toMatchObject({ generated: false, certificatePem: committed.certificatePem });
    // A third certificate is issued by the clone's CA, now first in ca.pem with its key.
    const third = loadOrCreateDevCertificate({ stateDir, cname: 'third.example.com', now: LATER });
    expect(third.certificatePem.endsWith(ownCa)).toBe(true);
    expect(fs.readFileSync(third.caFile, 'utf8')).toBe(bundle);
  });

  test('adds the adopted CA to an existing ca.pem instead of replacing it', () => {
    const stateDir = tmp();
    const own = loadOrCreateDevCertificate({ stateDir, cname: 'own.example.com', now: NOW });
    const before = fs.readFileSync(own.caFile, 'utf8');
    loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([committed]) }) });
    expect(fs.readFileSync(own.caFile, 'utf8')).toBe(before + ca.certificatePem);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'own.example.com', now: NOW }).certificatePem).toBe(own.certificatePem);
  });

  test.each([
    ['other names', { ...wanted, extraNames: [] }, LATER],
    ['names in another order', { cname: 'alt.example.com', extraNames: ['ml.example.com'], days: 90 }, LATER],
    ['another validity length', { ...wanted, days: 30 }, LATER],
    ['in the renewal window (61 of 90 days gone)', wanted, new Date(NOW.getTime() + 61 * DAY)],
    ['expired', wanted, new Date(NOW.getTime() + 91 * DAY)],
    ['not yet valid', wanted, new Date(NOW.getTime() - DAY)],
  ])('does not adopt a certificate with %s: it issues a new one', (_, request, now) => {
    const stateDir = tmp();
    const got = loadOrCreateDevCertificate({ stateDir, ...request, now, run: new DevStateRun({ previousOutputDir: outputWith([committed]) }) });
    expect(got).toMatchObject({ generated: true, adopted: false });
    expect(got.certificatePem).not.toBe(committed.certificatePem);
  });

  test('does not adopt a certificate whose key does not match, a chain without its CA, a foreign CA, or from a folder synth did not write', () => {
    const otherKey = issueDevCertificate(ca, { cname: 'x.example.com', now: NOW }).privateKeyPem;
    const leafOnly = committed.certificatePem.slice(0, committed.certificatePem.indexOf('-----BEGIN CERTIFICATE-----', 1));
    const foreignCa = createDevCa({ now: NOW });
    // A CA of the right name that did not sign the leaf: the chain's second certificate must be its issuer.
    const wrongIssuer = leafOnly + foreignCa.certificatePem;
    for (const previousOutputDir of [
      outputWith([{ certificatePem: committed.certificatePem, privateKeyPem: otherKey }]),
      outputWith([{ certificatePem: leafOnly, privateKeyPem: committed.privateKeyPem }]),
      outputWith([{ certificatePem: wrongIssuer, privateKeyPem: committed.privateKeyPem }]),
      outputWith([committed], false),
      path.join(tmp(), 'missing'),
    ]) {
      const got = loadOrCreateDevCertificate({ stateDir: tmp(), ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir }) });
      expect(`${previousOutputDir}: ${got.adopted} ${got.generated}`).toBe(`${previousOutputDir}: false true`);
    }
  });

  test('of several committed certificates that fit, adopts the one valid longest', () => {
    const renewed = issueDevCertificate(ca, { ...wanted, now: new Date(NOW.getTime() + 5 * DAY) });
    const got = loadOrCreateDevCertificate({ stateDir: tmp(), ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([committed, renewed]) }) });
    expect(got.certificatePem).toBe(renewed.certificatePem);
  });

  test('prefers the committed certificate over a different stored one, so machines converge on what git holds', () => {
    const stateDir = tmp();
    const stored = loadOrCreateDevCertificate({ stateDir, ...wanted, now: NOW });
    expect(stored.certificatePem).not.toBe(committed.certificatePem);
    const got = loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([committed]) }) });
    expect(got).toMatchObject({ adopted: true, generated: false, certificatePem: committed.certificatePem });
    // From then on the state holds the committed one and reuses it.
    const again = loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([committed]) }) });
    expect(again).toMatchObject({ adopted: false, generated: false, certificatePem: committed.certificatePem });
  });

  test('keeps a usable stored certificate when the previous output holds none to adopt', () => {
    const stateDir = tmp();
    const stored = loadOrCreateDevCertificate({ stateDir, ...wanted, now: NOW });
    const got = loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([]) }) });
    expect(got).toMatchObject({ adopted: false, generated: false, certificatePem: stored.certificatePem });
  });

  test('a stored certificate due for renewal is replaced by an adoptable committed one', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, ...wanted, now: new Date(NOW.getTime() - 70 * DAY) });
    const got = loadOrCreateDevCertificate({ stateDir, ...wanted, now: LATER, run: new DevStateRun({ previousOutputDir: outputWith([committed]) }) });
    expect(got).toMatchObject({ adopted: true, certificatePem: committed.certificatePem });
  });
});

describe('a dry run of the development certificate store (synth --check)', () => {
  /** Every file below `dir` with its bytes, mode and mtime. */
  const snapshot = (dir: string) => Object.fromEntries((fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((f) => {
    const p = path.join(dir, f);
    const st = fs.statSync(p);
    // A digest, so a failing comparison never prints a key.
    return [f, st.isFile() ? `${st.mode & 0o777} ${st.mtimeMs} ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}` : 'dir'];
  }));

  test('makes the decisions of a writing run but writes nothing, sharing what it drafted across the run', () => {
    const stateDir = path.join(tmp(), '.azureml-tls');
    const run = new DevStateRun({ dryRun: true });
    const first = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    expect(first.generated).toBe(true);
    expect(fs.existsSync(stateDir)).toBe(false);
    // The same names in another environment of the run: reused from the draft, as a real synth reuses what it wrote.
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run })).toMatchObject({ generated: false, certificatePem: first.certificatePem });
    // Other names: issued by the drafted CA.
    const other = loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW, run });
    expect(other.certificatePem.endsWith(first.certificatePem.slice(first.certificatePem.indexOf('-----BEGIN CERTIFICATE-----', 1)))).toBe(true);
    expect(run.writtenFiles).toContain(path.join(stateDir, 'dev-ca', 'ca.key.pem'));
    expect(fs.existsSync(stateDir)).toBe(false);
  });

  test('reuses a valid stored certificate and renews a due one in memory, leaving the state as it was', () => {
    const stateDir = tmp();
    const stored = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const before = snapshot(stateDir);
    const reused = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 10 * DAY), run: new DevStateRun({ dryRun: true }) });
    expect(reused).toMatchObject({ generated: false, certificatePem: stored.certificatePem });
    const renewed = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 61 * DAY), run: new DevStateRun({ dryRun: true }) });
    expect(renewed.generated).toBe(true);
    expect(renewed.certificatePem).not.toBe(stored.certificatePem);
    expect(snapshot(stateDir)).toEqual(before);
  });
});

describe('damaged development certificate state', () => {
  test('a damaged key is reported with its path and how to recover, never its content', () => {
    const stateDir = tmp();
    const stored = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    fs.writeFileSync(stored.privateKeyFile, '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n');
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW })).toThrow(`${stored.privateKeyFile}: is not a readable private key`);
    try {
      loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    } catch (e) {
      expect((e as Error).message).not.toContain('c2VjcmV0LWJ5dGVz');
      expect((e as Error).message).toContain(`delete ${path.dirname(stored.privateKeyFile)}`);
    }
  });

  test('a damaged CA key is reported when a new certificate needs it', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const caKey = path.join(stateDir, 'dev-ca', 'ca.key.pem');
    fs.writeFileSync(caKey, 'garbage');
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW })).toThrow(`${caKey}: is not a readable private key`);
  });

  test('a stored certificate that no longer fits its key is renewed, not an error', () => {
    const stateDir = tmp();
    const stored = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    fs.writeFileSync(stored.privateKeyFile, loadOrCreateDevCertificate({ stateDir, cname: 'other.example.com', now: NOW }).privateKeyPem);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW }).generated).toBe(true);
  });

  test('isUsableDevCertificate never throws on garbage', () => {
    expect(isUsableDevCertificate('garbage', 'garbage', { names: ['a.example.com'], days: 90, now: NOW })).toBe(false);
  });
});
