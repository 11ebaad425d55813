import { bicepString, renderBicep } from '../../lib/render/bicep';
import { iacProtectedSettings } from '../../lib/render/iac';
import { CASES, caseNamed, HOSTILE_SETTINGS, isArc } from './fixtures';
import { bicepBalanced, bicepCode, bicepObjectBlock, unescapeBicepString } from './formats';

const RELAY_CONNECTION_STRING = 'relayRuleRef.listKeys().primaryConnectionString';

describe('bicepString', () => {
  test.each([
    ['plain', '\'plain\''],
    ['it\'s', '\'it\\\'s\''],
    ['back\\slash', '\'back\\\\slash\''],
    ['${x}', '\'\\${x}\''],
    ['$5 and {braces}', '\'$5 and {braces}\''],
    ['a\nb\tc\r', '\'a\\nb\\tc\\r\''],
    ['\u0001', '\'\\u{1}\''],
  ])('escapes %j as %s', (value, literal) => {
    expect(bicepString(value)).toBe(literal);
  });

  test('round-trips every hostile value and random text through Bicep\'s unescaping', () => {
    const alphabet = ['\\', '\'', '$', '{', '}', '"', ' ', '\n', '\t', 'a', '%', '[', ']', '\u0000', 'é'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const samples = [...Object.keys(HOSTILE_SETTINGS), ...Object.values(HOSTILE_SETTINGS)];
    for (let n = 0; n < 500; n++) {
      samples.push(Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    for (const value of samples) expect(unescapeBicepString(bicepString(value))).toBe(value);
  });
});

describe('renderBicep', () => {
  test.each(CASES)('%s matches the golden file', (_name, inputs) => {
    expect(renderBicep(inputs)).toMatchSnapshot();
  });

  test.each(CASES)('%s has balanced braces and brackets outside strings and comments', (_name, inputs) => {
    expect(bicepBalanced(renderBicep(inputs))).toBe(true);
  });

  test('scopes the extension to the existing AKS cluster, with the documented properties', () => {
    const out = renderBicep(caseNamed('aks-sslsecret'));
    expect(out).toContain('resource cluster \'Microsoft.ContainerService/managedClusters@2024-09-01\' existing = {\n  name: \'aks-prod\'\n}');
    expect(out).toContain('resource extension \'Microsoft.KubernetesConfiguration/extensions@2024-11-01\' = {\n  name: extensionName\n  scope: cluster\n  properties: {');
    expect(out).toContain('extensionType: \'microsoft.azureml.kubernetes\'\n    autoUpgradeMinorVersion: true\n    releaseTrain: \'stable\'');
    expect(out).toContain('scope: {\n      cluster: {\n        releaseNamespace: \'azureml\'\n      }\n    }');
    expect(out).toContain('param extensionName string = \'azureml\'');
    expect(out).not.toContain('identity');
  });

  test('in sslSecret mode passes no protected settings and asks for no parameter', () => {
    const out = renderBicep(caseNamed('aks-sslsecret'));
    expect(bicepObjectBlock(out, 'configurationProtectedSettings')).toBeUndefined();
    expect(out).not.toContain('@secure()');
    expect(out).toContain('the Secret azureml-fe-tls');
  });

  test('in PEM mode takes the certificate and key as @secure() parameters and explains how to pass them', () => {
    const out = renderBicep(caseNamed('aks-pem'));
    expect(out).toContain('@secure()\n@description(\'Base64 of the certificate chain PEM file (protected setting scoringFe.sslCert).\')\nparam sslCertBase64 string');
    expect(out).toContain('@secure()\n@description(\'Base64 of the private key PEM file, unencrypted (protected setting scoringFe.sslKey).\')\nparam sslKeyBase64 string');
    expect(bicepObjectBlock(out, 'configurationProtectedSettings')).toEqual([
      { key: 'scoringFe.sslCert', expression: 'sslCertBase64' },
      { key: 'scoringFe.sslKey', expression: 'sslKeyBase64' },
    ]);
    // The header explains why not loadFileAsBase64, and shows files and Key Vault as sources.
    expect(out).toMatch(/^\/\/ .*never loadFileAsBase64\(\): that function copies the file into the compiled$/m);
    expect(out).toContain('--parameters sslCertBase64="$(base64 -w0 tls/cert.pem)" sslKeyBase64="$(base64 -w0 tls/key.pem)"');
    expect(out).toContain('sslKeyBase64: vault.getSecret(');
    expect(out).toContain('"reference": { "keyVault"');
  });

  test('without PEM paths, the example uses placeholders', () => {
    expect(renderBicep(caseNamed('aks-pem-without-paths'))).toContain('sslKeyBase64="$(base64 -w0 \'<private-key.pem>\')"');
  });

  test('passes every pass-through protected setting as its own @secure() parameter', () => {
    const out = renderBicep(caseNamed('aks-additional-protected'));
    expect(bicepObjectBlock(out, 'configurationProtectedSettings')).toEqual([
      { key: 'custom-api.token', expression: 'protectedCustomApiToken' },
      { key: 'custom.apiToken', expression: 'protectedCustomApiToken2' },
    ]);
    expect(out).toContain('@secure()\n@description(\'The value of protected setting custom.apiToken.\')\nparam protectedCustomApiToken2 string');
  });

  describe('on Arc', () => {
    const inputs = caseNamed('arc-pem');
    const out = renderBicep(inputs);
    const relay = inputs.model.arcRelay;

    test('installs on the connected cluster with a system-assigned identity', () => {
      expect(out).toContain('resource cluster \'Microsoft.Kubernetes/connectedClusters@2024-01-01\' existing = {\n  name: \'arc-edge-01\'\n}');
      expect(out).toContain('  scope: cluster\n  identity: {\n    type: \'SystemAssigned\'\n  }');
      expect(out).toContain('param extensionName string = \'azureml-edge\'');
    });

    test('creates the relay when createRelay (the default): Standard namespace, hybrid connection, azureml_rw rule', () => {
      expect(out).toContain('param createRelay bool = true');
      expect(out).toContain(`resource relayNamespace 'Microsoft.Relay/namespaces@2021-11-01' = if (createRelay) {\n  name: '${relay?.namespaceName}'\n  location: 'eastus'\n  tags: {\n    created_by: 'Azure Arc-enabled ML'\n  }\n  sku: {\n    name: 'Standard'\n    tier: 'Standard'\n  }\n}`);
      expect(out).toContain(`= if (createRelay) {\n  parent: relayNamespace\n  name: 'arc-edge-01'\n  properties: {\n    requiresClientAuthorization: true\n  }\n}`);
      expect(out).toContain('= if (createRelay) {\n  parent: hybridConnection\n  name: \'azureml_rw\'\n  properties: {\n    rights: [\n      \'Manage\'\n      \'Send\'\n      \'Listen\'\n    ]\n  }\n}');
    });

    test('references the relay by the same names, so an existing one is used when createRelay is false', () => {
      expect(out).toContain(`resource relayNamespaceRef 'Microsoft.Relay/namespaces@2021-11-01' existing = {\n  name: '${relay?.namespaceName}'\n}`);
      expect(out).toContain('existing = {\n  parent: relayNamespaceRef\n  name: \'arc-edge-01\'\n}');
      expect(out).toContain('existing = {\n  parent: hybridConnectionRef\n  name: \'azureml_rw\'\n}');
    });

    test('wires the rule\'s primary connection string into both relay keys, and depends on the rule', () => {
      const entries = bicepObjectBlock(out, 'configurationProtectedSettings') ?? [];
      for (const key of relay?.connectionStringKeys ?? []) {
        expect(entries).toContainEqual({ key, expression: RELAY_CONNECTION_STRING });
      }
      expect(entries.map((e) => e.key)).toEqual(iacProtectedSettings(inputs.model).map((s) => s.key));
      expect(out).toContain('  dependsOn: [\n    relayRule\n  ]\n}');
    });

    test('keeps the hybrid connection settings literal and checks them in an output', () => {
      expect(out).toContain(`'relayserver.hybridConnectionResourceID': '${relay?.hybridConnectionResourceId}'`);
      expect(out).toContain(`output hybridConnectionMatchesSettings bool = toLower(hybridConnectionRef.id) == toLower('${relay?.hybridConnectionResourceId}')`);
    });
  });

  test('on AKS writes no relay', () => {
    for (const [, inputs] of CASES.filter(([, i]) => !isArc(i))) {
      const code = bicepCode(renderBicep(inputs));
      expect(code).not.toMatch(/Relay|relay|createRelay|listKeys/);
    }
  });

  test('keeps hostile values inside their strings', () => {
    const out = renderBicep(caseNamed('aks-hostile'));
    // Every line of code outside strings is one the renderer writes itself: no value broke out.
    const code = bicepCode(out);
    expect(code).not.toMatch(/\$\{|%\{/);
    expect(code.split('\n').filter((l) => l.includes('resourceGroup()'))).toEqual([]);
    expect(out).toContain('param extensionName string = \'ml\\\'\\${ext}\'');
  });

  test('keeps a line break in the environment name out of the code', () => {
    const out = renderBicep({ ...caseNamed('aks-sslsecret'), environment: 'dev\nresource evil' });
    expect(out).not.toMatch(/^resource evil/m);
  });
});
