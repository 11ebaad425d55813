/** Models for the IaC renderer tests: every TLS mode on AKS and Arc, pass-through protected settings, hostile values. */
import { buildExtensionModel, ClusterIdentity, ClusterType, ExtensionModelInput, InferenceRouterServiceType as T } from '../../lib/internal';
import { IacInputs } from '../../lib/render/iac';

/** Dummy PEM text with recognizable markers: none of it may appear in any output. */
export const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIFAKECERTMATERIAL\n-----END CERTIFICATE-----\n';
export const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIFAKEKEYMATERIAL\n-----END PRIVATE KEY-----\n';
/** A pass-through protected value: secret too. */
export const PASS_THROUGH_SECRET = 'TOPSECRET-PASSTHROUGH-VALUE';

/** Strings no output may contain. */
export const FORBIDDEN = [
  'MIIFAKEKEYMATERIAL',
  'MIIFAKECERTMATERIAL',
  'BEGIN PRIVATE KEY',
  Buffer.from(KEY_PEM).toString('base64'),
  Buffer.from(CERT_PEM).toString('base64'),
  PASS_THROUGH_SECRET,
];

export const AKS: ClusterIdentity = { type: ClusterType.AKS, subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg-ml', name: 'aks-prod', location: 'WestEurope', nodeCount: 5 };
export const ARC: ClusterIdentity = { type: ClusterType.ARC, subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg-edge', name: 'arc-edge-01', location: 'EastUS', nodeCount: 3 };

const INFERENCE = { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER };
const SECRET_TLS = { cname: 'ml.example.com', sslSecret: 'azureml-fe-tls' };
const PEM_TLS = { cname: 'ml.example.com', pem: { certificatePem: CERT_PEM, privateKeyPem: KEY_PEM, certificateFile: 'tls/cert.pem', privateKeyFile: 'tls/key.pem' } };
const PEM_FILES = { certificate: 'tls/cert.pem', privateKey: 'tls/key.pem' };

/** Setting values that try to break out of every format's strings. */
export const HOSTILE_SETTINGS: { [key: string]: string } = {
  'hostile.quotes': 'it\'s "double" and \'single\'',
  'hostile.dollar': 'cost $5 ${x} %{if y} $${z} %%{w} $',
  'hostile.backslash': 'C:\\path\\to\\ end\\',
  'hostile.spaces': '  leading and trailing  ',
  'hostile.armExpression': '[resourceGroup().id]',
  'hostile.armEscaped': '[[already escaped]',
  'hostile.controls': 'line1\nline2\ttab\r\u0001',
  'hostile.bicepEscape': '\\${not} \\\' \\n',
  'hostile.key\'with${interp}': 'v',
};

function inputs(name: string, model: ExtensionModelInput, extra: Partial<IacInputs> = {}): [string, IacInputs] {
  const cluster = model.cluster as ClusterIdentity;
  return [name, { environment: name, model: buildExtensionModel(model), cluster, ...extra }];
}

/** Every case, as `[name, inputs]` rows for `describe.each`. */
export const CASES: [string, IacInputs][] = [
  inputs('aks-sslsecret', { settings: INFERENCE, tls: SECRET_TLS, cluster: AKS }),
  inputs('aks-pem', { settings: INFERENCE, tls: PEM_TLS, cluster: AKS }, { pemFiles: PEM_FILES }),
  inputs('aks-pem-without-paths', { settings: INFERENCE, tls: PEM_TLS, cluster: AKS }),
  inputs('aks-insecure', { settings: { ...INFERENCE, allowInsecureConnections: true, inferenceRouterHA: false }, cluster: AKS }),
  inputs('aks-additional-protected', {
    settings: { ...INFERENCE, additionalProtectedSettings: { 'custom.apiToken': PASS_THROUGH_SECRET, 'custom-api.token': PASS_THROUGH_SECRET } },
    tls: SECRET_TLS,
    cluster: AKS,
  }),
  inputs('arc-sslsecret', { settings: { ...INFERENCE, inferenceRouterServiceType: T.NODE_PORT }, tls: SECRET_TLS, cluster: ARC }),
  inputs('arc-pem', {
    settings: { ...INFERENCE, inferenceRouterServiceType: T.NODE_PORT, additionalProtectedSettings: { 'custom.apiToken': PASS_THROUGH_SECRET } },
    tls: PEM_TLS,
    cluster: ARC,
  }, { pemFiles: PEM_FILES, extensionName: 'azureml-edge' }),
  inputs('aks-hostile', {
    settings: { ...INFERENCE, allowInsecureConnections: true, additionalSettings: HOSTILE_SETTINGS, additionalProtectedSettings: { 'hostile.secret\'${p}': PASS_THROUGH_SECRET } },
    cluster: AKS,
  }, { extensionName: 'ml\'${ext}' }),
];

/** The case of that name. */
export function caseNamed(name: string): IacInputs {
  const found = CASES.find(([n]) => n === name);
  if (!found) throw new Error(`no case ${name}`);
  return found[1];
}

/** Whether the case installs on Arc (and so has a relay). */
export function isArc(i: IacInputs): boolean {
  return i.cluster.type === ClusterType.ARC;
}
