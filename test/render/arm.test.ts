import { armExpressionString, armLiteral, renderArmTemplate } from '../../lib/render/arm';
import { iacProtectedSettings, IacInputs } from '../../lib/render/iac';
import { CASES, caseNamed, HOSTILE_SETTINGS, isArc } from './fixtures';
import { armIsExpression, armLiteralValue, jsonStrings } from './formats';

/* eslint-disable @typescript-eslint/no-explicit-any -- free-form JSON of the template */
function template(inputs: IacInputs): any {
  return JSON.parse(renderArmTemplate(inputs));
}
function extension(t: any): any {
  return t.resources.find((r: any) => r.type === 'Microsoft.KubernetesConfiguration/extensions');
}
function resource(t: any, type: string): any {
  return t.resources.find((r: any) => r.type === type);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const RULE_ID = (ns: string, hc: string) => `resourceId('Microsoft.Relay/namespaces/hybridConnections/authorizationRules', '${ns}', '${hc}', 'azureml_rw')`;

describe('armLiteral', () => {
  test.each([
    ['plain', 'plain'],
    ['[expression]', '[[expression]'],
    ['[[already]', '[[[already]'],
    ['[not closed', '[not closed'],
    ['not opened]', 'not opened]'],
    ['', ''],
  ])('writes %j as %j', (value, literal) => {
    expect(armLiteral(value)).toBe(literal);
    expect(armLiteralValue(armLiteral(value))).toBe(value);
  });

  test('round-trips every hostile key and value', () => {
    for (const value of [...Object.keys(HOSTILE_SETTINGS), ...Object.values(HOSTILE_SETTINGS)]) {
      expect(armLiteralValue(JSON.parse(JSON.stringify(armLiteral(value))))).toBe(value);
    }
  });

  test('doubles single quotes inside expressions', () => {
    expect(armExpressionString('it\'s')).toBe('\'it\'\'s\'');
  });
});

describe('renderArmTemplate', () => {
  test.each(CASES)('%s matches the golden file', (_name, inputs) => {
    expect(renderArmTemplate(inputs)).toMatchSnapshot();
  });

  test.each(CASES)('%s is a deploymentTemplate whose expressions only name declared parameters', (_name, inputs) => {
    const t = template(inputs);
    expect(t.$schema).toBe('https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
    expect(t.contentVersion).toBe('1.0.0.0');
    expect(t.metadata._generator.name).toBe('cdk8s-azureml-tls');
    const declared = Object.keys(t.parameters);
    const expressions = jsonStrings(t.resources).concat(jsonStrings(t.outputs)).map((s) => s.value).filter(armIsExpression);
    for (const e of expressions) {
      for (const [, name] of e.matchAll(/parameters\('([^']*)'\)/g)) expect(declared).toContain(name);
    }
  });

  test('installs the extension scoped to the AKS cluster with the documented properties', () => {
    const ext = extension(template(caseNamed('aks-sslsecret')));
    expect(ext).toMatchObject({
      apiVersion: '2024-11-01',
      name: '[parameters(\'extensionName\')]',
      scope: 'Microsoft.ContainerService/managedClusters/aks-prod',
      properties: {
        extensionType: 'microsoft.azureml.kubernetes',
        autoUpgradeMinorVersion: true,
        releaseTrain: 'stable',
        scope: { cluster: { releaseNamespace: 'azureml' } },
      },
    });
    expect(ext.identity).toBeUndefined();
    expect(ext.properties.configurationProtectedSettings).toBeUndefined();
  });

  test('takes PEM material and pass-through values as securestring parameters', () => {
    const t = template(caseNamed('arc-pem'));
    expect(t.parameters.sslCertBase64.type).toBe('securestring');
    expect(t.parameters.sslKeyBase64.type).toBe('securestring');
    expect(t.parameters.protectedCustomApiToken.type).toBe('securestring');
    for (const p of Object.values(t.parameters) as { type: string; defaultValue?: unknown }[]) {
      if (p.type === 'securestring') expect(p.defaultValue).toBeUndefined();
    }
    expect(extension(t).properties.configurationProtectedSettings).toMatchObject({
      'scoringFe.sslCert': '[parameters(\'sslCertBase64\')]',
      'scoringFe.sslKey': '[parameters(\'sslKeyBase64\')]',
      'custom.apiToken': '[parameters(\'protectedCustomApiToken\')]',
    });
    expect(t.metadata.notes.join('\n')).toContain('--template-file azuredeploy.json --parameters');
  });

  describe('on Arc', () => {
    const inputs = caseNamed('arc-pem');
    const t = template(inputs);
    const relay = inputs.model.arcRelay;
    const ns = relay?.namespaceName ?? '';

    test('installs on the connected cluster with a system-assigned identity', () => {
      expect(extension(t).scope).toBe('Microsoft.Kubernetes/connectedClusters/arc-edge-01');
      expect(extension(t).identity).toEqual({ type: 'SystemAssigned' });
      expect(t.parameters.extensionName.defaultValue).toBe('azureml-edge');
    });

    test('creates the relay when createRelay (default true)', () => {
      expect(t.parameters.createRelay).toMatchObject({ type: 'bool', defaultValue: true });
      const condition = '[parameters(\'createRelay\')]';
      // properties: the ARM template schema requires it on a namespace; the tag is the az CLI's.
      expect(resource(t, 'Microsoft.Relay/namespaces')).toEqual({
        condition, type: 'Microsoft.Relay/namespaces', apiVersion: '2021-11-01', name: ns, location: 'eastus',
        tags: { created_by: 'Azure Arc-enabled ML' }, sku: { name: 'Standard', tier: 'Standard' }, properties: {},
      });
      expect(resource(t, 'Microsoft.Relay/namespaces/hybridConnections')).toMatchObject({
        condition, name: `${ns}/arc-edge-01`, properties: { requiresClientAuthorization: true },
      });
      expect(resource(t, 'Microsoft.Relay/namespaces/hybridConnections/authorizationRules')).toMatchObject({
        condition, name: `${ns}/arc-edge-01/azureml_rw`, properties: { rights: ['Manage', 'Send', 'Listen'] },
      });
    });

    test('wires the rule\'s primary connection string into both relay keys, and depends on the rule', () => {
      const expected = `[listKeys(${RULE_ID(ns, 'arc-edge-01')}, '2021-11-01').primaryConnectionString]`;
      const protectedSettings = extension(t).properties.configurationProtectedSettings;
      for (const key of relay?.connectionStringKeys ?? []) expect(protectedSettings[key]).toBe(expected);
      expect(Object.keys(protectedSettings)).toEqual(iacProtectedSettings(inputs.model).map((s) => s.key));
      expect(extension(t).dependsOn).toEqual([`[${RULE_ID(ns, 'arc-edge-01')}]`]);
    });

    test('checks the literal hybrid connection settings in an output', () => {
      expect(extension(t).properties.configurationSettings['relayserver.hybridConnectionResourceID']).toBe(relay?.hybridConnectionResourceId);
      expect(t.outputs.hybridConnectionMatchesSettings.type).toBe('bool');
      expect(t.outputs.hybridConnectionMatchesSettings.value).toContain(`toLower('${relay?.hybridConnectionResourceId}')`);
    });
  });

  test('on AKS declares no relay', () => {
    for (const [, inputs] of CASES.filter(([, i]) => !isArc(i))) {
      const t = template(inputs);
      expect(t.parameters.createRelay).toBeUndefined();
      expect(t.resources).toHaveLength(1);
    }
  });

  test('escapes hostile values so ARM reads them as the literals they are', () => {
    const t = template(caseNamed('aks-hostile'));
    const settings = extension(t).properties.configurationSettings;
    expect(settings['hostile.armExpression']).toBe('[[resourceGroup().id]');
    expect(settings['hostile.armEscaped']).toBe('[[[already escaped]');
    expect(settings['hostile.quotes']).toBe(HOSTILE_SETTINGS['hostile.quotes']);
    expect(t.parameters.extensionName.defaultValue).toBe('ml\'${ext}');
  });
});
