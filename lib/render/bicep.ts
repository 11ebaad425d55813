import {
  azDeploymentExample, BICEP_FILE_NAME, commonNotes, generatedLine, IacInputs, iacProtectedSettings, IacProtectedSetting, iacSecureInputs, IacTarget,
  IAC_EXTENSION_TYPE, IAC_RELEASE_NAMESPACE, IAC_RELEASE_TRAIN, oneLine, ProtectedValueSource, RELAY_API_VERSION, resolveIacTarget,
  RELAY_NAMESPACE_TAGS, secureDescription,
} from './iac';
import { ClusterType } from '../settings/model';

const API = {
  extension: 'Microsoft.KubernetesConfiguration/extensions@2024-11-01',
  aks: 'Microsoft.ContainerService/managedClusters@2024-09-01',
  arc: 'Microsoft.Kubernetes/connectedClusters@2024-01-01',
  namespace: `Microsoft.Relay/namespaces@${RELAY_API_VERSION}`,
  hybridConnection: `Microsoft.Relay/namespaces/hybridConnections@${RELAY_API_VERSION}`,
  rule: `Microsoft.Relay/namespaces/hybridConnections/authorizationRules@${RELAY_API_VERSION}`,
};

/**
 * A Bicep string literal: single quotes, with `\`, `'` and the interpolation opener `${` escaped, and line breaks,
 * tabs and other control characters as escapes, so no value can end the string or interpolate.
 */
export function bicepString(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') out += '\\\\';
    else if (c === '\'') out += '\\\'';
    else if (c === '$' && value[i + 1] === '{') out += '\\$';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c < ' ' || c === '\u007f' || c === '\u2028' || c === '\u2029') out += `\\u{${c.charCodeAt(0).toString(16).toUpperCase()}}`;
    else out += c;
  }
  return `'${out}'`;
}

/**
 * An object property name as Bicep's linter wants it (rule prefer-unquoted-property-names): bare when it is an
 * identifier (a letter or `_`, then letters, digits or `_`), otherwise a string literal, e.g. `'scoringFe.sslSecret'`
 * (a dot or a dash needs the quotes).
 */
export function bicepPropertyName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : bicepString(name);
}

/**
 * A Bicep module that installs the AzureML extension on the environment's cluster: `Microsoft.KubernetesConfiguration/
 * extensions` scoped to the existing AKS or Arc cluster, the settings written literally, the protected settings from
 * `@secure()` parameters (never `loadFileAsBase64()`, which would copy the key into the compiled template) and, for
 * Arc, the Azure Relay the az CLI would create. Holds no key material.
 * @throws ValidationError when the cluster is not fully known
 */
export function renderBicep(inputs: IacInputs): string {
  const target = resolveIacTarget(inputs);
  const secrets = iacProtectedSettings(inputs.model);
  const sections = [
    header(inputs, target, secrets),
    ['targetScope = \'resourceGroup\''],
    parameters(target, secrets),
    cluster(target),
    target.relay ? relay(target) : [],
    extension(inputs, target, secrets),
    outputs(target),
  ];
  return `${sections.filter((s) => s.length > 0).map((s) => s.join('\n')).join('\n\n')}\n`;
}

function header(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): string[] {
  const lines = [
    generatedLine(inputs.environment, 'the AzureML extension (Microsoft.AzureML.Kubernetes) as a Bicep module.'),
    ...commonNotes(inputs, target, 'with createRelay = false, the existing ones of these names are used'),
  ];
  const params = iacSecureInputs(secrets).filter((s) => s.source !== ProtectedValueSource.RELAY_CONNECTION_STRING);
  if (params.length > 0) lines.push('', ...secureParameterHelp(inputs, target, params));
  return lines.map((l) => (l === '' ? '//' : `// ${oneLine(l)}`));
}

// Spec section 4: loadFileAsBase64() hard-codes the file into the compiled template; keys go in as secure parameters.
function secureParameterHelp(inputs: IacInputs, target: IacTarget, params: IacProtectedSetting[]): string[] {
  const keyVault = params.map((p) => `    ${p.parameterName}: vault.getSecret('<secret for ${p.parameterName}>')`);
  return [
    'Protected settings are @secure() parameters, never loadFileAsBase64(): that function copies the file into the compiled',
    'ARM template, so the private key would sit in build output and in the deployment history. Pass them at deploy time:',
    ...azDeploymentExample(inputs, target, params, BICEP_FILE_NAME),
    'or from Key Vault secrets holding the same text, in a parent Bicep file:',
    '  resource vault \'Microsoft.KeyVault/vaults@2023-07-01\' existing = { name: \'<vault>\' }',
    `  module azureml '${BICEP_FILE_NAME}' = {`,
    '    name: \'azureml-extension\'',
    '    params: {',
    ...keyVault.map((l) => `  ${l}`),
    '    }',
    '  }',
    'or in a parameters file: { "reference": { "keyVault": { "id": "<vault resource id>" }, "secretName": "<secret>" } } per parameter.',
  ];
}

function parameters(target: IacTarget, secrets: IacProtectedSetting[]): string[] {
  const lines = [
    '@description(\'The extension resource name.\')',
    `param extensionName string = ${bicepString(target.extensionName)}`,
  ];
  if (target.relay) {
    lines.push(
      '',
      '@description(\'Create the Azure Relay the extension needs (true), or use the existing one of the same names, e.g. created by the az CLI (false).\')',
      'param createRelay bool = true',
    );
  }
  for (const s of iacSecureInputs(secrets).filter((p) => p.source !== ProtectedValueSource.RELAY_CONNECTION_STRING)) {
    lines.push('', '@secure()', `@description(${bicepString(secureDescription(s))})`, `param ${s.parameterName} string`);
  }
  return lines;
}

function cluster(target: IacTarget): string[] {
  const type = target.clusterType === ClusterType.ARC ? API.arc : API.aks;
  return [`resource cluster '${type}' existing = {`, `  name: ${bicepString(target.clusterName)}`, '}'];
}

// Spec section 3, Arc: the relay the az CLI creates. Created when createRelay, then always read through `existing`
// references of the same names, so the connection string comes from the same rule either way.
function relay(target: IacTarget): string[] {
  const r = target.relay;
  if (!r) return [];
  return [
    `resource relayNamespace '${API.namespace}' = if (createRelay) {`,
    `  name: ${bicepString(r.namespaceName)}`,
    `  location: ${bicepString(target.location)}`,
    '  tags: {',
    ...Object.entries(RELAY_NAMESPACE_TAGS).map(([k, v]) => `    ${bicepPropertyName(k)}: ${bicepString(v)}`),
    '  }',
    '  sku: {',
    '    name: \'Standard\'',
    '    tier: \'Standard\'',
    '  }',
    '}',
    '',
    `resource hybridConnection '${API.hybridConnection}' = if (createRelay) {`,
    '  parent: relayNamespace',
    `  name: ${bicepString(r.hybridConnectionName)}`,
    '  properties: {',
    '    requiresClientAuthorization: true',
    '  }',
    '}',
    '',
    `resource relayRule '${API.rule}' = if (createRelay) {`,
    '  parent: hybridConnection',
    `  name: ${bicepString(r.authorizationRuleName)}`,
    '  properties: {',
    '    rights: [',
    '      \'Manage\'',
    '      \'Send\'',
    '      \'Listen\'',
    '    ]',
    '  }',
    '}',
    '',
    '// The same relay by name, whether created above or already there (createRelay = false).',
    `resource relayNamespaceRef '${API.namespace}' existing = {`,
    `  name: ${bicepString(r.namespaceName)}`,
    '}',
    '',
    `resource hybridConnectionRef '${API.hybridConnection}' existing = {`,
    '  parent: relayNamespaceRef',
    `  name: ${bicepString(r.hybridConnectionName)}`,
    '}',
    '',
    `resource relayRuleRef '${API.rule}' existing = {`,
    '  parent: hybridConnectionRef',
    `  name: ${bicepString(r.authorizationRuleName)}`,
    '}',
  ];
}

function extension(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): string[] {
  const lines = [`resource extension '${API.extension}' = {`, '  name: extensionName', '  scope: cluster'];
  if (target.clusterType === ClusterType.ARC) lines.push('  identity: {', '    type: \'SystemAssigned\'', '  }');
  lines.push(
    '  properties: {',
    `    extensionType: ${bicepString(IAC_EXTENSION_TYPE)}`,
    '    autoUpgradeMinorVersion: true',
    `    releaseTrain: ${bicepString(IAC_RELEASE_TRAIN)}`,
    '    scope: {',
    '      cluster: {',
    `        releaseNamespace: ${bicepString(IAC_RELEASE_NAMESPACE)}`,
    '      }',
    '    }',
    '    configurationSettings: {',
    ...Object.entries(inputs.model.settings).map(([k, v]) => `      ${bicepPropertyName(k)}: ${bicepString(v)}`),
    '    }',
  );
  if (secrets.length > 0) {
    lines.push('    configurationProtectedSettings: {', ...secrets.map((s) => `      ${bicepPropertyName(s.key)}: ${protectedValue(s)}`), '    }');
  }
  lines.push('  }');
  if (target.relay) lines.push('  dependsOn: [', '    relayRule', '  ]');
  lines.push('}');
  return lines;
}

function protectedValue(s: IacProtectedSetting): string {
  if (s.source === ProtectedValueSource.RELAY_CONNECTION_STRING) {
    // listKeys(relayRuleRef.id, relayRuleRef.apiVersion), in the resource-method form Bicep's linter prefers.
    return 'relayRuleRef.listKeys().primaryConnectionString';
  }
  return s.parameterName;
}

function outputs(target: IacTarget): string[] {
  const lines = ['output extensionId string = extension.id'];
  if (target.relay) {
    lines.push(
      '',
      '@description(\'True when relayserver.hybridConnectionResourceID in configurationSettings names the hybrid connection used here.\')',
      `output hybridConnectionMatchesSettings bool = toLower(hybridConnectionRef.id) == toLower(${bicepString(target.relay.hybridConnectionResourceId)})`,
    );
  }
  return lines;
}
