import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { AzureMlExtension, InferenceRouterServiceType, SealingScope, synthesize, TlsCertificate, TlsDelivery, ValidationError } from '../../lib/internal';
import { unseal } from '../sealing/unseal';
import { crdSchemaErrors } from '../helpers/crd-schema';
import { k8sSchemaErrors } from '../helpers/k8s-schema';
import { environmentObjects } from '../helpers/output';

const NOW = new Date('2027-06-01T00:00:00Z');

function synthConfig(body: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-modes-'));
  fs.writeFileSync(path.join(dir, 'azureml-tls.yaml'), body);
  const out = path.join(dir, 'dist');
  const result = synthesize({ configFile: path.join(dir, 'azureml-tls.yaml'), outDir: out, now: NOW });
  // The Namespace is left out: these tests look at what delivers the certificate.
  const manifests = (env: string) => environmentObjects(out, env).filter((o) => o.kind !== 'Namespace');
  const settings = (env: string) => JSON.parse(fs.readFileSync(path.join(out, 'install', env, 'settings.json'), 'utf8'));
  return { dir, out, result, manifests, settings };
}

const ENV = (name: string, tls: string) => `  - name: ${name}
    cluster: { type: aks, subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg, name: aks-${name}, location: eastus, nodeCount: 3 }
    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }
    tls: ${tls}
`;

const schemaErrors = (m: { apiVersion: string }) => (m.apiVersion.includes('.') && !m.apiVersion.startsWith('rbac.') ? crdSchemaErrors(m) : k8sSchemaErrors(m));

describe('delivery modes from the config', () => {
  const kv = `{ cname: ml.kv.example.com, secretName: fe-tls, keyVault: { vaultUrl: "https://ml-vault.vault.azure.net/", certificateName: azureml-fe, clientId: 11111111-1111-1111-1111-111111111111, tenantId: 22222222-2222-2222-2222-222222222222, identityName: id-ml } }`;
  const cm = `{ cname: ml.cm.example.com, certManager: { issuerName: letsencrypt, issuerKind: ClusterIssuer } }`;

  test('externalSecret: ServiceAccount, SecretStore and ExternalSecret writing the Secret sslSecret names, plus the workload identity script', () => {
    const { out, manifests, settings } = synthConfig(`environments:\n${ENV('kv', kv)}`);
    const objects = manifests('kv');
    expect(objects.map((o) => o.kind).sort()).toEqual(['ExternalSecret', 'SecretStore', 'ServiceAccount']);
    for (const o of objects) expect(schemaErrors(o)).toEqual([]);
    const es = objects.find((o) => o.kind === 'ExternalSecret');
    expect(es.spec.target).toMatchObject({ name: 'fe-tls', template: { type: 'Opaque' } });
    expect(Object.keys(es.spec.target.template.data).sort()).toEqual(['cert.pem', 'key.pem']);
    expect(settings('kv')).toMatchObject({ sslSecret: 'fe-tls', 'scoringFe.sslSecret': 'fe-tls', sslCname: 'ml.kv.example.com' });
    const script = fs.readFileSync(path.join(out, 'install', 'kv', 'workload-identity.sh'), 'utf8');
    expect(script).toContain('system:serviceaccount:azureml:azureml-fe-tls-reader');
    expect(fs.statSync(path.join(out, 'install', 'kv', 'workload-identity.sh')).mode & 0o777).toBe(0o755);
  });

  test('certManager: a Certificate and the ESO copy into cert.pem / key.pem', () => {
    const { manifests, settings } = synthConfig(`environments:\n${ENV('cm', cm)}`);
    const objects = manifests('cm');
    expect(objects.map((o) => o.kind).sort()).toEqual(['Certificate', 'ExternalSecret', 'Role', 'RoleBinding', 'SecretStore', 'ServiceAccount']);
    for (const o of objects) expect(schemaErrors(o)).toEqual([]);
    expect(objects.find((o) => o.kind === 'Certificate').spec.dnsNames).toEqual(['ml.cm.example.com']);
    expect(settings('cm').sslSecret).toBe('azureml-fe-tls');
  });

  test('no mode other than an acknowledged secret writes key material', () => {
    const { out } = synthConfig(`environments:\n${ENV('kv', kv)}${ENV('cm', cm)}`);
    for (const f of fs.readdirSync(out, { recursive: true }) as string[]) {
      const p = path.join(out, f);
      if (fs.statSync(p).isFile()) expect(fs.readFileSync(p, 'utf8')).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
    }
  });

  test('fails if a delivery does not fit the source', () => {
    expect(() => synthConfig(`environments:\n${ENV('x', '{ cname: ml.x.example.com, delivery: externalSecret, certificate: { existingSecret: s } }')}`))
      .toThrow(/tls.delivery: externalSecret delivery does not fit the certificate source .*Fix: use delivery secret with this source, or take the certificate from Key Vault \(tls.keyVault\)/);
  });

  test('fails if a tls block gives two sources', () => {
    expect(() => synthConfig(`environments:\n${ENV('x', `{ cname: ml.x.example.com, certificate: { existingSecret: s }, certManager: { issuerName: le } }`)}`))
      .toThrow(ValidationError);
  });

  test('reports invalid Key Vault and cert-manager settings as field errors of the environment', () => {
    let error: ValidationError | undefined;
    try {
      synthConfig(`environments:\n${ENV('kv', kv.replace('https://ml-vault.vault.azure.net/', 'http://example.com').replace('11111111-1111-1111-1111-111111111111', 'me'))}${ENV('cm', cm.replace('letsencrypt', 'Lets_Encrypt'))}`);
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.problems.map((p) => `${p.field.replace(/^.*: /, '')}: ${p.message} [${p.value}]`)).toEqual([
      'environments[0] (kv).tls.keyVault.vaultUrl: is not a Key Vault URL [http://example.com]',
      'environments[0] (kv).tls.keyVault.clientId: is not a GUID [me]',
      'environments[1] (cm).tls.certManager.issuerName: is not a valid object name: it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit [Lets_Encrypt]',
    ]);
  });
});

describe('sealedSecret delivery from the library', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const fixture = (f: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', f), 'latin1');
  const CERT = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem'), 'latin1');
  const KEY = fs.readFileSync(path.join(ROOT, 'examples', 'certs', 'example-only.key.pem'), 'latin1');
  const settings = { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER };
  const tls = (over: object) => ({ cname: 'ml.dev.example.com', delivery: TlsDelivery.SEALED_SECRET, certificate: TlsCertificate.fromPem(CERT, KEY), ...over });

  test('seals cert.pem and key.pem for the controller, with sslSecret naming the Secret it unseals to', () => {
    const chart = Testing.chart();
    const ext = new AzureMlExtension(chart, 'Ext', { settings, now: NOW, tls: tls({ sealing: { certificatePem: fixture('sealing/controller.pem'), scope: SealingScope.NAMESPACE_WIDE } }) });
    const objects = Testing.synth(chart);
    // The Namespace comes first, so GitOps tools create it before the SealedSecret that lives in it.
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'SealedSecret']);
    const sealed = objects[1];
    expect(sealed.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(unseal(sealed.spec.encryptedData['key.pem'], fixture('sealing/controller.key'), 'azureml')).toEqual(Buffer.from(KEY, 'latin1'));
    expect(ext.model.settings.sslSecret).toBe('azureml-fe-tls');
    expect(JSON.stringify(sealed)).not.toContain('PRIVATE KEY');
  });

  test('fails without the controller\'s certificate, saying how to fetch it', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings, now: NOW, tls: tls({}) }))
      .toThrow('tls.sealing: sealedSecret delivery needs the Sealed Secrets controller\'s certificate. Fix: fetch it with kubeseal --fetch-cert > sealing.pem');
  });

  test('fails if the sealing certificate is not RSA', () => {
    expect(() => new AzureMlExtension(Testing.chart(), 'Ext', { settings, now: NOW, tls: tls({ sealing: { certificatePem: fixture('sealing/ec-controller.pem'), label: 'ec.pem' } }) }))
      .toThrow(/tls.sealing.certificate: .*ec.pem/);
  });
});

describe('install paths need the whole cluster identity', () => {
  test('an environment whose cluster block lacks the resource id gets no IaC files, and a warning says why', () => {
    const { out, result } = synthConfig('environments:\n  - name: partial\n    insecure: true\n    cluster: { type: aks, name: aks-1, nodeCount: 1 }\n    extension: { enableTraining: true }\n');
    expect(fs.readdirSync(path.join(out, 'install', 'partial')).sort()).toEqual(['az-create.sh', 'az-update.sh', 'protected-settings.json', 'settings.json', 'values.yml']);
    expect(result.warnings).toEqual(['partial: Bicep, ARM and Terraform files are not written: the cluster block lacks subscriptionId, resourceGroup, location (needed for the cluster\'s resource id)']);
  });

  test('a leftover seal cache of an earlier version is never read: a warning says to delete it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-cache-'));
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'environments:\n  - name: a\n    extension: { enableTraining: true }\n');
    fs.writeFileSync(path.join(dir, 'c.sealed.json'), '{ not json');
    const result = synthesize({ configFile: path.join(dir, 'c.yaml'), outDir: path.join(dir, 'dist'), now: NOW });
    expect(result.warnings).toContainEqual(expect.stringMatching(/c\.sealed\.json: this seal cache is no longer used .*; delete the file$/));
    expect(fs.readFileSync(path.join(dir, 'c.sealed.json'), 'utf8')).toBe('{ not json');
  });
});
