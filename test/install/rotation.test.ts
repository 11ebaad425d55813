import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { AzureMlExtension, createDevCa, InferenceRouterServiceType, issueDevCertificate, TlsCertificate, TlsDelivery } from '../../lib/internal';

const NOW = new Date('2027-06-01T00:00:00Z');
const inference = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };
const ca = createDevCa({ now: NOW });
const leafA = issueDevCertificate(ca, { cname: 'ml.example.com', now: NOW });
const leafB = issueDevCertificate(ca, { cname: 'ml.example.com', now: NOW });

function extension(pem: { certificatePem: string; privateKeyPem: string }, over: { fingerprintSuffix?: boolean; delivery?: TlsDelivery } = {}) {
  return new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.example.com', allowPlaintextKey: true, certificate: TlsCertificate.fromPem(pem.certificatePem, pem.privateKeyPem), ...over } });
}

describe('rotation', () => {
  test('fingerprintSuffix names the Secret after the certificate, so a new certificate changes sslSecret', () => {
    const a = extension(leafA, { fingerprintSuffix: true });
    const b = extension(leafB, { fingerprintSuffix: true });
    expect(a.model.settings.sslSecret).toMatch(/^azureml-fe-tls-[0-9a-f]{10}$/);
    expect(a.model.settings['scoringFe.sslSecret']).toBe(a.model.settings.sslSecret);
    expect(a.secret?.secretName).toBe(a.model.settings.sslSecret);
    expect(b.model.settings.sslSecret).not.toBe(a.model.settings.sslSecret);
    const fingerprint = a.certificateReport?.chain[0].fingerprintSha256.replace(/:/g, '').toLowerCase() ?? '';
    expect(a.model.settings.sslSecret).toBe(`azureml-fe-tls-${fingerprint.slice(0, 10)}`);
  });

  test('the same certificate keeps the same name', () => {
    expect(extension(leafA, { fingerprintSuffix: true }).model.settings.sslSecret).toBe(extension(leafA, { fingerprintSuffix: true }).model.settings.sslSecret);
  });

  test('without the option the name stays fixed (off by default)', () => {
    expect(extension(leafB).model.settings.sslSecret).toBe('azureml-fe-tls');
  });

  test('fails if fingerprintSuffix is asked for an existing Secret', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.example.com', fingerprintSuffix: true, certificate: TlsCertificate.fromExistingSecret('s') } }))
      .toThrow(/tls.fingerprintSuffix: needs the certificate to compute the fingerprint/);
  });
});

describe('PEM settings delivery passes the files raw', () => {
  test('fails if a PEM file has CRLF line endings, with the command that converts it', () => {
    const crlf = { certificatePem: leafA.certificatePem.replace(/\n/g, '\r\n'), privateKeyPem: leafA.privateKeyPem };
    expect(() => extension(crlf, { delivery: TlsDelivery.PEM_SETTINGS })).toThrow(/cert.pem has CRLF line endings: .* Fix: convert it: sed -i 's\/\\r\$\/\/' cert.pem/);
  });

  test('fails if a PEM file starts with a byte order mark, with the command that removes it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-bom-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    fs.writeFileSync(cert, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(leafA.certificatePem)]));
    fs.writeFileSync(key, leafA.privateKeyPem);
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings: inference, now: NOW, tls: { cname: 'ml.example.com', delivery: TlsDelivery.PEM_SETTINGS, certificate: TlsCertificate.fromPemFiles(cert, key) } }))
      .toThrow(`${cert} starts with a UTF-8 byte order mark`);
  });

  test('accepts the same files in secret delivery, where the Secret carries the bytes as they are', () => {
    const crlf = { certificatePem: leafA.certificatePem.replace(/\n/g, '\r\n'), privateKeyPem: leafA.privateKeyPem };
    expect(extension(crlf).secret).toBeDefined();
  });
});
