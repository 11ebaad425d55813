import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, hkdfSync, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { Finding, Severity } from '../../lib/certificate/findings';
import {
  checkSealingCertificate, CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, sealingCertificateFingerprint, SealingKey, sealingLabel,
  SealingScope, sealingScopeAnnotations, sealValue,
} from '../../lib/sealing/seal';
import {
  certFixture, failsToUnseal, gcmOpen, NOW, oaepSeedOf, privateKeyLines, SEALING_DIR, sealingFixture, sessionKeyOf, splitSealed, unseal,
} from './unseal';

const SEALING_CERT = sealingFixture('controller.pem');
const SEALING_KEY = sealingFixture('controller.key');
const OTHER_KEY = sealingFixture('other-controller.key');
const TLS_CHAIN = certFixture('leaf-chain.pem');
const TLS_KEY = certFixture('leaf.key');
const DAY_MS = 24 * 60 * 60 * 1000;
const NOT_AFTER = new Date(new X509Certificate(SEALING_CERT).validTo);

const key = SealingKey.fromCertificatePem(SEALING_CERT);

function codes(findings: Finding[]): string[] {
  return findings.map((f) => `${f.severity}:${f.code}`);
}

describe('sealingLabel', () => {
  test('strict binds namespace and name, namespace-wide the namespace, cluster-wide nothing', () => {
    expect(sealingLabel(SealingScope.STRICT, 'azureml', 'azureml-fe-tls')).toBe('azureml/azureml-fe-tls');
    expect(sealingLabel(SealingScope.NAMESPACE_WIDE, 'azureml', 'azureml-fe-tls')).toBe('azureml');
    expect(sealingLabel(SealingScope.CLUSTER_WIDE, 'azureml', 'azureml-fe-tls')).toBe('');
  });

  test('the scope annotations are those of the controller, none for strict', () => {
    expect(sealingScopeAnnotations(SealingScope.STRICT)).toEqual({});
    expect(sealingScopeAnnotations(SealingScope.NAMESPACE_WIDE)).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(sealingScopeAnnotations(SealingScope.CLUSTER_WIDE)).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    expect([NAMESPACE_WIDE_ANNOTATION, CLUSTER_WIDE_ANNOTATION]).toEqual([
      'sealedsecrets.bitnami.com/namespace-wide', 'sealedsecrets.bitnami.com/cluster-wide',
    ]);
  });

  test('fails for a scope outside the enum', () => {
    expect(() => sealingLabel('global' as SealingScope, 'azureml', 'x')).toThrow(/strict, namespace-wide or cluster-wide/);
  });
});

describe('sealValue', () => {
  test('produces uint16 length || RSA-4096 ciphertext || AES-GCM ciphertext || 16-byte tag, in padded base64', () => {
    // GIVEN
    const plaintext = Buffer.from(TLS_CHAIN, 'latin1');
    // WHEN
    const sealed = sealValue(plaintext, key, 'azureml/azureml-fe-tls');
    // THEN
    expect(sealed).toMatch(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    const bytes = Buffer.from(sealed, 'base64');
    expect(bytes.readUInt16BE(0)).toBe(512);
    expect(bytes.length).toBe(2 + 512 + plaintext.length + 16);
    expect(key.modulusBits).toBe(4096);
  });

  test.each([
    [SealingScope.STRICT, 'azureml/azureml-fe-tls'],
    [SealingScope.NAMESPACE_WIDE, 'azureml'],
    [SealingScope.CLUSTER_WIDE, ''],
  ])('a value sealed %s unseals to the input bytes with the controller key and label %j', (scope, label) => {
    // GIVEN
    expect(sealingLabel(scope, 'azureml', 'azureml-fe-tls')).toBe(label);
    for (const pem of [TLS_CHAIN, TLS_KEY]) {
      // WHEN
      const sealed = sealValue(Buffer.from(pem, 'latin1'), key, label);
      // THEN
      expect(unseal(sealed, SEALING_KEY, label).toString('latin1')).toBe(pem);
    }
  });

  test('an empty value and binary bytes round-trip', () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]);
    expect(unseal(sealValue(Buffer.alloc(0), key, 'ns/n'), SEALING_KEY, 'ns/n')).toEqual(Buffer.alloc(0));
    expect(unseal(sealValue(binary, key, 'ns/n'), SEALING_KEY, 'ns/n')).toEqual(binary);
  });

  test('fails to unseal under another label, with another key, or when a byte is changed', () => {
    // GIVEN
    const sealed = sealValue(Buffer.from(TLS_KEY, 'latin1'), key, 'azureml/azureml-fe-tls');
    // THEN
    expect(failsToUnseal(sealed, SEALING_KEY, 'azureml/other-name')).toBe(true);
    expect(failsToUnseal(sealed, SEALING_KEY, 'default/azureml-fe-tls')).toBe(true);
    expect(failsToUnseal(sealed, SEALING_KEY, 'azureml')).toBe(true);
    expect(failsToUnseal(sealed, SEALING_KEY, '')).toBe(true);
    expect(failsToUnseal(sealed, OTHER_KEY, 'azureml/azureml-fe-tls')).toBe(true);
    const tampered = Buffer.from(sealed, 'base64');
    tampered[tampered.length - 20] ^= 1;
    expect(failsToUnseal(tampered.toString('base64'), SEALING_KEY, 'azureml/azureml-fe-tls')).toBe(true);
  });

  test('is deterministic: the same value, key and label give the same ciphertext', () => {
    // GIVEN
    const plaintext = Buffer.from(TLS_KEY, 'latin1');
    // WHEN
    const a = sealValue(plaintext, key, 'ns/n');
    const b = sealValue(Buffer.from(TLS_KEY, 'latin1'), SealingKey.fromCertificatePem(SEALING_CERT), 'ns/n');
    // THEN
    expect(b).toBe(a);
    expect(unseal(a, SEALING_KEY, 'ns/n').toString('latin1')).toBe(TLS_KEY);
    // Sealing leaves its input as it was (the derivation wipes its own copy only).
    expect(plaintext.toString('latin1')).toBe(TLS_KEY);
  });

  test('a key read from the certificate, its public key PEM or its private key seals alike (the SPKI is what counts)', () => {
    const fromCert = sealValue(Buffer.from('v'), key, 'ns/n');
    const publicPem = createPublicKey(SEALING_CERT).export({ type: 'spki', format: 'pem' }).toString();
    expect(sealValue(Buffer.from('v'), SealingKey.fromPublicKeyPem(publicPem), 'ns/n')).toBe(fromCert);
    expect(sealValue(Buffer.from('v'), SealingKey.fromKeyObject(createPrivateKey(SEALING_KEY)), 'ns/n')).toBe(fromCert);
  });

  test.each<[string, Buffer, SealingKey, string]>([
    ['value', Buffer.from(`${TLS_KEY}\n`, 'latin1'), key, 'azureml/azureml-fe-tls'],
    ['label', Buffer.from(TLS_KEY, 'latin1'), key, 'azureml/azureml-fe-tls-2'],
    ['sealing key', Buffer.from(TLS_KEY, 'latin1'), SealingKey.fromCertificatePem(sealingFixture('other-controller.pem')), 'azureml/azureml-fe-tls'],
  ])('a different %s gives a different wrapped key and a different AES ciphertext', (_what, plaintext, otherKey, label) => {
    // GIVEN
    const base = splitSealed(sealValue(Buffer.from(TLS_KEY, 'latin1'), key, 'azureml/azureml-fe-tls'));
    // WHEN
    const other = splitSealed(sealValue(plaintext, otherKey, label));
    // THEN
    expect(other.wrappedKey.equals(base.wrappedKey)).toBe(false);
    expect(other.ciphertext.subarray(0, 32).equals(base.ciphertext.subarray(0, 32))).toBe(false);
    expect(other.tag.equals(base.tag)).toBe(false);
  });

  test('the fields of the derivation are length-prefixed: moving bytes between label and value changes the output', () => {
    // `a/b` + `c` and `a` + `/bc` concatenate to the same bytes; the length prefixes tell them apart.
    expect(sealValue(Buffer.from('c'), key, 'a/b')).not.toBe(sealValue(Buffer.from('/bc'), key, 'a'));
    expect(sealValue(Buffer.from(''), key, 'ab')).not.toBe(sealValue(Buffer.from('b'), key, 'a'));
  });

  test('any value and label: sealing twice agrees, and the controller\'s unseal gives the value back (property)', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 60 }),
      (bytes, label) => {
        const value = Buffer.from(bytes);
        const sealed = sealValue(value, key, label);
        expect(sealValue(Buffer.from(bytes), key, label)).toBe(sealed);
        expect(unseal(sealed, SEALING_KEY, label)).toEqual(value);
      },
    ), { seed: 12, numRuns: 25 });
  });

  test('the session key and the OAEP seed are HKDF-SHA256 of the length-prefixed domain tag, SPKI, label and value', () => {
    // GIVEN the derivation as documented, recomputed here with node:crypto alone
    const value = Buffer.from(TLS_KEY, 'latin1');
    const label = 'azureml/azureml-fe-tls';
    const spki = createPublicKey(SEALING_CERT).export({ type: 'spki', format: 'der' });
    const fields = [Buffer.from('cdk8s-azureml-tls/seal/v1'), spki, Buffer.from(label), value];
    const input = Buffer.concat(fields.flatMap((f) => [Buffer.from([f.length >>> 24, (f.length >>> 16) & 255, (f.length >>> 8) & 255, f.length & 255]), f]));
    const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', input, Buffer.alloc(0), `cdk8s-azureml-tls/seal/v1 ${info}`, 32));
    // WHEN
    const sealed = sealValue(value, key, label);
    // THEN the controller's unwrap gives the derived session key, and raw RSA shows the derived seed
    expect(sessionKeyOf(sealed, SEALING_KEY, label).equals(hkdf('aes-256-gcm session key'))).toBe(true);
    expect(oaepSeedOf(splitSealed(sealed).wrappedKey, SEALING_KEY).equals(hkdf('rsa-oaep seed'))).toBe(true);
  });

  test('fails for an RSA key too small for RSA-OAEP-SHA-256 to wrap the session key, naming its size', () => {
    // GIVEN an RSA-512 key (64 bytes; OAEP-SHA-256 needs 32 + 66): nothing is sealed with it
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
    // THEN
    expect(() => sealValue(Buffer.from('v'), SealingKey.fromKeyObject(publicKey), 'ns/n'))
      .toThrow('the sealing key is RSA-512, too small for RSA-OAEP with SHA-256 to wrap a 32-byte session key (at least 784 bits; the controller generates RSA-4096 keys): fetch the controller\'s current certificate with kubeseal --fetch-cert');
  });

  test('the derivation is pinned: a known value seals to known bytes (a change here changes every committed SealedSecret)', () => {
    // GIVEN the fixture controller certificate (test/fixtures/sealing): regenerating it changes this digest.
    const sealed = sealValue(Buffer.from('known answer', 'utf8'), key, 'azureml/azureml-fe-tls');
    // THEN
    expect(createHash('sha256').update(sealed).digest('hex')).toBe('2f5f4292cf0ebb6cf82c5403c0abfffa4ff367bf9bc3a503a7b365973ad70cb3');
  });

  test('the wrapped session key decrypts with the openssl CLI (RSA-OAEP, SHA-256 for the hash and for MGF1, the label)', () => {
    const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
    if (openssl.status !== 0) {
      console.log('skipped: openssl is not installed, so the independent RSA-OAEP check does not run');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-openssl-'));
    try {
      for (const label of ['azureml/azureml-fe-tls', 'azureml', '']) {
        // GIVEN
        const sealed = sealValue(Buffer.from(TLS_CHAIN, 'latin1'), key, label);
        const parts = splitSealed(sealed);
        fs.writeFileSync(path.join(dir, 'wrapped.bin'), parts.wrappedKey);
        // WHEN
        const labelOption = label === '' ? [] : ['-pkeyopt', `rsa_oaep_label:${Buffer.from(label, 'utf8').toString('hex')}`];
        const result = spawnSync('openssl', [
          'pkeyutl', '-decrypt', '-inkey', path.join(SEALING_DIR, 'controller.key'), '-in', path.join(dir, 'wrapped.bin'),
          '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256', ...labelOption,
        ]);
        // THEN
        expect({ label, status: result.status, stderr: result.stderr.toString() }).toEqual({ label, status: 0, stderr: '' });
        expect(result.stdout.length).toBe(32);
        expect(gcmOpen(result.stdout, parts).toString('latin1')).toBe(TLS_CHAIN);
        // A wrong MGF1 hash (SHA-1, the OpenSSL default) does not decrypt: both hashes are SHA-256.
        const sha1Mgf = spawnSync('openssl', [
          'pkeyutl', '-decrypt', '-inkey', path.join(SEALING_DIR, 'controller.key'), '-in', path.join(dir, 'wrapped.bin'),
          '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha1', ...labelOption,
        ]);
        expect(sha1Mgf.status).not.toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SealingKey', () => {
  test('reads the RSA key of a certificate, a public key PEM and a key object', () => {
    const fromPublic = SealingKey.fromPublicKeyPem(createPublicKey(SEALING_KEY).export({ type: 'spki', format: 'pem' }).toString());
    const fromPrivate = SealingKey.fromKeyObject(createPrivateKey(SEALING_KEY));
    for (const k of [fromPublic, fromPrivate]) {
      expect(k.publicKey.type).toBe('public');
      expect(unseal(sealValue(Buffer.from('x'), k, 'a/b'), SEALING_KEY, 'a/b').toString()).toBe('x');
    }
  });

  test('fails for an ECDSA certificate, a symmetric key, text without a certificate and a non-key PEM', () => {
    expect(() => SealingKey.fromCertificatePem(sealingFixture('ec-controller.pem'))).toThrow(/is ec, not RSA/);
    expect(() => SealingKey.fromKeyObject(createSecretKey(Buffer.alloc(32)))).toThrow(/secret \(symmetric\) key/);
    expect(() => SealingKey.fromCertificatePem('hello')).toThrow(/holds no PEM block.*kubeseal --fetch-cert/);
    expect(() => SealingKey.fromPublicKeyPem('hello')).toThrow(/not a readable PEM public key/);
  });

  test('the certificate fingerprint is the SHA-256 of the first certificate\'s DER', () => {
    const expected = new X509Certificate(SEALING_CERT).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(sealingCertificateFingerprint(SEALING_CERT)).toBe(expected);
    expect(sealingCertificateFingerprint(SEALING_CERT + sealingFixture('other-controller.pem'))).toBe(expected);
  });
});

describe('checkSealingCertificate', () => {
  test('accepts the controller\'s RSA certificate', () => {
    expect(checkSealingCertificate(SEALING_CERT, NOW, 'sealing-cert.pem')).toEqual([]);
  });

  test('fails for an ECDSA certificate, naming the file and the key type', () => {
    // WHEN
    const findings = checkSealingCertificate(sealingFixture('ec-controller.pem'), NOW, 'sealing-cert.pem');
    // THEN
    expect(codes(findings)).toEqual(['error:sealing-certificate-not-rsa']);
    expect(findings[0].message).toMatch(/^sealing-cert\.pem: the certificate CN=ec-sealed-secret .* has an ECDSA \(prime256v1\) key, not an RSA key/);
    expect(findings[0].fix).toMatch(/kubeseal --fetch-cert/);
  });

  test('fails for an Ed25519 certificate', () => {
    expect(codes(checkSealingCertificate(certFixture('ed25519-self-signed.pem'), NOW))).toEqual(['error:sealing-certificate-not-rsa']);
  });

  test('fails for an RSA-PSS certificate, whose key may only sign', () => {
    // WHEN
    const findings = checkSealingCertificate(sealingFixture('rsa-pss-controller.pem'), NOW, 'sealing-cert.pem');
    // THEN
    expect(codes(findings)).toEqual(['error:sealing-certificate-not-rsa']);
    expect(findings[0].message).toContain('has an RSA-PSS key');
    expect(() => SealingKey.fromCertificatePem(sealingFixture('rsa-pss-controller.pem'))).toThrow(/is rsa-pss, not RSA/);
  });

  test('fails for a certificate that has expired at now, naming the date', () => {
    // GIVEN
    const now = new Date(NOT_AFTER.getTime() + DAY_MS);
    // WHEN
    const findings = checkSealingCertificate(SEALING_CERT, now, 'sealing-cert.pem');
    // THEN
    expect(codes(findings)).toEqual(['error:sealing-certificate-expired']);
    expect(findings[0].message).toContain(`expired on ${NOT_AFTER.toISOString().replace('.000Z', 'Z')}`);
  });

  test('fails for a certificate that is not yet valid at now', () => {
    expect(codes(checkSealingCertificate(SEALING_CERT, new Date('2020-01-01T00:00:00Z')))).toEqual(['error:sealing-certificate-not-yet-valid']);
  });

  test('warns when the certificate expires within 30 days', () => {
    // WHEN
    const findings = checkSealingCertificate(SEALING_CERT, new Date(NOT_AFTER.getTime() - 10 * DAY_MS - 1000));
    // THEN
    expect(codes(findings)).toEqual(['warning:sealing-certificate-expiring-soon']);
    expect(findings[0].message).toMatch(/in 10 days/);
    expect(checkSealingCertificate(SEALING_CERT, new Date(NOT_AFTER.getTime() - 31 * DAY_MS))).toEqual([]);
  });

  test('warns about an RSA key below 2048 bits', () => {
    expect(codes(checkSealingCertificate(certFixture('rsa1024.pem'), NOW))).toEqual(['warning:sealing-key-weak']);
  });

  test('fails for text that is not a certificate', () => {
    expect(codes(checkSealingCertificate('', NOW))).toEqual(['error:empty']);
    expect(codes(checkSealingCertificate('not a certificate', NOW))).toEqual(['error:no-pem-block']);
    expect(codes(checkSealingCertificate(certFixture('truncated.pem'), NOW))).toEqual(['error:truncated']);
    expect(codes(checkSealingCertificate(certFixture('leaf-public.pem'), NOW))).toEqual(['error:sealing-certificate-missing']);
    const junk = '-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n';
    expect(codes(checkSealingCertificate(junk, NOW))).toEqual(['error:sealing-certificate-invalid']);
    for (const f of checkSealingCertificate('', NOW)) expect(f.fix).toMatch(/kubeseal --fetch-cert/);
  });

  test('fails when the file also holds a private key, without printing it', () => {
    // WHEN
    const findings = checkSealingCertificate(SEALING_CERT + SEALING_KEY, NOW, 'sealing-cert.pem');
    // THEN
    expect(codes(findings)).toEqual(['error:sealing-certificate-holds-private-key']);
    expect(findings[0].message).toContain('PRIVATE KEY block (line');
  });

  test('warns when the file holds more than one certificate and uses the first', () => {
    const findings = checkSealingCertificate(SEALING_CERT + sealingFixture('other-controller.pem'), NOW, 'sealing-cert.pem');
    expect(codes(findings)).toEqual(['warning:sealing-certificate-multiple']);
    expect(findings[0].message).toContain('only the first (CN=sealed-secret, line 1)');
  });

  test('no message or fix contains key material or certificate bytes', () => {
    // GIVEN
    const inputs = [
      SEALING_CERT + SEALING_KEY, SEALING_KEY, sealingFixture('other-controller.key'), SEALING_CERT + OTHER_KEY, TLS_KEY,
      sealingFixture('ec-controller.pem'), SEALING_CERT + sealingFixture('other-controller.pem'), `${SEALING_CERT}junk`,
    ];
    const secretLines = privateKeyLines(SEALING_KEY, OTHER_KEY, TLS_KEY);
    const certLines = SEALING_CERT.split('\n').filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l));
    // WHEN
    const findings: Finding[] = [];
    for (const input of inputs) {
      for (const now of [NOW, new Date('2200-01-01T00:00:00Z'), new Date('2000-01-01T00:00:00Z')]) findings.push(...checkSealingCertificate(input, now, 'sealing-cert.pem'));
    }
    const thrown: string[] = [];
    for (const input of inputs) {
      try {
        SealingKey.fromCertificatePem(input);
      } catch (e) {
        thrown.push((e as Error).message);
      }
    }
    // THEN
    expect(findings.length).toBeGreaterThan(10);
    expect(findings.some((f) => f.severity === Severity.ERROR)).toBe(true);
    const texts = [...findings.flatMap((f) => [f.message, f.fix ?? '']), ...thrown];
    for (const text of texts) {
      for (const line of [...secretLines, ...certLines]) {
        expect(text).not.toContain(line);
        expect(text).not.toContain(line.slice(0, 16));
      }
    }
  });
});
