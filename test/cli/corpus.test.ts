import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_PEM_FILE_BYTES } from '../../lib/certificate/read';
import { main } from '../../lib/cli/bin';
import { CORPUS_DIR, fixtureText, NOW } from '../certificate/corpus';

// `azureml-tls check` on every bad input of the certificate corpus (test/fixtures/certs, TEST FIXTURES, not secrets):
// the exit code, the message a user sees, and that no key material ever reaches the output. The CLI runs in-process
// (lib/cli/bin.ts `main`); a few cases also run the built CLI as a real process.

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const AT = NOW.toISOString().replace('.000Z', 'Z'); // 2026-06-01T00:00:00Z: the fixtures have fixed dates
const CNAME = 'ml.example.com';

/** Files made from the corpus for the cases it has no file for; `made/x` names them in the table. */
let madeDir: string;

beforeAll(() => {
  madeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-corpus-cli-'));
  const made = (name: string, text: string) => fs.writeFileSync(path.join(madeDir, name), text);
  // Only the EC PARAMETERS block of the SEC1 key: a key file without a key.
  made('ec-parameters-only.key', fixtureText('ecdsa-p256-sec1.key').split('-----BEGIN EC PRIVATE KEY')[0]);
  // The leaf certificate's body under a PRIVATE KEY label: well-formed PEM, but not a key.
  made('certificate-as-key.key', fixtureText('leaf.pem').replace(/CERTIFICATE/g, 'PRIVATE KEY'));
  // The public key's body under a CERTIFICATE label: well-formed PEM, but not a certificate.
  made('public-key-as-certificate.pem', fixtureText('leaf-public.pem').replace(/PUBLIC KEY/g, 'CERTIFICATE'));
  // The first 6 lines of the leaf key: a key cut off before its END line (its lines must still not be echoed).
  made('truncated.key', fixtureText('leaf.key').split('\n').slice(0, 6).join('\n'));
  // The intermediate twice.
  made('duplicate-chain.pem', fixtureText('leaf-chain.pem') + fixtureText('intermediate-ca.pem'));
  // A sparse file one byte over the read limit.
  made('too-large.pem', '');
  fs.truncateSync(path.join(madeDir, 'too-large.pem'), MAX_PEM_FILE_BYTES + 1);
});

afterAll(() => {
  if (madeDir) fs.rmSync(madeDir, { recursive: true, force: true });
});

/** A corpus file, or (`made/...`) a file made in beforeAll; `made/` alone is the folder itself. */
function resolve(name: string): string {
  return name.startsWith('made/') ? path.join(madeDir, name.slice('made/'.length)) : path.join(CORPUS_DIR, name);
}

/** Runs `azureml-tls check` in-process; returns the exit code and every output line (stdout then stderr). */
function check(cert: string, key: string, cname: string | undefined = CNAME): { code: number; lines: string[]; output: string } {
  const out: string[] = [];
  const err: string[] = [];
  const argv = ['check', '--cert', resolve(cert), '--key', resolve(key), ...(cname === undefined ? [] : ['--cname', cname]), '--at', AT];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  if (typeof code !== 'number') throw new Error('check answers synchronously');
  const lines = [...out, ...err].flatMap((l) => l.split('\n'));
  return { code, lines, output: lines.join('\n') };
}

// Private keys stored in binary form: their whole-file base64 is the secret text to look for.
const BINARY_KEY_FILES = new Set(['leaf-key.der', 'leaf.pfx']);

/**
 * The text that would betray key material if it appeared in the output: the base64 body lines of every private key
 * block in the file (complete or cut off), and 64-character windows of the base64 of the whole file (which also covers
 * a body printed without line breaks and DER or PKCS#12 keys). Empty when the file holds no private key.
 */
function keyMaterial(file: string): string[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile() || fs.statSync(file).size > MAX_PEM_FILE_BYTES) return [];
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('latin1');
  const secrets = new Set<string>();
  let inKey = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (/^-----BEGIN [A-Z ]*PRIVATE KEY-----$/.test(line)) inKey = true;
    else if (/^-----END /.test(line)) inKey = false;
    else if (inKey && /^[A-Za-z0-9+/=]{16,}$/.test(line)) secrets.add(line);
  }
  if (secrets.size > 0 || BINARY_KEY_FILES.has(path.basename(file))) {
    const b64 = bytes.toString('base64');
    for (let i = 0; i < b64.length; i += 64) {
      const window = b64.slice(i, i + 64);
      if (window.length >= 16) secrets.add(window);
    }
    secrets.add(b64);
    // Each key block's body as one line (printed without its line breaks).
    for (const m of text.matchAll(/-----BEGIN ([A-Z ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g)) {
      const joined = m[2].split(/\r?\n/).map((l) => l.trim()).filter((l) => /^[A-Za-z0-9+/=]+$/.test(l)).join('');
      for (let i = 0; i + 48 <= joined.length; i += 48) secrets.add(joined.slice(i, i + 48));
    }
  }
  return [...secrets];
}

/** Asserts that none of the case's key files leaks into the output. */
function expectNoKeyMaterial(output: string, files: string[]): void {
  for (const file of files) {
    const leaked = keyMaterial(resolve(file)).filter((s) => output.includes(s));
    expect({ file, leaked }).toEqual({ file, leaked: [] });
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Case {
  /** What the user sees, as the test name. */
  readonly title: string;
  readonly cert: string;
  readonly key: string;
  readonly cname?: string;
  /** The finding's severity: `error` cases exit 1, `warning` cases exit 0 (and print no error). */
  readonly severity: 'error' | 'warning';
  /** The finding code, for the reader (the assertion is on the message). */
  readonly code: string;
  /** The distinctive text of the message line (after `error: ` / `warning: `). */
  readonly message: RegExp;
}

const ERROR_CASES: Case[] = [
  // --- the key file ---
  {
    title: 'fails if the key is encrypted (PKCS#8), saying how to decrypt it',
    cert: 'leaf-chain.pem', key: 'leaf-encrypted-pkcs8.key', severity: 'error', code: 'key-encrypted',
    message: /leaf-encrypted-pkcs8\.key holds an encrypted private key \(ENCRYPTED PRIVATE KEY, line 1\); azureml-fe cannot use a passphrase-protected key.*openssl pkey -in \S*leaf-encrypted-pkcs8\.key -out key-plain\.pem/,
  },
  {
    title: 'fails if the key is encrypted (traditional Proc-Type: 4,ENCRYPTED), saying how to decrypt it with openssl rsa',
    cert: 'leaf-chain.pem', key: 'leaf-encrypted-traditional.key', severity: 'error', code: 'key-encrypted',
    message: /leaf-encrypted-traditional\.key holds an encrypted private key \(RSA PRIVATE KEY with Proc-Type: 4,ENCRYPTED, line 1\).*openssl rsa -in \S*leaf-encrypted-traditional\.key -out key-plain\.pem/,
  },
  {
    title: 'fails if the key does not belong to the leaf, naming the leaf and its fingerprint',
    cert: 'leaf-chain.pem', key: 'other.key', severity: 'error', code: 'key-mismatch',
    message: /other\.key does not belong to the leaf certificate in \S*leaf-chain\.pem \(CN=ml\.example\.com, SHA-256 fingerprint (?:[0-9A-F]{2}:){31}[0-9A-F]{2}\): their public keys differ/,
  },
  {
    title: 'fails if the key file holds two keys, saying which one matches the leaf',
    cert: 'leaf-chain.pem', key: 'two-keys.key', severity: 'error', code: 'key-multiple',
    message: /two-keys\.key holds 2 private keys \(blocks at lines 1, 29\); azureml-fe needs exactly one.*keep only the key at line 1: it matches the leaf certificate/,
  },
  {
    title: 'fails if the key file holds no private key, saying what it found instead',
    cert: 'leaf-chain.pem', key: 'made/ec-parameters-only.key', severity: 'error', code: 'key-missing',
    message: /ec-parameters-only\.key holds no private key \(found EC PARAMETERS\)/,
  },
  {
    title: 'fails if a PRIVATE KEY block is not a readable key',
    cert: 'leaf-chain.pem', key: 'made/certificate-as-key.key', severity: 'error', code: 'key-invalid',
    message: /certificate-as-key\.key: the PRIVATE KEY block at line 1 is not a readable private key/,
  },
  {
    title: 'fails if the key file is cut off before its END line',
    cert: 'leaf-chain.pem', key: 'made/truncated.key', severity: 'error', code: 'truncated',
    message: /truncated\.key: the PRIVATE KEY block at line 1 has no -----END PRIVATE KEY----- line \(the file ends first\)/,
  },
  {
    title: 'fails if the key file is empty',
    cert: 'leaf-chain.pem', key: 'empty.pem', severity: 'error', code: 'empty',
    message: /empty\.pem is empty.*give the unencrypted PEM private key/,
  },
  {
    title: 'fails if the key is DER, saying how to convert it to PEM',
    cert: 'leaf-chain.pem', key: 'leaf-key.der', severity: 'error', code: 'der-not-pem',
    message: /leaf-key\.der is a DER \(binary\) private key, not PEM text; the key file must be PEM.*openssl pkey -inform der/,
  },
  {
    title: 'fails if the key is a PFX, saying how to extract the key',
    cert: 'leaf-chain.pem', key: 'leaf.pfx', severity: 'error', code: 'pkcs12-not-pem',
    message: /leaf\.pfx is a PKCS#12 \(PFX\) archive, not PEM text.*openssl pkcs12 -in cert\.pfx -nocerts -nodes -out key\.pem/,
  },
  {
    title: 'fails if the certificate is given as the key',
    cert: 'leaf-chain.pem', key: 'leaf.pem', severity: 'error', code: 'unexpected-pem-block',
    message: /leaf\.pem holds a certificate where the private key belongs \(CERTIFICATE block at line 1\)/,
  },
  {
    title: 'fails if the public key is given as the key',
    cert: 'leaf-chain.pem', key: 'leaf-public.pem', severity: 'error', code: 'unexpected-pem-block',
    message: /leaf-public\.pem holds a public key, not the private key \(PUBLIC KEY block at line 1\)/,
  },
  {
    title: 'fails if the key file holds no PEM block',
    cert: 'leaf-chain.pem', key: 'text-only.pem', severity: 'error', code: 'no-pem-block',
    message: /text-only\.pem holds no PEM block \(no -----BEGIN \.\.\.----- line\).*"PRIVATE KEY" block/,
  },
  // --- the certificate file ---
  {
    title: 'fails if the certificate file is empty',
    cert: 'empty.pem', key: 'leaf.key', severity: 'error', code: 'empty',
    message: /empty\.pem is empty.*give the PEM certificate chain/,
  },
  {
    title: 'fails if the certificate file has a non-ASCII character, saying where',
    cert: 'non-ascii-comment.pem', key: 'leaf.key', severity: 'error', code: 'not-ascii',
    message: /non-ascii-comment\.pem is not ASCII text: it contains a non-ASCII character at line 1, column \d+/,
  },
  {
    title: 'fails if the certificate file is binary junk',
    cert: 'junk.bin', key: 'leaf.key', severity: 'error', code: 'not-ascii',
    message: /junk\.bin is not ASCII text: it is binary data, not PEM text/,
  },
  {
    title: 'fails if the certificate file ends before its END line',
    cert: 'truncated.pem', key: 'leaf.key', severity: 'error', code: 'truncated',
    message: /truncated\.pem: the CERTIFICATE block at line 1 has no -----END CERTIFICATE----- line \(the file ends first\)/,
  },
  {
    title: 'fails if a certificate lost lines in the middle, comparing its size with its DER header',
    cert: 'truncated-middle.pem', key: 'leaf.key', severity: 'error', code: 'truncated',
    message: /truncated-middle\.pem: the CERTIFICATE block at line 1 is truncated: it holds \d+ bytes but its DER header says \d+/,
  },
  {
    title: 'fails if the certificate is DER, saying how to convert it to PEM',
    cert: 'leaf.der', key: 'leaf.key', severity: 'error', code: 'der-not-pem',
    message: /leaf\.der is a DER \(binary\) certificate, not PEM text.*openssl x509 -inform der -in cert\.der -out cert\.pem/,
  },
  {
    title: 'fails if the certificate is a PFX, saying how to extract PEM files',
    cert: 'leaf.pfx', key: 'leaf.key', severity: 'error', code: 'pkcs12-not-pem',
    message: /leaf\.pfx is a PKCS#12 \(PFX\) archive, not PEM text.*openssl pkcs12 -in cert\.pfx -clcerts -nokeys -out cert\.pem/,
  },
  {
    title: 'fails if the certificate file holds a CSR, saying to submit it to the CA',
    cert: 'leaf.csr', key: 'leaf.key', severity: 'error', code: 'unexpected-pem-block',
    message: /leaf\.csr holds a certificate signing request, not a certificate \(CERTIFICATE REQUEST block at line 1\).*submit it to your CA/,
  },
  {
    title: 'fails if the certificate file is a PKCS#7 bundle, saying how to convert it',
    cert: 'leaf-chain.p7b', key: 'leaf.key', severity: 'error', code: 'unexpected-pem-block',
    message: /leaf-chain\.p7b holds a PKCS#7 bundle, not PEM certificates.*openssl pkcs7 -print_certs/,
  },
  {
    title: 'fails if the certificate file also holds the private key, without printing it',
    cert: 'leaf-with-key.pem', key: 'leaf.key', severity: 'error', code: 'unexpected-pem-block',
    message: /leaf-with-key\.pem holds a private key \(PRIVATE KEY block at line 23\).*remove the key from the certificate file/,
  },
  {
    title: 'fails if the certificate file holds no PEM block',
    cert: 'text-only.pem', key: 'leaf.key', severity: 'error', code: 'no-pem-block',
    message: /text-only\.pem holds no PEM block \(no -----BEGIN \.\.\.----- line\).*-----BEGIN CERTIFICATE-----, leaf first/,
  },
  {
    title: 'fails if a CERTIFICATE block is not a readable certificate',
    cert: 'made/public-key-as-certificate.pem', key: 'leaf.key', severity: 'error', code: 'certificate-invalid',
    message: /public-key-as-certificate\.pem: the CERTIFICATE block at line 1 is not a readable X\.509 certificate/,
  },
  {
    title: 'fails if the certificate file does not exist, naming the path',
    cert: 'made/does-not-exist.pem', key: 'leaf.key', severity: 'error', code: 'file-not-found',
    message: /certificate file \S*does-not-exist\.pem does not exist/,
  },
  {
    title: 'fails if the certificate path is a directory',
    cert: 'made/', key: 'leaf.key', severity: 'error', code: 'file-not-found',
    message: /certificate file \S*azml-corpus-cli-\S* is a directory/,
  },
  {
    title: 'fails if the certificate file is over 1 MiB, without reading it',
    cert: 'made/too-large.pem', key: 'leaf.key', severity: 'error', code: 'file-too-large',
    message: new RegExp(`too-large\\.pem is ${MAX_PEM_FILE_BYTES + 1} bytes; a PEM chain is a few KiB`),
  },
  // --- the chain ---
  {
    title: 'fails if the intermediate comes before the leaf, stating the right order',
    cert: 'leaf-chain-wrong-order.pem', key: 'leaf.key', severity: 'error', code: 'chain-order',
    message: /leaf-chain-wrong-order\.pem is in the wrong order: found CN=Test Intermediate CA, CN=ml\.example\.com; azureml-fe needs the leaf first.*put the certificates in this order: CN=ml\.example\.com, CN=Test Intermediate CA/,
  },
  {
    title: 'fails if the intermediate is missing between the leaf and the root',
    cert: 'leaf-chain-gap.pem', key: 'leaf.key', severity: 'error', code: 'chain-broken',
    message: /leaf-chain-gap\.pem: certificate 1 \(CN=ml\.example\.com\) is issued by CN=Test Intermediate CA, but the next certificate is CN=Test Root CA/,
  },
  // --- names ---
  {
    title: 'fails if the leaf has no subjectAltName, because clients ignore the CN',
    cert: 'leaf-no-san-chain.pem', key: 'leaf.key', severity: 'error', code: 'san-missing',
    message: /leaf-no-san-chain\.pem \(.*CN=ml\.example\.com\) has no subjectAltName extension: clients ignore the CN.*subjectAltName = DNS:ml\.example\.com/,
  },
  {
    title: 'fails if the leaf does not cover the cname, listing the names it does cover',
    cert: 'leaf-chain.pem', key: 'leaf.key', cname: 'other.example.com', severity: 'error', code: 'cname-not-covered',
    message: /does not cover sslCname other\.example\.com: its subjectAltName lists DNS:ml\.example\.com, DNS:ml\.internal\.example\.com, IP:10\.0\.0\.10/,
  },
  // --- validity and strength ---
  {
    title: 'fails if the leaf has expired, giving the date',
    cert: 'leaf-expired-chain.pem', key: 'leaf.key', severity: 'error', code: 'expired',
    message: /leaf-expired-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) expired on 2021-01-01T00:00:00Z \(now is 2026-06-01T00:00:00Z\)/,
  },
  {
    title: 'fails if the leaf is not valid yet, giving the date',
    cert: 'leaf-not-yet-valid-chain.pem', key: 'leaf.key', severity: 'error', code: 'not-yet-valid',
    message: /leaf-not-yet-valid-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) is not valid before 2100-01-01T00:00:00Z/,
  },
  {
    title: 'fails if the leaf has a 1024-bit RSA key',
    cert: 'rsa1024-chain.pem', key: 'rsa1024.key', severity: 'error', code: 'weak-key',
    message: /rsa1024-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) has a 1024-bit RSA key; at least 2048 bits are needed/,
  },
  {
    title: 'fails if the leaf is signed with SHA-1',
    cert: 'leaf-sha1-chain.pem', key: 'leaf.key', severity: 'error', code: 'weak-signature',
    message: /leaf-sha1-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) is signed with sha1WithRSAEncryption; clients reject SHA-1 and MD5 signatures/,
  },
  {
    title: 'fails if the leaf is for client authentication only',
    cert: 'leaf-client-auth-chain.pem', key: 'leaf.key', severity: 'error', code: 'eku-no-server-auth',
    message: /leaf-client-auth-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) allows only clientAuth \(extended key usage\), not TLS server authentication \(serverAuth\)/,
  },
];

const WARNING_CASES: Case[] = [
  {
    title: 'passes with a warning if the chain holds only the leaf, naming the missing issuer',
    cert: 'leaf.pem', key: 'leaf.key', severity: 'warning', code: 'chain-incomplete',
    message: /leaf\.pem holds only the leaf certificate \(CN=ml\.example\.com\), not its issuer \(CN=Test Intermediate CA\)/,
  },
  {
    title: 'passes with a warning if the leaf expires within 30 days, giving the days left',
    cert: 'leaf-expiring-chain.pem', key: 'leaf.key', severity: 'warning', code: 'expiring-soon',
    message: /leaf-expiring-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) expires on 2026-06-15T00:00:00Z, in 14 days/,
  },
  {
    title: 'passes with a warning if the leaf has an ECDSA key (PKCS#8), which azureml-fe does not document',
    cert: 'ecdsa-p256-chain.pem', key: 'ecdsa-p256.key', severity: 'warning', code: 'key-type-unverified',
    message: /ecdsa-p256-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) has an ECDSA key \(prime256v1\); azureml-fe documents and tests RSA keys only/,
  },
  {
    title: 'passes with a warning if the leaf has an ECDSA key (SEC1 with EC PARAMETERS)',
    cert: 'ecdsa-p256-chain.pem', key: 'ecdsa-p256-sec1.key', severity: 'warning', code: 'key-type-unverified',
    message: /has an ECDSA key \(prime256v1\); azureml-fe documents and tests RSA keys only/,
  },
  {
    title: 'passes with a warning if the leaf has an Ed25519 key',
    cert: 'ed25519-chain.pem', key: 'ed25519.key', severity: 'warning', code: 'key-type-unverified',
    message: /ed25519-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) has an Ed25519 key; azureml-fe documents and tests RSA keys only/,
  },
  {
    title: 'passes with a warning if the leaf is a CA certificate',
    cert: 'leaf-ca-true-chain.pem', key: 'leaf.key', severity: 'warning', code: 'leaf-is-ca',
    message: /leaf-ca-true-chain\.pem: the leaf certificate \(CN=ml\.example\.com\) is a CA certificate \(basicConstraints CA:TRUE\)/,
  },
  {
    title: 'passes with a warning if the leaf is self-signed, which is for development only',
    cert: 'self-signed.pem', key: 'self-signed.key', severity: 'warning', code: 'leaf-self-signed',
    message: /self-signed\.pem: the leaf certificate \(.*\) is self-signed: .*for development only/,
  },
  {
    title: 'passes with a warning if a certificate appears twice, saying which one to remove',
    cert: 'made/duplicate-chain.pem', key: 'leaf.key', severity: 'warning', code: 'chain-duplicate',
    message: /duplicate-chain\.pem holds the same certificate twice \(CN=Test Intermediate CA: certificates 2 and 3\).*remove certificate 3/,
  },
];

describe('azureml-tls check on the bad inputs of the corpus: errors exit 1', () => {
  test.each(ERROR_CASES)('$title', (c) => {
    // WHEN
    const r = check(c.cert, c.key, c.cname);
    // THEN the exit code, the message, and no key material
    expect(r.lines).toContainEqual(expect.stringMatching(new RegExp(`^error: .*${c.message.source}`)));
    expect(r.code).toBe(1);
    expectNoKeyMaterial(r.output, [c.cert, c.key]);
  });
});

describe('azureml-tls check on the corpus: warnings alone exit 0', () => {
  test.each(WARNING_CASES)('$title', (c) => {
    // WHEN
    const r = check(c.cert, c.key, c.cname);
    // THEN
    expect(r.lines).toContainEqual(expect.stringMatching(new RegExp(`^warning: .*${c.message.source}`)));
    expect(r.lines.filter((l) => l.startsWith('error: '))).toEqual([]);
    expect(r.code).toBe(0);
    expectNoKeyMaterial(r.output, [c.cert, c.key]);
  });
});

describe('azureml-tls check --cname', () => {
  test.each([
    ['https://ml.example.com', 'a scheme', /a scheme \(https:\/\/\)/],
    ['ml.example.com:443', 'a port', /a port \(:443\)/],
    ['ml.example.com.', 'a trailing dot', /a trailing dot/],
    ['ml.example.com/path', 'a path', /a path \(\/path\)/],
  ])('fails if the cname is %s (%s), naming the value and the name to use', (value, _what, problem) => {
    // WHEN the certificate and key are good, only the cname is wrong
    const r = check('leaf-chain.pem', 'leaf.key', value);
    // THEN
    const quoted = `["'\`]${escape(value)}["'\`]`;
    expect(r.lines).toContainEqual(expect.stringMatching(new RegExp(`^error: .*${quoted}.*${problem.source}.*ml\\.example\\.com`)));
    expect(r.code).toBe(1);
    expectNoKeyMaterial(r.output, ['leaf.key']);
  });

  test('accepts a cname in upper case (host names are case-insensitive)', () => {
    const r = check('leaf-chain.pem', 'leaf.key', 'ML.Example.COM');
    expect(r.lines.filter((l) => /^(error|warning): /.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expectNoKeyMaterial(r.output, ['leaf.key']);
  });

  test('passes the good chain and key of the corpus (the control case)', () => {
    const r = check('leaf-chain.pem', 'leaf.key');
    expect(r.lines.filter((l) => /^(error|warning): /.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expectNoKeyMaterial(r.output, ['leaf.key']);
  });
});

describe('the key material check itself', () => {
  test('knows the key lines of every key file the cases use, and would catch a leak', () => {
    for (const key of ['leaf.key', 'leaf-encrypted-pkcs8.key', 'leaf-encrypted-traditional.key', 'two-keys.key', 'leaf-with-key.pem', 'leaf-key.der', 'leaf.pfx', 'ecdsa-p256-sec1.key', 'ed25519.key']) {
      expect(`${key}: ${keyMaterial(resolve(key)).length > 0}`).toBe(`${key}: true`);
    }
    // The DER key is the same key as leaf.key: its base64 windows are leaf.key's body lines.
    const pemLine = fixtureText('leaf.key').split('\n')[1];
    expect(keyMaterial(resolve('leaf-key.der'))).toContain(pemLine);
    // A leak in any form would be caught: a body line, the body without line breaks, the base64 of a DER key file.
    const caught = (output: string, file: string) => keyMaterial(resolve(file)).some((s) => output.includes(s));
    expect(caught(`error: x ${pemLine} y`, 'leaf.key')).toBe(true);
    expect(caught(`error: ${fixtureText('two-keys.key').split('\n').slice(30, 34).join('')}`, 'two-keys.key')).toBe(true);
    expect(caught(`warning: ${fs.readFileSync(resolve('leaf.pfx')).toString('base64').slice(700, 800)}`, 'leaf.pfx')).toBe(true);
    expect(caught('error: key.pem holds an encrypted private key', 'leaf.key')).toBe(false);
    // No false alarms: certificates are not keys.
    expect(keyMaterial(resolve('leaf-chain.pem'))).toEqual([]);
  });
});

describe('the built CLI as a real process', () => {
  const built = fs.existsSync(BIN);
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'check', ...args, '--at', AT], { cwd: CORPUS_DIR, encoding: 'utf8', timeout: 10_000 });
    return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
  };

  test.each([
    ['the key is encrypted', ['--cert', 'leaf-chain.pem', '--key', 'leaf-encrypted-pkcs8.key', '--cname', CNAME], /^error: .*holds an encrypted private key/m, ['leaf-encrypted-pkcs8.key']],
    ['the key does not match', ['--cert', 'leaf-chain.pem', '--key', 'other.key', '--cname', CNAME], /^error: .*does not belong to the leaf certificate/m, ['other.key']],
    ['the cname has a scheme', ['--cert', 'leaf-chain.pem', '--key', 'leaf.key', '--cname', 'https://ml.example.com'], /^error: .*"https:\/\/ml\.example\.com"/m, ['leaf.key']],
  ])('exits 1 if %s', (_what, args, message, keys) => {
    if (!built) {
      console.log(`skipped: ${BIN} is missing (run npm run build first)`);
      return;
    }
    const r = run(args);
    expect(r.output).toMatch(message);
    expect(r.status).toBe(1);
    expectNoKeyMaterial(r.output, keys);
  });

  test('exits 0 on the good chain and key', () => {
    if (!built) {
      console.log(`skipped: ${BIN} is missing (run npm run build first)`);
      return;
    }
    const r = run(['--cert', 'leaf-chain.pem', '--key', 'leaf.key', '--cname', CNAME]);
    expect(r.output).not.toMatch(/^error: /m);
    expect(r.status).toBe(0);
  });
});
