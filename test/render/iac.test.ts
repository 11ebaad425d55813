import { ClusterType, ValidationError } from '../../lib/internal';
import { iacProtectedKeys, iacProtectedSettings, ProtectedValueSource, resolveIacTarget } from '../../lib/render/iac';
import { AKS, ARC, caseNamed } from './fixtures';

describe('iacProtectedKeys', () => {
  test('passes the PEM base64 keys, never the CLI-only file paths', () => {
    // GIVEN a PEM-mode model, whose protected settings hold both the paths and the base64
    const model = caseNamed('aks-pem').model;
    expect(Object.keys(model.protectedSettings)).toEqual(expect.arrayContaining(['sslCertPemFile', 'sslKeyPemFile']));
    // THEN
    expect(iacProtectedKeys(model)).toEqual(['scoringFe.sslCert', 'scoringFe.sslKey']);
  });

  test('passes pass-through protected settings, sorted', () => {
    expect(iacProtectedKeys(caseNamed('aks-additional-protected').model)).toEqual(['custom-api.token', 'custom.apiToken']);
  });

  test('is empty in sslSecret and insecure mode', () => {
    expect(iacProtectedKeys(caseNamed('aks-sslsecret').model)).toEqual([]);
    expect(iacProtectedKeys(caseNamed('aks-insecure').model)).toEqual([]);
  });
});

describe('iacProtectedSettings', () => {
  test('adds the Arc relay connection string keys and names every value\'s source', () => {
    const settings = iacProtectedSettings(caseNamed('arc-pem').model);
    expect(settings.map((s) => [s.key, s.source, s.parameterName, s.variableName])).toEqual([
      ['custom.apiToken', ProtectedValueSource.PARAMETER, 'protectedCustomApiToken', 'protected_custom_api_token'],
      ['relayServerConnectionString', ProtectedValueSource.RELAY_CONNECTION_STRING, 'relayConnectionString', 'relay_connection_string'],
      ['relayserver.relayConnectionString', ProtectedValueSource.RELAY_CONNECTION_STRING, 'relayConnectionString', 'relay_connection_string'],
      ['scoringFe.sslCert', ProtectedValueSource.CERTIFICATE, 'sslCertBase64', 'ssl_cert_pem_file'],
      ['scoringFe.sslKey', ProtectedValueSource.PRIVATE_KEY, 'sslKeyBase64', 'ssl_key_pem_file'],
    ]);
  });

  test('gives keys that map to the same name distinct, deterministic parameter names', () => {
    const names = iacProtectedSettings(caseNamed('aks-additional-protected').model).map((s) => [s.key, s.parameterName, s.variableName]);
    expect(names).toEqual([
      ['custom-api.token', 'protectedCustomApiToken', 'protected_custom_api_token'],
      ['custom.apiToken', 'protectedCustomApiToken2', 'protected_custom_api_token2'],
    ]);
  });

  test('makes identifiers of hostile keys', () => {
    const [s] = iacProtectedSettings(caseNamed('aks-hostile').model);
    expect(s.parameterName).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
    expect(s.variableName).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});

describe('resolveIacTarget', () => {
  test('resolves the cluster id, lower-case location and default extension name', () => {
    const target = resolveIacTarget(caseNamed('aks-sslsecret'));
    expect(target).toMatchObject({
      clusterType: ClusterType.AKS,
      clusterName: 'aks-prod',
      location: 'westeurope',
      clusterResourceType: 'Microsoft.ContainerService/managedClusters',
      clusterResourceId: `/subscriptions/${AKS.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
      extensionName: 'azureml',
    });
    expect(target.relay).toBeUndefined();
  });

  test('carries the relay of an Arc cluster', () => {
    const target = resolveIacTarget(caseNamed('arc-sslsecret'));
    expect(target.clusterResourceType).toBe('Microsoft.Kubernetes/connectedClusters');
    expect(target.relay?.hybridConnectionName).toBe(ARC.name);
  });

  test('fails with every missing cluster field named', () => {
    const inputs = { ...caseNamed('aks-sslsecret'), cluster: { type: ClusterType.AKS, name: 'x' } };
    expect(() => resolveIacTarget(inputs)).toThrow(ValidationError);
    expect(() => resolveIacTarget(inputs)).toThrow(/cluster\.subscriptionId[\s\S]*cluster\.resourceGroup[\s\S]*cluster\.location/);
  });
});
