import { PemKind, scanPem } from '../../lib/certificate/pem';
import { fixture, fixtureText } from './corpus';

const codes = (scan: { findings: { code: string }[] }) => scan.findings.map((f) => f.code);

describe('scanPem', () => {
  test('splits a chain into certificate blocks', () => {
    // WHEN
    const scan = scanPem(fixture('leaf-chain.pem'), 'certificate', 'cert.pem');
    // THEN
    expect(scan.findings).toEqual([]);
    expect(scan.blocks.map((b) => [b.label, b.kind, b.line])).toEqual([
      ['CERTIFICATE', PemKind.CERTIFICATE, 1],
      ['CERTIFICATE', PemKind.CERTIFICATE, 23],
    ]);
    expect(scan.blocks[0].der[0]).toBe(0x30);
    expect(scan.blocks[0].text.startsWith('-----BEGIN CERTIFICATE-----\nMII')).toBe(true);
    expect(scan.blocks[0].text.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
  });

  test.each([
    'leaf-chain-crlf.pem',
    'leaf-chain-bom.pem',
    'leaf-chain-whitespace.pem',
    'leaf-chain-bag-attributes.pem',
  ])('tolerates %s (CRLF, BOM, whitespace, text between blocks)', (file) => {
    // WHEN
    const scan = scanPem(fixture(file), 'certificate', file);
    // THEN the same blocks as the plain file, no findings
    const plain = scanPem(fixture('leaf-chain.pem'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([]);
    expect(scan.blocks.map((b) => b.der)).toEqual(plain.blocks.map((b) => b.der));
    expect(scan.blocks.map((b) => b.text)).toEqual(plain.blocks.map((b) => b.text));
  });

  test('accepts a string with a BOM character, as read with utf8', () => {
    const scan = scanPem(`\uFEFF${fixtureText('leaf.pem')}`, 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([]);
    expect(scan.blocks).toHaveLength(1);
  });

  test('accepts a string read as latin1 with the BOM bytes in it', () => {
    const scan = scanPem(fixture('leaf-chain-bom.pem').toString('latin1'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([]);
    expect(scan.blocks).toHaveLength(2);
  });

  test.each([
    ['leaf.key', 'PRIVATE KEY', PemKind.PRIVATE_KEY],
    ['leaf-traditional.key', 'RSA PRIVATE KEY', PemKind.PRIVATE_KEY],
    ['leaf-encrypted-pkcs8.key', 'ENCRYPTED PRIVATE KEY', PemKind.ENCRYPTED_PRIVATE_KEY],
    ['leaf-encrypted-traditional.key', 'RSA PRIVATE KEY', PemKind.ENCRYPTED_PRIVATE_KEY],
    ['leaf.csr', 'CERTIFICATE REQUEST', PemKind.CSR],
    ['leaf-public.pem', 'PUBLIC KEY', PemKind.PUBLIC_KEY],
    ['leaf-chain.p7b', 'PKCS7', PemKind.PKCS7],
  ])('classifies %s as %s (%s)', (file, label, kind) => {
    const scan = scanPem(fixture(file), 'key', file);
    expect(scan.findings).toEqual([]);
    expect(scan.blocks.map((b) => [b.label, b.kind])).toEqual([[label, kind]]);
  });

  test('reads the headers of a traditional encrypted key', () => {
    const [block] = scanPem(fixture('leaf-encrypted-traditional.key'), 'key', 'key.pem').blocks;
    expect(block.headers['Proc-Type']).toBe('4,ENCRYPTED');
    expect(block.headers['DEK-Info']).toMatch(/^AES-256-CBC,/);
    expect(block.text).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: .*\n\n/);
  });

  test('classifies EC PARAMETERS before a SEC1 key as other', () => {
    const scan = scanPem(fixture('ecdsa-p256-sec1.key'), 'key', 'key.pem');
    expect(scan.blocks.map((b) => [b.label, b.kind])).toEqual([
      ['EC PARAMETERS', PemKind.OTHER],
      ['EC PRIVATE KEY', PemKind.PRIVATE_KEY],
    ]);
  });

  test('fails if the file is empty or holds only whitespace', () => {
    expect(codes(scanPem(fixture('empty.pem'), 'certificate', 'cert.pem'))).toEqual(['empty']);
    const blank = scanPem(' \r\n\t\n', 'key', 'key.pem');
    expect(blank.findings).toEqual([expect.objectContaining({ code: 'empty', message: 'key.pem holds only whitespace' })]);
  });

  test('fails if the file is binary junk', () => {
    const scan = scanPem(fixture('junk.bin'), 'certificate', 'junk.bin');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'not-ascii', message: expect.stringContaining('junk.bin is not ASCII text: it is binary data') })]);
  });

  test('fails if text outside the blocks is not ASCII, and says where', () => {
    const scan = scanPem(fixture('non-ascii-comment.pem'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'not-ascii', message: expect.stringContaining('line 1, column 18') })]);
    expect(scan.findings[0].fix).toContain('az CLI');
  });

  test('fails if a string holds characters beyond latin1', () => {
    const scan = scanPem(`# \u2713\n${fixtureText('leaf.pem')}`, 'certificate', 'cert.pem');
    expect(codes(scan)).toEqual(['not-ascii']);
  });

  test('fails if the file is UTF-16', () => {
    const scan = scanPem(Buffer.from(`\uFEFF${fixtureText('leaf.pem')}`, 'utf16le'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'not-ascii', message: expect.stringContaining('UTF-16') })]);
  });

  test('fails if the certificate is DER, and gives the openssl command', () => {
    const scan = scanPem(fixture('leaf.der'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({
      code: 'der-not-pem',
      message: expect.stringContaining('cert.pem is a DER (binary) certificate'),
      fix: expect.stringContaining('openssl x509 -inform der -in cert.der -out cert.pem'),
    })]);
  });

  test('fails if the key is DER, and gives the openssl command', () => {
    const scan = scanPem(fixture('leaf-key.der'), 'key', 'key.pem');
    expect(scan.findings).toEqual([expect.objectContaining({
      code: 'der-not-pem',
      message: expect.stringContaining('a DER (binary) private key'),
      fix: expect.stringContaining('openssl pkey -inform der -in key.der -out key.pem'),
    })]);
  });

  test('fails if the file is PKCS#12, with the extraction commands for each role', () => {
    const cert = scanPem(fixture('leaf.pfx'), 'certificate', 'cert.pem');
    expect(cert.findings).toEqual([expect.objectContaining({ code: 'pkcs12-not-pem', message: 'cert.pem is a PKCS#12 (PFX) archive, not PEM text' })]);
    expect(cert.findings[0].fix).toContain('openssl pkcs12 -in cert.pfx -clcerts -nokeys -out cert.pem');
    const key = scanPem(fixture('leaf.pfx'), 'key', 'key.pem');
    expect(key.findings[0].fix).toContain('openssl pkcs12 -in cert.pfx -nocerts -nodes -out key.pem');
  });

  test('fails if a block has no END line', () => {
    const scan = scanPem(fixture('truncated.pem'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({
      code: 'truncated',
      message: 'cert.pem: the CERTIFICATE block at line 1 has no -----END CERTIFICATE----- line (the file ends first)',
    })]);
  });

  test('fails if lines are missing inside a block', () => {
    const scan = scanPem(fixture('truncated-middle.pem'), 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'truncated', message: expect.stringMatching(/is truncated: it holds \d+ bytes but its DER header says \d+/) })]);
  });

  test('fails if the body is not base64, without echoing it', () => {
    const text = fixtureText('leaf.pem').replace(/\n([A-Za-z0-9+/]{10})/, '\n%%%%$1');
    const scan = scanPem(text, 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'truncated', message: 'cert.pem: the CERTIFICATE block at line 1 is damaged: line 2 is not base64' })]);
  });

  test('fails if the base64 padding is wrong', () => {
    const text = fixtureText('leaf.pem').replace(/\n-----END/, 'A\n-----END');
    expect(codes(scanPem(text, 'certificate', 'cert.pem'))).toEqual(['truncated']);
  });

  test('fails if a BEGIN line follows before the END line, and still reads the next block', () => {
    const text = `${fixtureText('truncated.pem')}${fixtureText('leaf.pem')}`;
    const scan = scanPem(text, 'certificate', 'cert.pem');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'truncated', message: expect.stringContaining('another BEGIN line follows at line 9') })]);
    expect(scan.blocks).toHaveLength(1);
  });

  test('fails if END does not match BEGIN, or comes alone', () => {
    const mismatched = fixtureText('leaf.pem').replace('-----END CERTIFICATE-----', '-----END PRIVATE KEY-----');
    expect(scanPem(mismatched, 'certificate', 'cert.pem').findings[0].message).toContain('ends with -----END PRIVATE KEY-----');
    const lonely = scanPem('-----END CERTIFICATE-----\n', 'certificate', 'cert.pem');
    expect(lonely.findings[0]).toEqual(expect.objectContaining({ code: 'truncated', message: expect.stringContaining('without a BEGIN line') }));
  });

  test('fails if the text holds no PEM block', () => {
    const scan = scanPem(fixture('text-only.pem'), 'key', 'key.pem');
    expect(scan.findings).toEqual([expect.objectContaining({ code: 'no-pem-block', message: 'key.pem holds no PEM block (no -----BEGIN ...----- line)' })]);
  });

  test('never throws on random input', () => {
    for (let seed = 0; seed < 200; seed++) {
      const bytes = Buffer.alloc(64 + seed, 0);
      let x = seed + 1;
      for (let i = 0; i < bytes.length; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        bytes[i] = x & 0xff;
      }
      bytes[0] = 0x30;
      bytes[1] = bytes.length - 2 < 0x80 ? bytes.length - 2 : 0x81;
      expect(() => scanPem(bytes, 'certificate', 'cert.pem')).not.toThrow();
    }
  });
});
