import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { AsoReconcilePolicy, AzureMlAsoOptions } from '../../lib/aso-options';
import { AzureMlAsoExtension, asoProblems } from '../../lib/constructs/aso-extension';
import {
  AzureMlExtension, AzureMlExtensionProps, ClusterIdentity, ClusterType, InferenceRouterServiceType, planExtension,
  prepareConfig, renderSettingsJson, SealingScope, synthesize, TlsCertificate, TlsDelivery, ValidationError,
} from '../../lib/internal';
import { schemaErrors } from '../helpers/validators';
import { CERTS_DIR, certFixture, privateKeyLines, SEALING_DIR, sealingFixture, unseal } from '../sealing/unseal';

// TEST FIXTURES only (test/fixtures/certs, test/fixtures/sealing): throw-away material, never secrets.
const NOW = new Date('2026-12-02T00:00:00Z');
const CERT = certFixture('leaf-chain.pem');
const KEY = certFixture('leaf.key');
const SEALING_CERT = sealingFixture('controller.pem');
const SEALING_KEY = sealingFixture('controller.key');
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const TENANT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const AKS: ClusterIdentity = { type: ClusterType.AKS, subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-ml', name: 'aks-ml', location: 'eastus', nodeCount: 3 };
const ARC: ClusterIdentity = { type: ClusterType.ARC, subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-edge', name: 'arc-ml', location: 'westeurope', nodeCount: 3 };
const AKS_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/aks-ml`;
const ARC_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-edge/providers/Microsoft.Kubernetes/connectedClusters/arc-ml`;
const inference = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };
const SEALING = { certificatePem: SEALING_CERT };
const KEY_VAULT = { vaultUrl: 'https://ml-vault.vault.azure.net/', clientId: CLIENT_ID, tenantId: TENANT_ID };

/** A manifest as synthesized (free-form JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON of the spec
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> }; spec?: any };

/** An extension whose certificate goes through protected settings (pemSettings): scoringFe.sslCert / sslKey. */
function pemProps(cluster: ClusterIdentity = AKS, over: Partial<AzureMlExtensionProps> = {}): AzureMlExtensionProps {
  return { settings: inference, cluster, now: NOW, tls: { cname: 'ml.example.com', delivery: TlsDelivery.PEM_SETTINGS, certificate: TlsCertificate.fromPem(CERT, KEY) }, ...over };
}

/** An extension that reads an existing Secret (sslSecret): no TLS protected settings. */
function secretProps(cluster: ClusterIdentity = AKS, over: Partial<AzureMlExtensionProps> = {}): AzureMlExtensionProps {
  return { settings: inference, cluster, now: NOW, tls: { cname: 'ml.example.com', certificate: TlsCertificate.fromExistingSecret('azureml-fe-tls') }, ...over };
}

/** The sslSecret extension without a cluster block. */
function noClusterProps(): AzureMlExtensionProps {
  return { ...secretProps(), cluster: undefined };
}

/** Builds the extension in one chart and the ASO objects in another, as the app does (`clusters/` vs `aso/`). */
function build(extensionProps: AzureMlExtensionProps, options: AzureMlAsoOptions & { labels?: Record<string, string>; annotations?: Record<string, Record<string, string>> }) {
  const app = Testing.app();
  const extension = new AzureMlExtension(new Chart(app, 'env'), 'Extension', extensionProps);
  const chart = new Chart(app, 'aso');
  const aso = new AzureMlAsoExtension(chart, 'Aso', { ...options, extension, now: NOW });
  const manifests = Testing.synth(chart) as Manifest[];
  return { extension, aso, manifests, yaml: manifests.map((m) => stringify(m)).join('---\n') };
}

function byKind(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

function expectValid(manifests: Manifest[]): void {
  for (const m of manifests) expect({ kind: m.kind, errors: schemaErrors(m) }).toEqual({ kind: m.kind, errors: [] });
}

/** Sealed values replaced by placeholders, for snapshots (the ciphertext is checked by unsealing). */
function withPlaceholders(manifests: Manifest[]): Manifest[] {
  return manifests.map((m) => (m.kind !== 'SealedSecret' ? m : {
    ...m, spec: { ...m.spec, encryptedData: Object.fromEntries(Object.keys(m.spec.encryptedData).map((k) => [k, `<sealed ${k}>`])) },
  }));
}

/** The problems asoProblems reports, as `field: message` lines. */
function problemsOf(options: AzureMlAsoOptions, props: AzureMlExtensionProps): string[] {
  return asoProblems(options, props, planExtension(props)).map((p) => `${p.field}: ${p.message}`);
}

function fixesOf(options: AzureMlAsoOptions, props: AzureMlExtensionProps): string[] {
  return asoProblems(options, props, planExtension(props)).map((p) => p.fix);
}

describe('AzureMlAsoExtension on AKS with sealed protected settings', () => {
  test('emits a SealedSecret with the ARM path\'s protected settings and the Extension that reads it', () => {
    // GIVEN an AKS extension whose certificate goes through protected settings
    // WHEN
    const { extension, aso, manifests } = build(pemProps(), { sealing: SEALING, reconcilePolicy: AsoReconcilePolicy.DETACH_ON_DELETE });
    // THEN
    expect(manifests.map((m) => m.kind)).toEqual(['SealedSecret', 'Extension']);
    expectValid(manifests);
    const ext = byKind(manifests, 'Extension');
    expect(ext.apiVersion).toBe('kubernetesconfiguration.azure.com/v1api20241101');
    expect(ext.metadata).toEqual({ name: 'azureml', namespace: 'azureml', annotations: { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' } });
    expect(ext.spec).toMatchObject({
      azureName: 'azureml',
      owner: { armId: AKS_ID },
      extensionType: 'microsoft.azureml.kubernetes',
      releaseTrain: 'stable',
      autoUpgradeMinorVersion: true,
      scope: { cluster: { releaseNamespace: 'azureml' } },
      configurationProtectedSettings: { name: 'azureml-protected-settings' },
    });
    expect(ext.spec.identity).toBeUndefined();
    expect(ext.spec.version).toBeUndefined();
    // The same map as install/<env>/settings.json.
    expect(ext.spec.configurationSettings).toEqual(JSON.parse(renderSettingsJson(extension.model)));
    expect(aso.protectedSettingsSecretName).toBe('azureml-protected-settings');
    expect(aso.delivery?.node.children.map((c) => c.node.id)).toEqual(['Resource']);
    expect(withPlaceholders(manifests)).toMatchSnapshot();
  });

  test('seals exactly the strings a Bicep or ARM deployment sends, for the Secret ASO reads', () => {
    const { extension, manifests } = build(pemProps(), { sealing: SEALING });
    const sealed = byKind(manifests, 'SealedSecret');
    expect(sealed.metadata).toEqual({ name: 'azureml-protected-settings', namespace: 'azureml' });
    expect(sealed.spec.template).toEqual({ metadata: { name: 'azureml-protected-settings', namespace: 'azureml' }, type: 'Opaque' });
    // The CLI-only file paths (sslCertPemFile, sslKeyPemFile) are not sent by ARM, so not by ASO either.
    expect(Object.keys(sealed.spec.encryptedData).sort()).toEqual(['scoringFe.sslCert', 'scoringFe.sslKey']);
    for (const [key, value] of Object.entries(sealed.spec.encryptedData as Record<string, string>)) {
      expect(unseal(value, SEALING_KEY, 'azureml/azureml-protected-settings').toString('utf8')).toBe(extension.model.protectedSettings[key]);
    }
    expect(extension.model.protectedSettings['scoringFe.sslKey']).toBe(Buffer.from(KEY, 'latin1').toString('base64'));
  });

  test('writes no plaintext private key: neither the PEM nor its base64', () => {
    const { extension, yaml } = build(pemProps(), { sealing: SEALING });
    expect(yaml).not.toContain('PRIVATE KEY');
    for (const line of privateKeyLines(KEY)) expect(yaml).not.toContain(line);
    expect(yaml).not.toContain(extension.model.protectedSettings['scoringFe.sslKey']);
    expect(yaml).not.toContain(extension.model.protectedSettings['scoringFe.sslKey'].slice(0, 40));
    expect(yaml).not.toMatch(/LS0tLS1CRUdJTi/);
  });

  test('seals deterministically: unchanged input keeps its ciphertext, a changed key file reseals only its setting', () => {
    const first = byKind(build(pemProps(), { sealing: SEALING }).manifests, 'SealedSecret');
    const second = byKind(build(pemProps(), { sealing: SEALING }).manifests, 'SealedSecret');
    expect(second).toEqual(first);
    // The same key in its traditional (PKCS#1) encoding: other bytes, so another sslKey setting.
    const otherKey = certFixture('leaf-traditional.key');
    const rekeyed = byKind(build({ ...pemProps(), tls: { cname: 'ml.example.com', delivery: TlsDelivery.PEM_SETTINGS, certificate: TlsCertificate.fromPem(CERT, otherKey) } }, { sealing: SEALING }).manifests, 'SealedSecret');
    expect(rekeyed.spec.encryptedData['scoringFe.sslCert']).toBe(first.spec.encryptedData['scoringFe.sslCert']);
    expect(rekeyed.spec.encryptedData['scoringFe.sslKey']).not.toBe(first.spec.encryptedData['scoringFe.sslKey']);
  });

  test('seals namespace-wide for the Extension\'s namespace, with the controller\'s annotation', () => {
    const { extension, manifests } = build(pemProps(), { namespace: 'ml-platform', name: 'aml', sealing: { ...SEALING, scope: SealingScope.NAMESPACE_WIDE } });
    expectValid(manifests);
    const sealed = byKind(manifests, 'SealedSecret');
    expect(sealed.metadata).toEqual({ name: 'aml-protected-settings', namespace: 'ml-platform', annotations: { 'sealedsecrets.bitnami.com/namespace-wide': 'true' } });
    // kubeseal copies the scope annotation into the template as well (issue 11).
    expect(sealed.spec.template.metadata).toEqual(sealed.metadata);
    expect(unseal(sealed.spec.encryptedData['scoringFe.sslCert'], SEALING_KEY, 'ml-platform').toString('utf8')).toBe(extension.model.protectedSettings['scoringFe.sslCert']);
    expect(byKind(manifests, 'Extension').spec.configurationProtectedSettings).toEqual({ name: 'aml-protected-settings' });
  });

  test('seals pass-through protected settings too', () => {
    const props = pemProps(AKS, { settings: { ...inference, additionalProtectedSettings: { 'custom.token': 'example-not-a-secret' } } });
    const sealed = byKind(build(props, { sealing: SEALING }).manifests, 'SealedSecret');
    expect(Object.keys(sealed.spec.encryptedData).sort()).toEqual(['custom.token', 'scoringFe.sslCert', 'scoringFe.sslKey']);
    expect(unseal(sealed.spec.encryptedData['custom.token'], SEALING_KEY, 'azureml/azureml-protected-settings').toString('utf8')).toBe('example-not-a-secret');
  });
});

describe('AzureMlAsoExtension options', () => {
  test('names, release train, a pinned version, the namespace, labels and annotations', () => {
    const { manifests } = build(pemProps(), {
      namespace: 'ml-platform', name: 'aml-prod', azureName: 'azureml-prod', releaseTrain: 'preview', autoUpgradeMinorVersion: false, version: '1.1.64',
      reconcilePolicy: AsoReconcilePolicy.SKIP, createNamespace: true, sealing: SEALING,
      labels: { team: 'ml' }, annotations: { Extension: { 'argocd.argoproj.io/sync-wave': '1' }, SealedSecret: { 'argocd.argoproj.io/sync-wave': '0' } },
    });
    expectValid(manifests);
    // The Namespace first, then the Secret, then the Extension that reads it.
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Namespace/ml-platform', 'SealedSecret/aml-prod-protected-settings', 'Extension/aml-prod']);
    for (const m of manifests) expect(m.metadata.labels).toEqual({ team: 'ml' });
    const ext = byKind(manifests, 'Extension');
    expect(ext.metadata.annotations).toEqual({ 'serviceoperator.azure.com/reconcile-policy': 'skip', 'argocd.argoproj.io/sync-wave': '1' });
    expect(byKind(manifests, 'SealedSecret').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
    expect(ext.spec).toMatchObject({ azureName: 'azureml-prod', releaseTrain: 'preview', autoUpgradeMinorVersion: false, version: '1.1.64' });
    expect(ext.metadata.namespace).toBe('ml-platform');
  });

  test('owner by an ASO ManagedCluster object', () => {
    const { manifests } = build(secretProps(), { ownerManagedCluster: 'aks-ml' });
    expectValid(manifests);
    expect(byKind(manifests, 'Extension').spec.owner).toEqual({ group: 'containerservice.azure.com', kind: 'ManagedCluster', name: 'aks-ml' });
  });

  test('owner by the ARM id given, when it is the cluster\'s (any case)', () => {
    const armId = AKS_ID.toLowerCase();
    const { manifests } = build(secretProps(), { ownerArmId: armId });
    expect(byKind(manifests, 'Extension').spec.owner).toEqual({ armId });
  });

  test('AKS with sslSecret: no protected settings, so no Secret and no configurationProtectedSettings', () => {
    const { aso, manifests, extension } = build(secretProps(), {});
    expect(manifests.map((m) => m.kind)).toEqual(['Extension']);
    expectValid(manifests);
    const ext = byKind(manifests, 'Extension');
    expect(ext.spec.configurationProtectedSettings).toBeUndefined();
    expect(ext.spec.configurationSettings).toMatchObject({ sslSecret: 'azureml-fe-tls', 'scoringFe.sslSecret': 'azureml-fe-tls', cluster_name: AKS_ID });
    expect(ext.spec.configurationSettings).toEqual(JSON.parse(renderSettingsJson(extension.model)));
    expect(aso.protectedSettingsSecretName).toBeUndefined();
    expect(aso.delivery).toBeUndefined();
    expect(ext.metadata.annotations).toBeUndefined();
  });

  test('sealing is not used when there is nothing to protect', () => {
    const { manifests } = build(secretProps(), { sealing: SEALING });
    expect(manifests.map((m) => m.kind)).toEqual(['Extension']);
  });
});

describe('AzureMlAsoExtension on Arc', () => {
  test('Key Vault: identity SystemAssigned, the connected cluster as owner, and the relay keys from Key Vault', () => {
    // GIVEN an Arc extension (its relay is derived) that reads its TLS Secret, and a pass-through protected setting
    const props = secretProps(ARC, { settings: { ...inference, additionalProtectedSettings: { 'custom.token': 'placeholder', 'other_key': 'placeholder' } } });
    // WHEN
    const { manifests, yaml } = build(props, { keyVault: { ...KEY_VAULT, secretNames: { 'custom.token': 'ml-custom-token' } } });
    // THEN
    expect(manifests.map((m) => m.kind)).toEqual(['ServiceAccount', 'SecretStore', 'ExternalSecret', 'Extension']);
    expectValid(manifests);
    for (const m of manifests) expect(m.metadata.namespace).toBe('azureml');
    const ext = byKind(manifests, 'Extension');
    expect(ext.spec.identity).toEqual({ type: 'SystemAssigned' });
    expect(ext.spec.owner).toEqual({ armId: ARC_ID });
    expect(ext.spec.configurationSettings).toMatchObject({ 'relayserver.enabled': 'true', 'relayserver.hybridConnectionName': 'arc-ml', cluster_name: ARC_ID });
    expect(ext.spec.configurationProtectedSettings).toEqual({ name: 'azureml-protected-settings' });
    const sa = byKind(manifests, 'ServiceAccount');
    expect(sa.metadata).toEqual({
      name: 'azureml-protected-settings-reader', namespace: 'azureml',
      annotations: { 'azure.workload.identity/client-id': CLIENT_ID, 'azure.workload.identity/tenant-id': TENANT_ID },
    });
    expect(byKind(manifests, 'SecretStore').spec).toEqual({
      provider: { azurekv: { authType: 'WorkloadIdentity', vaultUrl: KEY_VAULT.vaultUrl, serviceAccountRef: { name: 'azureml-protected-settings-reader' } } },
    });
    const es = byKind(manifests, 'ExternalSecret');
    expect(es.metadata.name).toBe('azureml-protected-settings');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'azureml-protected-settings-key-vault' });
    expect(es.spec.target).toEqual({ name: 'azureml-protected-settings', creationPolicy: 'Owner' });
    expect(es.spec.data).toEqual([
      { secretKey: 'custom.token', remoteRef: { key: 'secret/ml-custom-token' } },
      { secretKey: 'other_key', remoteRef: { key: 'secret/other-key' } },
      { secretKey: 'relayServerConnectionString', remoteRef: { key: 'secret/azureml-relay-connection-string' } },
      { secretKey: 'relayserver.relayConnectionString', remoteRef: { key: 'secret/azureml-relay-connection-string' } },
    ]);
    // Key Vault supplies the values: the pass-through values given in the settings are not written.
    expect(yaml).not.toContain('placeholder');
    expect(manifests).toMatchSnapshot();
  });

  test('Key Vault: the relay secret and ServiceAccount names, and the Azure cloud from the vault URL', () => {
    const { manifests } = build(secretProps(ARC), {
      namespace: 'aso-ml', keyVault: { vaultUrl: 'https://ml-vault.vault.azure.cn/', clientId: CLIENT_ID, tenantId: TENANT_ID, relaySecretName: 'arc-ml-relay', serviceAccountName: 'reader' },
    });
    expectValid(manifests);
    expect(byKind(manifests, 'SecretStore').spec.provider.azurekv).toMatchObject({ environmentType: 'ChinaCloud', serviceAccountRef: { name: 'reader' } });
    expect(byKind(manifests, 'ServiceAccount').metadata.name).toBe('reader');
    expect(byKind(manifests, 'ExternalSecret').spec.data.map((d: { remoteRef: { key: string } }) => d.remoteRef.key)).toEqual(['secret/arc-ml-relay', 'secret/arc-ml-relay']);
  });

  test('sealing works on Arc when the relay is off: identity SystemAssigned, the PEM settings sealed', () => {
    const props = pemProps(ARC, { settings: { ...inference, additionalSettings: { 'relayserver.enabled': 'false' } } });
    const { manifests } = build(props, { sealing: SEALING });
    expect(manifests.map((m) => m.kind)).toEqual(['SealedSecret', 'Extension']);
    expectValid(manifests);
    expect(byKind(manifests, 'Extension').spec).toMatchObject({ identity: { type: 'SystemAssigned' }, owner: { armId: ARC_ID } });
    expect(Object.keys(byKind(manifests, 'SealedSecret').spec.encryptedData).sort()).toEqual(['scoringFe.sslCert', 'scoringFe.sslKey']);
  });
});

describe('asoProblems', () => {
  test('reports nothing for a working install', () => {
    expect(problemsOf({ sealing: SEALING }, pemProps())).toEqual([]);
    expect(problemsOf({}, secretProps())).toEqual([]);
    expect(problemsOf({ keyVault: KEY_VAULT }, secretProps(ARC))).toEqual([]);
  });

  test('reports nothing when the extension\'s plan has no model (the plan reports its own problems)', () => {
    const props = secretProps(AKS, { settings: { enableInference: true } });
    expect(planExtension(props).model).toBeUndefined();
    expect(asoProblems({ ownerArmId: 'nope', version: '1' }, props, planExtension(props))).toEqual([]);
  });

  test('fails if the owner is unknown', () => {
    const props = noClusterProps();
    expect(problemsOf({}, props)).toEqual(['aso.owner: is unknown: the Extension needs an owner, and the cluster\'s resource id is not known']);
    expect(fixesOf({}, props)).toEqual(['set the cluster block\'s type, subscriptionId, resourceGroup, name and location (the owner is then the cluster\'s resource id), or aso.owner.armId']);
    expect(problemsOf({}, secretProps({ type: ClusterType.AKS, name: 'aks-ml' }))).toEqual(['aso.owner: is unknown: the Extension needs an owner, and the cluster\'s resource id is not known']);
  });

  test('fails if the cluster block cannot give the settings the az CLI would derive', () => {
    expect(problemsOf({ ownerArmId: AKS_ID }, noClusterProps())).toEqual([
      'cluster: is required for an ASO install: ASO sends the settings as they are, like Bicep and ARM, and the extension\'s health check needs the keys the az CLI derives from the cluster (cluster_name, location, domain)',
    ]);
    const props = secretProps({ ...AKS, location: undefined });
    expect(problemsOf({}, props)).toEqual([
      'cluster: lacks location: ASO sends the settings as they are, like Bicep and ARM, and the extension\'s health check needs the keys the az CLI derives from the cluster (cluster_name, location, domain)',
    ]);
    expect(fixesOf({}, props)).toEqual(['set cluster.location']);
  });

  test('fails if both owner forms are given', () => {
    expect(problemsOf({ ownerArmId: AKS_ID, ownerManagedCluster: 'aks-ml' }, secretProps())).toEqual([
      'aso.owner: gives both armId and managedCluster; ASO takes one owner (its webhook refuses both)',
    ]);
  });

  test('fails if an Arc cluster is owned by a ManagedCluster object', () => {
    expect(problemsOf({ ownerManagedCluster: 'arc-ml', keyVault: KEY_VAULT }, secretProps(ARC))).toEqual([
      'aso.owner.managedCluster: names an ASO ManagedCluster, but the cluster is Arc-enabled: ASO has no kind for connected clusters',
    ]);
  });

  test('fails if the ManagedCluster name is not an object name', () => {
    expect(problemsOf({ ownerManagedCluster: 'AKS_ML' }, secretProps())).toEqual([
      'aso.owner.managedCluster: is not a valid object name: it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
    ]);
  });

  test('fails if the armId is not an Azure resource id, not the cluster\'s type, or another cluster', () => {
    expect(problemsOf({ ownerArmId: 'aks-ml' }, secretProps())).toEqual(['aso.owner.armId: is not an Azure resource id']);
    expect(fixesOf({ ownerArmId: 'aks-ml' }, secretProps())).toEqual([`use the cluster's resource id, e.g. ${AKS_ID} (az aks show or az connectedk8s show --query id -o tsv)`]);
    expect(problemsOf({ ownerArmId: ARC_ID }, secretProps())).toEqual([
      'aso.owner.armId: names a Microsoft.Kubernetes/connectedClusters, not the AKS cluster (Microsoft.ContainerService/managedClusters)',
    ]);
    expect(problemsOf({ ownerArmId: `${AKS_ID}/agentPools/np1` }, secretProps())).toEqual([
      'aso.owner.armId: names a child resource of a Microsoft.ContainerService/managedClusters, not the AKS cluster (Microsoft.ContainerService/managedClusters)',
    ]);
    expect(problemsOf({ ownerArmId: AKS_ID.replace('aks-ml', 'aks-other') }, secretProps())).toEqual([
      `aso.owner.armId: names another cluster than the cluster block, whose resource id the settings carry (cluster_name ${AKS_ID})`,
    ]);
  });

  test('fails if a version is pinned while minor versions are upgraded automatically', () => {
    expect(problemsOf({ version: '1.1.64' }, secretProps())).toEqual([
      'aso.version: pins a version while minor versions are upgraded automatically (autoUpgradeMinorVersion defaults to true); Azure takes a version only without auto-upgrade',
    ]);
    expect(problemsOf({ version: '1.1.64', autoUpgradeMinorVersion: true }, secretProps())).toHaveLength(1);
    expect(problemsOf({ version: '1.1.64', autoUpgradeMinorVersion: false }, secretProps())).toEqual([]);
  });

  test('fails if the namespace, name or azureName is not valid', () => {
    expect(problemsOf({ namespace: 'ML_Platform', name: 'Azure ML', azureName: ' ' }, secretProps())).toEqual([
      'aso.namespace: is not a namespace name: at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit (DNS-1123 label)',
      'aso.name: is not a valid object name: it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      'aso.azureName: is empty',
    ]);
    expect(problemsOf({ namespace: 'a.b' }, secretProps())).toHaveLength(1);
    expect(problemsOf({ name: 'a'.repeat(240), keyVault: KEY_VAULT }, secretProps())).toEqual([
      'aso.name: is 240 characters long; the derived name <name>-protected-settings-key-vault would exceed 253',
    ]);
  });

  test('fails if the reconcile policy is unknown (ASO would treat it as manage)', () => {
    expect(problemsOf({ reconcilePolicy: 'detach' as AsoReconcilePolicy }, secretProps())).toEqual([
      'aso.reconcilePolicy: is not a reconcile policy (ASO would silently treat it as manage)',
    ]);
  });

  test('fails if there are protected settings but neither sealing nor Key Vault, naming both', () => {
    expect(problemsOf({}, pemProps())).toEqual([
      'aso.sealing: is required (or aso.keyVault): the extension has protected settings (scoringFe.sslCert, scoringFe.sslKey), which ASO reads from a Secret, and a committed Secret must not hold them in plaintext',
    ]);
    const [fix] = fixesOf({}, pemProps());
    expect(fix).toContain('aso.sealing: { certificate:');
    expect(fix).toContain('aso.keyVault: { vaultUrl, clientId, tenantId }');
    expect(fixesOf({}, secretProps(ARC))[0]).toContain('(the only way for the Arc relay\'s connection string)');
  });

  test('fails if both sealing and Key Vault are given', () => {
    expect(problemsOf({ sealing: SEALING, keyVault: KEY_VAULT }, pemProps())).toEqual([
      'aso.keyVault: cannot be used together with aso.sealing: the protected settings come from one of them',
    ]);
  });

  test('fails if Key Vault should deliver the PEM protected settings, naming the fixes', () => {
    expect(problemsOf({ keyVault: KEY_VAULT }, pemProps())).toEqual([
      'aso.keyVault: cannot deliver the certificate and private key of tls.delivery pemSettings (scoringFe.sslCert, scoringFe.sslKey): this tool reads them from files and does not put them into Key Vault',
    ]);
    expect(fixesOf({ keyVault: KEY_VAULT }, pemProps())).toEqual([
      'use aso.sealing, or deliver the certificate as a Secret on the cluster (tls.delivery sealedSecret, or externalSecret from a Key Vault certificate) so there are no PEM protected settings',
    ]);
  });

  test('fails if the Arc relay connection string should be sealed, saying the relay comes first', () => {
    expect(problemsOf({ sealing: SEALING }, secretProps(ARC))).toEqual([
      'aso.sealing: cannot seal the Arc relay\'s connection string (relayServerConnectionString, relayserver.relayConnectionString): it is only known once the Azure Relay exists, after synth',
    ]);
    const [fix] = fixesOf({ sealing: SEALING }, secretProps(ARC));
    expect(fix).toMatch(/^use aso.keyVault with relaySecretName: create the relay first \(e.g. with the generated Bicep or the az script; arcml\w+relay\/arc-ml, rule azureml_rw\) and store the rule's primary connection string in that Key Vault secret$/);
  });

  test('fails if a protected setting cannot be a Secret key', () => {
    const props = secretProps(AKS, { settings: { ...inference, additionalProtectedSettings: { 'a/b': 'x' } } });
    expect(problemsOf({ sealing: SEALING }, props)).toEqual([
      'aso.sealing: the protected setting cannot be a key of the Secret ASO reads them from (letters, digits, \'-\', \'_\' and \'.\')',
    ]);
  });

  test('fails if the sealing certificate cannot be used', () => {
    const props = pemProps();
    const ec = { certificatePem: sealingFixture('ec-controller.pem'), label: 'ec.pem' };
    expect(problemsOf({ sealing: ec }, props)).toEqual([expect.stringMatching(/^aso.sealing.certificate: ec.pem: the certificate .* has an ECDSA \(prime256v1\) key, not an RSA key: Sealed Secrets seals with RSA-OAEP/)]);
    expect(fixesOf({ sealing: ec }, props)[0]).toMatch(/kubeseal --fetch-cert > sealing-cert.pem .*\(on the cluster where ASO runs\)$/);
    const expired = pemProps(AKS, { now: new Date('2127-01-01T00:00:00Z') });
    expect(asoProblems({ sealing: SEALING }, expired, { problems: [], warnings: [], model: planExtension(pemProps()).model }).map((p) => `${p.field}: ${p.message}`))
      .toEqual([expect.stringMatching(/^aso.sealing.certificate: the sealing certificate: the certificate CN=sealed-secret .* expired on 2126-11-05/)]);
  });

  test('fails if the Key Vault options are not valid', () => {
    const kv = { vaultUrl: 'http://example.com', clientId: 'me', tenantId: 'you', serviceAccountName: 'Reader', relaySecretName: 'relay_secret', secretNames: { 'custom.token': 'bad name', typo: 'x', relayServerConnectionString: 'y' } };
    const props = secretProps(ARC, { settings: { ...inference, additionalProtectedSettings: { 'custom.token': 'placeholder' } } });
    expect(problemsOf({ keyVault: kv }, props)).toEqual([
      'aso.keyVault.vaultUrl: is not a Key Vault URL',
      'aso.keyVault.clientId: is not a GUID',
      'aso.keyVault.tenantId: is not a GUID',
      'aso.keyVault.serviceAccountName: is not a valid object name: it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      'aso.keyVault.relaySecretName: is not a Key Vault secret name (1-127 letters, digits and \'-\')',
      'aso.keyVault.secretNames.custom.token: is not a Key Vault secret name (1-127 letters, digits and \'-\')',
      'aso.keyVault.secretNames.typo: names no pass-through protected setting of the extension (extension.additionalProtectedSettings)',
      'aso.keyVault.secretNames.relayServerConnectionString: is the Arc relay\'s connection string, which comes from aso.keyVault.relaySecretName',
    ]);
  });

  test('fails if a default Key Vault secret name would be too long', () => {
    const key = `k${'x'.repeat(130)}`;
    const props = secretProps(AKS, { settings: { ...inference, additionalProtectedSettings: { [key]: 'placeholder' } } });
    expect(problemsOf({ keyVault: KEY_VAULT }, props)).toEqual([`aso.keyVault.secretNames.${key}: is needed: the default Key Vault secret name ${key.slice(0, 40)}... is longer than 127 characters`]);
  });

  test('never puts key material into a problem', () => {
    const props = pemProps();
    const text = JSON.stringify([
      ...asoProblems({}, props, planExtension(props)),
      ...asoProblems({ keyVault: KEY_VAULT }, props, planExtension(props)),
      ...asoProblems({ sealing: { certificatePem: KEY } }, props, planExtension(props)),
    ]);
    // A block's label may be named ("it holds PRIVATE KEY"), never its content.
    expect(text).not.toContain('-----BEGIN');
    for (const line of privateKeyLines(KEY)) expect(text).not.toContain(line);
    expect(text).not.toContain(planExtension(props).model?.protectedSettings['scoringFe.sslKey'].slice(0, 40));
  });
});

describe('AzureMlAsoExtension as a backstop', () => {
  test('throws a ValidationError listing every problem', () => {
    const app = Testing.app();
    const extension = new AzureMlExtension(new Chart(app, 'env'), 'Extension', pemProps());
    let charts = 0;
    const create = () => new AzureMlAsoExtension(new Chart(app, `aso${charts++}`), 'Aso', { extension, now: NOW, version: '1', labels: { 'bad key!': 'x' } });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/^invalid Azure Service Operator install of the AzureML extension \(aso\d\/Aso\):\n {2}- aso.version: pins a version/);
    expect(create).toThrow(/\n {2}- aso.sealing: is required \(or aso.keyVault\).*Fix: set aso.sealing/);
    expect(create).toThrow(/\n {2}- labels.bad key!: the key must be a label key/);
  });
});

describe('ASO from a config file', () => {
  const ROOT = path.resolve(__dirname, '..', '..');

  function writeConfig(aso: string, tls = `{ cname: ml.example.com, delivery: pemSettings, certificate: { files: { cert: ${path.join(CERTS_DIR, 'leaf-chain.pem')}, key: ${path.join(CERTS_DIR, 'leaf.key')} } } }`) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-aso-'));
    const file = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(file, [
      'environments:',
      '  - name: prod',
      `    cluster: { type: aks, subscriptionId: ${SUBSCRIPTION}, resourceGroup: rg-ml, name: aks-ml, location: eastus, nodeCount: 3 }`,
      '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
      `    tls: ${tls}`,
      `    aso: ${aso}`,
      '',
    ].join('\n'));
    return { dir, file };
  }

  test('dist/aso/<env>/ holds the Extension, its SealedSecret and a kustomization.yaml, and nothing else', () => {
    // GIVEN
    const { dir, file } = writeConfig(`{ namespace: azureml, reconcilePolicy: detach-on-delete, sealing: { certificate: ${path.join(SEALING_DIR, 'controller.pem')} } }`);
    const out = path.join(dir, 'dist');
    // WHEN
    synthesize({ configFile: file, outDir: out, now: NOW });
    // THEN
    const folder = path.join(out, 'aso', 'prod');
    expect(fs.readdirSync(folder).sort()).toEqual(['Extension.azureml.k8s.yaml', 'SealedSecret.azureml-protected-settings.k8s.yaml', 'kustomization.yaml']);
    expect(fs.readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8')).toContain('resources:\n  - SealedSecret.azureml-protected-settings.k8s.yaml\n  - Extension.azureml.k8s.yaml\n');
    const settings = JSON.parse(fs.readFileSync(path.join(out, 'install', 'prod', 'settings.json'), 'utf8'));
    const extension = parse(fs.readFileSync(path.join(folder, 'Extension.azureml.k8s.yaml'), 'utf8'));
    expect(schemaErrors(extension)).toEqual([]);
    expect(extension.spec.configurationSettings).toEqual(settings);
    expect(extension.metadata.annotations).toEqual({ 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' });
    // No file of the output holds the key, in PEM or in base64.
    for (const f of fs.readdirSync(out, { recursive: true }) as string[]) {
      const p = path.join(out, f);
      if (fs.statSync(p).isFile()) expect({ f, leaks: /PRIVATE KEY|LS0tLS1CRUdJTi/.test(fs.readFileSync(p, 'utf8')) }).toEqual({ f, leaks: false });
    }
    // Sealing is deterministic: a second synth writes the same SealedSecret, and no seal cache is written.
    const sealed = fs.readFileSync(path.join(folder, 'SealedSecret.azureml-protected-settings.k8s.yaml'), 'utf8');
    expect(fs.readdirSync(dir).sort()).toEqual(['azureml-tls.yaml', 'dist']);
    const again = path.join(dir, 'dist2');
    synthesize({ configFile: file, outDir: again, now: NOW });
    expect(fs.readFileSync(path.join(again, 'aso', 'prod', 'SealedSecret.azureml-protected-settings.k8s.yaml'), 'utf8')).toBe(sealed);
  });

  test('reports ASO problems as fields of the environment, with every other problem', () => {
    const { file } = writeConfig('{ version: "1.2.3", owner: { armId: not-an-id } }');
    let error: ValidationError | undefined;
    try {
      prepareConfig(file, { now: NOW });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.problems.map((p) => `${p.field.replace(/^.*: /, '')}: ${p.message}`)).toEqual([
      'environments[0] (prod).aso.owner.armId: is not an Azure resource id',
      'environments[0] (prod).aso.version: pins a version while minor versions are upgraded automatically (autoUpgradeMinorVersion defaults to true); Azure takes a version only without auto-upgrade',
      'environments[0] (prod).aso.sealing: is required (or aso.keyVault): the extension has protected settings (scoringFe.sslCert, scoringFe.sslKey), which ASO reads from a Secret, and a committed Secret must not hold them in plaintext',
    ]);
  });

  test('examples/aso-aks.yaml is a valid config with an aso block', () => {
    const prepared = prepareConfig(path.join(ROOT, 'examples', 'aso-aks.yaml'), { now: NOW });
    const [env] = prepared.config.environments;
    expect(env.aso).toMatchObject({ namespace: 'azureml', reconcilePolicy: AsoReconcilePolicy.DETACH_ON_DELETE, sealing: { label: 'certs/example-only.sealing.pem' } });
    expect(env.props.tls?.delivery).toBe(TlsDelivery.PEM_SETTINGS);
  });

  test('examples/aso-aks.yaml synthesizes its Extension and SealedSecret (in a copy, so nothing is written beside the example)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-aso-example-'));
    fs.copyFileSync(path.join(ROOT, 'examples', 'aso-aks.yaml'), path.join(dir, 'aso-aks.yaml'));
    fs.cpSync(path.join(ROOT, 'examples', 'certs'), path.join(dir, 'certs'), { recursive: true });
    synthesize({ configFile: path.join(dir, 'aso-aks.yaml'), outDir: path.join(dir, 'dist'), now: NOW });
    const folder = path.join(dir, 'dist', 'aso', 'prod');
    expect(fs.readdirSync(folder).sort()).toEqual(['Extension.azureml.k8s.yaml', 'SealedSecret.azureml-protected-settings.k8s.yaml', 'kustomization.yaml']);
    const sealed = parse(fs.readFileSync(path.join(folder, 'SealedSecret.azureml-protected-settings.k8s.yaml'), 'utf8'));
    expect(schemaErrors(sealed)).toEqual([]);
    // The example sealing certificate's key is the test fixture controller.key (examples/certs/README.md).
    const key = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.key.pem'), 'latin1');
    expect(unseal(sealed.spec.encryptedData['scoringFe.sslKey'], SEALING_KEY, 'azureml/azureml-protected-settings').toString('utf8')).toBe(Buffer.from(key, 'latin1').toString('base64'));
  });
});
