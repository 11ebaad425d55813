import { createPrivateKey } from 'node:crypto';
import { commonNameOf, inspectCertificate, inspectKey, isWeakSignatureAlgorithm, KeyType } from '../../lib/certificate/inspect';
import { scanPem } from '../../lib/certificate/pem';
import { fixture, fixtureText } from './corpus';

function facts(file: string, index = 0) {
  return inspectCertificate(scanPem(fixture(file), 'certificate', file).blocks[index].der);
}

describe('inspectCertificate', () => {
  test('reads names, dates, key and extensions of the RSA leaf', () => {
    // WHEN
    const f = facts('leaf.pem');
    // THEN
    expect(f).toEqual(expect.objectContaining({
      subject: 'O=cdk8s-azureml-tls test fixtures, CN=ml.example.com',
      issuer: 'O=cdk8s-azureml-tls test fixtures, CN=Test Intermediate CA',
      dnsNames: ['ml.example.com', 'ml.internal.example.com'],
      ipAddresses: ['10.0.0.10'],
      hasSubjectAltName: true,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2125-01-01T00:00:00Z'),
      serialNumber: '3001',
      keyType: KeyType.RSA,
      keySize: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      isCa: false,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      selfSigned: false,
    }));
    expect(f.curve).toBeUndefined();
    expect(f.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test('reads ECDSA and Ed25519 keys and signatures', () => {
    expect(facts('ecdsa-p256.pem')).toEqual(expect.objectContaining({ keyType: KeyType.EC, keySize: 256, curve: 'prime256v1' }));
    expect(facts('ecdsa-p256-self-signed.pem').signatureAlgorithm).toBe('ecdsa-with-SHA256');
    const ed = facts('ed25519-self-signed.pem');
    expect(ed).toEqual(expect.objectContaining({ keyType: KeyType.ED25519, signatureAlgorithm: 'ED25519', selfSigned: true }));
    expect(ed.keySize).toBeUndefined();
  });

  test('names SHA-1 signatures', () => {
    expect(facts('leaf-sha1.pem').signatureAlgorithm).toBe('sha1WithRSAEncryption');
    expect(facts('root-ca-sha1.pem').signatureAlgorithm).toBe('sha1WithRSAEncryption');
  });

  test('tells a missing subjectAltName and a missing EKU apart from empty ones', () => {
    const noSan = facts('leaf-no-san.pem');
    expect(noSan.hasSubjectAltName).toBe(false);
    expect(noSan.dnsNames).toEqual([]);
    expect(facts('intermediate-ca.pem').extendedKeyUsage).toBeUndefined();
    expect(facts('leaf-client-auth.pem').extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  test('reads basicConstraints and self-signature', () => {
    expect(facts('root-ca.pem')).toEqual(expect.objectContaining({ isCa: true, selfSigned: true }));
    expect(facts('intermediate-ca.pem')).toEqual(expect.objectContaining({ isCa: true, selfSigned: false }));
    expect(facts('leaf-ca-true.pem').isCa).toBe(true);
    // a self-signed server certificate without keyCertSign is still self-signed
    expect(facts('self-signed.pem')).toEqual(expect.objectContaining({ isCa: false, selfSigned: true }));
  });

  test('reads the wildcard name as written', () => {
    expect(facts('leaf-wildcard.pem').dnsNames).toEqual(['*.example.com']);
  });

  test('reads GeneralizedTime dates after 2049 and UTCTime dates before', () => {
    const f = facts('leaf-not-yet-valid.pem');
    expect(f.notBefore.toISOString()).toBe('2100-01-01T00:00:00.000Z');
    expect(facts('leaf-expired.pem').notAfter.toISOString()).toBe('2021-01-01T00:00:00.000Z');
  });

  test('throws on DER that is not a certificate', () => {
    const [block] = scanPem(fixtureText('leaf-public.pem'), 'key', 'x').blocks;
    expect(() => inspectCertificate(block.der)).toThrow();
  });
});

describe('inspectKey', () => {
  test.each([
    ['leaf.key', { keyType: KeyType.RSA, keySize: 2048 }],
    ['rsa1024.key', { keyType: KeyType.RSA, keySize: 1024 }],
    ['ecdsa-p256.key', { keyType: KeyType.EC, keySize: 256, curve: 'prime256v1' }],
    ['ed25519.key', { keyType: KeyType.ED25519 }],
  ])('describes %s', (file, expected) => {
    expect(inspectKey(createPrivateKey(fixture(file)))).toEqual(expected);
  });
});

describe('isWeakSignatureAlgorithm', () => {
  test.each([
    ['sha1WithRSAEncryption', true],
    ['md5WithRSAEncryption', true],
    ['ecdsa-with-SHA1', true],
    ['rsassaPss(sha1)', true],
    ['sha256WithRSAEncryption', false],
    ['ecdsa-with-SHA384', false],
    ['ED25519', false],
    ['rsassaPss(sha256)', false],
    ['1.2.3.4', false],
  ])('%s -> %s', (name, weak) => {
    expect(isWeakSignatureAlgorithm(name)).toBe(weak);
  });
});

describe('commonNameOf', () => {
  test('picks the CN, or the whole name without one', () => {
    expect(commonNameOf('O=x, CN=ml.example.com')).toBe('CN=ml.example.com');
    expect(commonNameOf('O=x, OU=y')).toBe('O=x, OU=y');
    expect(commonNameOf('')).toBe('(empty subject)');
  });
});
