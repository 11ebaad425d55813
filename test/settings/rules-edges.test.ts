import { Severity } from '../../lib/certificate/findings';
import { ClusterType, InferenceRouterServiceType as T, InternalLoadBalancerProvider } from '../../lib/settings/model';
import { ARC_INTERNAL_LOAD_BALANCER_WARNING, checkExtensionInput, ExtensionModelInput, extensionInputWarnings } from '../../lib/settings/rules';
import { TlsSettings } from '../../lib/settings/tls';

// Edges of the extension rules (spec sections 2-3) that rules.test.ts leaves open, each problem asserted whole:
// field, message, value and fix (mutation testing, issue #12).

const INFERENCE = { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER } as const;
const SECRET_TLS: TlsSettings = { cname: 'ml.example.com', sslSecret: 'azureml-fe-tls' };
const https = (over: Partial<ExtensionModelInput> = {}): ExtensionModelInput => ({ settings: INFERENCE, tls: SECRET_TLS, ...over });
const GUID = '00000000-0000-0000-0000-000000000001';

describe('components and router', () => {
  test('fails if nothing is enabled, showing the unset enableInference as false', () => {
    expect(checkExtensionInput({ settings: { allowInsecureConnections: true } })).toEqual([{
      field: 'enableInference',
      message: 'neither enableInference nor enableTraining is true, so the extension would install nothing',
      value: 'false',
      fix: 'set enableInference: true (online endpoints, azureml-fe) and/or enableTraining: true',
    }]);
  });

  test('accepts training alone, without TLS or a router service type', () => {
    expect(checkExtensionInput({ settings: { enableTraining: true } })).toEqual([]);
  });

  test('fails if inference has no router service type, listing the types', () => {
    expect(checkExtensionInput(https({ settings: { enableInference: true } }))).toEqual([{
      field: 'inferenceRouterServiceType',
      message: 'is required when enableInference is true',
      fix: 'set it to one of LoadBalancer, NodePort, ClusterIP (with internalLoadBalancerProvider: azure for an internal load balancer on AKS)',
    }]);
  });

  test('fails if an internal load balancer is combined with NodePort, with the fix', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, inferenceRouterServiceType: T.NODE_PORT, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE } }))).toEqual([{
      field: 'internalLoadBalancerProvider',
      message: 'cannot be combined with inferenceRouterServiceType NodePort: a node port uses no load balancer',
      value: 'azure',
      fix: 'remove internalLoadBalancerProvider, or set inferenceRouterServiceType: LoadBalancer',
    }]);
  });

  test('accepts NodePort alone and an internal load balancer with ClusterIP', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, inferenceRouterServiceType: T.NODE_PORT } }))).toEqual([]);
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, inferenceRouterServiceType: T.CLUSTER_IP, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE } }))).toEqual([]);
  });
});

describe('the Arc internal load balancer warning', () => {
  const ilb = { ...INFERENCE, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE };

  test('is one warning with the whole fix', () => {
    expect(extensionInputWarnings(https({ settings: ilb, cluster: { type: ClusterType.ARC } }))).toEqual([{
      severity: Severity.WARNING,
      code: ARC_INTERNAL_LOAD_BALANCER_WARNING,
      message: 'internalLoadBalancerProvider azure on an Arc-enabled cluster: the internal load balancer works only on '
        + 'AKS and AKS Engine clusters (the az CLI warns and sends it, and so does this tool)',
      fix: 'keep it for an AKS Engine cluster; on any other Arc cluster remove internalLoadBalancerProvider and expose azureml-fe with NodePort or ClusterIP and your own load balancer',
    }]);
    expect(ARC_INTERNAL_LOAD_BALANCER_WARNING).toBe('arc-internal-load-balancer');
  });

  test('is not given without an internal load balancer, without a known cluster, or with NodePort (a problem instead)', () => {
    expect(extensionInputWarnings(https({ cluster: { type: ClusterType.ARC } }))).toEqual([]);
    expect(extensionInputWarnings(https({ settings: ilb }))).toEqual([]);
    expect(extensionInputWarnings(https({ settings: { ...ilb, inferenceRouterServiceType: T.NODE_PORT }, cluster: { type: ClusterType.ARC } }))).toEqual([]);
  });
});

describe('TLS (spec sections 2-3)', () => {
  test('fails if inference is enabled without TLS and without the opt-in to HTTP, with the whole advice', () => {
    expect(checkExtensionInput(https({ tls: undefined }))).toEqual([{
      field: 'tls',
      message: 'inference is enabled without TLS: to enable an HTTPS endpoint, either provide sslCertPemFile and sslKeyPemFile '
        + '(pemSettings delivery) or sslSecret (a Secret in namespace azureml holding cert.pem and key.pem)',
      fix: 'add a tls block with cname and certificate; otherwise, to enable an HTTP endpoint, explicitly set insecure: true '
        + '(allowInsecureConnections=True)',
    }]);
  });

  test('accepts plain HTTP when it is chosen explicitly', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, allowInsecureConnections: true }, tls: undefined }))).toEqual([]);
  });

  test('fails if TLS is given without inference, with the fix', () => {
    expect(checkExtensionInput({ settings: { enableTraining: true }, tls: SECRET_TLS })).toEqual([{
      field: 'tls',
      message: 'TLS is only used by azureml-fe, which is installed only when enableInference is true',
      fix: 'set enableInference: true, or remove the tls block',
    }]);
  });

  test('fails if TLS material comes with allowInsecureConnections, with the value and the fix', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, allowInsecureConnections: true } }))).toEqual([{
      field: 'allowInsecureConnections',
      message: 'cannot be combined with TLS material: the az CLI would silently ignore the certificate and serve plain HTTP '
        + '(this tool is stricter and rejects the combination)',
      value: 'True',
      fix: 'remove insecure / allowInsecureConnections to serve HTTPS, or remove the tls block to serve plain HTTP',
    }]);
  });

  test('fails if no TLS source is given, saying to give exactly one', () => {
    expect(checkExtensionInput(https({ tls: { cname: 'ml.example.com' } }))).toEqual([{
      field: 'tls',
      message: 'HTTPS needs a TLS source and none is given',
      fix: 'give exactly one: a Secret (sslSecret, delivery secret) or the PEM files (delivery pemSettings)',
    }]);
  });

  test('fails if both sources are given, saying the CLI would use the files', () => {
    expect(checkExtensionInput(https({ tls: { ...SECRET_TLS, pem: { certificatePem: 'c', privateKeyPem: 'k' } } }))).toEqual([{
      field: 'tls',
      message: 'both sslSecret and the PEM settings are given; the docs say never to give both (the CLI would silently use the files)',
      fix: 'give exactly one: a Secret (sslSecret, delivery secret) or the PEM files (delivery pemSettings)',
    }]);
  });

  test('accepts the PEM files as the one source', () => {
    expect(checkExtensionInput(https({ tls: { cname: 'ml.example.com', pem: { certificatePem: 'c', privateKeyPem: 'k' } } }))).toEqual([]);
  });

  test('fails if the Secret name is not a DNS-1123 subdomain, with the value and the fix', () => {
    expect(checkExtensionInput(https({ tls: { cname: 'ml.example.com', sslSecret: 'AzureML_TLS' } }))).toEqual([{
      field: 'sslSecret',
      message: 'is not a valid Secret name: it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      value: 'AzureML_TLS',
      fix: 'use a name such as azureml-fe-tls',
    }]);
  });

  test('fails if the Secret name is empty (it still counts as the source)', () => {
    expect(checkExtensionInput(https({ tls: { cname: 'ml.example.com', sslSecret: '' } }))).toEqual([{
      field: 'sslSecret', message: 'is not a valid Secret name: it must not be empty', value: '', fix: 'use a name such as azureml-fe-tls',
    }]);
  });

  test.each([
    ['the certificate is empty', { certificatePem: '', privateKeyPem: 'k' }],
    ['the certificate is only whitespace', { certificatePem: ' \n\t', privateKeyPem: 'k' }],
    ['the key is empty', { certificatePem: 'c', privateKeyPem: '' }],
    ['the key is only whitespace', { certificatePem: 'c', privateKeyPem: '\n' }],
  ])('fails if %s', (_what, pem) => {
    expect(checkExtensionInput(https({ tls: { cname: 'ml.example.com', pem } }))).toEqual([
      { field: 'tls.pem', message: 'the certificate or the key is empty', fix: 'give both PEM texts' },
    ]);
  });

  test.each([
    ['empty', ''],
    ['only whitespace', '  '],
    ['missing (a JavaScript caller)', undefined as unknown as string],
  ])('fails if sslCname is %s, with the CLI\'s words', (_what, cname) => {
    expect(checkExtensionInput(https({ tls: { cname, sslSecret: 'azureml-fe-tls' } }))).toEqual([{
      field: 'sslCname',
      message: 'is required whenever TLS material is given (the CLI says: please specify sslCname)',
      fix: 'set tls.cname to the FQDN clients call, e.g. ml.example.com',
    }]);
  });

  test('passes on the cname check\'s finding as a problem of sslCname, with its fix', () => {
    expect(checkExtensionInput(https({ tls: { cname: 'https://ml.example.com/', sslSecret: 'azureml-fe-tls' } }))).toEqual([{
      field: 'sslCname',
      message: 'sslCname "https://ml.example.com/" is not a plain host name: it has a scheme (https://); a path (/)',
      fix: 'set sslCname to ml.example.com',
    }]);
  });

  test('accepts a two-label cname such as contoso.com', () => {
    expect(checkExtensionInput(https({ tls: { cname: 'contoso.com', sslSecret: 'azureml-fe-tls' } }))).toEqual([]);
  });
});

describe('high availability (spec section 2: three replicas need three nodes)', () => {
  const ha = { ...INFERENCE, inferenceRouterHA: true };

  test('fails on a two-node cluster, with the value and the fix', () => {
    expect(checkExtensionInput(https({ settings: ha, cluster: { type: ClusterType.AKS, nodeCount: 2 } }))).toEqual([{
      field: 'inferenceRouterHA',
      message: 'is true but the cluster has 2 node(s): three azureml-fe replicas need at least 3 nodes',
      value: 'True',
      fix: 'set inferenceRouterHA: false (or leave it unset, and it is derived as false as the az CLI does), or grow the cluster to 3 nodes',
    }]);
  });

  test('accepts exactly three nodes, an unknown node count, an unknown cluster, and false on one node', () => {
    expect(checkExtensionInput(https({ settings: ha, cluster: { type: ClusterType.AKS, nodeCount: 3 } }))).toEqual([]);
    expect(checkExtensionInput(https({ settings: ha, cluster: { type: ClusterType.AKS } }))).toEqual([]);
    expect(checkExtensionInput(https({ settings: ha }))).toEqual([]);
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, inferenceRouterHA: false }, cluster: { type: ClusterType.AKS, nodeCount: 1 } }))).toEqual([]);
  });
});

describe('node selectors', () => {
  test('fails on a bad label key and a bad label value, each with its value and fix', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, nodeSelector: { 'bad key!': 'ok', 'pool': 'bad value!' } } }))).toEqual([
      {
        field: 'nodeSelector.bad key!',
        message: 'label key must be a label key: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, optionally after a DNS prefix and \'/\'',
        value: 'bad key!',
        fix: 'use a label such as kubernetes.azure.com/agentpool',
      },
      {
        field: 'nodeSelector.pool',
        message: 'label value must be a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
        value: 'bad value!',
        fix: 'use the node label\'s value, e.g. mlpool',
      },
    ]);
  });

  test('reports a label whose key and value are both bad twice', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, nodeSelector: { '-x': '' } } })).map((p) => `${p.field}: ${p.message.split(':')[0]}`)).toEqual([
      'nodeSelector.-x: label key must be a label key',
      'nodeSelector.-x: label value must not be empty (the extension\'s settings take non-empty strings)',
    ]);
  });

  test('accepts a prefixed label key', () => {
    expect(checkExtensionInput(https({ settings: { ...INFERENCE, nodeSelector: { 'kubernetes.azure.com/agentpool': 'mlpool' } } }))).toEqual([]);
  });
});

describe('pass-through settings', () => {
  const pass = (additionalSettings?: { [k: string]: string }, additionalProtectedSettings?: { [k: string]: string }) =>
    checkExtensionInput(https({ settings: { ...INFERENCE, additionalSettings, additionalProtectedSettings } }));

  test('fails on a typed key, naming where to set it', () => {
    expect(pass({ inferenceRouterHA: 'False' })).toEqual([{
      field: 'additionalSettings.inferenceRouterHA',
      message: 'is a typed setting and may not be passed through',
      value: 'inferenceRouterHA',
      fix: 'set inferenceRouterHA in the extension settings itself',
    }]);
  });

  test('fails on a typed dotted key and on allowInsecureConnections as typed settings', () => {
    expect(pass({ 'volcanoScheduler.schedulerConfigMap': 'cm', allowInsecureConnections: 'True' }).map((p) => `${p.field}: ${p.message}`)).toEqual([
      'additionalSettings.volcanoScheduler.schedulerConfigMap: is a typed setting and may not be passed through',
      'additionalSettings.allowInsecureConnections: is a typed setting and may not be passed through',
    ]);
  });

  test('fails on a key set from the TLS input or derived, with the fix', () => {
    expect(pass({ 'scoringFe.namespace': 'default' })).toEqual([{
      field: 'additionalSettings.scoringFe.namespace',
      message: 'is set from the TLS input or derived as the az CLI does, and may not be passed through',
      value: 'scoringFe.namespace',
      fix: 'use the tls block (cname, certificate, delivery, secretName) instead',
    }]);
  });

  test('fails on a node selector key, with the fix', () => {
    expect(pass({ 'nodeSelector.pool': 'ml' })).toEqual([{
      field: 'additionalSettings.nodeSelector.pool', message: 'is a node selector', value: 'nodeSelector.pool', fix: 'put it in the nodeSelector map',
    }]);
  });

  test('fails on an empty or non-string value, showing it', () => {
    expect(pass({ 'a.b': '', 'c.d': 5 as unknown as string })).toEqual([
      { field: 'additionalSettings.a.b', message: 'must be a non-empty string (ARM and Terraform reject empty values)', value: '', fix: 'give a value or remove the key' },
      { field: 'additionalSettings.c.d', message: 'must be a non-empty string (ARM and Terraform reject empty values)', value: '5', fix: 'give a value or remove the key' },
    ]);
  });

  test('checks the protected settings the same way, under their own name', () => {
    expect(pass(undefined, { sslKeyPemFile: 'k.pem', 'x.y': '' }).map((p) => p.field)).toEqual([
      'additionalProtectedSettings.sslKeyPemFile',
      'additionalProtectedSettings.x.y',
    ]);
  });

  test('accepts protected settings alone, and keys that only start like a node selector', () => {
    expect(pass(undefined, { relayServerConnectionString: 'Endpoint=sb://r/' })).toEqual([]);
    expect(pass({ nodeSelectorX: 'y' })).toEqual([]);
  });

  test('fails on a key in both maps, with the value and the fix', () => {
    expect(pass({ 'foo.bar': 'a' }, { 'foo.bar': 'b' })).toEqual([{
      field: 'additionalProtectedSettings.foo.bar',
      message: 'appears in both the settings and the protected settings (the az CLI refuses: "Duplicate keys found")',
      value: 'foo.bar',
      fix: 'keep the key in one of the two maps',
    }]);
  });
});

describe('the cluster identity', () => {
  const cluster = (over: object) => checkExtensionInput({ settings: { enableTraining: true }, cluster: { type: ClusterType.AKS, ...over } });

  test('accepts a complete identity, the GUID in upper case, and names at their length limits', () => {
    expect(cluster({ subscriptionId: GUID.toUpperCase().replace('0', 'A'), resourceGroup: `r(g).${'x'.repeat(85)}`, name: `a${'-_b'.repeat(20)}${'c'.repeat(2)}`, location: 'EastUS2' })).toEqual([]);
    expect(cluster({ resourceGroup: 'r'.repeat(90), name: 'a'.repeat(63) })).toEqual([]);
    expect(cluster({ resourceGroup: 'r', name: 'a' })).toEqual([]);
  });

  test.each([
    ['a GUID with something before it', `x${GUID}`],
    ['a GUID with something after it', `${GUID}x`],
    ['a GUID without its dashes', GUID.replace(/-/g, '')],
    ['a GUID with a non-hex digit', GUID.replace('1', 'g')],
  ])('fails on %s as the subscription, with the value and the fix', (_what, subscriptionId) => {
    expect(cluster({ subscriptionId })).toEqual([{
      field: 'cluster.subscriptionId', message: 'is not a subscription id (a GUID)', value: subscriptionId, fix: 'use the id az account show --query id -o tsv prints',
    }]);
  });

  test.each([
    ['empty', ''],
    ['91 characters', 'r'.repeat(91)],
    ['ending with a dot', 'rg.'],
    ['holding a space', 'my rg'],
    ['holding a line break after a valid name', 'rg\n'],
  ])('fails on a resource group name %s, with the fix', (_what, resourceGroup) => {
    expect(cluster({ resourceGroup })).toEqual([{
      field: 'cluster.resourceGroup',
      message: 'is not a resource group name (1-90 letters, digits, -, _, ., ( and ), not ending with .)',
      value: resourceGroup,
      fix: 'use the name az group list --query [].name shows',
    }]);
  });

  test.each([
    ['empty', ''],
    ['64 characters', 'a'.repeat(64)],
    ['starting with an underscore', '_aks'],
    ['holding a dot', 'aks.1'],
    ['ending with a line break', 'aks\n'],
  ])('fails on a cluster name %s, with the fix', (_what, name) => {
    expect(cluster({ name })).toEqual([{
      field: 'cluster.name',
      message: 'is not a cluster name (1-63 letters, digits, - and _, starting with a letter or digit)',
      value: name,
      fix: 'use the name az aks list (or az connectedk8s list) shows',
    }]);
  });

  test('fails on a distribution for an AKS cluster, with the value and the fix', () => {
    expect(cluster({ distribution: 'openshift' })).toEqual([{
      field: 'cluster.distribution',
      message: 'is a property of Arc-enabled (connected) clusters only: an AKS cluster has none, so the az CLI derives nothing from it',
      value: 'openshift',
      fix: 'remove cluster.distribution, or set cluster.type: arc for an Arc-enabled cluster',
    }]);
  });

  test('fails on an empty distribution of an Arc cluster, with the fix, and accepts a named one', () => {
    expect(cluster({ type: ClusterType.ARC, distribution: '' })).toEqual([{
      field: 'cluster.distribution',
      message: 'is empty',
      value: '',
      fix: 'give the distribution az connectedk8s show --query distribution prints, e.g. openshift',
    }]);
    expect(cluster({ type: ClusterType.ARC, distribution: 'k3s' })).toEqual([]);
  });

  test('fails on a display-name region, suggesting its programmatic name', () => {
    expect(cluster({ location: 'West  Europe 2' })).toEqual([{
      field: 'cluster.location',
      message: 'is not a region name: the CLI derives the domain <region>.cloudapp.azure.com from it',
      value: 'West  Europe 2',
      fix: 'use the programmatic name, e.g. westeurope2 (az account list-locations --query [].name)',
    }]);
  });

  test.each([['empty', ''], ['with a dash', 'east-us'], ['with a trailing line break', 'eastus\n']])('fails on a region %s', (_what, location) => {
    expect(cluster({ location }).map((p) => p.field)).toEqual(['cluster.location']);
  });

  test('reports the rules in order: components, router, TLS, high availability, node selector, cluster, pass-through', () => {
    const problems = checkExtensionInput({
      settings: { enableInference: true, inferenceRouterHA: true, nodeSelector: { pool: '' }, additionalSettings: { 'x.y': '' } },
      cluster: { type: ClusterType.AKS, nodeCount: 1, name: '_' },
    });
    expect(problems.map((p) => p.field)).toEqual(['inferenceRouterServiceType', 'tls', 'inferenceRouterHA', 'nodeSelector.pool', 'cluster.name', 'additionalSettings.x.y']);
    expect(checkExtensionInput({ settings: {} }).map((p) => p.field)).toEqual(['enableInference']);
  });
});
