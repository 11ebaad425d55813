import { crdSchemaErrors, k8sSchemaErrors, schemaErrors } from './validators';

// The helpers must keep rejecting invalid objects: a validator that accepts everything would pass every other test.

/** A manifest as synthesized (free-form JSON). */
type Manifest = { apiVersion?: string; kind?: string; [field: string]: unknown };

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'azureml' }, type: 'Opaque', data: { 'cert.pem': 'Y2VydA==' } };

const sealedSecret = {
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  metadata: { name: 'tls', namespace: 'azureml' },
  spec: { encryptedData: { 'cert.pem': 'AgBy3i4OJSWK+PiTySYZZA==' }, template: { metadata: { name: 'tls', namespace: 'azureml' }, type: 'Opaque' } },
};

describe('k8sSchemaErrors', () => {
  test('accepts a valid Secret', () => {
    expect(k8sSchemaErrors(secret)).toEqual([]);
  });

  test('reports a field of the wrong type', () => {
    expect(k8sSchemaErrors({ ...secret, data: { 'cert.pem': 42 } } as Manifest)).toEqual([expect.stringContaining('/data/cert.pem must be string')]);
    expect(k8sSchemaErrors({ ...secret, immutable: 'yes' } as Manifest)).toEqual([expect.stringContaining('/immutable must be boolean')]);
  });

  test('reports a custom resource, which it has no class for', () => {
    expect(k8sSchemaErrors(sealedSecret)).toEqual([expect.stringContaining('bitnami.com/v1alpha1 SealedSecret')]);
  });
});

describe('crdSchemaErrors', () => {
  test('accepts a valid SealedSecret', () => {
    expect(crdSchemaErrors(sealedSecret)).toEqual([]);
  });

  test('reports a SealedSecret without spec.encryptedData, from the model and from the vendored CRD', () => {
    const errors = crdSchemaErrors({ ...sealedSecret, spec: { template: sealedSecret.spec.template } } as Manifest);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/spec must have required property '?encryptedData'? \[@kubernetes-models\/sealed-secrets]$/),
      expect.stringMatching(/^\/spec must have required property '?encryptedData'? \[crds\/bitnami\.com_sealedsecrets\.yaml]$/),
    ]));
  });

  test('reports spec.encryptedData of the wrong type', () => {
    expect(crdSchemaErrors({ ...sealedSecret, spec: { ...sealedSecret.spec, encryptedData: 'sealed' } } as Manifest).join('\n'))
      .toContain('/spec/encryptedData must be object');
  });

  test('reports a field the vendored CRD does not declare', () => {
    expect(crdSchemaErrors({ ...sealedSecret, spec: { ...sealedSecret.spec, encryptedDta: {} } } as Manifest))
      .toEqual([expect.stringContaining('/spec must NOT have additional properties: encryptedDta [crds/bitnami.com_sealedsecrets.yaml]')]);
  });

  test('reports a built-in kind, which has no CRD', () => {
    expect(crdSchemaErrors(secret)).toEqual([expect.stringContaining('no CRD for v1 Secret')]);
  });
});

describe('schemaErrors', () => {
  test('dispatches built-in kinds and custom resources', () => {
    expect(schemaErrors(secret)).toEqual([]);
    expect(schemaErrors(sealedSecret)).toEqual([]);
    expect(schemaErrors({ ...secret, data: [] } as Manifest)).toEqual([expect.stringContaining('/data must be object')]);
  });

  test.each([
    ['an unknown kind', { apiVersion: 'v1', kind: 'Secrets' }],
    ['a known kind in an unknown version', { apiVersion: 'bitnami.com/v1', kind: 'SealedSecret', spec: sealedSecret.spec } as Manifest],
    ['an unknown group', { apiVersion: 'example.com/v9', kind: 'Nope' }],
  ])('never accepts %s', (_name, manifest) => {
    expect(schemaErrors(manifest)).toEqual([`no validator for ${manifest.apiVersion} ${manifest.kind} in test/helpers/validators.ts`]);
    expect(k8sSchemaErrors(manifest)).toHaveLength(1);
    expect(crdSchemaErrors(manifest)).toHaveLength(1);
  });

  test('reports a manifest without apiVersion or kind', () => {
    expect(schemaErrors({ kind: 'Secret' })).toEqual(['the manifest has no apiVersion or kind']);
    expect(schemaErrors({ apiVersion: 'v1' })).toEqual(['the manifest has no apiVersion or kind']);
  });
});
