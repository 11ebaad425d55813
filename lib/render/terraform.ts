import { renderJson } from './common';
import {
  commonNotes, generatedLine, IacInputs, iacProtectedSettings, IacProtectedSetting, iacSecureInputs, IacTarget, IAC_EXTENSION_TYPE,
  IAC_RELEASE_NAMESPACE, IAC_RELEASE_TRAIN, ProtectedValueSource, resolveIacTarget,
  RELAY_NAMESPACE_TAGS,
} from './iac';
import { ClusterType } from '../settings/model';
import { ValidationError } from '../problems';

/** A JSON object of a `*.tf.json` file. */
interface TfObject {
  [key: string]: unknown;
}

const RELAY = {
  namespace: 'azurerm_relay_namespace',
  hybridConnection: 'azurerm_relay_hybrid_connection',
  rule: 'azurerm_relay_hybrid_connection_authorization_rule',
};
const RELAY_NAME = 'relay';

/**
 * A literal string in a `*.tf.json` expression position: Terraform reads JSON strings as templates, so the template
 * openers `${` and `%{` are escaped as `$${` and `%%{`. Object keys are read the same way.
 */
export function terraformLiteral(value: string): string {
  return value.replace(/([$%])\{/g, (_m, c: string) => `${c}${c}{`);
}

/** A quoted string literal inside a Terraform expression: `\\`, `"` and control characters escaped, templates escaped. */
export function hclString(value: string): string {
  const escaped = value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' }[c] as string));
  return `"${terraformLiteral(escaped)}"`;
}

/**
 * A Terraform configuration in JSON syntax (`main.tf.json`) that installs the AzureML extension on the environment's
 * cluster with azurerm: `azurerm_kubernetes_cluster_extension` (AKS) or `azurerm_arc_kubernetes_cluster_extension`
 * (Arc, with the Azure Relay), the settings written literally. PEM material is read with `filebase64()` from paths in
 * variables, so it ends up in Terraform state (see the `//` note). Holds no key material and no empty string.
 * @throws ValidationError when the cluster is not fully known, or a setting is empty (Terraform rejects those)
 */
export function renderTerraform(inputs: IacInputs): string {
  const target = resolveIacTarget(inputs);
  rejectEmptySettings(inputs);
  const secrets = iacProtectedSettings(inputs.model);
  const config: TfObject = {
    '//': notes(inputs, target, secrets),
    terraform: {
      required_version: '>= 1.2',
      // An upper bound, as the provider's major-version upgrade guides advise: the resources and attributes used here
      // exist from 3.90 through the 4.x line; a new major may rename or remove them, so `terraform init` must not take it.
      required_providers: { azurerm: { source: 'hashicorp/azurerm', version: '>= 3.90, < 5.0' } },
    },
    provider: { azurerm: [{ features: [{}], subscription_id: terraformLiteral(target.subscriptionId) }] },
  };
  const variables = variableBlocks(inputs, target, secrets);
  if (Object.keys(variables).length > 0) config.variable = variables;
  if (target.relay) config.locals = relayLocals();
  config.resource = { ...(target.relay ? relayResources(target) : {}), ...extensionResource(inputs, target, secrets) };
  config.output = outputs(target);
  return renderJson(config);
}

function rejectEmptySettings(inputs: IacInputs): void {
  const empty = Object.entries(inputs.model.settings).filter(([, v]) => v === '').map(([k]) => k);
  if (empty.length === 0) return;
  throw new ValidationError(
    empty.map((k) => ({ field: k, message: 'is empty, and Terraform rejects empty setting values', fix: 'give a value or remove the setting' })),
    `cannot render Terraform for environment "${inputs.environment}"`,
  );
}

function notes(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): string[] {
  const lines = [
    generatedLine(inputs.environment, 'the AzureML extension (Microsoft.AzureML.Kubernetes) as Terraform JSON.'),
    ...commonNotes(inputs, target, 'with create_relay = false, the connection string of the existing rule is taken from variable relay_connection_string'),
  ];
  if (secrets.some((s) => s.source === ProtectedValueSource.PRIVATE_KEY)) {
    lines.push('Terraform state will hold the private key: filebase64() reads the PEM files at plan time and the value is stored in the state and in saved plans. Use an encrypted remote backend with restricted access, or deliver the key in a Secret (sslSecret) instead. Paths are relative to the directory terraform runs in.');
  }
  if (secrets.some((s) => s.source === ProtectedValueSource.RELAY_CONNECTION_STRING)) {
    lines.push('The relay connection string is stored in the state as well.');
  }
  if (secrets.some((s) => s.source === ProtectedValueSource.PARAMETER)) {
    lines.push('Other protected settings are sensitive variables without a default: pass them with TF_VAR_<name> or a *.tfvars file kept out of git; they are stored in the state too.');
  }
  return lines;
}

function variableBlocks(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): TfObject {
  const variables: TfObject = {};
  if (target.relay) {
    variables.create_relay = {
      type: 'bool',
      default: true,
      description: 'Create the Azure Relay the extension needs (true), or use an existing one (false) whose connection string is given in relay_connection_string.',
    };
    variables.relay_connection_string = {
      type: 'string',
      sensitive: true,
      default: null,
      description: terraformLiteral(`With create_relay = false: the primary connection string of rule ${target.relay.authorizationRuleName} of hybrid connection ${target.relay.hybridConnectionName} in Relay namespace ${target.relay.namespaceName} (az relay hybrid-connection authorization-rule keys list).`),
    };
  }
  for (const s of iacSecureInputs(secrets)) {
    if (s.source === ProtectedValueSource.CERTIFICATE || s.source === ProtectedValueSource.PRIVATE_KEY) {
      variables[s.variableName] = pemPathVariable(inputs, s);
    } else if (s.source === ProtectedValueSource.PARAMETER) {
      variables[s.variableName] = {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: terraformLiteral(`The value of protected setting ${s.key}.`),
        validation: [{ condition: `\${length(var.${s.variableName}) > 0}`, error_message: 'Protected setting values must not be empty.' }],
      };
    }
  }
  return variables;
}

function pemPathVariable(inputs: IacInputs, s: IacProtectedSetting): TfObject {
  const what = s.source === ProtectedValueSource.CERTIFICATE ? 'certificate chain' : 'private key (unencrypted)';
  const variable: TfObject = {
    type: 'string',
    nullable: false,
    description: terraformLiteral(`Path of the ${what} PEM file; its base64 becomes protected setting ${s.key}.`),
  };
  // A variable's default is read literally (no template), so the path is written as is.
  const path = s.source === ProtectedValueSource.CERTIFICATE ? inputs.pemFiles?.certificate : inputs.pemFiles?.privateKey;
  if (path) variable.default = path;
  return variable;
}

function relayLocals(): TfObject {
  return {
    relay_connection_string: `\${var.create_relay ? one(${RELAY.rule}.${RELAY_NAME}[*].primary_connection_string) : var.relay_connection_string}`,
  };
}

// Spec section 3, Arc: the relay the az CLI creates, when create_relay.
function relayResources(target: IacTarget): TfObject {
  const r = target.relay;
  if (!r) return {};
  const count = '${var.create_relay ? 1 : 0}';
  const rg = terraformLiteral(target.resourceGroup);
  return {
    [RELAY.namespace]: {
      [RELAY_NAME]: {
        count, name: terraformLiteral(r.namespaceName), location: terraformLiteral(target.location), resource_group_name: rg, sku_name: 'Standard',
        tags: Object.fromEntries(Object.entries(RELAY_NAMESPACE_TAGS).map(([k, v]) => [k, terraformLiteral(v)])),
      },
    },
    [RELAY.hybridConnection]: {
      [RELAY_NAME]: {
        count,
        name: terraformLiteral(r.hybridConnectionName),
        resource_group_name: rg,
        relay_namespace_name: `\${${RELAY.namespace}.${RELAY_NAME}[count.index].name}`,
        requires_client_authorization: true,
      },
    },
    [RELAY.rule]: {
      [RELAY_NAME]: {
        count,
        name: terraformLiteral(r.authorizationRuleName),
        resource_group_name: rg,
        namespace_name: `\${${RELAY.namespace}.${RELAY_NAME}[count.index].name}`,
        hybrid_connection_name: `\${${RELAY.hybridConnection}.${RELAY_NAME}[count.index].name}`,
        manage: true,
        send: true,
        listen: true,
      },
    },
  };
}

/** The local name of the extension resource: the extension's name, as a Terraform identifier. */
export function terraformResourceName(extensionName: string): string {
  const name = extensionName.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `extension_${name}`;
}

function extensionResource(inputs: IacInputs, target: IacTarget, secrets: IacProtectedSetting[]): TfObject {
  const settings: TfObject = {};
  for (const [k, v] of Object.entries(inputs.model.settings)) settings[terraformLiteral(k)] = terraformLiteral(v);
  const body: TfObject = {
    name: terraformLiteral(target.extensionName),
    cluster_id: terraformLiteral(target.clusterResourceId),
    extension_type: IAC_EXTENSION_TYPE,
    release_train: IAC_RELEASE_TRAIN,
    release_namespace: IAC_RELEASE_NAMESPACE,
  };
  if (target.clusterType === ClusterType.ARC) body.identity = [{ type: 'SystemAssigned' }];
  body.configuration_settings = settings;
  if (secrets.length > 0) {
    const protectedSettings: TfObject = {};
    for (const s of secrets) protectedSettings[terraformLiteral(s.key)] = protectedValue(s);
    body.configuration_protected_settings = protectedSettings;
  }
  if (target.relay) {
    body.depends_on = [`${RELAY.rule}.${RELAY_NAME}`];
    body.lifecycle = {
      precondition: [{
        condition: '${var.create_relay || var.relay_connection_string != null}',
        error_message: 'With create_relay = false, set relay_connection_string to the primary connection string of the existing relay rule.',
      }],
    };
  }
  const type = target.clusterType === ClusterType.ARC ? 'azurerm_arc_kubernetes_cluster_extension' : 'azurerm_kubernetes_cluster_extension';
  return { [type]: { [terraformResourceName(target.extensionName)]: body } };
}

function protectedValue(s: IacProtectedSetting): string {
  switch (s.source) {
    case ProtectedValueSource.CERTIFICATE:
    case ProtectedValueSource.PRIVATE_KEY:
      return `\${filebase64(var.${s.variableName})}`;
    case ProtectedValueSource.RELAY_CONNECTION_STRING:
      return '${local.relay_connection_string}';
    default:
      return `\${var.${s.variableName}}`;
  }
}

function outputs(target: IacTarget): TfObject {
  const type = target.clusterType === ClusterType.ARC ? 'azurerm_arc_kubernetes_cluster_extension' : 'azurerm_kubernetes_cluster_extension';
  const out: TfObject = {
    extension_id: { value: `\${${type}.${terraformResourceName(target.extensionName)}.id}` },
  };
  const r = target.relay;
  if (r) {
    const expected = hclString(r.hybridConnectionResourceId);
    out.hybrid_connection_matches_settings = {
      description: 'True when relayserver.hybridConnectionResourceID in configuration_settings names the hybrid connection created here (always true with create_relay = false).',
      value: `\${lower(coalesce(one(${RELAY.hybridConnection}.${RELAY_NAME}[*].id), ${expected})) == lower(${expected})}`,
    };
  }
  return out;
}
