import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { CertManagerIssuerKind, KeyVaultCertificateFormat } from '../../lib/certificate/external';
import { CertManagerPrivateKey, CertManagerTlsSecret, CertManagerTlsSecretProps } from '../../lib/constructs/delivery/cert-manager';
import { keyVaultNameFromUrl, KeyVaultTlsSecret, KeyVaultTlsSecretProps, keyVaultUrlError } from '../../lib/constructs/delivery/key-vault';
import { renderWorkloadIdentityScript, WorkloadIdentityScriptOptions } from '../../lib/render/workload-identity';
import { ClusterType } from '../../lib/settings/model';
import { crdSchemaErrors } from '../helpers/crd-schema';
import { k8sSchemaErrors } from '../helpers/k8s-schema';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const TENANT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** A manifest as synthesized (free-form JSON). */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown };

const keyVaultProps: KeyVaultTlsSecretProps = {
  secretName: 'azureml-fe-tls',
  vaultUrl: 'https://ml-vault.vault.azure.net/',
  certificateName: 'ml-example-com',
  clientId: CLIENT_ID,
  tenantId: TENANT_ID,
  format: KeyVaultCertificateFormat.PFX,
};

const certManagerProps: CertManagerTlsSecretProps = {
  secretName: 'azureml-fe-tls',
  cname: 'ml.example.com',
  issuerName: 'letsencrypt-prod',
};

function synthKeyVault(overrides: Partial<KeyVaultTlsSecretProps> = {}): Manifest[] {
  const chart = Testing.chart();
  new KeyVaultTlsSecret(chart, 'Tls', { ...keyVaultProps, ...overrides });
  return Testing.synth(chart) as Manifest[];
}

function synthCertManager(overrides: Partial<CertManagerTlsSecretProps> = {}): Manifest[] {
  const chart = Testing.chart();
  new CertManagerTlsSecret(chart, 'Tls', { ...certManagerProps, ...overrides });
  return Testing.synth(chart) as Manifest[];
}

function byKind(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Core kinds against the Kubernetes 1.28 definitions, custom resources against their CRD. */
function schemaErrors(m: Manifest): string[] {
  return m.apiVersion.includes('.') && !m.apiVersion.startsWith('rbac.authorization.k8s.io/') ? crdSchemaErrors(m) : k8sSchemaErrors(m);
}

/** Every emitted object is valid against its schema and lives in namespace azureml. */
function expectValid(manifests: Manifest[]): void {
  for (const m of manifests) {
    expect({ kind: m.kind, name: m.metadata.name, errors: schemaErrors(m) }).toEqual({ kind: m.kind, name: m.metadata.name, errors: [] });
    expect(m.metadata.namespace).toBe('azureml');
  }
}

/** The ExternalSecret writes exactly the Secret azureml-fe reads: azureml/<name>, Opaque, cert.pem and key.pem. */
function expectAzureMlTarget(externalSecret: Manifest, secretName: string): void {
  const spec = externalSecret.spec as {
    target: { name: string; creationPolicy: string; template: { engineVersion: string; type: string; data: Record<string, string> } };
    data: { secretKey: string }[];
  };
  expect(externalSecret.metadata.namespace).toBe('azureml');
  expect(spec.target.name).toBe(secretName);
  expect(spec.target.creationPolicy).toBe('Owner');
  expect(spec.target.template.engineVersion).toBe('v2');
  expect(spec.target.template.type).toBe('Opaque');
  expect(Object.keys(spec.target.template.data).sort()).toEqual(['cert.pem', 'key.pem']);
  // Every template reads a value the ExternalSecret fetches (missing keys are errors in ESO's v2 engine).
  const keys = spec.data.map((d) => d.secretKey);
  for (const tpl of Object.values(spec.target.template.data)) {
    const refs = [...tpl.matchAll(/\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(keys).toContain(r);
  }
}

describe('crdSchemaErrors', () => {
  test('reports a field the CRD does not declare, which the API server would prune', () => {
    const errors = crdSchemaErrors({
      apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'x' },
      spec: { provider: { azurekv: { vaultUrl: 'https://v.vault.azure.net', useAzureSdk: true } } },
    } as Manifest);
    expect(errors.join('\n')).toContain('useAzureSdk');
  });

  test('reports a value outside an enum and an unknown apiVersion', () => {
    expect(crdSchemaErrors({
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x' },
      spec: { secretName: 's', issuerRef: { name: 'i' }, privateKey: { algorithm: 'DSA' } },
    } as Manifest).join('\n')).toContain('/spec/privateKey/algorithm must be equal to one of the allowed values');
    expect(crdSchemaErrors({ apiVersion: 'example.com/v9', kind: 'Nope' })).toEqual([expect.stringContaining('no CRD for example.com/v9 Nope')]);
  });
});

describe('KeyVaultTlsSecret', () => {
  test('PFX: a ServiceAccount, a Workload Identity SecretStore and an ExternalSecret that unpacks the PKCS#12', () => {
    // GIVEN a PFX certificate in Key Vault
    // WHEN
    const manifests = synthKeyVault();
    // THEN
    expect(manifests.map((m) => m.kind)).toEqual(['ServiceAccount', 'SecretStore', 'ExternalSecret']);
    expectValid(manifests);
    const es = byKind(manifests, 'ExternalSecret');
    expectAzureMlTarget(es, 'azureml-fe-tls');
    expect(es.spec).toMatchObject({
      data: [{ secretKey: 'pfx', remoteRef: { key: 'secret/ml-example-com' } }],
      target: { template: { data: { 'cert.pem': '{{ .pfx | b64dec | pkcs12cert }}', 'key.pem': '{{ .pfx | b64dec | pkcs12key }}' } } },
    });
    expect(manifests).toMatchSnapshot();
  });

  test('PEM: the ExternalSecret filters the certificate and private key blocks', () => {
    const manifests = synthKeyVault({ format: KeyVaultCertificateFormat.PEM });
    expectValid(manifests);
    const es = byKind(manifests, 'ExternalSecret');
    expectAzureMlTarget(es, 'azureml-fe-tls');
    expect(es.spec).toMatchObject({
      data: [{ secretKey: 'pem', remoteRef: { key: 'secret/ml-example-com' } }],
      target: { template: { data: { 'cert.pem': '{{ .pem | filterPEM "CERTIFICATE" }}', 'key.pem': '{{ .pem | filterPEM "PRIVATE KEY" }}' } } },
    });
    expect(manifests).toMatchSnapshot();
  });

  test('the ServiceAccount carries the identity and the SecretStore refers to it, with the tenant given once', () => {
    const manifests = synthKeyVault({ serviceAccountName: 'tls-reader', refreshInterval: '15m' });
    const sa = byKind(manifests, 'ServiceAccount');
    expect(sa.metadata).toEqual({
      name: 'tls-reader',
      namespace: 'azureml',
      annotations: { 'azure.workload.identity/client-id': CLIENT_ID, 'azure.workload.identity/tenant-id': TENANT_ID },
    });
    const store = byKind(manifests, 'SecretStore');
    // ESO fails with "multiple tenantID found" when the store's tenantId and the annotation are both set.
    expect(store.spec).toEqual({
      provider: { azurekv: { authType: 'WorkloadIdentity', vaultUrl: 'https://ml-vault.vault.azure.net/', serviceAccountRef: { name: 'tls-reader' } } },
    });
    expect(byKind(manifests, 'ExternalSecret').spec).toMatchObject({
      refreshInterval: '15m', secretStoreRef: { kind: 'SecretStore', name: 'azureml-fe-tls-key-vault' },
    });
  });

  test('a sovereign-cloud vault selects the matching ESO environment', () => {
    const store = byKind(synthKeyVault({ vaultUrl: 'https://ml-vault.vault.azure.cn' }), 'SecretStore');
    expect(store.spec).toMatchObject({ provider: { azurekv: { environmentType: 'ChinaCloud', vaultUrl: 'https://ml-vault.vault.azure.cn' } } });
    expect(crdSchemaErrors(store)).toEqual([]);
    expect(byKind(synthKeyVault({ vaultUrl: 'https://ml-vault.vault.usgovcloudapi.net/' }), 'SecretStore').spec)
      .toMatchObject({ provider: { azurekv: { environmentType: 'USGovernmentCloud' } } });
  });

  test('output is deterministic', () => {
    expect(synthKeyVault()).toEqual(synthKeyVault());
  });

  test.each([
    ['vaultUrl', { vaultUrl: 'http://ml-vault.vault.azure.net/' }, 'KeyVaultTlsSecret: vaultUrl: is not a Key Vault URL (got "http://ml-vault.vault.azure.net/"). Fix: Use https://<vault-name>.vault.azure.net/'],
    ['vaultUrl', { vaultUrl: 'https://ml-vault.example.com/' }, 'vaultUrl: is not a Key Vault URL (got "https://ml-vault.example.com/")'],
    ['vaultUrl', { vaultUrl: 'https://ml--vault.vault.azure.net/' }, 'vaultUrl: is not a Key Vault URL (got "https://ml--vault.vault.azure.net/")'],
    ['vaultUrl', { vaultUrl: 'https://ml-vault.vault.azure.net/secrets/x' }, 'is not a Key Vault URL'],
    ['clientId', { clientId: 'my-identity' }, 'KeyVaultTlsSecret: clientId: is not a GUID (got "my-identity"). Fix: use the managed identity\'s client id: az identity show'],
    ['tenantId', { tenantId: 'contoso.onmicrosoft.com' }, 'KeyVaultTlsSecret: tenantId: is not a GUID (got "contoso.onmicrosoft.com"). Fix: use the Entra tenant id: az account show --query tenantId -o tsv'],
    ['certificateName', { certificateName: 'ml_example.com' }, 'KeyVaultTlsSecret: certificateName: is not a Key Vault certificate name (got "ml_example.com"). Fix: use 1-127 letters, digits and \'-\''],
    ['certificateName', { certificateName: '' }, 'certificateName: is not a Key Vault certificate name (got "")'],
    ['secretName', { secretName: 'Azureml_TLS' }, 'KeyVaultTlsSecret: secretName: is not a valid object name: it must be a DNS-1123 subdomain'],
    ['secretName', { secretName: 'a'.repeat(250) }, 'the SecretStore <secretName>-key-vault would exceed 253'],
    ['serviceAccountName', { serviceAccountName: 'Reader' }, 'KeyVaultTlsSecret: serviceAccountName: is not a valid object name'],
    ['refreshInterval', { refreshInterval: '1 hour' }, 'KeyVaultTlsSecret: refreshInterval: is not a Go duration (got "1 hour"). Fix: use e.g. 1h, 30m or 1h30m'],
    ['format', { format: 'p12' as KeyVaultCertificateFormat }, 'KeyVaultTlsSecret: format: is not a Key Vault certificate content type (got "p12")'],
  ] as [string, Partial<KeyVaultTlsSecretProps>, string][])('fails with a clear message naming %s if it is invalid (case %#)', (_field, overrides, message) => {
    expect(() => synthKeyVault(overrides)).toThrow(message);
  });

  test('the vault URL helpers accept the Azure clouds\' vault domains only', () => {
    expect(keyVaultNameFromUrl('https://ML-Vault.vault.azure.net')).toBe('ml-vault');
    expect(keyVaultUrlError('https://ml-vault.vault.usgovcloudapi.net/')).toBeUndefined();
    expect(keyVaultUrlError('https://ml-vault.vault.microsoftazure.de/')).toBeUndefined();
    expect(keyVaultUrlError('https://ml-vault.managedhsm.azure.net/')).toContain('is not a Key Vault URL');
    expect(keyVaultUrlError('https://1vault.vault.azure.net/')).toContain('is not a Key Vault URL');
    expect(() => keyVaultNameFromUrl('vault')).toThrow('vaultUrl "vault" is not a Key Vault URL');
  });
});

describe('CertManagerTlsSecret', () => {
  test('ClusterIssuer: a Certificate, least-privilege RBAC, a kubernetes SecretStore and an ExternalSecret that renames the keys', () => {
    // GIVEN the defaults
    // WHEN
    const manifests = synthCertManager();
    // THEN
    expect(manifests.map((m) => m.kind)).toEqual(['Certificate', 'ServiceAccount', 'Role', 'RoleBinding', 'SecretStore', 'ExternalSecret']);
    expectValid(manifests);
    expect(byKind(manifests, 'Certificate').spec).toEqual({
      secretName: 'azureml-fe-tls-cert-manager',
      dnsNames: ['ml.example.com'],
      issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS8', rotationPolicy: 'Always' },
      usages: ['server auth', 'digital signature', 'key encipherment'],
    });
    const es = byKind(manifests, 'ExternalSecret');
    expectAzureMlTarget(es, 'azureml-fe-tls');
    expect(es.spec).toMatchObject({
      data: [
        { secretKey: 'tlscrt', remoteRef: { key: 'azureml-fe-tls-cert-manager', property: 'tls.crt' } },
        { secretKey: 'tlskey', remoteRef: { key: 'azureml-fe-tls-cert-manager', property: 'tls.key' } },
      ],
      target: { template: { data: { 'cert.pem': '{{ .tlscrt }}', 'key.pem': '{{ .tlskey }}' } } },
    });
    expect(manifests).toMatchSnapshot();
  });

  test('Issuer: a namespaced issuer, extra names (lowered, deduplicated, wildcards allowed), duration and renewBefore', () => {
    const manifests = synthCertManager({
      cname: 'ML.Example.com',
      issuerKind: CertManagerIssuerKind.ISSUER,
      issuerName: 'internal-ca',
      extraNames: ['ml.example.com', 'ML2.example.com', '*.ml.example.com'],
      duration: '2160h',
      renewBefore: '720h',
    });
    expectValid(manifests);
    expect(byKind(manifests, 'Certificate').spec).toMatchObject({
      dnsNames: ['ml.example.com', 'ml2.example.com', '*.ml.example.com'],
      issuerRef: { name: 'internal-ca', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '2160h',
      renewBefore: '720h',
    });
    expect(manifests).toMatchSnapshot();
  });

  test('the Role may only get cert-manager\'s Secret, bound to the store\'s ServiceAccount; no cluster-wide RBAC', () => {
    const manifests = synthCertManager({ serviceAccountName: 'tls-copier' });
    expect(manifests.some((m) => m.kind.startsWith('Cluster'))).toBe(false);
    expect(byKind(manifests, 'Role')).toMatchObject({
      metadata: { name: 'azureml-fe-tls-cert-manager-reader', namespace: 'azureml' },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['azureml-fe-tls-cert-manager'], verbs: ['get'] }],
    });
    expect(byKind(manifests, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'azureml-fe-tls-cert-manager-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'tls-copier', namespace: 'azureml' }],
    });
    expect(byKind(manifests, 'SecretStore').spec).toEqual({
      provider: {
        kubernetes: {
          remoteNamespace: 'azureml',
          server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt' } },
          auth: { serviceAccount: { name: 'tls-copier' } },
        },
      },
    });
  });

  test('an ECDSA key is an explicit opt-in and drops key encipherment', () => {
    const cert = byKind(synthCertManager({ privateKey: CertManagerPrivateKey.ECDSA_P256 }), 'Certificate');
    expect(cert.spec).toMatchObject({
      privateKey: { algorithm: 'ECDSA', size: 256 },
      usages: ['server auth', 'digital signature'],
    });
    expect(crdSchemaErrors(cert)).toEqual([]);
  });

  test('output is deterministic', () => {
    expect(synthCertManager()).toEqual(synthCertManager());
  });

  test.each([
    ['cname', { cname: 'https://ml.example.com' }, 'CertManagerTlsSecret: cname: cname "https://ml.example.com" is not a plain host name: it has a scheme (https://). Fix: set cname to ml.example.com'],
    ['cname', { cname: '*.example.com' }, 'cname "*.example.com" is not a plain host name: it has a wildcard'],
    ['cname', { cname: 'ml' }, 'cname "ml" is not a plain host name: it has a single label'],
    ['extraNames', { extraNames: ['ok.example.com', 'bad name.example.com'] }, 'CertManagerTlsSecret: extraNames: entry is not a DNS name'],
    ['secretName', { secretName: 'TLS' }, 'CertManagerTlsSecret: secretName: is not a valid object name: it must be a DNS-1123 subdomain'],
    ['issuerName', { issuerName: 'Lets_Encrypt' }, 'CertManagerTlsSecret: issuerName: is not a valid object name'],
    ['issuerGroup', { issuerGroup: 'cert manager' }, 'CertManagerTlsSecret: issuerGroup: is not a valid object name'],
    ['issuerKind', { issuerKind: 'ExternalIssuer' as CertManagerIssuerKind }, 'CertManagerTlsSecret: issuerKind: is not an issuer kind (got "ExternalIssuer")'],
    ['serviceAccountName', { serviceAccountName: 'SA' }, 'CertManagerTlsSecret: serviceAccountName: is not a valid object name'],
    ['duration', { duration: '90d' }, 'CertManagerTlsSecret: duration: is not a Go duration (got "90d"). Fix: use hours and minutes such as 2160h'],
    ['duration', { duration: '30m' }, 'CertManagerTlsSecret: duration: is below cert-manager\'s minimum of 1h (got "30m")'],
    ['renewBefore', { renewBefore: '1m' }, 'CertManagerTlsSecret: renewBefore: is below cert-manager\'s minimum of 5m (got "1m")'],
    ['duration', { duration: '24h', renewBefore: '24h' }, 'CertManagerTlsSecret: renewBefore: is not shorter than duration "24h" (got "24h")'],
    ['refreshInterval', { refreshInterval: 'hourly' }, 'CertManagerTlsSecret: refreshInterval: is not a Go duration (got "hourly")'],
    ['secretName', { secretName: 'a'.repeat(240) }, '<secretName>-cert-manager-reader would exceed 253'],
  ] as [string, Partial<CertManagerTlsSecretProps>, string][])('fails with a clear message naming %s if it is invalid (case %#)', (_field, overrides, message) => {
    expect(() => synthCertManager(overrides)).toThrow(message);
  });
});

describe('renderWorkloadIdentityScript', () => {
  const aks: WorkloadIdentityScriptOptions = {
    environment: 'prod',
    vaultUrl: 'https://ml-vault.vault.azure.net/',
    clientId: CLIENT_ID,
    serviceAccountName: 'azureml-fe-tls-reader',
    identityName: 'azureml-tls-reader',
    cluster: { type: ClusterType.AKS, subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'ml-rg', name: 'ml-aks' },
  };

  /** A fake `az` on PATH that logs each call's arguments as [arg][arg]... and answers the lookups. */
  function runWithFakeAz(script: string, env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wi-script-'));
    const log = path.join(dir, 'az.log');
    fs.writeFileSync(path.join(dir, 'az'), [
      '#!/usr/bin/env bash',
      'for a in "$@"; do printf "[%s]" "$a"; done >> "$AZ_LOG"; echo >> "$AZ_LOG"',
      'case "$1 $2" in',
      '  "aks show"|"connectedk8s show") echo "https://issuer.example/tenant/guid/" ;;',
      '  "keyvault show") echo "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/ml-vault" ;;',
      '  "resource show") echo "${FAKE_RBAC:-True}" ;;',
      'esac',
      '',
    ].join('\n'), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'setup.sh'), script);
    const result = spawnSync('bash', ['setup.sh'], {
      cwd: dir, encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH ?? ''}`, AZ_LOG: log, ...env },
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    const files = fs.readdirSync(dir).sort();
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: result.status, stderr: result.stderr, calls, files };
  }

  test('passes bash -n and federates the ServiceAccount with the identity and grants Key Vault Secrets User', () => {
    const script = renderWorkloadIdentityScript(aks);
    expect(spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' }).status).toBe(0);
    expect(script).toContain('system:serviceaccount:azureml:azureml-fe-tls-reader');
    expect(script).toContain('api://AzureADTokenExchange');
    expect(script).toContain("--role 'Key Vault Secrets User'");
    expect(script).toContain('set -euo pipefail');
    expect(script).toMatchSnapshot();
  });

  test('runs the expected az commands, in order', () => {
    const run = runWithFakeAz(renderWorkloadIdentityScript(aks));
    expect(run.stderr).toContain('Workload Identity is set up for system:serviceaccount:azureml:azureml-fe-tls-reader');
    expect(run.status).toBe(0);
    const sub = '[--subscription][00000000-0000-0000-0000-000000000000]';
    expect(run.calls).toEqual([
      `[aks][show][--resource-group][ml-rg][--name][ml-aks]${sub}[--query][oidcIssuerProfile.issuerUrl][-o][tsv]`,
      '[identity][federated-credential][create][--name][ml-aks-azureml-tls][--identity-name][azureml-tls-reader][--resource-group][ml-rg]'
        + `[--issuer][https://issuer.example/tenant/guid/][--subject][system:serviceaccount:azureml:azureml-fe-tls-reader][--audiences][api://AzureADTokenExchange]${sub}`,
      `[keyvault][show][--name][ml-vault]${sub}[--query][id][-o][tsv]`,
      '[resource][show][--ids][/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/ml-vault][--query][properties.enableRbacAuthorization][-o][tsv]',
      `[role][assignment][create][--assignee][${CLIENT_ID}][--role][Key Vault Secrets User][--scope][/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/ml-vault]`,
    ]);
  });

  test('on Arc reads the issuer with az connectedk8s; a vault with access policies gets a get-secrets policy', () => {
    const run = runWithFakeAz(renderWorkloadIdentityScript({ ...aks, cluster: { type: ClusterType.ARC, resourceGroup: 'edge-rg', name: 'edge' } }), { FAKE_RBAC: 'False' });
    expect(run.status).toBe(0);
    expect(run.calls[0]).toBe('[connectedk8s][show][--resource-group][edge-rg][--name][edge][--query][oidcIssuerProfile.issuerUrl][-o][tsv]');
    expect(run.calls[run.calls.length - 1]).toBe(`[keyvault][set-policy][--name][ml-vault][--spn][${CLIENT_ID}][--secret-permissions][get]`);
  });

  test('unknown values are read from environment variables, and the script stops naming the missing one', () => {
    const script = renderWorkloadIdentityScript({ environment: 'dev', vaultUrl: aks.vaultUrl, clientId: CLIENT_ID, serviceAccountName: 'reader' });
    expect(spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' }).status).toBe(0);
    expect(script).toContain('RESOURCE_GROUP="${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the cluster}"');
    expect(script).toContain('IDENTITY_NAME="${IDENTITY_NAME:?set IDENTITY_NAME to the name of the user-assigned managed identity}"');
    const missing = runWithFakeAz(script);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('set RESOURCE_GROUP to the resource group of the cluster');
    expect(missing.calls).toEqual([]);
    const given = runWithFakeAz(script, {
      RESOURCE_GROUP: 'rg', CLUSTER_NAME: 'c', CLUSTER_TYPE: 'managedClusters', IDENTITY_NAME: 'id', IDENTITY_RESOURCE_GROUP: 'id-rg',
      KEY_VAULT_ID: '/subscriptions/x/resourceGroups/y/providers/Microsoft.KeyVault/vaults/z',
    });
    expect(given.status).toBe(0);
    expect(given.calls[1]).toContain('[--name][c-azureml-tls][--identity-name][id][--resource-group][id-rg]');
    expect(given.calls[1]).toContain('[--subject][system:serviceaccount:azureml:reader]');
    expect(given.calls.some((c) => c.startsWith('[keyvault][show]'))).toBe(false);
  });

  test('hostile values stay literal arguments: nothing is executed', () => {
    const hostile = {
      ...aks,
      environment: 'prod"; touch pwned-env; "',
      identityName: 'id\'; touch pwned-1; echo \'',
      identityResourceGroup: '$(touch pwned-2)',
      federatedCredentialName: '`touch pwned-3`',
      cluster: { type: ClusterType.AKS, resourceGroup: 'rg"; touch pwned-4; "', name: 'c ${IFS}$(touch pwned-5)' },
    };
    const script = renderWorkloadIdentityScript(hostile);
    expect(spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' }).status).toBe(0);
    const run = runWithFakeAz(script);
    expect(run.status).toBe(0);
    expect(run.files).toEqual(['az', 'az.log', 'setup.sh']);
    expect(run.calls[0]).toContain('[--resource-group][rg"; touch pwned-4; "][--name][c ${IFS}$(touch pwned-5)]');
    expect(run.calls[1]).toContain('[--name][`touch pwned-3`][--identity-name][id\'; touch pwned-1; echo \'][--resource-group][$(touch pwned-2)]');
  });

  test.each([
    ['vaultUrl', { vaultUrl: 'https://vault.example.com' }, 'vaultUrl "https://vault.example.com" is not a Key Vault URL'],
    ['clientId', { clientId: 'x' }, 'clientId "x" is not a GUID'],
    ['serviceAccountName', { serviceAccountName: 'Bad Name' }, 'serviceAccountName "Bad Name" is not a valid ServiceAccount name'],
    ['environment', { environment: 'dev\nrm -rf /' }, 'environment "dev\\nrm -rf /" holds control characters'],
  ] as [string, Partial<WorkloadIdentityScriptOptions>, string][])('fails with a clear message naming %s if it is invalid (case %#)', (_field, overrides, message) => {
    expect(() => renderWorkloadIdentityScript({ ...aks, ...overrides })).toThrow(message);
  });
});
