import { renderJson } from './common';
import {
  ARM_TEMPLATE_FILE_NAME, azDeploymentExample, commonNotes, generatedLine, IacInputs, iacProtectedSettings, IacProtectedSetting, iacSecureInputs,
  IacTarget, IAC_EXTENSION_TYPE, IAC_RELEASE_NAMESPACE, IAC_RELEASE_TRAIN, ProtectedValueSource, RELAY_API_VERSION, RELAY_NAMESPACE_TAGS,
  resolveIacTarget, secureDescription,
} from './iac';
import { ClusterType } from '../settings/model';

/** A JSON object of an ARM template. */
interface ArmObject {
  [key: string]: unknown;
}

const EXTENSION_API_VERSION = '2024-11-01';
const RELAY_TYPES = {
  namespace: 'Microsoft.Relay/namespaces',
  hybridConnection: 'Microsoft.Relay/namespaces/hybridConnections',
  rule: 'Microsoft.Relay/namespaces/hybridConnections/authorizationRules',
};

/**
 * A literal string as ARM reads it: a string that starts with `[` and ends with `]` is an expression, so such a
 * literal gets one more `[` in front (`[[x]` is the literal `[x]`). Property names are read the same way.
 */
export function armLiteral(value: string): string {
  return value.startsWith('[') && value.endsWith(']') ? `[${value}` : value;
}

/** A string literal inside an ARM expression: single quotes, an embedded `'` doubled. */
export function armExpressionString(value: string): string {
  return `'${value.replace(/'/g, '\'\'')}'`;
}

/**
 * An ARM template (deploymentTemplate 2019-04-01) that installs the AzureML extension on the environment's cluster:
 * the same resource, settings and relay as {@link renderBicep}, protected settings from `securestring` parameters.
 * Deterministic JSON, two-space indent, trailing newline. Holds no key material.
 * @throws ValidationError when the cluster is not fully known
 */
export function renderArmTemplate(inputs: IacInputs): string {
  const target = resolveIacTarget(inputs);
  const secrets = iacProtectedSettings(inputs.model);
  const template: ArmObject = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: metadata(inputs, target, secrets),
    parameters: parameters(target, secrets),
    resources: [...(target.relay ? relayResources(target) : []), extension(inputs, target, secrets)],
    outputs: outputs(target),
  };
  return renderJson(template);
}

function metadata(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): ArmObject {
  const notes = commonNotes(inputs, target, 'with createRelay = false, the existing ones of these names are used');
  const params = iacSecureInputs(secrets).filter((s) => s.source !== ProtectedValueSource.RELAY_CONNECTION_STRING);
  if (params.length > 0) {
    notes.push(
      'Protected settings are securestring parameters: pass them at deploy time, never write them into this file:',
      ...azDeploymentExample(inputs, target, params, ARM_TEMPLATE_FILE_NAME).map((l) => l.trim()),
      'or from Key Vault, in a parameters file: { "reference": { "keyVault": { "id": "<vault resource id>" }, "secretName": "<secret>" } } per parameter.',
    );
  }
  return {
    _generator: { name: 'cdk8s-azureml-tls' },
    description: generatedLine(inputs.environment, 'the AzureML extension (Microsoft.AzureML.Kubernetes) as an ARM template.'),
    environment: inputs.environment,
    notes,
  };
}

function parameters(target: IacTarget, secrets: IacProtectedSetting[]): ArmObject {
  const params: ArmObject = {
    extensionName: { type: 'string', defaultValue: armLiteral(target.extensionName), metadata: { description: 'The extension resource name.' } },
  };
  if (target.relay) {
    params.createRelay = {
      type: 'bool',
      defaultValue: true,
      metadata: { description: 'Create the Azure Relay the extension needs (true), or use the existing one of the same names, e.g. created by the az CLI (false).' },
    };
  }
  for (const s of iacSecureInputs(secrets).filter((p) => p.source !== ProtectedValueSource.RELAY_CONNECTION_STRING)) {
    params[s.parameterName] = { type: 'securestring', metadata: { description: secureDescription(s) } };
  }
  return params;
}

function resourceIdExpression(type: string, ...names: string[]): string {
  return `resourceId('${type}', ${names.map(armExpressionString).join(', ')})`;
}

// Spec section 3, Arc: the relay the az CLI creates, deployed only when createRelay (ARM drops a dependency on a
// resource whose condition is false, so the extension then reads the existing rule of the same names).
function relayResources(target: IacTarget): ArmObject[] {
  const r = target.relay;
  if (!r) return [];
  const condition = '[parameters(\'createRelay\')]';
  return [
    {
      condition,
      type: RELAY_TYPES.namespace,
      apiVersion: RELAY_API_VERSION,
      name: armLiteral(r.namespaceName),
      location: armLiteral(target.location),
      tags: Object.fromEntries(Object.entries(RELAY_NAMESPACE_TAGS).map(([k, v]) => [k, armLiteral(v)])),
      sku: { name: 'Standard', tier: 'Standard' },
      // The ARM template schema requires properties on a namespace; the relay needs none set.
      properties: {},
    },
    {
      condition,
      type: RELAY_TYPES.hybridConnection,
      apiVersion: RELAY_API_VERSION,
      name: armLiteral(`${r.namespaceName}/${r.hybridConnectionName}`),
      properties: { requiresClientAuthorization: true },
      dependsOn: [`[${resourceIdExpression(RELAY_TYPES.namespace, r.namespaceName)}]`],
    },
    {
      condition,
      type: RELAY_TYPES.rule,
      apiVersion: RELAY_API_VERSION,
      name: armLiteral(`${r.namespaceName}/${r.hybridConnectionName}/${r.authorizationRuleName}`),
      properties: { rights: ['Manage', 'Send', 'Listen'] },
      dependsOn: [`[${resourceIdExpression(RELAY_TYPES.hybridConnection, r.namespaceName, r.hybridConnectionName)}]`],
    },
  ];
}

function ruleIdExpression(target: IacTarget): string {
  const r = target.relay;
  if (!r) throw new Error('internal: no relay');
  return resourceIdExpression(RELAY_TYPES.rule, r.namespaceName, r.hybridConnectionName, r.authorizationRuleName);
}

function extension(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): ArmObject {
  const settings: ArmObject = {};
  for (const [k, v] of Object.entries(inputs.model.settings)) settings[armLiteral(k)] = armLiteral(v);
  const properties: ArmObject = {
    extensionType: IAC_EXTENSION_TYPE,
    autoUpgradeMinorVersion: true,
    releaseTrain: IAC_RELEASE_TRAIN,
    scope: { cluster: { releaseNamespace: IAC_RELEASE_NAMESPACE } },
    configurationSettings: settings,
  };
  if (secrets.length > 0) {
    const protectedSettings: ArmObject = {};
    for (const s of secrets) protectedSettings[armLiteral(s.key)] = protectedValue(target, s);
    properties.configurationProtectedSettings = protectedSettings;
  }
  const resource: ArmObject = {
    type: 'Microsoft.KubernetesConfiguration/extensions',
    apiVersion: EXTENSION_API_VERSION,
    name: '[parameters(\'extensionName\')]',
    // An extension resource: scope names the cluster (relative id, as Bicep compiles `scope: cluster`).
    scope: armLiteral(`${target.clusterResourceType}/${target.clusterName}`),
  };
  if (target.clusterType === ClusterType.ARC) resource.identity = { type: 'SystemAssigned' };
  resource.properties = properties;
  if (target.relay) resource.dependsOn = [`[${ruleIdExpression(target)}]`];
  return resource;
}

function protectedValue(target: IacTarget, s: IacProtectedSetting): string {
  if (s.source === ProtectedValueSource.RELAY_CONNECTION_STRING) {
    return `[listKeys(${ruleIdExpression(target)}, '${RELAY_API_VERSION}').primaryConnectionString]`;
  }
  return `[parameters('${s.parameterName}')]`;
}

function outputs(target: IacTarget): ArmObject {
  const clusterId = resourceIdExpression(target.clusterResourceType, target.clusterName);
  const out: ArmObject = {
    extensionId: {
      type: 'string',
      value: `[extensionResourceId(${clusterId}, 'Microsoft.KubernetesConfiguration/extensions', parameters('extensionName'))]`,
    },
  };
  const r = target.relay;
  if (r) {
    const hybridConnectionId = resourceIdExpression(RELAY_TYPES.hybridConnection, r.namespaceName, r.hybridConnectionName);
    out.hybridConnectionMatchesSettings = {
      type: 'bool',
      metadata: { description: 'True when relayserver.hybridConnectionResourceID in configurationSettings names the hybrid connection used here.' },
      value: `[equals(toLower(${hybridConnectionId}), toLower(${armExpressionString(r.hybridConnectionResourceId)}))]`,
    };
  }
  return out;
}
