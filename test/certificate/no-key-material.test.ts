import * as crypto from 'node:crypto';
import { Finding } from '../../lib/certificate/findings';
import { scanPem } from '../../lib/certificate/pem';
import { validateTlsMaterial } from '../../lib/certificate/validate';
import { corpusFiles, fixture, fixtureText, NOW } from './corpus';

/** The base64 body lines of every private key block (encrypted ones too) in the corpus. */
function privateKeyLines(): string[] {
  const lines = new Set<string>();
  for (const file of corpusFiles()) {
    const text = fixtureText(file);
    for (const m of text.matchAll(/-----BEGIN ([A-Z ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g)) {
      for (const line of m[2].split(/\r?\n/)) {
        if (/^[A-Za-z0-9+/=]{16,}$/.test(line.trim())) lines.add(line.trim());
      }
    }
  }
  return [...lines];
}

/** Every finding the corpus produces, each file tried as certificate and as key, with several partners. */
function allFindings(): Finding[] {
  const findings: Finding[] = [];
  const files = corpusFiles();
  for (const file of files) {
    for (const role of ['certificate', 'key'] as const) findings.push(...scanPem(fixture(file), role, file).findings);
    for (const key of ['leaf.key', 'other.key', 'two-keys.key', file]) {
      findings.push(...validateTlsMaterial({ certificate: fixture(file), privateKey: fixture(key), cname: 'ml.example.com', now: NOW }).findings);
    }
    for (const cert of ['leaf-chain.pem', 'leaf-with-key.pem']) {
      findings.push(...validateTlsMaterial({ certificate: fixture(cert), privateKey: fixture(file), cname: 'ml.example.com', now: NOW }).findings);
    }
  }
  return findings;
}

describe('findings never carry key material', () => {
  test('no message or fix contains a base64 line of any private key in the corpus', () => {
    // GIVEN
    const secretLines = privateKeyLines();
    expect(secretLines.length).toBeGreaterThan(100); // the corpus really has keys
    // WHEN
    const findings = allFindings();
    const json = JSON.stringify(findings);
    // THEN
    expect(findings.length).toBeGreaterThan(100); // and they really produced findings
    const leaked = secretLines.filter((line) => json.includes(line) || json.includes(line.slice(0, 24)));
    expect(leaked).toEqual([]);
  });

  test('no message or fix contains the DER key or its hex', () => {
    const der = fixture('leaf-key.der');
    const key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const d = key.export({ format: 'jwk' }).d ?? '';
    const json = JSON.stringify(allFindings());
    expect(d.length).toBeGreaterThan(100);
    expect(json).not.toContain(d.slice(0, 24));
    expect(json).not.toContain(der.toString('base64').slice(40, 80));
    expect(json).not.toContain(der.toString('hex').slice(80, 120));
  });
});
