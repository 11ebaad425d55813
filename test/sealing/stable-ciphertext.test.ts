import { Testing } from 'cdk8s';
import { SealedTlsSecret, SealedTlsSecretProps } from '../../lib/constructs/delivery/sealed-secret';
import { SealingScope } from '../../lib/sealing/seal';
import { certFixture, NOW, privateKeyLines, sealingFixture, unseal } from './unseal';

const SEALING_CERT = sealingFixture('controller.pem');
const OTHER_SEALING_CERT = sealingFixture('other-controller.pem');
const TLS_CHAIN = certFixture('leaf-chain.pem');
const TLS_KEY = certFixture('leaf.key');
const OTHER_TLS_KEY = certFixture('other.key');

const props: SealedTlsSecretProps = {
  secretName: 'azureml-fe-tls',
  certificatePem: TLS_CHAIN,
  privateKeyPem: TLS_KEY,
  sealingCertificatePem: SEALING_CERT,
  now: NOW,
};

/** One run of the generator: a fresh chart, nothing kept from earlier runs. Returns encryptedData. */
function run(overrides: Partial<SealedTlsSecretProps> = {}): Record<string, string> {
  const chart = Testing.chart();
  new SealedTlsSecret(chart, 'Tls', { ...props, ...overrides });
  return (Testing.synth(chart)[0] as { spec: { encryptedData: Record<string, string> } }).spec.encryptedData;
}

describe('stable ciphertext without a cache (deterministic sealing)', () => {
  test('unchanged input gives identical encryptedData, run after run', () => {
    // GIVEN
    const first = run();
    // WHEN
    const second = run();
    // THEN
    expect(second).toEqual(first);
    expect(run()).toEqual(first);
  });

  test('a changed key reseals key.pem only', () => {
    const first = run();
    const second = run({ privateKeyPem: OTHER_TLS_KEY });
    expect(second['cert.pem']).toBe(first['cert.pem']);
    expect(second['key.pem']).not.toBe(first['key.pem']);
    expect(unseal(second['key.pem'], sealingFixture('controller.key'), 'azureml/azureml-fe-tls').toString('latin1')).toBe(OTHER_TLS_KEY);
  });

  test.each<[string, Partial<SealedTlsSecretProps>]>([
    ['the name (strict label)', { secretName: 'azureml-fe-tls-2' }],
    ['the scope', { scope: SealingScope.NAMESPACE_WIDE }],
    ['the sealing certificate', { sealingCertificatePem: OTHER_SEALING_CERT }],
  ])('changing %s reseals every value', (_what, change) => {
    const first = run();
    const second = run(change);
    expect(second['cert.pem']).not.toBe(first['cert.pem']);
    expect(second['key.pem']).not.toBe(first['key.pem']);
  });

  test('namespace-wide values are the same across names (their label has no name)', () => {
    const first = run({ scope: SealingScope.NAMESPACE_WIDE });
    const second = run({ scope: SealingScope.NAMESPACE_WIDE, secretName: 'renamed' });
    expect(second).toEqual(first);
  });

  test('going back to an earlier input gives back its earlier ciphertext', () => {
    const first = run();
    run({ privateKeyPem: OTHER_TLS_KEY });
    expect(run()).toEqual(first);
  });

  test('the sealed values hold no PEM text and no base64 of the key', () => {
    // GIVEN
    const text = JSON.stringify([run(), run({ scope: SealingScope.CLUSTER_WIDE })]);
    // THEN
    expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|CERTIFICATE/);
    const bodies = [TLS_KEY, TLS_CHAIN].map((pem) => Buffer.from(pem, 'latin1').toString('base64'));
    for (const b64 of bodies) expect(text).not.toContain(b64.slice(0, 40));
    for (const line of privateKeyLines(TLS_KEY)) expect(text).not.toContain(line.slice(0, 24));
  });
});
