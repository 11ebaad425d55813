import { checkExtensionInput, ClusterType, ExtensionModelInput, InferenceRouterServiceType, InternalLoadBalancerProvider, ValidationError, buildExtensionModel } from '../../lib/internal';
import { Severity } from '../../lib/certificate/findings';
import { planExtension } from '../../lib/plan';
import { checkAndBuildExtensionModel } from '../../lib/settings/extension-model';
import { ARC_INTERNAL_LOAD_BALANCER_WARNING, extensionInputWarnings } from '../../lib/settings/rules';

const https = (over: Partial<ExtensionModelInput> = {}): ExtensionModelInput => ({
  settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER },
  tls: { cname: 'ml.example.com', sslSecret: 'azureml-fe-tls' },
  ...over,
});

function onlyProblem(input: ExtensionModelInput) {
  const problems = checkExtensionInput(input);
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe('extension rules (spec sections 2-3)', () => {
  test('accepts HTTPS with a Secret', () => {
    expect(checkExtensionInput(https())).toEqual([]);
  });

  test('fails if neither inference nor training is enabled', () => {
    const p = onlyProblem({ settings: { enableInference: false, allowInsecureConnections: true } });
    expect(p.field).toBe('enableInference');
    expect(p.message).toMatch(/neither enableInference nor enableTraining is true/);
    expect(p.fix).toMatch(/enableInference: true/);
  });

  test('fails if inference has no router service type', () => {
    const p = onlyProblem(https({ settings: { enableInference: true } }));
    expect(p.field).toBe('inferenceRouterServiceType');
    expect(p.message).toBe('is required when enableInference is true');
    expect(p.fix).toMatch(/LoadBalancer, NodePort, ClusterIP/);
  });

  test('fails if an internal load balancer is combined with NodePort', () => {
    const p = onlyProblem(https({ settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.NODE_PORT, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE } }));
    expect(p.field).toBe('internalLoadBalancerProvider');
    expect(p.value).toBe('azure');
    expect(p.message).toMatch(/cannot be combined with inferenceRouterServiceType NodePort/);
  });

  test('accepts an internal load balancer on Arc with a warning, and sends it as the az CLI does (issue 11)', () => {
    // GIVEN an Arc cluster (AKS Engine clusters connect through Arc) asking for the internal load balancer
    const input = https({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE },
      cluster: { type: ClusterType.ARC },
    });
    // THEN no problem, one warning naming the CLI's condition, and both keys are sent
    expect(checkExtensionInput(input)).toEqual([]);
    const warnings = extensionInputWarnings(input);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].code).toBe(ARC_INTERNAL_LOAD_BALANCER_WARNING);
    expect(warnings[0].severity).toBe(Severity.WARNING);
    expect(warnings[0].message).toBe('internalLoadBalancerProvider azure on an Arc-enabled cluster: the internal load balancer works only on '
      + 'AKS and AKS Engine clusters (the az CLI warns and sends it, and so does this tool)');
    expect(warnings[0].fix).toMatch(/keep it for an AKS Engine cluster; on any other Arc cluster remove internalLoadBalancerProvider/);
    const result = checkAndBuildExtensionModel(input);
    expect(result.warnings).toEqual(warnings);
    expect(result.model?.settings.internalLoadBalancerProvider).toBe('azure');
    expect(result.model?.settings['scoringFe.serviceType.internalLoadBalancer']).toBe('True');
  });

  test('the Arc internal load balancer warning reaches the installation plan\'s warnings', () => {
    const plan = planExtension({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE, allowInsecureConnections: true },
      cluster: { type: ClusterType.ARC },
      now: new Date('2026-06-01T00:00:00Z'), // no certificate to check, but the clock is never read in tests
    });
    expect(plan.problems).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).toEqual([ARC_INTERNAL_LOAD_BALANCER_WARNING]);
    expect(plan.model?.settings['scoringFe.serviceType.internalLoadBalancer']).toBe('True');
  });

  test('does not warn about an internal load balancer on AKS', () => {
    expect(extensionInputWarnings(https({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE },
      cluster: { type: ClusterType.AKS },
    }))).toEqual([]);
  });

  test('fails if a distribution is given for an AKS cluster (only Arc clusters have one)', () => {
    const p = onlyProblem(https({ cluster: { type: ClusterType.AKS, distribution: 'openshift' } }));
    expect(p.field).toBe('cluster.distribution');
    expect(p.message).toBe('is a property of Arc-enabled (connected) clusters only: an AKS cluster has none, so the az CLI derives nothing from it');
    expect(p.fix).toMatch(/remove cluster.distribution, or set cluster.type: arc/);
  });

  test('fails if the distribution is empty', () => {
    const p = onlyProblem(https({ cluster: { type: ClusterType.ARC, distribution: ' ' } }));
    expect(p.field).toBe('cluster.distribution');
    expect(p.message).toBe('is empty');
  });

  test('fails if inference has neither TLS nor an explicit opt-in to HTTP, with the CLI\'s advice', () => {
    const p = onlyProblem(https({ tls: undefined }));
    expect(p.field).toBe('tls');
    expect(p.message).toMatch(/either provide sslCertPemFile and sslKeyPemFile .* or sslSecret/);
    expect(p.fix).toMatch(/explicitly set insecure: true \(allowInsecureConnections=True\)/);
  });

  test('fails if no TLS source is given', () => {
    const p = onlyProblem(https({ tls: { cname: 'ml.example.com' } }));
    expect(p.message).toBe('HTTPS needs a TLS source and none is given');
  });

  test('fails if both sslSecret and PEM are given', () => {
    const p = onlyProblem(https({ tls: { cname: 'ml.example.com', sslSecret: 's', pem: { certificatePem: 'c', privateKeyPem: 'k' } } }));
    expect(p.message).toMatch(/both sslSecret and the PEM settings are given/);
    expect(p.fix).toMatch(/exactly one/);
  });

  test('fails if TLS has no sslCname', () => {
    const p = onlyProblem(https({ tls: { cname: '', sslSecret: 'azureml-fe-tls' } }));
    expect(p.field).toBe('sslCname');
    expect(p.message).toMatch(/please specify sslCname/);
  });

  test('fails if sslCname is not a plain host name', () => {
    const problems = checkExtensionInput(https({ tls: { cname: 'https://ml.example.com/', sslSecret: 'azureml-fe-tls' } }));
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0].field).toBe('sslCname');
    expect(problems[0].message).toContain('https://ml.example.com/');
  });

  test('fails if TLS material comes with allowInsecureConnections, saying the CLI would ignore it', () => {
    const p = onlyProblem(https({ settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, allowInsecureConnections: true } }));
    expect(p.field).toBe('allowInsecureConnections');
    expect(p.message).toMatch(/the az CLI would silently ignore the certificate and serve plain HTTP \(this tool is stricter/);
  });

  test('fails if TLS is given without inference', () => {
    const p = onlyProblem(https({ settings: { enableTraining: true } }));
    expect(p.field).toBe('tls');
    expect(p.message).toMatch(/only when enableInference is true/);
  });

  test('fails if the Secret name is not DNS-1123', () => {
    const p = onlyProblem(https({ tls: { cname: 'ml.example.com', sslSecret: 'AzureML_TLS' } }));
    expect(p.field).toBe('sslSecret');
    expect(p.value).toBe('AzureML_TLS');
    expect(p.message).toMatch(/DNS-1123 subdomain/);
  });

  test('fails if inferenceRouterHA is true on a cluster under 3 nodes', () => {
    const p = onlyProblem(https({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, inferenceRouterHA: true },
      cluster: { type: ClusterType.AKS, nodeCount: 2 },
    }));
    expect(p.field).toBe('inferenceRouterHA');
    expect(p.message).toBe('is true but the cluster has 2 node(s): three azureml-fe replicas need at least 3 nodes');
  });

  test('accepts inferenceRouterHA unset on a small cluster (derived as the CLI does)', () => {
    expect(checkExtensionInput(https({ cluster: { type: ClusterType.AKS, nodeCount: 1 } }))).toEqual([]);
  });

  test('fails if a key is in both settings and protected settings', () => {
    const p = onlyProblem(https({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, additionalSettings: { 'foo.bar': 'a' }, additionalProtectedSettings: { 'foo.bar': 'b' } },
    }));
    expect(p.field).toBe('additionalProtectedSettings.foo.bar');
    expect(p.message).toMatch(/appears in both the settings and the protected settings/);
  });

  test('fails if a pass-through key shadows a typed or TLS key', () => {
    const problems = checkExtensionInput(https({
      settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, additionalSettings: { inferenceRouterHA: 'False', sslSecret: 'x', 'nodeSelector.a': 'b' } },
    }));
    expect(problems.map((p) => p.message)).toEqual([
      'is a typed setting and may not be passed through',
      'is set from the TLS input or derived as the az CLI does, and may not be passed through',
      'is a node selector',
    ]);
  });

  test('fails if a pass-through value is empty', () => {
    const p = onlyProblem(https({ settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, additionalSettings: { 'x.y': '' } } }));
    expect(p.message).toMatch(/non-empty string/);
  });

  test('fails if a node selector label is invalid', () => {
    const problems = checkExtensionInput(https({ settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER, nodeSelector: { 'bad key!': 'ok', 'pool': 'bad value!' } } }));
    expect(problems.map((p) => p.field)).toEqual(['nodeSelector.bad key!', 'nodeSelector.pool']);
    expect(problems[0].message).toMatch(/label key/);
    expect(problems[1].message).toMatch(/label value/);
  });

  test('reports every broken rule at once', () => {
    const problems = checkExtensionInput({ settings: { enableInference: true, internalLoadBalancerProvider: InternalLoadBalancerProvider.AZURE, inferenceRouterHA: true }, cluster: { type: ClusterType.ARC, nodeCount: 1 } });
    // internalLoadBalancerProvider on Arc is a warning, not a problem (issue 11).
    expect(problems.map((p) => p.field)).toEqual(['inferenceRouterServiceType', 'tls', 'inferenceRouterHA']);
  });

  test('buildExtensionModel throws one ValidationError listing every problem', () => {
    expect(() => buildExtensionModel({ settings: {} })).toThrow(ValidationError);
    expect(() => buildExtensionModel({ settings: {} })).toThrow(/enableInference: neither enableInference nor enableTraining is true/);
  });
});

describe('the cluster identity follows Azure\'s naming rules', () => {
  test('reports a display-name region, a non-GUID subscription and bad names, each with the fix', () => {
    const problems = checkExtensionInput({
      settings: { enableTraining: true },
      cluster: { type: ClusterType.AKS, subscriptionId: 'my-sub', resourceGroup: 'rg\nx', name: '-aks', location: 'East US' },
    });
    expect(problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'cluster.subscriptionId: is not a subscription id (a GUID)',
      'cluster.resourceGroup: is not a resource group name (1-90 letters, digits, -, _, ., ( and ), not ending with .)',
      'cluster.name: is not a cluster name (1-63 letters, digits, - and _, starting with a letter or digit)',
      'cluster.location: is not a region name: the CLI derives the domain <region>.cloudapp.azure.com from it',
    ]);
    expect(problems[3].fix).toMatch(/^use the programmatic name, e.g. eastus/);
  });
});
