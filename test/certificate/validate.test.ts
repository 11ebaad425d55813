import { Severity } from '../../lib/certificate/findings';
import { KeyType } from '../../lib/certificate/inspect';
import { TlsMaterialInput, validateTlsMaterial } from '../../lib/certificate/validate';
import { fixture, fixtureText, NOW } from './corpus';

/** Validates `cert` (+ `key`) from the corpus for ml.example.com at NOW. */
function check(cert: string | Buffer, key: string | Buffer | undefined = 'leaf.key', extra: Partial<TlsMaterialInput> = {}) {
  return validateTlsMaterial({
    certificate: typeof cert === 'string' ? fixture(cert) : cert,
    privateKey: typeof key === 'string' ? fixture(key) : key,
    cname: 'ml.example.com',
    now: NOW,
    ...extra,
  });
}

const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code);

/** The one finding with `code`; fails the test when there is none or several. */
function only(r: { findings: { code: string; severity: Severity; message: string; fix?: string }[] }, code: string) {
  const found = r.findings.filter((f) => f.code === code);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('validateTlsMaterial: usable material', () => {
  test('passes a leaf + intermediate chain with its key', () => {
    // WHEN
    const r = check('leaf-chain.pem');
    // THEN
    expect(r.findings).toEqual([]);
    expect(r.chain.map((c) => c.subject)).toEqual([
      'O=cdk8s-azureml-tls test fixtures, CN=ml.example.com',
      'O=cdk8s-azureml-tls test fixtures, CN=Test Intermediate CA',
    ]);
    expect(r.key).toEqual({ keyType: KeyType.RSA, keySize: 2048 });
    expect(r.cname).toBe('ml.example.com');
  });

  test.each([
    ['leaf-full-chain.pem', 'leaf.key'],
    ['leaf-chain-crlf.pem', 'leaf-crlf.key'],
    ['leaf-chain-bom.pem', 'leaf-traditional.key'],
    ['leaf-chain-whitespace.pem', 'leaf.key'],
    ['leaf-chain-bag-attributes.pem', 'leaf-bag-attributes.key'],
  ])('passes %s with %s', (cert, key) => {
    expect(check(cert, key).findings).toEqual([]);
  });

  test('passes a cname in upper case and reports it lower case', () => {
    const r = check('leaf-chain.pem', 'leaf.key', { cname: 'ML.Example.com' });
    expect(r.findings).toEqual([]);
    expect(r.cname).toBe('ml.example.com');
  });

  test('checks a certificate alone when no key and no cname are given', () => {
    const r = validateTlsMaterial({ certificate: fixtureText('leaf-chain.pem'), now: NOW });
    expect(r.findings).toEqual([]);
    expect(r.key).toBeUndefined();
    expect(r.cname).toBeUndefined();
  });

  test('accepts a wildcard certificate for a name one label below it', () => {
    expect(check('leaf-wildcard-chain.pem').findings).toEqual([]);
  });

  test('accepts an SEC1 key after EC PARAMETERS, with only the key-type warning', () => {
    expect(codes(check('ecdsa-p256-chain.pem', 'ecdsa-p256-sec1.key'))).toEqual(['key-type-unverified']);
  });

  test('returns every problem at once', () => {
    // GIVEN an expired leaf without intermediate, for another name, with the wrong key
    const r = check('leaf-expired.pem', 'other.key', { cname: 'api.example.org' });
    // THEN
    expect(codes(r).sort()).toEqual(['chain-incomplete', 'cname-not-covered', 'expired', 'key-mismatch']);
  });

  test('uses the default labels in messages', () => {
    const r = check('leaf-chain.pem', 'other.key');
    expect(only(r, 'key-mismatch').message).toMatch(/^key\.pem does not belong to the leaf certificate in cert\.pem/);
  });
});

describe('validateTlsMaterial: the certificate file', () => {
  test('fails if the certificate file is empty', () => {
    const r = check('empty.pem');
    expect(codes(r)).toEqual(['empty']);
    expect(r.findings[0].message).toBe('cert.pem is empty');
  });

  test('fails if the certificate file is binary junk', () => {
    expect(only(check('junk.bin'), 'not-ascii').message).toContain('cert.pem is not ASCII text');
  });

  test('fails if the certificate file has non-ASCII text around the blocks', () => {
    expect(codes(check('non-ascii-comment.pem'))).toEqual(['not-ascii']);
  });

  test('fails if the certificate is DER', () => {
    expect(only(check('leaf.der'), 'der-not-pem').fix).toContain('openssl x509 -inform der -in cert.der -out cert.pem');
  });

  test('fails if the certificate is a PFX', () => {
    const f = only(check('leaf.pfx'), 'pkcs12-not-pem');
    expect(f.message).toBe('cert.pem is a PKCS#12 (PFX) archive, not PEM text');
    expect(f.fix).toContain('openssl pkcs12 -in cert.pfx -clcerts -nokeys -out cert.pem');
    expect(f.fix).toContain('-nocerts -nodes');
  });

  test('fails if the certificate file is truncated, and skips the checks that need it', () => {
    const r = check('truncated.pem');
    expect(codes(r)).toEqual(['truncated']);
    expect(r.findings[0].message).toContain('has no -----END CERTIFICATE----- line');
  });

  test('fails if the certificate file holds no PEM block', () => {
    expect(only(check('text-only.pem'), 'no-pem-block').message).toBe('cert.pem holds no PEM block (no -----BEGIN ...----- line)');
  });

  test('fails if the certificate file holds a CSR', () => {
    const f = only(check('leaf.csr'), 'unexpected-pem-block');
    expect(f.message).toBe('cert.pem holds a certificate signing request, not a certificate (CERTIFICATE REQUEST block at line 1)');
    expect(f.fix).toContain('submit it to your CA');
  });

  test('fails if the certificate file holds a public key', () => {
    expect(only(check('leaf-public.pem'), 'unexpected-pem-block').message).toContain('holds a public key, not a certificate (PUBLIC KEY block');
  });

  test('fails if the certificate file holds a PKCS#7 bundle', () => {
    expect(only(check('leaf-chain.p7b'), 'unexpected-pem-block').fix).toBe('convert it: openssl pkcs7 -print_certs -in cert.p7b -out cert.pem');
  });

  test('fails if the private key is given as the certificate', () => {
    const r = check('leaf.key', 'leaf.key');
    expect(only(r, 'unexpected-pem-block').message).toBe('cert.pem holds a private key (PRIVATE KEY block at line 1)');
  });

  test('fails if the certificate file also holds the private key, and still checks the certificate', () => {
    const r = check('leaf-with-key.pem');
    expect(only(r, 'unexpected-pem-block').message).toBe('cert.pem holds a private key (PRIVATE KEY block at line 23)');
    expect(codes(r)).toEqual(['unexpected-pem-block', 'chain-incomplete']);
  });

  test('fails if a CERTIFICATE block is not a certificate', () => {
    // GIVEN a public key body under a CERTIFICATE label
    const body = fixtureText('leaf-public.pem').replace(/PUBLIC KEY/g, 'CERTIFICATE');
    const r = check(Buffer.from(body));
    const f = only(r, 'certificate-invalid');
    expect(f.message).toBe('cert.pem: the CERTIFICATE block at line 1 is not a readable X.509 certificate');
    expect(r.chain).toEqual([]);
  });
});

describe('validateTlsMaterial: the chain', () => {
  test('fails if the intermediate comes before the leaf, and states the right order', () => {
    const r = check('leaf-chain-wrong-order.pem');
    // THEN one error; the key still matches the real leaf
    expect(codes(r)).toEqual(['chain-order']);
    expect(r.findings[0].message).toBe(
      'cert.pem is in the wrong order: found CN=Test Intermediate CA, CN=ml.example.com; azureml-fe needs the leaf first, then each issuer');
    expect(r.findings[0].fix).toBe('put the certificates in this order: CN=ml.example.com, CN=Test Intermediate CA');
  });

  test('states the right order of three certificates', () => {
    const text = fixtureText('root-ca.pem') + fixtureText('leaf.pem') + fixtureText('intermediate-ca.pem');
    const f = only(check(Buffer.from(text)), 'chain-order');
    expect(f.fix).toBe('put the certificates in this order: CN=ml.example.com, CN=Test Intermediate CA, CN=Test Root CA');
  });

  test('fails if a certificate is not issued by the next one', () => {
    const f = only(check('leaf-chain-gap.pem'), 'chain-broken');
    expect(f.message).toBe('cert.pem: certificate 1 (CN=ml.example.com) is issued by CN=Test Intermediate CA, but the next certificate is CN=Test Root CA');
  });

  test('warns if the intermediate is missing', () => {
    const f = only(check('leaf.pem'), 'chain-incomplete');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toContain('holds only the leaf certificate (CN=ml.example.com), not its issuer (CN=Test Intermediate CA)');
    expect(f.message).toContain('clients that do not already have the intermediate certificate will fail');
  });

  test('warns that a self-signed leaf is for development only, and not about a missing issuer', () => {
    const r = check('self-signed.pem', 'self-signed.key');
    expect(codes(r)).toEqual(['leaf-self-signed']);
    expect(r.findings[0].severity).toBe(Severity.WARNING);
    expect(r.findings[0].message).toMatch(/is self-signed: every client must be told to trust this exact certificate, and the doc allows self-signed certificates for development only$/);
  });

  test('warns if a certificate appears twice', () => {
    const text = fixtureText('leaf-chain.pem') + fixtureText('intermediate-ca.pem');
    const r = check(Buffer.from(text));
    expect(codes(r)).toEqual(['chain-duplicate']);
    expect(r.findings[0].message).toBe('cert.pem holds the same certificate twice (CN=Test Intermediate CA: certificates 2 and 3)');
  });
});

describe('validateTlsMaterial: the key file', () => {
  test('fails if the key is encrypted (PKCS#8)', () => {
    const r = check('leaf-chain.pem', 'leaf-encrypted-pkcs8.key');
    const f = only(r, 'key-encrypted');
    expect(f.message).toBe('key.pem holds an encrypted private key (ENCRYPTED PRIVATE KEY, line 1); azureml-fe cannot use a passphrase-protected key');
    expect(f.fix).toContain('openssl pkey -in key.pem -out key-plain.pem');
    expect(r.key).toBeUndefined();
  });

  test('fails if the key is encrypted (traditional Proc-Type: 4,ENCRYPTED)', () => {
    const f = only(check('leaf-chain.pem', 'leaf-encrypted-traditional.key'), 'key-encrypted');
    expect(f.message).toContain('RSA PRIVATE KEY with Proc-Type: 4,ENCRYPTED');
    expect(f.fix).toContain('openssl rsa -in key.pem -out key-plain.pem');
  });

  test('quotes a key path with spaces in the fix', () => {
    const f = only(check('leaf-chain.pem', 'leaf-encrypted-pkcs8.key', { keyLabel: 'my keys/key.pem' }), 'key-encrypted');
    expect(f.fix).toContain("openssl pkey -in 'my keys/key.pem' -out key-plain.pem");
  });

  test('fails if the key does not match the leaf', () => {
    const f = only(check('leaf-chain.pem', 'other.key'), 'key-mismatch');
    expect(f.message).toMatch(/^key\.pem does not belong to the leaf certificate in cert\.pem \(CN=ml\.example\.com, SHA-256 fingerprint [0-9A-F:]+\): their public keys differ$/);
    expect(f.fix).toContain('openssl pkey -pubout -in key.pem | openssl sha256');
  });

  test('says which certificate a mismatched key belongs to', () => {
    // GIVEN a broken chain that starts with the root, and the leaf's key
    const text = fixtureText('root-ca.pem') + fixtureText('leaf.pem');
    const r = check(Buffer.from(text));
    expect(only(r, 'key-mismatch').message).toContain('it is the key of certificate 2 (CN=ml.example.com)');
  });

  test('fails if the key file holds two keys, and says which one matches', () => {
    const f = only(check('leaf-chain.pem', 'two-keys.key'), 'key-multiple');
    expect(f.message).toBe('key.pem holds 2 private keys (blocks at lines 1, 29); azureml-fe needs exactly one');
    expect(f.fix).toBe('keep only the key at line 1: it matches the leaf certificate');
  });

  test('fails if the key file holds no key', () => {
    const f = only(check('leaf-chain.pem', Buffer.from(fixtureText('ecdsa-p256-sec1.key').split('-----BEGIN EC PRIVATE KEY')[0])), 'key-missing');
    expect(f.message).toBe('key.pem holds no private key (found EC PARAMETERS)');
  });

  test('fails if the certificate is given as the key', () => {
    const r = check('leaf-chain.pem', 'leaf.pem');
    expect(codes(r)).toEqual(['unexpected-pem-block']);
    expect(r.findings[0].message).toBe('key.pem holds a certificate where the private key belongs (CERTIFICATE block at line 1)');
  });

  test('fails if the key file is a CSR or a public key', () => {
    expect(only(check('leaf-chain.pem', 'leaf.csr'), 'unexpected-pem-block').message).toContain('a certificate signing request, not a private key');
    expect(only(check('leaf-chain.pem', 'leaf-public.pem'), 'unexpected-pem-block').message).toContain('a public key, not the private key');
  });

  test('fails if the key is DER or PFX', () => {
    expect(only(check('leaf-chain.pem', 'leaf-key.der'), 'der-not-pem').message).toContain('key.pem is a DER (binary) private key');
    expect(codes(check('leaf-chain.pem', 'leaf.pfx'))).toEqual(['pkcs12-not-pem']);
  });

  test('fails if the key file is empty or truncated', () => {
    expect(codes(check('leaf-chain.pem', 'empty.pem'))).toEqual(['empty']);
    const cut = Buffer.from(fixtureText('leaf.key').split('\n').slice(0, 6).join('\n'));
    expect(only(check('leaf-chain.pem', cut), 'truncated').message).toContain('key.pem: the PRIVATE KEY block at line 1 has no -----END PRIVATE KEY----- line');
  });

  test('fails if a PRIVATE KEY block is not a key', () => {
    const body = fixtureText('leaf.pem').replace(/CERTIFICATE/g, 'PRIVATE KEY');
    const f = only(check('leaf-chain.pem', Buffer.from(body)), 'key-invalid');
    expect(f.message).toBe('key.pem: the PRIVATE KEY block at line 1 is not a readable private key');
  });
});

describe('validateTlsMaterial: names', () => {
  test('fails if the leaf has no subjectAltName, even though its CN matches', () => {
    const f = only(check('leaf-no-san-chain.pem'), 'san-missing');
    expect(f.message).toBe('the leaf certificate in cert.pem (O=cdk8s-azureml-tls test fixtures, CN=ml.example.com) has no subjectAltName extension: clients ignore the CN and will reject it for ml.example.com');
    expect(f.fix).toBe('get a certificate with subjectAltName = DNS:ml.example.com');
  });

  test('fails if the cname is not covered, listing the SANs', () => {
    const f = only(check('leaf-chain.pem', 'leaf.key', { cname: 'api.example.com' }), 'cname-not-covered');
    expect(f.message).toBe('the leaf certificate in cert.pem (CN=ml.example.com) does not cover sslCname api.example.com: its subjectAltName lists DNS:ml.example.com, DNS:ml.internal.example.com, IP:10.0.0.10');
    expect(f.fix).toContain('DNS:api.example.com (or DNS:*.example.com)');
  });

  test('fails if a wildcard would have to cover two labels', () => {
    const f = only(check('leaf-wildcard-chain.pem', 'leaf.key', { cname: 'a.ml.example.com' }), 'cname-not-covered');
    expect(f.message).toContain('lists DNS:*.example.com');
  });

  test('fails if the cname is invalid, and skips the SAN check', () => {
    const r = check('leaf-chain.pem', 'leaf.key', { cname: 'https://ml.example.com' });
    expect(codes(r)).toEqual(['cname-invalid']);
    expect(r.findings[0].fix).toBe('set sslCname to ml.example.com');
    expect(r.cname).toBeUndefined();
  });
});

describe('validateTlsMaterial: time', () => {
  test('fails if the leaf has expired', () => {
    const f = only(check('leaf-expired-chain.pem'), 'expired');
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) expired on 2021-01-01T00:00:00Z (now is 2026-06-01T00:00:00Z)');
  });

  test('fails if the leaf is not yet valid', () => {
    const f = only(check('leaf-not-yet-valid-chain.pem'), 'not-yet-valid');
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) is not valid before 2100-01-01T00:00:00Z (now is 2026-06-01T00:00:00Z)');
  });

  test('warns if the leaf expires within 30 days, with the days left', () => {
    const f = only(check('leaf-expiring-chain.pem'), 'expiring-soon');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) expires on 2026-06-15T00:00:00Z, in 14 days');
  });

  test('takes the warning threshold as an input', () => {
    expect(codes(check('leaf-expiring-chain.pem', 'leaf.key', { expiryWarningDays: 7 }))).toEqual([]);
  });

  test('checks intermediates and roots too', () => {
    // GIVEN a time after the whole chain expired
    const r = check('leaf-full-chain.pem', 'leaf.key', { now: new Date('2125-06-01T00:00:00Z') });
    // THEN
    expect(r.findings.filter((f) => f.code === 'expired').map((f) => f.message.split(' expired')[0])).toEqual([
      'cert.pem: the leaf certificate (CN=ml.example.com)',
      'cert.pem: certificate 2 (CN=Test Intermediate CA)',
      'cert.pem: certificate 3 (CN=Test Root CA)',
    ]);
    const soon = check('leaf-chain.pem', 'leaf.key', { now: new Date('2124-12-20T00:00:00Z') });
    expect(codes(soon)).toEqual(['expiring-soon', 'expiring-soon']);
  });
});

describe('validateTlsMaterial: strength', () => {
  test('fails if the RSA key is under 2048 bits', () => {
    const f = only(check('rsa1024-chain.pem', 'rsa1024.key'), 'weak-key');
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) has a 1024-bit RSA key; at least 2048 bits are needed');
  });

  test('fails if the leaf is signed with SHA-1', () => {
    const f = only(check('leaf-sha1-chain.pem'), 'weak-signature');
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) is signed with sha1WithRSAEncryption; clients reject SHA-1 and MD5 signatures');
  });

  test('accepts a SHA-1 self-signature on a root in the bundle', () => {
    expect(codes(check('leaf-full-chain-sha1-root.pem'))).toEqual([]);
  });

  test('warns that ECDSA leaf keys are unverified with azureml-fe', () => {
    const r = check('ecdsa-p256-chain.pem', 'ecdsa-p256.key');
    const f = only(r, 'key-type-unverified');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) has an ECDSA key (prime256v1); azureml-fe documents and tests RSA keys only');
    expect(r.key).toEqual({ keyType: KeyType.EC, keySize: 256, curve: 'prime256v1' });
  });

  test('warns that Ed25519 leaf keys are unverified with azureml-fe', () => {
    const r = check('ed25519-chain.pem', 'ed25519.key');
    expect(codes(r)).toEqual(['key-type-unverified']);
    expect(r.findings[0].message).toContain('has an Ed25519 key');
  });

  test('fails if the leaf does not allow serverAuth', () => {
    const f = only(check('leaf-client-auth-chain.pem'), 'eku-no-server-auth');
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) allows only clientAuth (extended key usage), not TLS server authentication (serverAuth)');
  });

  test('warns if the leaf is a CA certificate', () => {
    const f = only(check('leaf-ca-true-chain.pem'), 'leaf-is-ca');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toContain('is a CA certificate (basicConstraints CA:TRUE)');
  });
});
