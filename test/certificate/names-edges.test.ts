import { dnsNameMatches, validateCname } from '../../lib/certificate/validate';

// Edges of the sslCname check and the SAN match that names.test.ts leaves open (mutation testing, issue #12). The DNS
// rules: labels of 1-63 letters, digits and '-', not starting or ending with '-'; at most 253 characters without the
// trailing dot (RFC 1035 2.3.4, RFC 1123 2.1); a top-level label is never all digits (RFC 3696 2).

const GENERIC_FIX = 'set sslCname to the fully qualified DNS name clients call, e.g. ml.example.com';

/** The message and fix of the one finding for `cname`. */
function failure(cname: string, field?: string): { message: string; fix?: string } {
  const r = validateCname(cname, field);
  expect(r.cname).toBeUndefined();
  expect(r.findings).toHaveLength(1);
  expect(r.findings[0].code).toBe('cname-invalid');
  expect(r.findings[0].severity).toBe('error');
  return { message: r.findings[0].message, fix: r.findings[0].fix };
}

/** A name of exactly `length` characters: labels of 63, the last one shorter. */
function nameOf(length: number): string {
  const labels: string[] = [];
  let left = length;
  while (left > 64) {
    labels.push('a'.repeat(63));
    left -= 64;
  }
  labels.push('b'.repeat(left));
  return labels.join('.');
}

describe('validateCname accepts every valid host name', () => {
  test.each([
    ['a two-label name', 'contoso.com'],
    ['a one-letter label', 'a.example.com'],
    ['labels with inner dashes', 'ml-fe.my-corp.example.com'],
    ['a label ending in a digit', 'ml1.example.com'],
    ['a top-level label ending in a digit', 'ml.corp1'],
    ['a top-level label with a digit inside', 'ml.example.c0m'],
    ['an all-digit label that is not the last', '123.example.com'],
    ['punycode', 'xn--caf-dma.example.com'],
  ])('%s: %s', (_what, cname) => {
    expect(validateCname(cname)).toEqual({ cname, findings: [] });
  });

  test('accepts exactly 253 characters', () => {
    const name = nameOf(253);
    expect(name).toHaveLength(253);
    expect(validateCname(name)).toEqual({ cname: name, findings: [] });
  });
});

describe('validateCname rejects, with the exact reason', () => {
  test.each([
    ['ml-.example.com', 'a label that starts or ends with \'-\''],
    ['ml.-example.com', 'a label that starts or ends with \'-\''],
    ['ml.example.com-', 'a label that starts or ends with \'-\''],
    ['ml.123', 'an IP address, not a DNS name'],
    ['localhost', 'a single label: it must be a fully qualified name such as ml.example.com'],
    ['123', 'a single label: it must be a fully qualified name such as ml.example.com'],
    ['.', 'an empty label (two dots in a row, or a leading dot)'],
    ['ml.example..com', 'an empty label (two dots in a row, or a leading dot)'],
    ['a_b_c.example.com', 'characters a host name cannot hold ("_"); use letters, digits and \'-\', and punycode (xn--) for international names'],
    ['a_b!.example.com', 'characters a host name cannot hold ("_" "!"); use letters, digits and \'-\', and punycode (xn--) for international names'],
    ['ml.example.com:abc', 'characters a host name cannot hold (":"); use letters, digits and \'-\', and punycode (xn--) for international names; an IP address, not a DNS name'],
  ])('%j: %s', (cname, problem) => {
    expect(failure(cname)).toEqual({ message: `sslCname ${JSON.stringify(cname)} is not a plain host name: it has ${problem}`, fix: GENERIC_FIX });
  });

  test('rejects 254 characters, saying how many', () => {
    const name = nameOf(254);
    expect(failure(name).message).toBe(`sslCname "${name}" is not a plain host name: it has 254 characters (at most 253)`);
  });

  test('rejects a label of 64 characters, saying how long the first such label is', () => {
    expect(failure(`ml.${'a'.repeat(64)}.${'b'.repeat(70)}.com`).message).toMatch(/: it has a label longer than 63 characters \(64\)$/);
  });

  test('rejects an IPv6 address', () => {
    expect(failure('fe80::1').message).toBe('sslCname "fe80::1" is not a plain host name: it has a port (:1); characters a host name cannot hold (":"); '
      + 'use letters, digits and \'-\', and punycode (xn--) for international names; a single label: it must be a fully qualified name such as ml.example.com; '
      + 'an IP address, not a DNS name');
  });

  test('reports a path that starts the value, and then no host name', () => {
    expect(failure('/ml.example.com')).toEqual({ message: 'sslCname "/ml.example.com" is not a plain host name: it has a path (/ml.example.com); no host name', fix: GENERIC_FIX });
  });
});

describe('validateCname strips what is around a host name and says what it would be', () => {
  test.each([
    ['git+ssh://ml.example.com', 'a scheme (git+ssh://)', 'ml.example.com'],
    ['HTTPS://ML.example.com', 'a scheme (HTTPS://)', 'ml.example.com'],
    ['ml.example.com:', 'a port (:)', 'ml.example.com'],
    ['ml.example.com ', 'spaces around it', 'ml.example.com'],
    ['\tml.example.com\n', 'spaces around it', 'ml.example.com'],
    ['https://contoso.com', 'a scheme (https://)', 'contoso.com'],
    ['https://a.example.com', 'a scheme (https://)', 'a.example.com'],
    ['a.example.com.', 'a trailing dot', 'a.example.com'],
  ])('%j: %s, fix %s', (cname, problem, fixed) => {
    expect(failure(cname)).toEqual({ message: `sslCname ${JSON.stringify(cname)} is not a plain host name: it has ${problem}`, fix: `set sslCname to ${fixed}` });
  });

  test('gives the corrected value at exactly 253 characters, and no corrected value past that', () => {
    const ok = nameOf(253);
    expect(failure(`https://${ok}`).fix).toBe(`set sslCname to ${ok}`);
    const long = nameOf(254);
    expect(failure(`https://${long}`)).toEqual({ message: `sslCname "https://${long}" is not a plain host name: it has a scheme (https://); 254 characters (at most 253)`, fix: GENERIC_FIX });
  });

  test('gives the corrected value with a 63-character label', () => {
    const name = `${'a'.repeat(63)}.example.com`;
    expect(failure(`${name}.`).fix).toBe(`set sslCname to ${name}`);
  });

  test.each([
    ['https://ml.ex_ample.com', 'a scheme (https://); characters a host name cannot hold ("_"); use letters, digits and \'-\', and punycode (xn--) for international names'],
    ['https://-ml.example.com', 'a scheme (https://); a label that starts or ends with \'-\''],
    ['https://ml-.example.com', 'a scheme (https://); a label that starts or ends with \'-\''],
    ['https://ml.123', 'a scheme (https://); an IP address, not a DNS name'],
    ['https://localhost', 'a scheme (https://); a single label: it must be a fully qualified name such as ml.example.com'],
    [`https://${'a'.repeat(64)}.example.com`, 'a scheme (https://); a label longer than 63 characters (64)'],
  ])('gives no corrected value when stripping leaves no valid name: %j', (cname, problems) => {
    expect(failure(cname)).toEqual({ message: `sslCname ${JSON.stringify(cname)} is not a plain host name: it has ${problems}`, fix: GENERIC_FIX });
  });

  test('a wildcard gets an example one label below it, unless what is left is no valid name', () => {
    const wildcard = 'a wildcard (*.): sslCname is the one name clients call, even when the certificate is a wildcard';
    expect(failure('*.contoso.com')).toEqual({ message: `sslCname "*.contoso.com" is not a plain host name: it has ${wildcard}`, fix: 'set sslCname to the exact name clients call, e.g. ml.contoso.com' });
    expect(failure('*.ex_ample.com').fix).toBe(GENERIC_FIX);
    expect(failure('*.com')).toEqual({
      message: `sslCname "*.com" is not a plain host name: it has ${wildcard}; a single label: it must be a fully qualified name such as ml.example.com`,
      fix: GENERIC_FIX,
    });
    expect(failure('ml.*.example.com').message).toContain('characters a host name cannot hold ("*")');
  });

  test('names the field in the message and the fix', () => {
    expect(failure('https://ml.example.com', 'tls.cname')).toEqual({ message: 'tls.cname "https://ml.example.com" is not a plain host name: it has a scheme (https://)', fix: 'set tls.cname to ml.example.com' });
    expect(failure('localhost', 'tls.cname').fix).toBe('set tls.cname to the fully qualified DNS name clients call, e.g. ml.example.com');
    expect(failure('*.example.com', 'tls.cname').fix).toBe('set tls.cname to the exact name clients call, e.g. ml.example.com');
  });

  test('does not take a scheme that starts with a digit, or one without its slashes', () => {
    // '1http:' is then a host with an empty port
    expect(failure('1http://ml.example.com')).toEqual({
      message: 'sslCname "1http://ml.example.com" is not a plain host name: it has a path (//ml.example.com); a port (:); a single label: it must be a fully qualified name such as ml.example.com',
      fix: GENERIC_FIX,
    });
    expect(failure('ml:x.example.com').message).toContain('characters a host name cannot hold (":")');
  });
});

describe('dnsNameMatches edges', () => {
  test.each([
    ['ml.example.com', 'ML.EXAMPLE.COM', true],
    ['ml.example.com', 'ml.example.com.', true],
    ['*.example.com', 'ML.example.com.', true],
    ['*.example.com.', 'ml.example.com', true],
    ['*.example.com', '.example.com', false],
    ['*.example.com', 'mlexample.com', false],
    ['*.example.com', 'ml.example.org', false],
    ['*example.com', 'ml.example.com', false],
    ['*.example.com*', 'ml.example.com', false],
    ['', '', false],
    ['.', '.', false],
    ['ml.example.com', '', false],
    ['*.example.com', '', false],
  ])('%j covers %j: %s', (pattern, name, expected) => {
    expect(dnsNameMatches(pattern, name)).toBe(expected);
  });
});

describe('name edges left by the second mutation run (issue #12)', () => {
  test('a top-level label that only starts with digits is a DNS name, not an IP address', () => {
    expect(validateCname('ml.example.123abc')).toEqual({ cname: 'ml.example.123abc', findings: [] });
  });

  test('a stripped scheme gives the corrected value when the top-level label holds digits but not only digits', () => {
    expect(failure('https://ml.example.com1').fix).toBe('set sslCname to ml.example.com1');
    expect(failure('https://ml.example.1com').fix).toBe('set sslCname to ml.example.1com');
  });

  test('a path of 40 characters is shown whole, one of 41 shortened with its length', () => {
    const path40 = `/${'p'.repeat(39)}`;
    expect(failure(`ml.example.com${path40}`).message).toContain(`a path (${path40})`);
    const path41 = `/${'p'.repeat(40)}`;
    expect(failure(`ml.example.com${path41}`).message).toContain(`a path (${path41.slice(0, 40)}... (41 characters))`);
  });

  test('an empty pattern or name matches nothing, not even each other', () => {
    expect(dnsNameMatches('', '')).toBe(false);
    expect(dnsNameMatches('.', '.')).toBe(false);
    expect(dnsNameMatches('ml.example.com', '')).toBe(false);
    expect(dnsNameMatches('', 'ml.example.com')).toBe(false);
  });

  test('a wildcard not followed by a dot, or a second wildcard, covers nothing', () => {
    // '*example.com' would otherwise compare the rest after two characters, 'xample.com'
    expect(dnsNameMatches('*example.com', 'a.xample.com')).toBe(false);
    // a second '*' is not a literal to compare with the name's labels
    expect(dnsNameMatches('*.*.example.com', 'a.*.example.com')).toBe(false);
  });
});
