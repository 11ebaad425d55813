import * as path from 'node:path';
import { mergeDefaults, parseConfig, ValidationError } from '../../lib/internal';

const FILE = path.join(__dirname, 'fleet.yaml');

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => `${p.field}: ${p.message}`);
    throw e;
  }
  return [];
}

const FLEET = `
defaults:
  production: true
  cluster: { type: aks, subscriptionId: 00000000-0000-0000-0000-000000000000, nodeCount: 3 }
  extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer, nodeSelector: { pool: ml } }
  tls: { certificate: { existingSecret: azureml-fe-tls } }
environments:
  - name: weu
    cluster: { resourceGroup: rg-weu, name: aks-weu, location: westeurope }
    tls: { cname: ml.weu.example.com }
  - name: eus
    production: false
    cluster: { resourceGroup: rg-eus, name: aks-eus, location: eastus, nodeCount: 1 }
    extension: { nodeSelector: { zone: "1" } }
    tls: { cname: ml.eus.example.com }
`;

describe('fleet config: defaults merged into every environment', () => {
  test('maps merge key by key; scalars of the environment win', () => {
    const config = parseConfig(FLEET, FILE);
    const [weu, eus] = config.environments.map((e) => e.props);
    expect(weu.production).toBe(true);
    expect(eus.production).toBe(false);
    expect(weu.cluster).toEqual({ type: 'aks', subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg-weu', name: 'aks-weu', location: 'westeurope', nodeCount: 3 });
    expect(eus.cluster?.nodeCount).toBe(1);
    expect(eus.settings.nodeSelector).toEqual({ pool: 'ml', zone: '1' });
    expect(weu.tls?.cname).toBe('ml.weu.example.com');
  });

  test('lists of the environment replace the defaults\' lists', () => {
    expect(mergeDefaults({ a: [1, 2], m: { x: 1, l: ['a'] } }, { a: [3], m: { l: ['b'] } })).toEqual({ a: [3], m: { x: 1, l: ['b'] } });
  });

  test('a problem in the defaults is reported once, not once per environment', () => {
    const problems = problemsOf(FLEET.replace('nodeCount: 3 }', 'nodeCount: 3, colour: red }'));
    expect(problems).toEqual(['test/config/fleet.yaml: defaults.cluster.colour: is not a known key']);
  });

  test('every environment\'s problems are reported at once', () => {
    const problems = problemsOf(`${FLEET}  - name: bad\n    tls: { cname: 5 }\n  - name: weu\n    tls: { cname: x.example.com }\n`);
    expect(problems).toEqual([
      'test/config/fleet.yaml: environments[2] (bad).tls.cname: must be a string, but is number 5',
      'test/config/fleet.yaml: environments[3] (weu).name: is already used by environments[0]',
    ]);
  });

  test('a fleet of 300 environments reports the problems of all of them in one run', () => {
    const envs = Array.from({ length: 300 }, (_, i) => `  - name: env-${i}\n    extension: { enableInference: ${i % 3 === 0 ? '"no"' : 'true'} }\n    tls: { cname: ml-${i}.example.com }\n`);
    const problems = problemsOf(FLEET.split('environments:')[0] + 'environments:\n' + envs.join(''));
    expect(problems).toHaveLength(100);
    expect(problems[0]).toBe('test/config/fleet.yaml: environments[0] (env-0).extension.enableInference: must be true or false, but is string "no"');
    expect(problems[99]).toBe('test/config/fleet.yaml: environments[297] (env-297).extension.enableInference: must be true or false, but is string "no"');
  });

  test('defaults may not carry a name', () => {
    expect(problemsOf(FLEET.replace('defaults:\n', 'defaults:\n  name: x\n'))).toEqual(['test/config/fleet.yaml: defaults.name: is not a known key']);
  });
});
