import { cliValidName, clusterResourceId, deriveSettings } from '../../lib/settings/derive';
import { ClusterIdentity, ClusterPurpose, ClusterType, InferenceRouterServiceType as T, InternalLoadBalancerProvider } from '../../lib/settings/model';
import { ExtensionModelInput } from '../../lib/settings/rules';
import { TlsMode } from '../../lib/settings/tls';

// Edges of the settings the az CLI adds (spec section 3) that derive.test.ts and vectors.test.ts leave open
// (mutation testing, issue #12). Maps are compared with toStrictEqual: a key set to undefined is a key too much.

const SUB = '00000000-0000-0000-0000-000000000001';
const AKS: ClusterIdentity = { type: ClusterType.AKS, subscriptionId: SUB, resourceGroup: 'rg', name: 'c1', location: 'EastUS', nodeCount: 5 };
const ARC: ClusterIdentity = { ...AKS, type: ClusterType.ARC };
const TRAINING = { enableTraining: true };
const derive = (input: ExtensionModelInput) => deriveSettings(input);

describe('settings without a cluster', () => {
  test('training alone sends only the two component keys, and no TLS mode', () => {
    const d = derive({ settings: TRAINING });
    expect(d.settings).toStrictEqual({ enableInference: 'False', enableTraining: 'True' });
    expect(d.protectedSettings).toStrictEqual({});
    expect(d.cliProtectedSettings).toStrictEqual({});
    expect(d.protectedReferenceCopies).toStrictEqual({});
    expect(d.tlsMode).toBe(TlsMode.NONE);
    expect(d.arcRelay).toBeUndefined();
  });

  test('typed settings are rendered as the documented commands spell them, and unset ones are left out', () => {
    const d = derive({ settings: { ...TRAINING, installPromOp: false, installVolcano: true, volcanoSchedulerConfigMap: 'cm', clusterPurpose: ClusterPurpose.FAST_PROD, enableInference: undefined } });
    expect(d.settings).toStrictEqual({
      clusterPurpose: 'FastProd',
      enableInference: 'False',
      enableTraining: 'True',
      installPromOp: 'False',
      installVolcano: 'True',
      'volcanoScheduler.schedulerConfigMap': 'cm',
    });
  });

  test('sends node selectors and pass-through settings as given', () => {
    const d = derive({ settings: { ...TRAINING, nodeSelector: { pool: 'ml' }, additionalSettings: { 'x.y': 'z' } } });
    expect(d.settings).toStrictEqual({ enableInference: 'False', enableTraining: 'True', 'nodeSelector.pool': 'ml', 'x.y': 'z' });
  });

  test('a pass-through value for an always-present key wins, as the CLI\'s dict.get does', () => {
    // (the rules reject passing a typed key through; the derivation still keeps a value that is there)
    expect(derive({ settings: { ...TRAINING, additionalSettings: { enableInference: 'True' } } }).settings.enableInference).toBe('True');
  });

  test('sorts every map by key', () => {
    const d = derive({
      settings: { ...TRAINING, additionalSettings: { zeta: '1', alpha: '2' }, additionalProtectedSettings: { zp: '1', ap: '2', serviceBusConnectionString: 's' } },
    });
    expect(Object.keys(d.settings)).toEqual(['alpha', 'enableInference', 'enableTraining', 'zeta']);
    expect(Object.keys(d.protectedSettings)).toEqual(['ap', 'serviceBusConnectionString', 'servicebus.connectionString', 'zp']);
  });
});

describe('inference and TLS (the CLI\'s __validate_scoring_fe_settings and __set_up_inference_ssl)', () => {
  const inference = { enableInference: true, inferenceRouterServiceType: T.LOAD_BALANCER };

  test('PEM files default to cert.pem and key.pem, in both protected maps', () => {
    const d = derive({ settings: inference, tls: { cname: 'ml.example.com', pem: { certificatePem: 'C', privateKeyPem: 'K' } } });
    expect(d.tlsMode).toBe(TlsMode.PEM_SETTINGS);
    expect(d.protectedSettings).toStrictEqual({
      'scoringFe.sslCert': Buffer.from('C').toString('base64'),
      'scoringFe.sslKey': Buffer.from('K').toString('base64'),
      sslCertPemFile: 'cert.pem',
      sslKeyPemFile: 'key.pem',
    });
    expect(d.cliProtectedSettings).toStrictEqual({ sslCertPemFile: 'cert.pem', sslKeyPemFile: 'key.pem' });
    expect(d.settings).toStrictEqual({ enableInference: 'True', enableTraining: 'False', inferenceRouterServiceType: 'LoadBalancer', sslCname: 'ml.example.com' });
  });

  test('sends the PEM text byte for byte (latin1), as the CLI base64-encodes the file', () => {
    const d = derive({ settings: inference, tls: { cname: 'ml.example.com', pem: { certificatePem: 'caf\u00e9', privateKeyPem: '\u00ff' } } });
    expect(d.protectedSettings['scoringFe.sslCert']).toBe(Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64'));
    expect(d.protectedSettings['scoringFe.sslKey']).toBe(Buffer.from([0xff]).toString('base64'));
  });

  test('a Secret sets sslSecret and scoringFe.sslSecret, and the cname lower case', () => {
    const d = derive({ settings: inference, tls: { cname: 'ML.Example.COM', sslSecret: 's' } });
    expect(d.tlsMode).toBe(TlsMode.SSL_SECRET);
    expect(d.settings).toStrictEqual({
      enableInference: 'True', enableTraining: 'False', inferenceRouterServiceType: 'LoadBalancer', 'scoringFe.sslSecret': 's', sslCname: 'ml.example.com', sslSecret: 's',
    });
    expect(d.protectedSettings).toStrictEqual({});
  });

  test('the files win over sslSecret, as in the CLI (the rules reject giving both)', () => {
    const d = derive({ settings: inference, tls: { cname: 'ml.example.com', sslSecret: 's', pem: { certificatePem: 'C', privateKeyPem: 'K' } } });
    expect(d.tlsMode).toBe(TlsMode.PEM_SETTINGS);
    expect(d.settings.sslSecret).toBeUndefined();
    expect(d.settings['scoringFe.sslSecret']).toBeUndefined();
  });

  test('TLS material with allowInsecureConnections sends no TLS keys, as the CLI silently does (the rules reject it)', () => {
    const d = derive({ settings: { ...inference, allowInsecureConnections: true }, tls: { cname: 'ml.example.com', sslSecret: 's' } });
    expect(d.tlsMode).toBe(TlsMode.INSECURE);
    expect(d.settings).toStrictEqual({ allowInsecureConnections: 'True', enableInference: 'True', enableTraining: 'False', inferenceRouterServiceType: 'LoadBalancer' });
  });

  test('a cname without a source sends the cname and no source keys', () => {
    const d = derive({ settings: inference, tls: { cname: 'ml.example.com' } });
    expect(d.tlsMode).toBe(TlsMode.INSECURE);
    expect(d.settings).toStrictEqual({ enableInference: 'True', enableTraining: 'False', inferenceRouterServiceType: 'LoadBalancer', sslCname: 'ml.example.com' });
  });

  test('TLS without inference sends nothing for azureml-fe', () => {
    const d = derive({ settings: TRAINING, tls: { cname: 'ml.example.com', sslSecret: 's' } });
    expect(d.tlsMode).toBe(TlsMode.NONE);
    expect(d.settings).toStrictEqual({ enableInference: 'False', enableTraining: 'True' });
  });

  test('isAKSMigration=false adds nothing; ClusterIP and LoadBalancer add no service-type key', () => {
    for (const type of [T.CLUSTER_IP, T.LOAD_BALANCER]) {
      const d = derive({ settings: { enableInference: true, inferenceRouterServiceType: type, allowInsecureConnections: true, isAKSMigration: false } });
      expect(d.settings).toStrictEqual({ allowInsecureConnections: 'True', enableInference: 'True', enableTraining: 'False', inferenceRouterServiceType: type, isAKSMigration: 'False' });
    }
  });

  test('isAKSMigration sends scoringFe.namespace=default and isAKSMigration as the CLI\'s lower-case true', () => {
    const d = derive({ settings: { ...inference, allowInsecureConnections: true, isAKSMigration: true } });
    expect(d.settings.isAKSMigration).toBe('true');
    expect(d.settings['scoringFe.namespace']).toBe('default');
  });

  test('NodePort with an internal load balancer sends only the node port key (the rules reject the pair)', () => {
    const d = derive({ settings: { enableInference: true, inferenceRouterServiceType: T.NODE_PORT, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE, allowInsecureConnections: true } });
    expect(d.settings['scoringFe.serviceType.nodePort']).toBe('True');
    expect('scoringFe.serviceType.internalLoadBalancer' in d.settings).toBe(false);
  });

  test('without inference, neither a node port nor a migration key is sent', () => {
    const d = derive({ settings: { ...TRAINING, inferenceRouterServiceType: T.NODE_PORT, isAKSMigration: true } });
    expect(d.settings).toStrictEqual({ enableInference: 'False', enableTraining: 'True', inferenceRouterServiceType: 'NodePort', isAKSMigration: 'True' });
  });
});

describe('keys derived from the cluster', () => {
  test('a cluster known only by its type adds the service flags and nothing of its identity', () => {
    expect(derive({ settings: TRAINING, cluster: { type: ClusterType.AKS } }).settings).toStrictEqual({
      enableInference: 'False', enableTraining: 'True', 'nginxIngress.enabled': 'true', 'relayserver.enabled': 'false', 'servicebus.enabled': 'false',
    });
    expect(derive({ settings: TRAINING, cluster: { type: ClusterType.ARC } }).settings).toStrictEqual({
      enableInference: 'False', enableTraining: 'True', 'nginxIngress.enabled': 'false', 'relayserver.enabled': 'true', 'servicebus.enabled': 'false',
    });
  });

  test('a name alone adds cluster_name_friendly, no resource id', () => {
    const s = derive({ settings: TRAINING, cluster: { type: ClusterType.AKS, name: 'c1' } }).settings;
    expect(s.cluster_name_friendly).toBe('c1');
    expect(Object.keys(s).filter((k) => /cluster_?[nI]|clusterId/.test(k))).toEqual(['cluster_name_friendly']);
  });

  test('a location alone adds the lower-case region keys and the domain', () => {
    const s = derive({ settings: TRAINING, cluster: { type: ClusterType.AKS, location: 'WestEurope' } }).settings;
    expect(s).toMatchObject({ location: 'westeurope', jobSchedulerLocation: 'westeurope', domain: 'westeurope.cloudapp.azure.com' });
  });

  test('a pass-through cluster_name is used for clusterId and the Prometheus label too', () => {
    const s = derive({ settings: { ...TRAINING, additionalSettings: { cluster_name: 'mine' } }, cluster: AKS }).settings;
    expect([s.cluster_name, s.clusterId, s['prometheus.prometheusSpec.externalLabels.cluster_name']]).toEqual(['mine', 'mine', 'mine']);
  });

  test('a small cluster keeps an explicit clusterPurpose and inferenceRouterHA', () => {
    const small = { ...AKS, nodeCount: 2 };
    const s = derive({ settings: { ...TRAINING, clusterPurpose: ClusterPurpose.FAST_PROD, inferenceRouterHA: true }, cluster: small }).settings;
    expect(s.clusterPurpose).toBe('FastProd');
    expect(s.inferenceRouterHA).toBe('True');
  });

  test('a cluster of three nodes, or of unknown size, is not small', () => {
    for (const nodeCount of [3, undefined]) {
      const s = derive({ settings: TRAINING, cluster: { ...AKS, nodeCount } }).settings;
      expect('clusterPurpose' in s).toBe(false);
      expect('inferenceRouterHA' in s).toBe(false);
    }
    expect(derive({ settings: TRAINING, cluster: { ...AKS, nodeCount: 2 } }).settings).toMatchObject({ clusterPurpose: 'DevTest', inferenceRouterHA: 'false' });
  });

  test('openshift=true only for the openshift distribution, whatever its case', () => {
    expect(derive({ settings: TRAINING, cluster: { ...ARC, distribution: 'OPENSHIFT' } }).settings.openshift).toBe('true');
    expect('openshift' in derive({ settings: TRAINING, cluster: { ...ARC, distribution: 'openshift4' } }).settings).toBe(false);
  });
});

describe('the cluster resource id', () => {
  test.each([
    ['the subscription', { subscriptionId: undefined }],
    ['the resource group', { resourceGroup: undefined }],
    ['the name', { name: undefined }],
    ['an empty subscription', { subscriptionId: '' }],
  ])('is unknown without %s, rather than built with undefined', (_what, over) => {
    expect(clusterResourceId({ ...AKS, ...over })).toBeUndefined();
    const s = derive({ settings: TRAINING, cluster: { ...AKS, ...over } }).settings;
    expect(Object.keys(s).filter((k) => k === 'cluster_name' || k === 'clusterId' || k.startsWith('prometheus.'))).toEqual([]);
  });

  test('is the managed cluster or connected cluster id', () => {
    expect(clusterResourceId(AKS)).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1`);
    expect(clusterResourceId(ARC)).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/c1`);
  });
});

describe('the Azure Relay of an Arc cluster', () => {
  test.each([
    ['the subscription', { subscriptionId: undefined }],
    ['the resource group', { resourceGroup: undefined }],
    ['the name', { name: undefined }],
  ])('is not derived without %s', (_what, over) => {
    const d = derive({ settings: TRAINING, cluster: { ...ARC, ...over } });
    expect(d.arcRelay).toBeUndefined();
    expect(Object.keys(d.settings).filter((k) => k.startsWith('relayserver.hybrid'))).toEqual([]);
  });

  test('is not created when a relay connection string is passed through in the settings', () => {
    // GIVEN the user's own relay, as a plain setting
    const d = derive({ settings: { ...TRAINING, additionalSettings: { relayServerConnectionString: 'Endpoint=sb://r/' } }, cluster: ARC });
    // THEN no relay, and the CLI's reference copy in the same map
    expect(d.arcRelay).toBeUndefined();
    expect(d.settings['relayserver.relayConnectionString']).toBe('Endpoint=sb://r/');
    expect(Object.keys(d.settings).filter((k) => k.startsWith('relayserver.hybrid'))).toEqual([]);
    expect(d.protectedReferenceCopies).toStrictEqual({});
  });

  test('is not created when a relay connection string is passed through as a protected setting', () => {
    const d = derive({ settings: { ...TRAINING, additionalProtectedSettings: { relayServerConnectionString: 'Endpoint=sb://r/' } }, cluster: ARC });
    expect(d.arcRelay).toBeUndefined();
    expect(d.protectedReferenceCopies).toStrictEqual({ 'relayserver.relayConnectionString': 'relayServerConnectionString' });
  });

  test.each(['false', 'False', 'FALSE'])('is not created when relayserver.enabled is %s', (value) => {
    const d = derive({ settings: { ...TRAINING, additionalSettings: { 'relayserver.enabled': value } }, cluster: ARC });
    expect(d.arcRelay).toBeUndefined();
    expect(d.settings['relayserver.enabled']).toBe(value);
  });

  test('is created when relayserver.enabled is set to anything but false', () => {
    expect(derive({ settings: { ...TRAINING, additionalSettings: { 'relayserver.enabled': 'True' } }, cluster: ARC }).arcRelay?.hybridConnectionName).toBe('c1');
  });

  test('lives in the cluster\'s resource group and names both connection string keys', () => {
    const relay = derive({ settings: TRAINING, cluster: { ...ARC, resourceGroup: 'ml-rg' } }).arcRelay;
    expect(relay).toStrictEqual({
      namespaceName: 'c100000000000000000000000000000001mlrgrelay',
      hybridConnectionName: 'c1',
      hybridConnectionResourceId: `/subscriptions/${SUB}/resourceGroups/ml-rg/providers/Microsoft.Relay/namespaces/c100000000000000000000000000000001mlrgrelay/hybridConnections/c1`,
      authorizationRuleName: 'azureml_rw',
      resourceGroup: 'ml-rg',
      connectionStringKeys: ['relayServerConnectionString', 'relayserver.relayConnectionString'],
    });
  });
});

describe('reference copies (the CLI\'s _dereference)', () => {
  test('copies each source to its target in its own map, and reports the protected copies', () => {
    const d = derive({ settings: { ...TRAINING, additionalSettings: { relayServerConnectionString: 'r' }, additionalProtectedSettings: { serviceBusConnectionString: 's' } } });
    expect(d.settings['relayserver.relayConnectionString']).toBe('r');
    expect('servicebus.connectionString' in d.settings).toBe(false);
    expect(d.protectedSettings).toStrictEqual({ serviceBusConnectionString: 's', 'servicebus.connectionString': 's' });
    expect(d.protectedReferenceCopies).toStrictEqual({ 'servicebus.connectionString': 'serviceBusConnectionString' });
  });

  test('keeps a target the user set, in the plain settings too', () => {
    const d = derive({ settings: { ...TRAINING, additionalSettings: { relayServerConnectionString: 'r', 'relayserver.relayConnectionString': 'mine' } } });
    expect(d.settings['relayserver.relayConnectionString']).toBe('mine');
  });
});

describe('cliValidName (the CLI\'s _get_valid_name)', () => {
  test('keeps a name of exactly the maximum length as it is', () => {
    const fifty = 'a'.repeat(50);
    expect(cliValidName(fifty, 6, 50)).toBe(fifty);
    expect(cliValidName(`${'a'.repeat(25)}-${'b'.repeat(25)}`, 6, 50)).toBe(`${'a'.repeat(25)}${'b'.repeat(25)}`);
  });

  test('cuts a name one over the maximum and appends the MD5 prefix of the whole input', () => {
    // md5('a' x 51) starts with 1bb779 (computed with Python's hashlib)
    expect(cliValidName('a'.repeat(51), 6, 50)).toBe(`${'a'.repeat(44)}1bb779`);
  });

  test('keeps letters and digits of any script, and drops everything else', () => {
    expect(cliValidName('Caf\u00e9-\u0661_x.y z', 6, 50)).toBe('Caf\u00e9\u0661xyz');
  });
});
