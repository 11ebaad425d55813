import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildExtensionModel, ClusterType, InferenceRouterServiceType, renderAzCreateScript, renderAzUpdateScript } from '../../lib/internal';

const HOSTILE = `rg it's "$HOME" \`id\` \${X} a}b \\ end`;
const model = buildExtensionModel({
  settings: { enableInference: true, inferenceRouterServiceType: InferenceRouterServiceType.LOAD_BALANCER },
  tls: { cname: 'ml.example.com', sslSecret: 'azureml-fe-tls' },
});

/** Runs `script` with bash after replacing the az call by a printer of its arguments, one per line. */
function runWithFakeAz(script: string, env: NodeJS.ProcessEnv = {}): { code: number | null; args: string[]; err: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-az-'));
  const file = path.join(dir, 'script.sh');
  fs.writeFileSync(file, script.replace(/^az /m, 'printf "%s\\n" '), { mode: 0o755 });
  const r = spawnSync('bash', [file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { code: r.status, args: r.stdout.split('\n').filter(Boolean), err: r.stderr };
}

describe('az CLI scripts', () => {
  const cluster = { type: ClusterType.AKS, subscriptionId: 'sub', resourceGroup: HOSTILE, name: 'aks1', location: 'eastus' };

  test.each([['create', renderAzCreateScript], ['update', renderAzUpdateScript]])('the %s script passes bash -n', (_name, render) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-az-'));
    const file = path.join(dir, 's.sh');
    fs.writeFileSync(file, render(model, { environment: 'dev', cluster }));
    const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('quotes hostile values (spaces, $, quotes, backticks, braces, backslashes) so they reach az verbatim', () => {
    const { code, args } = runWithFakeAz(renderAzCreateScript(model, { environment: 'dev', cluster }));
    expect(code).toBe(0);
    expect(args).toContain(HOSTILE);
    expect(args.slice(0, 2)).toEqual(['k8s-extension', 'create']);
  });

  test('environment variables override the known values', () => {
    const { args } = runWithFakeAz(renderAzCreateScript(model, { environment: 'dev', cluster }), { RESOURCE_GROUP: 'other-rg', EXTENSION_NAME: 'ml' });
    expect(args).toEqual(expect.arrayContaining(['other-rg', 'ml']));
  });

  test('stops with a message naming a variable that is unknown and unset', () => {
    const { code, err } = runWithFakeAz(renderAzCreateScript(model, { environment: 'dev' }));
    expect(code).not.toBe(0);
    expect(err).toContain("set RESOURCE_GROUP to the resource group of the cluster");
  });

  test('create passes the extension type, scope, release namespace and the settings files', () => {
    const { args } = runWithFakeAz(renderAzCreateScript(model, { environment: 'dev', cluster, hasProtectedSettings: true }));
    expect(args).toEqual(['k8s-extension', 'create', '--name', 'azureml', '--extension-type', 'Microsoft.AzureML.Kubernetes',
      '--cluster-type', 'managedClusters', '--cluster-name', 'aks1', '--resource-group', HOSTILE, '--subscription', 'sub',
      '--scope', 'cluster', '--release-namespace', 'azureml', '--config-settings-file', 'settings.json',
      '--config-protected-file', 'protected-settings.json']);
  });

  test('update passes --yes so CI does not hang at the confirmation prompt, and no create-only flags', () => {
    const { args } = runWithFakeAz(renderAzUpdateScript(model, { environment: 'dev', cluster: { ...cluster, type: ClusterType.ARC } }));
    expect(args).toEqual(['k8s-extension', 'update', '--name', 'azureml', '--cluster-type', 'connectedClusters', '--cluster-name', 'aks1',
      '--resource-group', HOSTILE, '--subscription', 'sub', '--config-settings-file', 'settings.json', '--yes']);
  });
});
