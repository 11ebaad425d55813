/**
 * Issue 11, part 1: what the real az CLI's AzureML module sends, and the upstream schemas, mirrored in every output.
 * Hermetic: models are built in memory, no file or network is read.
 */
import { buildExtensionModel, ClusterIdentity, ClusterType, ExtensionModelInput, InferenceRouterServiceType as T, InternalLoadBalancerProvider } from '../../lib/internal';
import { renderArmTemplate } from '../../lib/render/arm';
import { renderAzCreateScript, renderAzUpdateScript } from '../../lib/render/az';
import { bicepPropertyName, renderBicep } from '../../lib/render/bicep';
import { IacInputs, iacProtectedSettings, iacSecureInputs, RELAY_NAMESPACE_TAGS } from '../../lib/render/iac';
import { renderTerraform } from '../../lib/render/terraform';
import { renderSettingsJson } from '../../lib/render/values';
import { ARC, PASS_THROUGH_SECRET } from './fixtures';
import { armStringMap, bicepObjectBlock, bicepStringMap, terraformStringMap } from './formats';

const INFERENCE = { enableInference: true, inferenceRouterServiceType: T.NODE_PORT };
const SECRET_TLS = { cname: 'ml.example.com', sslSecret: 'azureml-fe-tls' };

function iac(name: string, input: ExtensionModelInput): IacInputs {
  return { environment: name, model: buildExtensionModel(input), cluster: input.cluster as ClusterIdentity };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- free-form JSON of the outputs */
function armExtension(out: string): any {
  return JSON.parse(out).resources.find((r: any) => r.type === 'Microsoft.KubernetesConfiguration/extensions');
}
function tfExtension(out: string): any {
  return JSON.parse(out).resource.azurerm_arc_kubernetes_cluster_extension.extension ?? Object.values(JSON.parse(out).resource.azurerm_arc_kubernetes_cluster_extension)[0];
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('openshift (the CLI sets openshift=true for an OpenShift connected cluster)', () => {
  const inputs = iac('openshift', { settings: INFERENCE, tls: SECRET_TLS, cluster: { ...ARC, distribution: 'openshift' } });

  test('settings.json, Bicep, ARM and Terraform all carry openshift=true', () => {
    expect(JSON.parse(renderSettingsJson(inputs.model)).openshift).toBe('true');
    expect(bicepStringMap(renderBicep(inputs), 'configurationSettings')?.openshift).toBe('true');
    expect(armStringMap(armExtension(renderArmTemplate(inputs)).properties.configurationSettings).openshift).toBe('true');
    expect(terraformStringMap(tfExtension(renderTerraform(inputs)).configuration_settings).openshift).toBe('true');
  });
});

describe('reference mapping of pass-through connection strings', () => {
  const inputs = iac('passthrough', {
    settings: { ...INFERENCE, additionalProtectedSettings: { relayServerConnectionString: PASS_THROUGH_SECRET } },
    tls: SECRET_TLS,
    cluster: ARC,
  });

  test('sends the value under both keys from one secure parameter, and creates no relay', () => {
    expect(inputs.model.arcRelay).toBeUndefined();
    const settings = iacProtectedSettings(inputs.model);
    expect(settings.map((s) => s.key)).toEqual(['relayServerConnectionString', 'relayserver.relayConnectionString']);
    expect(settings[1]).toMatchObject({ parameterName: settings[0].parameterName, variableName: settings[0].variableName, sameValueAs: 'relayServerConnectionString' });
    expect(iacSecureInputs(settings).map((s) => s.key)).toEqual(['relayServerConnectionString']);

    const bicep = renderBicep(inputs);
    expect(bicepObjectBlock(bicep, 'configurationProtectedSettings')).toEqual([
      { key: 'relayServerConnectionString', expression: 'protectedRelayServerConnectionString' },
      { key: 'relayserver.relayConnectionString', expression: 'protectedRelayServerConnectionString' },
    ]);
    expect(bicep.match(/^param protectedRelayServerConnectionString string$/gm)).toHaveLength(1);
    expect(bicep).not.toContain('Microsoft.Relay/namespaces@');

    const arm = JSON.parse(renderArmTemplate(inputs));
    expect(Object.keys(arm.parameters).filter((p) => p.startsWith('protected'))).toEqual(['protectedRelayServerConnectionString']);
    expect(Object.values(armExtension(renderArmTemplate(inputs)).properties.configurationProtectedSettings))
      .toEqual(['[parameters(\'protectedRelayServerConnectionString\')]', '[parameters(\'protectedRelayServerConnectionString\')]']);

    const tf = JSON.parse(renderTerraform(inputs));
    expect(Object.keys(tf.variable).filter((v) => v.startsWith('protected'))).toEqual(['protected_relay_server_connection_string']);
    expect(Object.values(tfExtension(renderTerraform(inputs)).configuration_protected_settings))
      .toEqual(['${var.protected_relay_server_connection_string}', '${var.protected_relay_server_connection_string}']);
    for (const out of [bicep, JSON.stringify(arm), JSON.stringify(tf)]) expect(out).not.toContain(PASS_THROUGH_SECRET);
  });

  test('the az scripts pass only the source key: the CLI makes the copy itself', () => {
    for (const render of [renderAzCreateScript, renderAzUpdateScript]) {
      const script = render(inputs.model, { environment: 'passthrough', cluster: ARC });
      expect(script).toContain('--config-protected relayServerConnectionString="$AZUREML_PROTECTED_RELAYSERVERCONNECTIONSTRING"');
      expect(script).not.toContain('relayserver.relayConnectionString');
      expect(script).not.toContain('--configuration-');
    }
  });
});

describe('Arc with internalLoadBalancerProvider=azure (the CLI warns and sends it)', () => {
  test('every format sends internalLoadBalancerProvider and scoringFe.serviceType.internalLoadBalancer', () => {
    const inputs = iac('arc-ilb', {
      settings: { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE },
      tls: SECRET_TLS,
      cluster: ARC,
    });
    const expected = { internalLoadBalancerProvider: 'azure', 'scoringFe.serviceType.internalLoadBalancer': 'True' };
    expect(bicepStringMap(renderBicep(inputs), 'configurationSettings')).toMatchObject(expected);
    expect(armStringMap(armExtension(renderArmTemplate(inputs)).properties.configurationSettings)).toMatchObject(expected);
    expect(terraformStringMap(tfExtension(renderTerraform(inputs)).configuration_settings)).toMatchObject(expected);
  });
});

describe('Bicep property names (linter rule prefer-unquoted-property-names)', () => {
  test('identifiers are bare, names with dots or dashes stay quoted', () => {
    expect(bicepPropertyName('enableInference')).toBe('enableInference');
    expect(bicepPropertyName('cluster_name')).toBe('cluster_name');
    expect(bicepPropertyName('scoringFe.sslSecret')).toBe('\'scoringFe.sslSecret\'');
    expect(bicepPropertyName('custom-api.token')).toBe('\'custom-api.token\'');
    expect(bicepPropertyName('1st')).toBe('\'1st\'');
    expect(bicepPropertyName('it\'s')).toBe('\'it\\\'s\'');
  });

  test('the module quotes no identifier-valid property name', () => {
    const out = renderBicep(iac('names', { settings: INFERENCE, tls: SECRET_TLS, cluster: ARC }));
    expect(out).toMatch(/^ {6}enableInference: 'True'$/m);
    expect(out).toMatch(/^ {6}'scoringFe\.sslSecret': 'azureml-fe-tls'$/m);
    expect(out).toMatch(/^ {4}created_by: 'Azure Arc-enabled ML'$/m);
    expect(out).not.toMatch(/^\s*'[A-Za-z_][A-Za-z0-9_]*':/m);
  });
});

describe('the Arc relay namespace carries the CLI\'s tag, in every format', () => {
  const inputs = iac('tags', { settings: INFERENCE, tls: SECRET_TLS, cluster: ARC });

  test('created_by: Azure Arc-enabled ML', () => {
    expect(RELAY_NAMESPACE_TAGS).toEqual({ created_by: 'Azure Arc-enabled ML' });
    const arm = JSON.parse(renderArmTemplate(inputs));
    const namespace = arm.resources.find((r: { type: string }) => r.type === 'Microsoft.Relay/namespaces');
    expect(namespace.tags).toEqual({ created_by: 'Azure Arc-enabled ML' });
    // The ARM template schema requires properties on every relay resource.
    for (const r of arm.resources.filter((x: { type: string }) => x.type.startsWith('Microsoft.Relay/'))) expect(r.properties).toBeDefined();
    expect(JSON.parse(renderTerraform(inputs)).resource.azurerm_relay_namespace.relay.tags).toEqual({ created_by: 'Azure Arc-enabled ML' });
  });

  test('AKS has no relay and so no tag', () => {
    const aks = iac('aks', { settings: INFERENCE, tls: SECRET_TLS, cluster: { ...ARC, type: ClusterType.AKS } });
    expect(renderBicep(aks)).not.toContain('created_by');
  });
});
