import { createPublicKey, sign } from 'node:crypto';
import * as forge from 'node-forge';
import { Severity } from '../../lib/certificate/findings';
import { TlsMaterialInput, validateTlsMaterial } from '../../lib/certificate/validate';
import { fixture, fixtureText, NOW } from './corpus';

// Edges of the certificate checks that the corpus tests leave open (mutation testing, issue #12).

const DAY = 24 * 60 * 60 * 1000;
const REISSUE = 'reissue the certificate with a validity inside the X.509 range (notAfter at most 9999-12-31T23:59:59Z), '
  + 'e.g. openssl x509 -days 365 rather than a huge -days value';

type Hash = 'sha256' | 'sha1';
const getTBSCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

/** The fixture key file's public key, for forge. */
const publicKeyOf = (file: string) => forge.pki.publicKeyFromPem(createPublicKey(fixtureText(file)).export({ type: 'spki', format: 'pem' }).toString());

/**
 * What forge's cert.sign() does, with node:crypto doing the RSA signature: forge's is pure JavaScript, slow enough to
 * dominate a mutation run. The bytes are the same (PKCS#1 v1.5 signatures are deterministic).
 */
function signWith(cert: forge.pki.Certificate, keyFile: string, hash: Hash = 'sha256'): string {
  const oid = forge.pki.oids[`${hash}WithRSAEncryption`];
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.tbsCertificate = getTBSCertificate(cert);
  cert.signature = sign(hash, Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary'), fixtureText(keyFile)).toString('binary');
  return forge.pki.certificateToPem(cert);
}

/** A certificate for `keyFile`'s key with the given names and dates; extensions and serial as given. */
function certificate(keyFile: string, subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[], notBefore: Date, notAfter: Date, extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyOf(keyFile);
  cert.serialNumber = '0a';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  return cert;
}

/** A self-signed certificate for ml.example.com with the fixture leaf key and the given dates, made in the test. */
function selfSigned(notBefore: Date, notAfter: Date): string {
  const subject = [{ name: 'commonName', value: 'ml.example.com' }];
  return signWith(certificate('leaf.key', subject, subject, notBefore, notAfter, [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'ml.example.com' }] }]), 'leaf.key');
}

function check(certificate: string | Buffer, extra: Partial<TlsMaterialInput> = {}) {
  return validateTlsMaterial({ certificate, privateKey: fixture('leaf.key'), cname: 'ml.example.com', now: NOW, ...extra });
}

const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code);

/** A PEM block with a body too short to be anything (headers as given). */
const pemBlock = (label: string, headers = '') => `-----BEGIN ${label}-----\n${headers}MIIB\n-----END ${label}-----\n`;

function only(r: { findings: { code: string; severity: Severity; message: string; fix?: string }[] }, code: string) {
  const found = r.findings.filter((f) => f.code === code);
  expect(found).toHaveLength(1);
  return found[0];
}

const START = new Date('2025-01-01T00:00:00Z');

/**
 * The message for a validity date that cannot be compared. Where it is reported depends on lib/certificate/inspect.ts:
 * when it refuses the date, only node:crypto's view of the certificate is left (the block); when it reads the date
 * (as an Invalid Date, or misread), the certificate's own checks report it.
 */
const invalidDate = (dates: string) => new RegExp('^cert\\.pem: (the CERTIFICATE block at line 1|the leaf certificate \\(CN=ml\\.example\\.com\\)) '
  + `has an invalid ${dates} date: it is not a time that can be represented, so its validity cannot be checked$`);

/** The codes apart from the self-signed warning (only reported when the certificate's facts could be read). */
const withoutSelfSigned = (r: { findings: { code: string }[] }) => codes(r).filter((c) => c !== 'leaf-self-signed');

describe('validateTlsMaterial: validity dates that cannot be compared', () => {
  test('fails if notAfter is not a representable time (issued with 99999999999 days), instead of passing it', () => {
    // GIVEN a certificate issued for 99999999999 days: the end is past what a date can hold, and forge writes it as NaN
    const pem = selfSigned(START, new Date(START.getTime() + 99999999999 * DAY));
    // WHEN
    const r = check(pem);
    // THEN an error that names the date, not a pass
    expect(withoutSelfSigned(r)).toEqual(['validity-invalid']);
    const f = only(r, 'validity-invalid');
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.message).toMatch(invalidDate('notAfter'));
    expect(f.fix).toBe(REISSUE);
  });

  test('fails if notBefore is not a representable time', () => {
    const r = check(selfSigned(new Date(NaN), new Date('2030-01-01T00:00:00Z')));
    expect(withoutSelfSigned(r)).toEqual(['validity-invalid']);
    expect(only(r, 'validity-invalid').message).toMatch(invalidDate('notBefore'));
  });

  test('names both dates when neither is representable', () => {
    const r = check(selfSigned(new Date(NaN), new Date(NaN)));
    expect(withoutSelfSigned(r)).toEqual(['validity-invalid']);
    expect(only(r, 'validity-invalid').message).toMatch(invalidDate('notBefore and notAfter'));
  });

  test('fails if notAfter is past year 9999, which X.509 cannot hold, and does not call it expired', () => {
    // GIVEN a notAfter in year 10000: forge writes a five-digit year; OpenSSL cannot read it, forge misreads it as 999
    const r = check(selfSigned(START, new Date('+010000-01-01T00:00:00Z')));
    // THEN
    expect(withoutSelfSigned(r)).toEqual(['validity-invalid']);
    const f = only(r, 'validity-invalid');
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.message).toMatch(invalidDate('notAfter'));
    expect(f.fix).toBe(REISSUE);
  });

  test('names an intermediate whose date cannot be read by its position', () => {
    // GIVEN the fixture leaf followed by a certificate with an unreadable notAfter (the chain is broken too)
    const r = check(Buffer.from(fixtureText('leaf.pem') + selfSigned(START, new Date('+010000-01-01T00:00:00Z'))));
    const f = only(r, 'validity-invalid');
    expect(f.message).toMatch(/^cert\.pem: (the CERTIFICATE block at line \d+|certificate 2 \(CN=ml\.example\.com\)) has an invalid notAfter date/);
  });

  test('fails if the validity ends before it starts', () => {
    // GIVEN dates in the wrong order around NOW: neither "expired" nor "not yet valid" would describe it
    const r = check(selfSigned(new Date('2030-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z')));
    expect(codes(r)).toEqual(['leaf-self-signed', 'validity-invalid']);
    const f = only(r, 'validity-invalid');
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) ends (notAfter 2026-01-01T00:00:00Z) before it starts (notBefore 2030-01-01T00:00:00Z): its validity dates are malformed or out of range');
    expect(f.fix).toBe(REISSUE);
  });

  test('accepts the RFC 5280 end of time, 9999-12-31T23:59:59Z', () => {
    expect(codes(check(selfSigned(START, new Date('9999-12-31T23:59:59Z'))))).toEqual(['leaf-self-signed']);
  });

  test('accepts a certificate valid for a single instant, at that instant', () => {
    expect(codes(check(selfSigned(NOW, NOW), { expiryWarningDays: 0 }))).toEqual(['leaf-self-signed']);
  });
});

// --- certificates made in the test, from the fixture keys (no key is generated) ---------------------------------------

interface Issue {
  /** The subject's CN (O is always "Edge"). */
  readonly cn: string;
  /** The fixture key file of the subject. */
  readonly key: string;
  /** The issuer, or self-signed. */
  readonly issuer?: { readonly cn: string; readonly key: string };
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly ca?: boolean;
  /** subjectAltName entries; default DNS:ml.example.com. */
  readonly altNames?: { type: number; value?: string; ip?: string }[];
  /** The extKeyUsage extension's flags (names or OIDs); default none. */
  readonly eku?: Record<string, boolean>;
  readonly sha1?: boolean;
}

const edgeName = (cn: string) => [{ name: 'organizationName', value: 'Edge' }, { name: 'commonName', value: cn }];

function issue(spec: Issue): string {
  const extensions: object[] = [{ name: 'basicConstraints', cA: spec.ca ?? false }];
  if (!spec.ca) extensions.push({ name: 'subjectAltName', altNames: spec.altNames ?? [{ type: 2, value: 'ml.example.com' }] });
  if (spec.eku) extensions.push({ name: 'extKeyUsage', ...spec.eku });
  const cert = certificate(spec.key, edgeName(spec.cn), edgeName(spec.issuer?.cn ?? spec.cn), spec.notBefore ?? START, spec.notAfter ?? new Date('2125-01-01T00:00:00Z'), extensions);
  return signWith(cert, spec.issuer?.key ?? spec.key, spec.sha1 ? 'sha1' : 'sha256');
}

const ROOT = { cn: 'Edge Root', key: 'other.key' };
const INTERMEDIATE = { cn: 'Edge Intermediate', key: 'self-signed.key' };
const root = (over: Partial<Issue> = {}) => issue({ ...ROOT, ca: true, ...over });
const intermediate = (over: Partial<Issue> = {}) => issue({ ...INTERMEDIATE, issuer: ROOT, ca: true, ...over });
const leaf = (over: Partial<Issue> = {}) => issue({ cn: 'ml.example.com', key: 'leaf.key', issuer: INTERMEDIATE, ...over });
const chain = (...pems: string[]) => Buffer.from(pems.join(''));

describe('validateTlsMaterial: a chain made in the test', () => {
  test('passes leaf, intermediate and root', () => {
    expect(check(chain(leaf(), intermediate(), root())).findings).toEqual([]);
  });

  test('uses the certificate label in every message', () => {
    const r = check(chain(leaf()), { certificateLabel: 'tls/chain.pem' });
    expect(only(r, 'chain-incomplete')).toEqual({
      severity: Severity.WARNING,
      code: 'chain-incomplete',
      message: 'tls/chain.pem holds only the leaf certificate (CN=ml.example.com), not its issuer (CN=Edge Intermediate): clients that do not already have the intermediate certificate will fail to verify it',
      fix: 'append the intermediate certificate(s) after the leaf: cat leaf.pem intermediate.pem > cert.pem (not needed if CN=Edge Intermediate is a root your clients trust)',
    });
  });

  test('warns about a self-signed leaf with the fix', () => {
    const r = check(issue({ cn: 'ml.example.com', key: 'leaf.key' }));
    expect(only(r, 'leaf-self-signed')).toEqual({
      severity: Severity.WARNING,
      code: 'leaf-self-signed',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) is self-signed: every client must be told to trust this exact certificate, and the doc allows self-signed certificates for development only',
      fix: 'use a certificate from your CA in production; for development, azureml-tls dev-cert issues one from a local CA clients can trust once',
    });
  });

  test('names a duplicate leaf, and then the missing issuer', () => {
    const r = check(chain(leaf(), leaf()));
    expect(codes(r)).toEqual(['chain-duplicate', 'chain-incomplete']);
    expect(only(r, 'chain-duplicate')).toEqual({
      severity: Severity.WARNING,
      code: 'chain-duplicate',
      message: 'cert.pem holds the same certificate twice (CN=ml.example.com: certificates 1 and 2)',
      fix: 'remove certificate 2',
    });
  });

  test('fails if the next certificate has the issuer\'s name but not its key', () => {
    // GIVEN the fixture leaf, then a certificate named like its intermediate but with another key (with and without a
    // subject key identifier, which OpenSSL compares with the leaf's authority key identifier)
    const impostor = (ski: boolean) => {
      const name = [{ name: 'organizationName', value: 'cdk8s-azureml-tls test fixtures' }, { name: 'commonName', value: 'Test Intermediate CA' }];
      const extensions = [{ name: 'basicConstraints', cA: true }, ...(ski ? [{ name: 'subjectKeyIdentifier' }] : [])];
      return signWith(certificate('other.key', name, name, START, new Date('2125-01-01T00:00:00Z'), extensions), 'other.key');
    };
    for (const ski of [false, true]) {
      const r = check(chain(fixtureText('leaf.pem'), impostor(ski)));
      expect(only(r, 'chain-broken')).toEqual({
        severity: Severity.ERROR,
        code: 'chain-broken',
        message: 'cert.pem: certificate 1 (CN=ml.example.com) names CN=Test Intermediate CA as issuer, but its signature does not verify with the key of certificate 2',
        fix: 'the file must hold the leaf, then the intermediate that issued it, then that one\'s issuer: add the missing intermediate and remove unrelated certificates',
      });
    }
  });

  test('names the first broken link of a longer chain', () => {
    const f = only(check(chain(leaf(), intermediate(), fixtureText('root-ca.pem'))), 'chain-broken');
    expect(f.message).toBe('cert.pem: certificate 2 (CN=Edge Intermediate) is issued by CN=Edge Root, but the next certificate is CN=Test Root CA');
  });

  test('states the right order when the leaf comes last', () => {
    const f = only(check(chain(root(), intermediate(), leaf())), 'chain-order');
    expect(f).toEqual({
      severity: Severity.ERROR,
      code: 'chain-order',
      message: 'cert.pem is in the wrong order: found CN=Edge Root, CN=Edge Intermediate, CN=ml.example.com; azureml-fe needs the leaf first, then each issuer',
      fix: 'put the certificates in this order: CN=ml.example.com, CN=Edge Intermediate, CN=Edge Root',
    });
  });
});

describe('validateTlsMaterial: names on a chain made in the test', () => {
  test('suggests no wildcard for a two-label cname', () => {
    const f = only(check(chain(leaf(), intermediate()), { cname: 'contoso.com' }), 'cname-not-covered');
    expect(f).toEqual({
      severity: Severity.ERROR,
      code: 'cname-not-covered',
      message: 'the leaf certificate in cert.pem (CN=ml.example.com) does not cover sslCname contoso.com: its subjectAltName lists DNS:ml.example.com',
      fix: 'get a certificate whose subjectAltName includes DNS:contoso.com, or set sslCname to a name it lists',
    });
  });

  test('says a subjectAltName without DNS names lists none', () => {
    const f = only(check(chain(leaf({ altNames: [{ type: 1, value: 'ops@example.com' }] }), intermediate())), 'cname-not-covered');
    expect(f.message).toBe('the leaf certificate in cert.pem (CN=ml.example.com) does not cover sslCname ml.example.com: its subjectAltName lists no DNS name');
  });

  test('checks the cname lower case against the SANs', () => {
    const r = check(chain(leaf({ altNames: [{ type: 2, value: 'ML.Example.com' }] }), intermediate()), { cname: 'ml.EXAMPLE.com' });
    expect(r.findings).toEqual([]);
    expect(r.cname).toBe('ml.example.com');
  });

  test('names the lower-case cname when the subjectAltName is missing, and checks no name when the cname is invalid', () => {
    expect(only(check(fixture('leaf-no-san-chain.pem'), { cname: 'ML.example.com' }), 'san-missing').fix).toBe('get a certificate with subjectAltName = DNS:ml.example.com');
    expect(codes(check(fixture('leaf-no-san-chain.pem'), { cname: 'ml_x.example.com' }))).toEqual(['cname-invalid']);
  });
});

describe('validateTlsMaterial: time on a chain made in the test', () => {
  const at = (notBefore: Date, notAfter: Date, extra: Partial<TlsMaterialInput> = {}) => check(chain(leaf({ notBefore, notAfter }), intermediate()), extra);
  const SECOND = 1000;

  test('is valid from the first instant of notBefore', () => {
    expect(at(NOW, new Date('2125-01-01T00:00:00Z')).findings).toEqual([]);
  });

  test('is not valid one second before notBefore, with the fix', () => {
    expect(only(at(new Date(NOW.getTime() + SECOND), new Date('2125-01-01T00:00:00Z')), 'not-yet-valid')).toEqual({
      severity: Severity.ERROR,
      code: 'not-yet-valid',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) is not valid before 2026-06-01T00:00:01Z (now is 2026-06-01T00:00:00Z)',
      fix: 'use a certificate that is already valid, or wait until then (check the clock of the machine that issued it)',
    });
  });

  test('has expired one second after notAfter, with the fix', () => {
    expect(only(at(START, new Date(NOW.getTime() - SECOND)), 'expired')).toEqual({
      severity: Severity.ERROR,
      code: 'expired',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) expired on 2026-05-31T23:59:59Z (now is 2026-06-01T00:00:00Z)',
      fix: 'renew the certificate with your CA and replace cert.pem',
    });
  });

  test('is still valid at the instant of notAfter, with 0 days left', () => {
    expect(only(at(START, NOW), 'expiring-soon').message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) expires on 2026-06-01T00:00:00Z, in 0 days');
  });

  test('warns one second inside the warning period, and not at its edge', () => {
    expect(at(START, new Date(NOW.getTime() + 30 * DAY)).findings).toEqual([]);
    expect(only(at(START, new Date(NOW.getTime() + 30 * DAY - SECOND)), 'expiring-soon')).toEqual({
      severity: Severity.WARNING,
      code: 'expiring-soon',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) expires on 2026-06-30T23:59:59Z, in 29 days',
      fix: 'renew the certificate with your CA and replace cert.pem before then, then update the Secret and the extension',
    });
  });

  test('says "1 day", not "1 days"', () => {
    expect(only(at(START, new Date(NOW.getTime() + DAY + SECOND)), 'expiring-soon').message).toMatch(/, in 1 day$/);
  });

  test('tells to replace an expired or expiring intermediate, naming it by position', () => {
    const expired = check(chain(leaf(), intermediate({ notAfter: new Date(NOW.getTime() - DAY) })));
    expect(only(expired, 'expired')).toEqual({
      severity: Severity.ERROR,
      code: 'expired',
      message: 'cert.pem: certificate 2 (CN=Edge Intermediate) expired on 2026-05-31T00:00:00Z (now is 2026-06-01T00:00:00Z)',
      fix: 'get the current intermediate certificate from your CA and replace it in cert.pem',
    });
    const expiring = check(chain(leaf(), intermediate({ notAfter: new Date(NOW.getTime() + 2 * DAY) })));
    expect(only(expiring, 'expiring-soon').fix).toBe('get the current intermediate certificate from your CA and replace it in cert.pem before then, then update the Secret and the extension');
  });
});

describe('validateTlsMaterial: strength on a chain made in the test', () => {
  test('fails on a 1024-bit intermediate key, and not on a 1024-bit root', () => {
    const weak = { cn: 'Edge Intermediate', key: 'rsa1024.key' };
    const r = check(chain(leaf({ issuer: weak }), issue({ ...weak, issuer: ROOT, ca: true })));
    expect(only(r, 'weak-key')).toEqual({
      severity: Severity.ERROR,
      code: 'weak-key',
      message: 'cert.pem: certificate 2 (CN=Edge Intermediate) has a 1024-bit RSA key; at least 2048 bits are needed',
      fix: 'get a chain from your CA whose intermediates use RSA keys of at least 2048 bits',
    });
    const weakRoot = { cn: 'Edge Root', key: 'rsa1024.key' };
    expect(check(chain(leaf(), intermediate({ issuer: weakRoot }), issue({ ...weakRoot, ca: true }))).findings).toEqual([]);
  });

  test('fails on a 1024-bit leaf key with the command for a new key', () => {
    const r = validateTlsMaterial({ certificate: chain(leaf({ key: 'rsa1024.key' }), intermediate()), now: NOW });
    expect(only(r, 'weak-key').fix).toBe('create a new key (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem) and get a certificate for it');
  });

  test('fails on an intermediate signed with SHA-1, with the fix', () => {
    expect(only(check(chain(leaf(), intermediate({ sha1: true }), root())), 'weak-signature')).toEqual({
      severity: Severity.ERROR,
      code: 'weak-signature',
      message: 'cert.pem: certificate 2 (CN=Edge Intermediate) is signed with sha1WithRSAEncryption; clients reject SHA-1 and MD5 signatures',
      fix: 'get the certificate reissued with a SHA-256 signature',
    });
  });

  test('fails if the extended key usage leaves out serverAuth, naming each usage (an unknown one by its OID)', () => {
    expect(only(check(chain(leaf({ eku: { codeSigning: true, '1.2.3.4': true } }), intermediate())), 'eku-no-server-auth')).toEqual({
      severity: Severity.ERROR,
      code: 'eku-no-server-auth',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) allows only codeSigning, 1.2.3.4 (extended key usage), not TLS server authentication (serverAuth)',
      fix: 'get a certificate issued with extendedKeyUsage = serverAuth',
    });
    expect(only(check(chain(leaf({ eku: {} }), intermediate())), 'eku-no-server-auth').message).toContain('allows only nothing (extended key usage)');
  });

  test('accepts serverAuth among other usages, and anyExtendedKeyUsage', () => {
    expect(check(chain(leaf({ eku: { clientAuth: true, serverAuth: true } }), intermediate())).findings).toEqual([]);
    expect(check(chain(leaf({ eku: { '2.5.29.37.0': true } }), intermediate())).findings).toEqual([]);
  });

  test('warns if the leaf is a CA certificate, with the fix', () => {
    const r = check(chain(leaf({ ca: true }), intermediate()), { cname: undefined });
    expect(only(r, 'leaf-is-ca')).toEqual({
      severity: Severity.WARNING,
      code: 'leaf-is-ca',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) is a CA certificate (basicConstraints CA:TRUE); some clients reject a CA certificate as a server certificate',
      fix: 'issue the server certificate with basicConstraints = CA:FALSE',
    });
  });

  test('warns about an Ed25519 leaf with the whole message and fix', () => {
    const r = validateTlsMaterial({ certificate: fixture('ed25519-chain.pem'), privateKey: fixture('ed25519.key'), now: NOW });
    expect(only(r, 'key-type-unverified')).toEqual({
      severity: Severity.WARNING,
      code: 'key-type-unverified',
      message: 'cert.pem: the leaf certificate (CN=ml.example.com) has an Ed25519 key; azureml-fe documents and tests RSA keys only',
      fix: 'use an RSA key of at least 2048 bits unless you have tested this key type with azureml-fe',
    });
  });
});

describe('validateTlsMaterial: key files', () => {
  const withKey = (key: string | Buffer, extra: Partial<TlsMaterialInput> = {}) =>
    validateTlsMaterial({ certificate: fixture('leaf-chain.pem'), privateKey: key, now: NOW, ...extra });

  test('reports the key it read', () => {
    expect(withKey(fixture('leaf.key')).key).toEqual({ keyType: 'rsa', keySize: 2048 });
  });

  test('fails on two keys neither of which matches, without naming one', () => {
    const other = fixtureText('other.key');
    const r = withKey(other + other);
    expect(only(r, 'key-multiple')).toEqual({
      severity: Severity.ERROR,
      code: 'key-multiple',
      message: `key.pem holds 2 private keys (blocks at lines 1, ${other.split('\n').length}); azureml-fe needs exactly one`,
      fix: 'keep only the private key of the leaf certificate',
    });
    expect(r.key).toBeUndefined();
  });

  test('fails on two keys without a readable certificate, without naming one', () => {
    const r = validateTlsMaterial({ certificate: fixture('empty.pem'), privateKey: fixture('two-keys.key'), now: NOW });
    expect(only(r, 'key-multiple').fix).toBe('keep only the private key of the leaf certificate');
  });

  test('counts an encrypted key among the keys', () => {
    const r = withKey(fixtureText('leaf.key') + fixtureText('leaf-encrypted-pkcs8.key'));
    expect(codes(r)).toEqual(['key-encrypted', 'key-multiple']);
    expect(only(r, 'key-multiple').fix).toBe('keep only the key at line 1: it matches the leaf certificate');
    expect(r.key).toBeUndefined();
  });

  test('lists every block it found when none is a key', () => {
    expect(only(withKey(pemBlock('EC PARAMETERS') + pemBlock('EC PARAMETERS')), 'key-missing')).toEqual({
      severity: Severity.ERROR,
      code: 'key-missing',
      message: 'key.pem holds no private key (found EC PARAMETERS, EC PARAMETERS)',
      fix: 'give the unencrypted private key of the leaf certificate (a PEM "PRIVATE KEY" block)',
    });
  });

  test.each([
    ['EC PRIVATE KEY', 'ec'],
    ['RSA PRIVATE KEY', 'rsa'],
    ['DSA PRIVATE KEY', 'pkey'],
  ])('fails on an encrypted traditional %s, with the openssl %s command', (label, tool) => {
    const r = withKey(pemBlock(label, 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n'));
    expect(only(r, 'key-encrypted')).toEqual({
      severity: Severity.ERROR,
      code: 'key-encrypted',
      message: `key.pem holds an encrypted private key (${label} with Proc-Type: 4,ENCRYPTED, line 1); azureml-fe cannot use a passphrase-protected key`,
      fix: `decrypt it (it asks for the passphrase): openssl ${tool} -in key.pem -out key-plain.pem, give key-plain.pem and keep it out of git`,
    });
    expect(r.key).toBeUndefined();
  });

  test('quotes a key path with a quote in it', () => {
    const f = only(withKey(pemBlock('PRIVATE KEY'), { keyLabel: 'it\'s.pem' }), 'key-invalid');
    expect(f).toEqual({
      severity: Severity.ERROR,
      code: 'key-invalid',
      message: 'it\'s.pem: the PRIVATE KEY block at line 1 is not a readable private key',
      fix: 'export the key again, unencrypted PKCS#8: openssl pkey -in \'it\'\\\'\'s.pem\' -out key-plain.pem',
    });
  });

  test('does not quote a plain key path', () => {
    expect(only(withKey(pemBlock('PRIVATE KEY'), { keyLabel: 'tls/key_1.pem' }), 'key-invalid').fix).toBe('export the key again, unencrypted PKCS#8: openssl pkey -in tls/key_1.pem -out key-plain.pem');
  });

  test.each([
    ['X509 CRL', 'a X509 CRL block, not a private key', 'give the unencrypted PEM private key (a PEM "PRIVATE KEY" block), and nothing else, as the key file'],
    ['PKCS7', 'a PKCS7 block, not a private key', 'give the unencrypted PEM private key (a PEM "PRIVATE KEY" block), and nothing else, as the key file'],
    ['CERTIFICATE REQUEST', 'a certificate signing request, not a private key', 'give the private key the CSR was created with'],
    ['PUBLIC KEY', 'a public key, not the private key', 'give the private key (a PEM "PRIVATE KEY" block)'],
    ['CERTIFICATE', 'a certificate where the private key belongs', 'give the private key file (a PEM "PRIVATE KEY" block) as the key, and certificates only in the certificate file'],
  ])('fails on a %s block in the key file, with the fix', (label, what, fix) => {
    expect(only(withKey(fixtureText('leaf.key') + pemBlock(label)), 'unexpected-pem-block')).toEqual({
      severity: Severity.ERROR, code: 'unexpected-pem-block', message: `key.pem holds ${what} (${label} block at line 29)`, fix,
    });
  });

  test.each([
    ['X509 CRL', 'a X509 CRL block, not a certificate', 'keep only -----BEGIN CERTIFICATE----- blocks in the certificate file, leaf first'],
    ['ENCRYPTED PRIVATE KEY', 'a private key', 'remove the key from the certificate file and give it as the key file (key.pem) only'],
    ['PUBLIC KEY', 'a public key, not a certificate', 'give the certificate issued for this key (-----BEGIN CERTIFICATE-----), not the public key'],
    ['PKCS7', 'a PKCS#7 bundle, not PEM certificates', 'convert it: openssl pkcs7 -print_certs -in cert.p7b -out cert.pem'],
    ['CERTIFICATE REQUEST', 'a certificate signing request, not a certificate', 'this is a certificate signing request, not a certificate: submit it to your CA and use the certificate it returns'],
  ])('fails on a %s block in the certificate file, with the fix, and still checks the certificates', (label, what, fix) => {
    const r = check(Buffer.from(fixtureText('leaf-chain.pem') + pemBlock(label)));
    expect(r.findings).toEqual([{ severity: Severity.ERROR, code: 'unexpected-pem-block', message: `cert.pem holds ${what} (${label} block at line ${fixtureText('leaf-chain.pem').split('\n').length})`, fix }]);
    expect(r.chain).toHaveLength(2);
  });

  test('an unreadable certificate block stops the chain and key checks, but not the cname check', () => {
    const r = validateTlsMaterial({ certificate: pemBlock('CERTIFICATE'), privateKey: fixture('other.key'), cname: 'ml_x.example.com', now: NOW });
    expect(codes(r)).toEqual(['certificate-invalid', 'cname-invalid']);
    expect(only(r, 'certificate-invalid').fix).toBe('export the certificate again from its source (your CA or key vault) as PEM');
  });
});

describe('validateTlsMaterial: edges left by the second mutation run (issue #12)', () => {
  const expiredLeaf = () => leaf({ notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') });

  test('a certificate signed with the next one\'s key but naming another issuer breaks the chain', () => {
    // GIVEN a leaf signed with the intermediate's key whose issuer field names someone else
    const r = check(chain(leaf({ issuer: { cn: 'Someone Else', key: INTERMEDIATE.key } }), intermediate(), root()));
    expect(only(r, 'chain-broken').message).toBe('cert.pem: certificate 1 (CN=ml.example.com) is issued by CN=Someone Else, but the next certificate is CN=Edge Intermediate');
  });

  test('a self-signed leaf is checked for strength like any leaf (only a root\'s own signature is exempt)', () => {
    const weak = issue({ cn: 'ml.example.com', key: 'rsa1024.key' });
    expect(only(validateTlsMaterial({ certificate: weak, now: NOW }), 'weak-key').message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) has a 1024-bit RSA key; at least 2048 bits are needed');
    const sha1 = issue({ cn: 'ml.example.com', key: 'leaf.key', sha1: true });
    expect(only(check(sha1), 'weak-signature').message).toBe('cert.pem: the leaf certificate (CN=ml.example.com) is signed with sha1WithRSAEncryption; clients reject SHA-1 and MD5 signatures');
  });

  test('a damaged block after a readable certificate stops the validity and chain checks', () => {
    // GIVEN an expired leaf followed by a block without its END line: the file is not what the user meant to give
    const r = check(Buffer.from(`${expiredLeaf()}-----BEGIN CERTIFICATE-----\nMIIB\n`));
    expect(codes(r)).toEqual(['truncated']);
  });

  test('an unreadable certificate after a readable one stops the validity and chain checks', () => {
    const r = check(Buffer.from(expiredLeaf() + pemBlock('CERTIFICATE')));
    expect(codes(r)).toEqual(['certificate-invalid']);
    expect(r.chain).toHaveLength(1);
  });

  test('a key file with an error is not matched against the leaf, and its key is not reported', () => {
    // GIVEN the wrong key plus a stray certificate block: only the block is reported, the match would be a guess
    const r = validateTlsMaterial({ certificate: fixture('leaf-chain.pem'), privateKey: fixtureText('other.key') + pemBlock('CERTIFICATE'), now: NOW });
    expect(codes(r)).toEqual(['unexpected-pem-block']);
    expect(r.key).toBeUndefined();
  });
});

describe('validateTlsMaterial: extended key usages are named in the message', () => {
  test('names emailProtection, timeStamping and OCSPSigning', () => {
    const eku = { emailProtection: true, timeStamping: true, '1.3.6.1.5.5.7.3.9': true };
    expect(only(check(chain(leaf({ eku }), intermediate())), 'eku-no-server-auth').message)
      .toBe('cert.pem: the leaf certificate (CN=ml.example.com) allows only emailProtection, timeStamping, OCSPSigning (extended key usage), not TLS server authentication (serverAuth)');
  });
});
