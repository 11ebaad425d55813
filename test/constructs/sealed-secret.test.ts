import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { SealedTlsSecret, SealedTlsSecretProps } from '../../lib/constructs/delivery/sealed-secret';
import { AzureMlTlsSecret } from '../../lib/constructs/tls-secret';
import { SealingScope } from '../../lib/sealing/seal';
import { crdSchemaErrors } from '../helpers/crd-schema';
import { certFixture, failsToUnseal, NOW, SEALING_DIR, sealingFixture, unseal } from '../sealing/unseal';

const SEALING_CERT = sealingFixture('controller.pem');
const SEALING_KEY = sealingFixture('controller.key');
const TLS_CHAIN = certFixture('leaf-chain.pem');
const TLS_KEY = certFixture('leaf.key');

/** A SealedSecret as synthesized (free-form JSON). */
interface SealedManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: { encryptedData: Record<string, string>; template: { metadata: { name: string; namespace: string; annotations?: Record<string, string> }; type: string } };
}

const props: SealedTlsSecretProps = {
  secretName: 'azureml-fe-tls',
  certificatePem: TLS_CHAIN,
  privateKeyPem: TLS_KEY,
  sealingCertificatePem: SEALING_CERT,
  now: NOW,
};

function synth(overrides: Partial<SealedTlsSecretProps> = {}): SealedManifest {
  const chart = Testing.chart();
  new SealedTlsSecret(chart, 'Tls', { ...props, ...overrides });
  const manifests = Testing.synth(chart) as SealedManifest[];
  expect(manifests).toHaveLength(1);
  return manifests[0];
}

/** The manifest with every sealed value replaced by a placeholder (the snapshot shows the shape; the ciphertext is checked by unsealing). */
function withPlaceholders(m: SealedManifest): SealedManifest {
  const encryptedData = Object.fromEntries(Object.keys(m.spec.encryptedData).map((k) => [k, `<sealed ${k}>`]));
  return { ...m, spec: { ...m.spec, encryptedData } };
}

/**
 * The OAEP label the controller derives from a SealedSecret when it unseals it into `namespace/name` (written here
 * from the Sealed Secrets documentation, independently of lib/sealing).
 */
function controllerLabel(m: SealedManifest, namespace: string, name: string): string {
  const annotations = m.metadata.annotations ?? {};
  if (annotations['sealedsecrets.bitnami.com/cluster-wide'] === 'true') return '';
  if (annotations['sealedsecrets.bitnami.com/namespace-wide'] === 'true') return namespace;
  return `${namespace}/${name}`;
}

describe('SealedTlsSecret', () => {
  test('synthesizes a SealedSecret for azureml/<secretName> with cert.pem and key.pem', () => {
    // WHEN
    const m = synth();
    // THEN
    expect(withPlaceholders(m)).toMatchSnapshot();
    expect(m.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(m.kind).toBe('SealedSecret');
    expect(Object.keys(m.spec.encryptedData).sort()).toEqual(['cert.pem', 'key.pem']);
    expect(m.spec.template).toEqual({ metadata: { name: 'azureml-fe-tls', namespace: 'azureml' }, type: 'Opaque' });
    expect(m.metadata.annotations).toBeUndefined();
  });

  test.each([SealingScope.STRICT, SealingScope.NAMESPACE_WIDE, SealingScope.CLUSTER_WIDE])(
    'validates against the SealedSecret CRD schema (%s)', (scope) => {
      expect(crdSchemaErrors(synth({ scope }))).toEqual([]);
    },
  );

  test('marks namespace-wide and cluster-wide scope with the controller\'s annotations', () => {
    expect(withPlaceholders(synth({ scope: SealingScope.NAMESPACE_WIDE })).metadata).toMatchSnapshot();
    expect(synth({ scope: SealingScope.NAMESPACE_WIDE }).metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(synth({ scope: SealingScope.CLUSTER_WIDE }).metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
  });

  test('copies the scope annotation into spec.template.metadata, as kubeseal does (issue 11)', () => {
    expect(synth({ scope: SealingScope.NAMESPACE_WIDE }).spec.template.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(synth({ scope: SealingScope.CLUSTER_WIDE }).spec.template.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    // Strict scope has no annotation, on the SealedSecret or in its template.
    expect(synth({ scope: SealingScope.STRICT }).spec.template.metadata.annotations).toBeUndefined();
  });

  test.each([SealingScope.STRICT, SealingScope.NAMESPACE_WIDE, SealingScope.CLUSTER_WIDE])(
    'every value unseals to the bytes of the plain Secret (%s)', (scope) => {
      // GIVEN
      const m = synth({ scope });
      const chart = Testing.chart();
      new AzureMlTlsSecret(chart, 'Plain', { secretName: 'azureml-fe-tls', certificatePem: TLS_CHAIN, privateKeyPem: TLS_KEY });
      const plain = (Testing.synth(chart)[0] as { data: Record<string, string> }).data;
      // WHEN
      const label = controllerLabel(m, 'azureml', 'azureml-fe-tls');
      // THEN
      for (const [k, sealed] of Object.entries(m.spec.encryptedData)) {
        expect(unseal(sealed, SEALING_KEY, label).toString('base64')).toBe(plain[k]);
      }
      expect(unseal(m.spec.encryptedData['cert.pem'], SEALING_KEY, label).toString('latin1')).toBe(TLS_CHAIN);
      expect(unseal(m.spec.encryptedData['key.pem'], SEALING_KEY, label).toString('latin1')).toBe(TLS_KEY);
    },
  );

  test('strict scope: a Secret of another name or in another namespace cannot unseal the values', () => {
    // GIVEN
    const m = synth();
    // THEN
    for (const sealed of Object.values(m.spec.encryptedData)) {
      expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, 'azureml', 'azureml-fe-tls'))).toBe(false);
      expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, 'azureml', 'stolen'))).toBe(true);
      expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, 'default', 'azureml-fe-tls'))).toBe(true);
      // A copy whose scope annotation was edited derives another label and fails as well.
      expect(failsToUnseal(sealed, SEALING_KEY, 'azureml')).toBe(true);
      expect(failsToUnseal(sealed, SEALING_KEY, '')).toBe(true);
    }
  });

  test('namespace-wide scope: any name in azureml unseals, another namespace does not', () => {
    // GIVEN
    const m = synth({ scope: SealingScope.NAMESPACE_WIDE });
    // THEN
    for (const sealed of Object.values(m.spec.encryptedData)) {
      expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, 'azureml', 'azureml-fe-tls'))).toBe(false);
      expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, 'azureml', 'renamed'))).toBe(false);
      expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, 'default', 'azureml-fe-tls'))).toBe(true);
      expect(failsToUnseal(sealed, SEALING_KEY, 'azureml/azureml-fe-tls')).toBe(true);
    }
  });

  test('cluster-wide scope: any name in any namespace unseals', () => {
    // GIVEN
    const m = synth({ scope: SealingScope.CLUSTER_WIDE });
    // THEN
    for (const sealed of Object.values(m.spec.encryptedData)) {
      for (const [ns, name] of [['azureml', 'azureml-fe-tls'], ['default', 'renamed'], ['kube-system', 'x']]) {
        expect(failsToUnseal(sealed, SEALING_KEY, controllerLabel(m, ns, name))).toBe(false);
      }
      expect(failsToUnseal(sealed, SEALING_KEY, 'azureml')).toBe(true);
    }
  });

  test('is deterministic without any cache: the same props give the same manifest, byte for byte', () => {
    // GIVEN
    const first = stringify(synth());
    // WHEN
    const second = stringify(synth());
    // THEN
    expect(second).toBe(first);
    expect(stringify(synth({ scope: SealingScope.CLUSTER_WIDE }))).not.toBe(first);
  });

  test('kubeseal --recovery-unseal opens the manifest (when kubeseal is installed)', () => {
    const which = spawnSync('which', ['kubeseal'], { encoding: 'utf8' });
    if (which.status !== 0) {
      console.log('skipped: kubeseal is not installed (which kubeseal found nothing); the in-test unseal above checks the format');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealed-kubeseal-'));
    try {
      for (const scope of [SealingScope.STRICT, SealingScope.NAMESPACE_WIDE, SealingScope.CLUSTER_WIDE]) {
        // GIVEN
        const manifest = stringify(synth({ scope }));
        // WHEN
        const result = spawnSync(
          which.stdout.trim(),
          ['--recovery-unseal', '--recovery-private-key', path.join(SEALING_DIR, 'controller.key'), '--format', 'json'],
          { encoding: 'utf8', input: manifest, cwd: dir },
        );
        // THEN
        expect({ scope, status: result.status, stderr: result.stderr }).toEqual({ scope, status: 0, stderr: '' });
        const secret = JSON.parse(result.stdout) as { metadata: { name: string; namespace: string }; type: string; data: Record<string, string> };
        expect(secret.metadata).toMatchObject({ name: 'azureml-fe-tls', namespace: 'azureml' });
        expect(secret.type).toBe('Opaque');
        expect(Buffer.from(secret.data['cert.pem'], 'base64').toString('latin1')).toBe(TLS_CHAIN);
        expect(Buffer.from(secret.data['key.pem'], 'base64').toString('latin1')).toBe(TLS_KEY);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('refuses unusable input', () => {
    test('fails for an invalid Secret name', () => {
      expect(() => synth({ secretName: 'AzureML_TLS' })).toThrow(/secretName "AzureML_TLS" is not a valid Secret name: it must be a DNS-1123 subdomain/);
    });

    test('fails for an empty certificate or key', () => {
      expect(() => synth({ privateKeyPem: '  ' })).toThrow(/the certificate or the key is empty/);
    });

    test('fails for an ECDSA sealing certificate', () => {
      expect(() => synth({ sealingCertificatePem: sealingFixture('ec-controller.pem') }))
        .toThrow(/SealedTlsSecret azureml-fe-tls: the sealing certificate cannot be used: error: sealingCertificatePem: .* ECDSA .* not an RSA key/);
    });

    test('fails for a sealing certificate that has expired at now', () => {
      expect(() => synth({ now: new Date('2200-01-01T00:00:00Z') })).toThrow(/sealingCertificatePem: .* expired on 2126-/);
    });

    test('fails for a sealing "certificate" that is the controller\'s private key, without printing it', () => {
      // WHEN
      let message = '';
      try {
        synth({ sealingCertificatePem: SEALING_KEY });
      } catch (e) {
        message = (e as Error).message;
      }
      // THEN
      expect(message).toMatch(/holds no CERTIFICATE block \(it holds PRIVATE KEY\)/);
      for (const line of SEALING_KEY.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'))) {
        expect(message).not.toContain(line.slice(0, 16));
      }
    });
  });
});
