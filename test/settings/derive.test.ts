import { buildExtensionModel, cliValidName, ClusterIdentity, ClusterType, clusterResourceId, ExtensionModelInput, InferenceRouterServiceType as T, InternalLoadBalancerProvider, TlsMode } from '../../lib/settings';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const AKS: ClusterIdentity = { type: ClusterType.AKS, subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: 'rg', name: 'aks1', location: 'EastUS', nodeCount: 5 };

describe('settings as the az CLI sends them (spec section 3)', () => {
  test('sslSecret mode adds scoringFe.sslSecret and always sends enableTraining / enableInference', () => {
    const m = buildExtensionModel({ settings: { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER }, tls: { cname: 'ML.Example.com', sslSecret: 'azureml-fe-tls' } });
    expect(m.tlsMode).toBe(TlsMode.SSL_SECRET);
    expect(m.settings).toEqual({
      enableInference: 'True',
      enableTraining: 'False',
      inferenceRouterServiceType: 'LoadBalancer',
      'scoringFe.sslSecret': 'azureml-fe-tls',
      sslCname: 'ml.example.com',
      sslSecret: 'azureml-fe-tls',
    });
    expect(m.protectedSettings).toEqual({});
    expect(Object.keys(m.settings)).toEqual(Object.keys(m.settings).sort());
  });

  test('PEM mode sends the file paths and the files\' standard base64 as protected settings, and nothing in settings', () => {
    const m = buildExtensionModel({
      settings: { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER },
      tls: { cname: 'ml.example.com', pem: { certificatePem: CERT, privateKeyPem: KEY, certificateFile: 'c.pem', privateKeyFile: 'k.pem' } },
    });
    expect(m.tlsMode).toBe(TlsMode.PEM_SETTINGS);
    expect(m.protectedSettings).toEqual({
      'scoringFe.sslCert': Buffer.from(CERT).toString('base64'),
      'scoringFe.sslKey': Buffer.from(KEY).toString('base64'),
      sslCertPemFile: 'c.pem',
      sslKeyPemFile: 'k.pem',
    });
    expect(m.protectedSettings['scoringFe.sslKey']).not.toMatch(/\n/);
    expect(m.cliProtectedSettings).toEqual({ sslCertPemFile: 'c.pem', sslKeyPemFile: 'k.pem' });
    expect(JSON.stringify(m.settings)).not.toContain('MII');
    expect(JSON.stringify(m.helmValues)).not.toContain(Buffer.from(KEY).toString('base64'));
  });

  test('insecure mode sends allowInsecureConnections=True and no TLS keys', () => {
    const m = buildExtensionModel({ settings: { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER, allowInsecureConnections: true, inferenceRouterHA: false } });
    expect(m.tlsMode).toBe(TlsMode.INSECURE);
    expect(m.settings).toEqual({ allowInsecureConnections: 'True', enableInference: 'True', enableTraining: 'False', inferenceRouterHA: 'False', inferenceRouterServiceType: 'LoadBalancer' });
  });

  test('training only needs no TLS', () => {
    const m = buildExtensionModel({ settings: { enableTraining: true } });
    expect(m.tlsMode).toBe(TlsMode.NONE);
    expect(m.settings).toEqual({ enableInference: 'False', enableTraining: 'True' });
  });

  test('NodePort adds scoringFe.serviceType.nodePort as the CLI\'s Python True', () => {
    const m = buildExtensionModel({ settings: { enableInference: true, inferenceRouterServiceType: T.NODE_PORT, allowInsecureConnections: true } });
    expect(m.settings['scoringFe.serviceType.nodePort']).toBe('True');
    expect(m.settings['scoringFe.serviceType.internalLoadBalancer']).toBeUndefined();
  });

  test('an internal load balancer adds scoringFe.serviceType.internalLoadBalancer', () => {
    const m = buildExtensionModel({ settings: { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE, allowInsecureConnections: true } });
    expect(m.settings['scoringFe.serviceType.internalLoadBalancer']).toBe('True');
    expect(m.settings.internalLoadBalancerProvider).toBe('azure');
  });

  test('isAKSMigration sets scoringFe.namespace=default', () => {
    const m = buildExtensionModel({ settings: { enableInference: true, inferenceRouterServiceType: T.CLUSTER_IP, allowInsecureConnections: true, isAKSMigration: true } });
    expect(m.settings['scoringFe.namespace']).toBe('default');
    expect(m.settings.isAKSMigration).toBe('true');
  });

  test('node selectors keep their label whole in the Helm values', () => {
    const m = buildExtensionModel({ settings: { enableTraining: true, nodeSelector: { 'kubernetes.azure.com/agentpool': 'mlpool' } } });
    expect(m.settings['nodeSelector.kubernetes.azure.com/agentpool']).toBe('mlpool');
    expect(m.helmValues.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'mlpool' });
  });

  test('a known AKS cluster adds the identity keys, lower-case location, relay off and nginx on', () => {
    const m = buildExtensionModel({ settings: { enableTraining: true }, cluster: AKS });
    const id = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1';
    expect(m.settings).toMatchObject({
      cluster_name: id,
      clusterId: id,
      'prometheus.prometheusSpec.externalLabels.cluster_name': id,
      cluster_name_friendly: 'aks1',
      location: 'eastus',
      jobSchedulerLocation: 'eastus',
      domain: 'eastus.cloudapp.azure.com',
      'servicebus.enabled': 'false',
      'relayserver.enabled': 'false',
      'nginxIngress.enabled': 'true',
    });
    expect(m.settings.clusterPurpose).toBeUndefined();
  });

  test('an Arc cluster uses connectedClusters, relay on and nginx off', () => {
    const m = buildExtensionModel({ settings: { enableTraining: true }, cluster: { ...AKS, type: ClusterType.ARC } });
    expect(m.settings.cluster_name).toBe('/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/aks1');
    expect(m.settings['relayserver.enabled']).toBe('true');
    expect(m.settings['nginxIngress.enabled']).toBe('false');
  });

  test('a small cluster derives clusterPurpose=DevTest and inferenceRouterHA=false unless set', () => {
    const small = { ...AKS, nodeCount: 2 };
    const derived = buildExtensionModel({ settings: { enableTraining: true }, cluster: small });
    expect(derived.settings).toMatchObject({ clusterPurpose: 'DevTest', inferenceRouterHA: 'false' });
    const kept = buildExtensionModel({ settings: { enableTraining: true, inferenceRouterHA: false }, cluster: small });
    expect(kept.settings.inferenceRouterHA).toBe('False');
  });

  test('a pass-through key overrides a derived one, as the CLI\'s dict.get does, except domain', () => {
    const m = buildExtensionModel({ settings: { enableTraining: true, additionalSettings: { location: 'custom', domain: 'ignored.example.com' } }, cluster: AKS });
    expect(m.settings.location).toBe('custom');
    expect(m.settings.domain).toBe('eastus.cloudapp.azure.com');
  });

  test('an Arc cluster gets the Azure Relay the CLI creates: namespace, hybrid connection named after the cluster, azureml_rw', () => {
    const m = buildExtensionModel({ settings: { enableTraining: true }, cluster: { ...AKS, type: ClusterType.ARC } });
    expect(m.arcRelay).toEqual({
      namespaceName: 'aks100000000000000000000000000000001rgrelay',
      hybridConnectionName: 'aks1',
      hybridConnectionResourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Relay/namespaces/aks100000000000000000000000000000001rgrelay/hybridConnections/aks1',
      authorizationRuleName: 'azureml_rw',
      resourceGroup: 'rg',
      connectionStringKeys: ['relayServerConnectionString', 'relayserver.relayConnectionString'],
    });
    expect(m.settings['relayserver.hybridConnectionName']).toBe('aks1');
    expect(m.settings['relayserver.hybridConnectionResourceID']).toBe(m.arcRelay?.hybridConnectionResourceId);
    expect(buildExtensionModel({ settings: { enableTraining: true }, cluster: AKS }).arcRelay).toBeUndefined();
  });

  test('an OpenShift Arc cluster sends openshift=true, as the CLI does from properties.distribution (issue 11)', () => {
    const arc: ClusterIdentity = { ...AKS, type: ClusterType.ARC };
    // Compared case-insensitively, and set outright: a pass-through value is overwritten, as the CLI overwrites it.
    const m = buildExtensionModel({ settings: { enableTraining: true, additionalSettings: { openshift: 'false' } }, cluster: { ...arc, distribution: 'OpenShift' } });
    expect(m.settings.openshift).toBe('true');
    expect(m.helmValues.openshift).toBe(true);
    expect(buildExtensionModel({ settings: { enableTraining: true }, cluster: { ...arc, distribution: 'k3s' } }).settings.openshift).toBeUndefined();
    expect(buildExtensionModel({ settings: { enableTraining: true }, cluster: arc }).settings.openshift).toBeUndefined();
  });

  test('copies pass-through connection strings as the CLI\'s reference mapping does, keeping a value set (issue 11)', () => {
    // GIVEN pass-through protected connection strings on Arc (so the CLI creates no relay)
    const m = buildExtensionModel({
      settings: { enableTraining: true, additionalProtectedSettings: { relayServerConnectionString: 'Endpoint=sb://r/', serviceBusConnectionString: 'Endpoint=sb://s/' } },
      cluster: { ...AKS, type: ClusterType.ARC },
    });
    // THEN each is sent under its target key too, and no relay is derived
    expect(m.protectedSettings).toEqual({
      relayServerConnectionString: 'Endpoint=sb://r/',
      'relayserver.relayConnectionString': 'Endpoint=sb://r/',
      serviceBusConnectionString: 'Endpoint=sb://s/',
      'servicebus.connectionString': 'Endpoint=sb://s/',
    });
    expect(m.protectedReferenceCopies).toEqual({ 'relayserver.relayConnectionString': 'relayServerConnectionString', 'servicebus.connectionString': 'serviceBusConnectionString' });
    expect(m.arcRelay).toBeUndefined();
    expect(m.cliProtectedSettings).toEqual({});
    // A target the user set is kept (the CLI's dict.get), and is no copy.
    const kept = buildExtensionModel({ settings: { enableTraining: true, additionalProtectedSettings: { serviceBusConnectionString: 'a', 'servicebus.connectionString': 'b' } } });
    expect(kept.protectedSettings['servicebus.connectionString']).toBe('b');
    expect(kept.protectedReferenceCopies).toEqual({});
    // The CLI dereferences the plain settings too.
    const plain = buildExtensionModel({ settings: { enableTraining: true, additionalSettings: { serviceBusConnectionString: 'c' } } });
    expect(plain.settings['servicebus.connectionString']).toBe('c');
  });

  test('names the Relay namespace as the CLI\'s _get_valid_name does, with an MD5 suffix past 50 characters', () => {
    // Expected values computed with the CLI's Python function.
    expect(cliValidName('aks1-sub-1-rg-relay', 6, 50)).toBe('aks1sub1rgrelay');
    expect(cliValidName('my-arc-cluster-01-11111111-2222-3333-4444-555555555555-rg-ml-prod-relay', 6, 50))
      .toBe('myarccluster01111111112222333344445555555555121623');
  });

  test('clusterResourceId needs subscription, resource group and name', () => {
    expect(clusterResourceId({ type: ClusterType.AKS, name: 'x' })).toBeUndefined();
  });

  // The CLI's behaviour as a table: every combination, snapshotted so a change shows as a reviewable diff.
  test.each([ClusterType.AKS, ClusterType.ARC])('vector table for %s', (type) => {
    const rows: { [row: string]: unknown } = {};
    for (const service of [T.LOAD_BALANCER, T.NODE_PORT, T.CLUSTER_IP]) {
      for (const ilb of [false, true]) {
        if (ilb && (service === T.NODE_PORT || type === ClusterType.ARC)) continue;
        for (const nodeCount of [1, 3]) {
          for (const mode of ['sslSecret', 'pem', 'insecure']) {
            const input: ExtensionModelInput = {
              settings: {
                enableInference: true,
                inferenceRouterServiceType: service,
                internalLoadBalancerProvider: ilb ? InternalLoadBalancerProvider.AZURE : undefined,
                allowInsecureConnections: mode === 'insecure' ? true : undefined,
              },
              tls: mode === 'sslSecret' ? { cname: 'ml.example.com', sslSecret: 'tls' }
                : mode === 'pem' ? { cname: 'ml.example.com', pem: { certificatePem: CERT, privateKeyPem: KEY } } : undefined,
              cluster: { ...AKS, type, nodeCount },
            };
            const m = buildExtensionModel(input);
            rows[`${service}${ilb ? '+ILB' : ''} nodes=${nodeCount} ${mode}`] = { settings: m.settings, protectedKeys: Object.keys(m.protectedSettings) };
          }
        }
      }
    }
    expect(rows).toMatchSnapshot();
  });
});
