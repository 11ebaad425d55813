import { buildExtensionModel, ClusterType, InferenceRouterServiceType as T, InternalLoadBalancerProvider } from '../../lib/settings';

// The az CLI's additions (spec section 3, AzureMLKubernetes.py) as test vectors: one row per
// AKS/Arc x LoadBalancer/NodePort/ClusterIP x ILB x small/large x sslSecret/PEM/insecure, each with the keys the CLI
// would add, written out independently of lib/settings/derive.ts.
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = 'key-text';
const SUB = '11111111-2222-3333-4444-555555555555';

type Mode = 'sslSecret' | 'pem' | 'insecure';
interface Row { cluster: ClusterType; service: T; ilb: boolean; nodes: number; mode: Mode }

const rows: Row[] = [];
for (const cluster of [ClusterType.AKS, ClusterType.ARC]) {
  for (const service of [T.LOAD_BALANCER, T.NODE_PORT, T.CLUSTER_IP]) {
    for (const ilb of [false, true]) {
      if (ilb && (service === T.NODE_PORT || cluster === ClusterType.ARC)) continue; // rejected combinations (tested in rules.test.ts)
      for (const nodes of [1, 3]) for (const mode of ['sslSecret', 'pem', 'insecure'] as Mode[]) rows.push({ cluster, service, ilb, nodes, mode });
    }
  }
}

function expected(r: Row): { settings: { [k: string]: string | undefined }; protectedKeys: string[] } {
  const aks = r.cluster === ClusterType.AKS;
  const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/${aks ? 'Microsoft.ContainerService/managedClusters' : 'Microsoft.Kubernetes/connectedClusters'}/c1`;
  const small = r.nodes < 3;
  return {
    settings: {
      'enableTraining': 'False',
      'enableInference': 'True',
      'inferenceRouterServiceType': r.service,
      'internalLoadBalancerProvider': r.ilb ? 'azure' : undefined,
      'scoringFe.serviceType.nodePort': r.service === T.NODE_PORT ? 'True' : undefined,
      'scoringFe.serviceType.internalLoadBalancer': r.ilb ? 'True' : undefined,
      'allowInsecureConnections': r.mode === 'insecure' ? 'True' : undefined,
      'sslCname': r.mode === 'insecure' ? undefined : 'ml.example.com',
      'sslSecret': r.mode === 'sslSecret' ? 'tls' : undefined,
      'scoringFe.sslSecret': r.mode === 'sslSecret' ? 'tls' : undefined,
      'clusterPurpose': small ? 'DevTest' : undefined,
      'inferenceRouterHA': small ? 'false' : undefined,
      'cluster_name': id,
      'clusterId': id,
      'prometheus.prometheusSpec.externalLabels.cluster_name': id,
      'cluster_name_friendly': 'c1',
      'location': 'eastus',
      'jobSchedulerLocation': 'eastus',
      'domain': 'eastus.cloudapp.azure.com',
      'servicebus.enabled': 'false',
      'relayserver.enabled': aks ? 'false' : 'true',
      'nginxIngress.enabled': aks ? 'true' : 'false',
      'relayserver.hybridConnectionName': aks ? undefined : 'c1',
      'relayserver.hybridConnectionResourceID': aks ? undefined
        // the namespace name as the CLI's _get_valid_name gives it (computed with its Python)
        : `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Relay/namespaces/c111111111222233334444555555555555rgrelay/hybridConnections/c1`,
    },
    protectedKeys: r.mode === 'pem' ? ['scoringFe.sslCert', 'scoringFe.sslKey', 'sslCertPemFile', 'sslKeyPemFile'] : [],
  };
}

describe('the az CLI\'s additions, row by row', () => {
  test(`the table has ${rows.length} rows`, () => {
    expect(rows).toHaveLength(48);
  });

  test.each(rows.map((r) => [`${r.cluster} ${r.service}${r.ilb ? '+ILB' : ''} nodes=${r.nodes} ${r.mode}`, r] as const))('%s', (_name, r) => {
    const model = buildExtensionModel({
      settings: {
        enableInference: true,
        inferenceRouterServiceType: r.service,
        internalLoadBalancerProvider: r.ilb ? InternalLoadBalancerProvider.AZURE : undefined,
        allowInsecureConnections: r.mode === 'insecure' ? true : undefined,
      },
      tls: r.mode === 'sslSecret' ? { cname: 'ml.example.com', sslSecret: 'tls' }
        : r.mode === 'pem' ? { cname: 'ml.example.com', pem: { certificatePem: CERT, privateKeyPem: KEY } } : undefined,
      cluster: { type: r.cluster, subscriptionId: SUB, resourceGroup: 'rg', name: 'c1', location: 'EastUS', nodeCount: r.nodes },
    });
    const want = expected(r);
    const defined = Object.fromEntries(Object.entries(want.settings).filter(([, v]) => v !== undefined));
    expect(model.settings).toEqual(defined);
    expect(Object.keys(model.protectedSettings)).toEqual(want.protectedKeys);
    if (r.mode === 'pem') expect(model.protectedSettings['scoringFe.sslKey']).toBe(Buffer.from(KEY).toString('base64'));
  });
});
