import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { checkExtensionInput, dnsNameMatches, InferenceRouterServiceType, loadOrCreateDevCertificate, validateCname, ValidationError } from '../../lib/internal';
import { dns1123SubdomainError, labelKeyError, labelValueError } from '../../lib/settings/names';
import { FUZZ_SEED } from './arbitraries';

// Property-based tests of the name validators (issue 12): generated valid host names are accepted, and each single
// corruption of one is rejected. The validators: validateCname (sslCname, and the development certificate's names),
// the development certificate's name check (DNS names and *. wildcards), the sslCname and sslSecret rules of the
// extension, dns1123SubdomainError (Secret names) and the label key and value checks. Fixed seed, bounded runs.
const RUNS = 200;
const options = { seed: FUZZ_SEED, numRuns: RUNS };
const NOW = new Date('2027-06-01T00:00:00Z');

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const LABEL_CHARS = `${LETTERS}0123456789-`;

/** A DNS label: 1-63 of [a-z0-9-], not starting or ending with '-' (RFC 1123), often 63 long. */
function labelOf(length: fc.Arbitrary<number>): fc.Arbitrary<string> {
  return length.chain((n) => fc.array(fc.constantFrom(...LABEL_CHARS), { minLength: n, maxLength: n }))
    .map((cs) => cs.join(''))
    .filter((l) => !l.startsWith('-') && !l.endsWith('-'));
}
const label = labelOf(fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 63 }), fc.constant(63)));

/**
 * A valid host name: at least two labels, at most 253 characters. The last label (the top-level domain) holds a
 * letter: validateCname refuses an all-digit one as an IP address, on purpose.
 */
const host: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.array(label, { minLength: 1, maxLength: 5 }), label.filter((l) => /[a-z]/.test(l))).map(([ls, tld]) => [...ls, tld].join('.')),
  // Names of exactly 253 characters: three labels of 63 and one of 61.
  fc.tuple(labelOf(fc.constant(63)), labelOf(fc.constant(63)), labelOf(fc.constant(63)), labelOf(fc.constant(61)).filter((l) => /[a-z]/.test(l))).map((ls) => ls.join('.')),
).filter((h) => h.length <= 253);

/** A valid host name that is also a Secret name by Kubernetes' rules (lower case, so every generated one). */
const subdomain = host;

/** A name of exactly 254 characters whose labels are all valid: too long as a whole only. */
const host254 = fc.tuple(labelOf(fc.constant(63)), labelOf(fc.constant(63)), labelOf(fc.constant(63)), labelOf(fc.constant(62)).filter((l) => /[a-z]/.test(l))).map((ls) => ls.join('.'));

type Corruption = (h: string, at: number) => string;
const labelsOf = (h: string) => h.split('.');
const atLabel = (h: string, at: number, f: (l: string) => string) => labelsOf(h).map((l, i) => (i === at % labelsOf(h).length ? f(l) : l)).join('.');

/** Single corruptions, each of which makes a valid host name invalid. */
const CORRUPTIONS: { readonly [name: string]: Corruption } = {
  'an empty label': (h, at) => atLabel(h, at, (l) => `${l}.`),
  'a leading dot': (h) => `.${h}`,
  'a label of 64 characters': (h, at) => atLabel(h, at, () => 'a'.repeat(64)),
  'a label that starts with -': (h, at) => atLabel(h, at, (l) => `-${l}`),
  'a label that ends with -': (h, at) => atLabel(h, at, (l) => `${l}-`),
  'an illegal character': (h, at) => {
    const bad = '_!@#$%^&()=+[]{};\'",<>?\\|`~äé\u0000 *';
    const i = 1 + (at % (h.length - 1));
    return `${h.slice(0, i)}${bad[at % bad.length]}${h.slice(i)}`;
  },
  'a trailing dot': (h) => `${h}.`,
};
const corruptionArb = fc.tuple(host, fc.constantFrom(...Object.keys(CORRUPTIONS)), fc.nat()).map(([h, name, at]) => ({ name, original: h, corrupted: CORRUPTIONS[name](h, at) }));

describe('validateCname (sslCname and the development certificate names)', () => {
  test('accepts every valid host name, lowering upper case', () => {
    fc.assert(fc.property(host, fc.boolean(), (h, upper) => {
      const r = validateCname(upper ? h.toUpperCase() : h);
      expect(r.findings).toEqual([]);
      expect(r.cname).toBe(h);
    }), options);
  });

  test('rejects each single corruption, a name of 254 characters, a single label and a wildcard', () => {
    fc.assert(fc.property(corruptionArb, ({ corrupted }) => {
      const r = validateCname(corrupted);
      expect(r.cname).toBeUndefined();
      expect(r.findings).toEqual([expect.objectContaining({ code: 'cname-invalid', message: expect.stringContaining(JSON.stringify(corrupted)) })]);
    }), options);
    fc.assert(fc.property(host254, (h) => {
      expect(h).toHaveLength(254);
      expect(validateCname(h).findings.map((f) => f.message)).toEqual([expect.stringContaining('254 characters (at most 253)')]);
    }), { ...options, numRuns: 20 });
    fc.assert(fc.property(label.filter((l) => /[a-z]/.test(l)), host, (l, h) => {
      expect(validateCname(l).cname).toBeUndefined();
      expect(validateCname(`*.${h}`).cname).toBeUndefined();
    }), options);
  });
});

describe('the extension\'s sslCname and sslSecret rules', () => {
  const input = (cname: string, sslSecret = 'azureml-fe-tls') => ({
    settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER },
    tls: { cname, sslSecret },
  });

  test('a valid host name as the cname or the Secret name gives no problem', () => {
    fc.assert(fc.property(host, subdomain, (h, s) => {
      expect(checkExtensionInput(input(h, s))).toEqual([]);
    }), options);
  });

  test('a corrupted cname gives exactly one sslCname problem', () => {
    fc.assert(fc.property(corruptionArb, ({ corrupted }) => {
      expect(checkExtensionInput(input(corrupted)).map((p) => p.field)).toEqual(['sslCname']);
    }), options);
  });
});

describe('the development certificate\'s names (DNS names and *. wildcards)', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-fuzz-names-'));
  });
  afterAll(() => {
    fs.rmSync(stateDir, { recursive: true, force: true });
  });
  // Read-only over an empty state folder: the names are checked, then nothing is found, nothing made.
  const check = (extra: string) => () => loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', extraNames: [extra], now: NOW, readOnly: true });

  test('accepts a host name and a wildcard of one', () => {
    fc.assert(fc.property(host, fc.boolean(), (h, wildcard) => {
      expect(check(wildcard ? `*.${h}` : h)()).toBeUndefined();
    }), options);
  });

  test('rejects each single corruption, with or without *., naming the field', () => {
    fc.assert(fc.property(corruptionArb, fc.boolean(), ({ corrupted }, wildcard) => {
      const name = wildcard ? `*.${corrupted}` : corrupted;
      let thrown: unknown;
      try {
        check(name)();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).problems).toEqual([expect.objectContaining({ field: 'tls.certificate.selfSigned.extraNames[0]', value: name })]);
    }), options);
  });
});

describe('dnsNameMatches (a certificate SAN covering the cname)', () => {
  test('a name covers itself in any case; a wildcard covers exactly one label below its parent', () => {
    fc.assert(fc.property(host, label, label, (h, a, b) => {
      expect(dnsNameMatches(h.toUpperCase(), h)).toBe(true);
      const parentLabels = h.split('.').length;
      const wildcard = `*.${h}`;
      // *.x.y covers a.x.y, not x.y and not a.b.x.y; directly under a top-level domain (*.com) it covers nothing.
      expect(dnsNameMatches(wildcard, `${a}.${h}`)).toBe(parentLabels >= 2);
      expect(dnsNameMatches(wildcard, h)).toBe(false);
      expect(dnsNameMatches(wildcard, `${a}.${b}.${h}`)).toBe(false);
      expect(dnsNameMatches(`${a}*.${h}`, `${a}x.${h}`)).toBe(false);
    }), options);
  });
});

describe('dns1123SubdomainError (Secret and object names)', () => {
  test('accepts every valid lower-case host name, and a label of 64 (Kubernetes limits only the whole name)', () => {
    fc.assert(fc.property(subdomain, (s) => {
      expect(dns1123SubdomainError(s)).toBeUndefined();
    }), options);
    // Kubernetes' IsDNS1123Subdomain: at most 253 characters, labels of [a-z0-9-] with no length of their own.
    expect(dns1123SubdomainError(`${'a'.repeat(64)}.example.com`)).toBeUndefined();
  });

  test('rejects each single corruption but the long label, upper case and 254 characters', () => {
    fc.assert(fc.property(corruptionArb.filter((c) => c.name !== 'a label of 64 characters'), ({ corrupted }) => {
      expect(dns1123SubdomainError(corrupted)).toEqual(expect.any(String));
    }), options);
    fc.assert(fc.property(subdomain.filter((s) => /[a-z]/.test(s)), (s) => {
      expect(dns1123SubdomainError(s.toUpperCase())).toEqual(expect.any(String));
    }), options);
    fc.assert(fc.property(host254, (s) => {
      expect(dns1123SubdomainError(s)).toBe('must be at most 253 characters (is 254)');
    }), { ...options, numRuns: 20 });
  });
});

describe('label keys and values', () => {
  const NAME_CHARS = `${LETTERS}${LETTERS.toUpperCase()}0123456789-_.`;
  /** A label value or key name: 1-63 of [A-Za-z0-9-_.], starting and ending with a letter or digit. */
  const labelName = fc.integer({ min: 1, max: 63 })
    .chain((n) => fc.array(fc.constantFrom(...NAME_CHARS), { minLength: n, maxLength: n }))
    .map((cs) => cs.join(''))
    .filter((v) => /^[A-Za-z0-9]/.test(v) && /[A-Za-z0-9]$/.test(v));

  test('accepts valid values, names and prefixed keys', () => {
    fc.assert(fc.property(labelName, subdomain, (v, prefix) => {
      expect(labelValueError(v)).toBeUndefined();
      expect(labelKeyError(v)).toBeUndefined();
      expect(labelKeyError(`${prefix}/${v}`)).toBeUndefined();
    }), options);
  });

  test('rejects a value or name of 64, an empty one, one starting or ending with - _ or ., and a bad prefix', () => {
    fc.assert(fc.property(labelName, fc.constantFrom('-', '_', '.'), fc.boolean(), corruptionArb.filter((c) => c.name !== 'a label of 64 characters'), (v, edge, atStart, badPrefix) => {
      const bad = atStart ? `${edge}${v}` : `${v}${edge}`;
      expect(labelValueError(bad)).toEqual(expect.any(String));
      expect(labelKeyError(bad)).toEqual(expect.any(String));
      expect(labelValueError(`${v}${'a'.repeat(64 - v.length)}`)).toEqual(expect.any(String));
      if (!badPrefix.corrupted.includes('/')) expect(labelKeyError(`${badPrefix.corrupted}/${v}`)).toEqual(expect.any(String));
    }), options);
    expect(labelValueError('')).toEqual(expect.any(String));
    expect(labelKeyError('')).toEqual(expect.any(String));
  });
});
