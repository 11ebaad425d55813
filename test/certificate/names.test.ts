import { dnsNameMatches, validateCname } from '../../lib/certificate/validate';

describe('validateCname', () => {
  test('accepts a plain FQDN and lowers its case', () => {
    // WHEN
    const r = validateCname('ML.Example.COM');
    // THEN
    expect(r).toEqual({ cname: 'ml.example.com', findings: [] });
  });

  test.each([
    ['https://ml.example.com', 'a scheme (https://)', 'set sslCname to ml.example.com'],
    ['ml.example.com:443', 'a port (:443)', 'set sslCname to ml.example.com'],
    ['ml.example.com/score', 'a path (/score)', 'set sslCname to ml.example.com'],
    ['https://ML.example.com:8443/x/', 'a scheme (https://); a path (/x/); a port (:8443)', 'set sslCname to ml.example.com'],
    ['ml.example.com.', 'a trailing dot', 'set sslCname to ml.example.com'],
    [' ml.example.com', 'spaces around it', 'set sslCname to ml.example.com'],
    ['*.example.com', 'a wildcard (*.)', 'set sslCname to the exact name clients call, e.g. ml.example.com'],
    ['ml..example.com', 'an empty label', 'e.g. ml.example.com'],
    ['.ml.example.com', 'an empty label', 'e.g. ml.example.com'],
    ['ml_fe.example.com', 'characters a host name cannot hold ("_")', 'e.g. ml.example.com'],
    ['café.example.com', 'characters a host name cannot hold ("é")', 'e.g. ml.example.com'],
    ['-ml.example.com', 'a label that starts or ends with \'-\'', 'e.g. ml.example.com'],
    [`${'a'.repeat(64)}.example.com`, 'a label longer than 63 characters (64)', 'e.g. ml.example.com'],
    [`${'a.'.repeat(127)}com`, '257 characters (at most 253)', 'e.g. ml.example.com'],
    ['localhost', 'a single label', 'e.g. ml.example.com'],
    ['10.0.0.1', 'an IP address', 'e.g. ml.example.com'],
    ['', 'no host name', 'e.g. ml.example.com'],
  ])('fails if sslCname is %j', (value, problem, fix) => {
    // WHEN
    const r = validateCname(value);
    // THEN
    expect(r.cname).toBeUndefined();
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].code).toBe('cname-invalid');
    expect(r.findings[0].message).toContain(`sslCname ${JSON.stringify(value)} is not a plain host name`);
    expect(r.findings[0].message).toContain(problem);
    expect(r.findings[0].fix).toContain(fix);
  });

  test('names the field it was given', () => {
    expect(validateCname('x', 'tls.cname').findings[0].message).toMatch(/^tls\.cname "x"/);
  });

  test('accepts punycode and long-but-legal names', () => {
    expect(validateCname('xn--caf-dma.example.com').cname).toBe('xn--caf-dma.example.com');
    expect(validateCname(`${'a'.repeat(63)}.example.com`).findings).toEqual([]);
  });
});

describe('dnsNameMatches', () => {
  test.each([
    ['ml.example.com', 'ml.example.com', true],
    ['ML.Example.com', 'ml.example.com', true],
    ['ml.example.com.', 'ml.example.com', true],
    ['ml.example.com', 'other.example.com', false],
    ['*.example.com', 'ml.example.com', true],
    ['*.example.com', 'a.ml.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.com', 'example.com', false],
    ['m*.example.com', 'ml.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['', 'ml.example.com', false],
  ])('%s covers %s: %s', (pattern, name, expected) => {
    expect(dnsNameMatches(pattern, name)).toBe(expected);
  });
});
