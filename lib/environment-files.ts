import * as path from 'node:path';
import { App, Names } from 'cdk8s';
import { installFolderOf, OUTPUT_TREES } from './layout';
import { IConstruct } from 'constructs';
import { AzureMlExtension, extensionPlanOf } from './constructs/extension';
import { DEFAULT_KEY_VAULT_SERVICE_ACCOUNT } from './constructs/delivery/key-vault';
import { OutputFile } from './output';
import { renderArmTemplate } from './render/arm';
import { renderAzCreateScript, renderAzUpdateScript } from './render/az';
import { renderBicep } from './render/bicep';
import { renderJson } from './render/common';
import { ARM_TEMPLATE_FILE_NAME, BICEP_FILE_NAME, TERRAFORM_FILE_NAME } from './render/iac';
import { renderTerraform } from './render/terraform';
import { renderHelmValues, renderSettingsJson } from './render/values';
import { renderWorkloadIdentityScript } from './render/workload-identity';
import { ClusterIdentity } from './settings/model';
import { ExtensionModel } from './settings/extension-model';


/** True when the cluster block names everything an ARM resource id and the derived keys need. */
export function clusterFullyKnown(cluster: ClusterIdentity | undefined): cluster is ClusterIdentity {
  return !!(cluster && cluster.subscriptionId && cluster.resourceGroup && cluster.name && cluster.location);
}

/**
 * The files besides the manifests for every AzureML extension of an app: `install/<chart>/`, beside the chart's
 * Kubernetes objects in `clusters/<chart>/`. `outRoot` is where the files end up, so the PEM paths the az CLI reads
 * are relative to the install folder and the same in every clone.
 * @throws Error when one chart holds two extensions (their files would collide)
 */
export function extensionFilesOf(app: App, outRoot: string): OutputFile[] {
  const files: OutputFile[] = [];
  for (const chart of app.charts) {
    const extensions = chart.node.findAll().filter((c: IConstruct): c is AzureMlExtension => c instanceof AzureMlExtension);
    if (extensions.length === 0) continue;
    const folder = installFolderOf(chart);
    if (extensions.length > 1) {
      throw new Error(`chart ${chart.node.path} holds ${extensions.length} AzureML extensions (${extensions.map((e) => e.node.path).join(', ')}): their files would share ${folder}/. Put each extension in its own chart.`);
    }
    files.push(...environmentFiles(Names.toDnsLabel(chart), folder, extensions[0], outRoot));
  }
  return files;
}

// `name` is the chart's DNS label, the name of its folders; `folder` its install folder.
function environmentFiles(name: string, folder: string, extension: AzureMlExtension, outRoot: string): OutputFile[] {
  const { props, plan } = extensionPlanOf(extension);
  const model = extension.model;
  const envDir = path.join(outRoot, folder);
  // Paths the az CLI reads are relative to the environment's folder (the script changes into it), so the output is
  // the same in every clone.
  const cliProtected: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(model.cliProtectedSettings)) {
    cliProtected[k] = (k === 'sslCertPemFile' || k === 'sslKeyPemFile') && path.isAbsolute(v)
      ? path.relative(envDir, v).split(path.sep).join('/')
      : v;
  }
  const azOptions = {
    environment: name,
    cluster: props.cluster,
    manifest: extension.secret || extension.delivery ? `../../${OUTPUT_TREES.clusters}/${name}` : undefined,
    hasProtectedSettings: Object.keys(cliProtected).length > 0,
  };
  const files: OutputFile[] = [
    { path: `${folder}/values.yml`, content: renderHelmValues(name, model) },
    { path: `${folder}/settings.json`, content: renderSettingsJson(model) },
    { path: `${folder}/protected-settings.json`, content: renderJson(cliProtected) },
    { path: `${folder}/az-create.sh`, mode: 0o755, content: renderAzCreateScript(model, azOptions) },
    { path: `${folder}/az-update.sh`, mode: 0o755, content: renderAzUpdateScript(model, azOptions) },
    ...infrastructureAsCode(name, folder, model, props.cluster, cliProtected),
  ];
  // externalSecret delivery: the federated credential and the Key Vault role the ServiceAccount needs (spec section 6).
  const kv = plan.keyVault;
  if (kv) {
    const o = kv.options;
    files.push({
      path: `${folder}/workload-identity.sh`,
      mode: 0o755,
      content: renderWorkloadIdentityScript({
        environment: name,
        vaultUrl: o.vaultUrl,
        clientId: o.clientId,
        serviceAccountName: o.serviceAccountName ?? DEFAULT_KEY_VAULT_SERVICE_ACCOUNT,
        identityName: o.identityName,
        identityResourceGroup: o.identityResourceGroup,
        cluster: props.cluster,
      }),
    });
  }
  return files;
}

// Bicep, ARM and Terraform need the cluster's resource id: rendered when the cluster block names it whole.
function infrastructureAsCode(name: string, folder: string, model: ExtensionModel, cluster: ClusterIdentity | undefined, cliProtected: { [key: string]: string }): OutputFile[] {
  if (!clusterFullyKnown(cluster)) return [];
  const pemFiles = cliProtected.sslCertPemFile && cliProtected.sslKeyPemFile
    ? { certificate: cliProtected.sslCertPemFile, privateKey: cliProtected.sslKeyPemFile }
    : undefined;
  const inputs = { environment: name, model, cluster, pemFiles };
  return [
    { path: `${folder}/${BICEP_FILE_NAME}`, content: renderBicep(inputs) },
    { path: `${folder}/${ARM_TEMPLATE_FILE_NAME}`, content: renderArmTemplate(inputs) },
    { path: `${folder}/${TERRAFORM_FILE_NAME}`, content: renderTerraform(inputs) },
  ];
}
