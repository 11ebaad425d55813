import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../lib/cli/bin';
import { PLAN_USAGE, runPlanCli } from '../../lib/cli/plan';
import { CommandIo } from '../../lib/cli/commands';
import { diffExtension, parseInstalledExtension, ProtectedChangeKind, renderUpdateCommand, updateSends } from '../../lib/plan-diff';
import { synthesize } from '../../lib/synth';

// `azureml-tls plan`, in process: the config is read through synth's pipeline, the installed extension from
// hand-written `az k8s-extension show -o json` samples (test/fixtures/az-show/). Fixed time, temp folders only.
const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const AZ_SHOW = path.join(FIXTURES, 'az-show');
const CERTS = path.join(FIXTURES, 'certs');
const AT = '2027-06-01T00:00:00Z';
const SUB = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const fixture = (name: string) => path.join(AZ_SHOW, name);
const readFixture = (name: string) => JSON.parse(fs.readFileSync(fixture(name), 'utf8'));

interface ProjectOptions {
  /** The prod environment's tls block (YAML flow map). */
  readonly prodTls?: string;
  /** The prod environment's extension block (YAML flow map). */
  readonly prodExtension?: string;
  /** The prod environment's cluster line, or '' for none. */
  readonly prodCluster?: string;
  /** The pem environment's extension block. */
  readonly pemExtension?: string;
}

const PROD_CLUSTER = `{ type: aks, subscriptionId: ${SUB}, resourceGroup: rg-ml-prod, name: aks-ml-prod, location: westeurope, nodeCount: 3 }`;
const PROD_TLS = `{ cname: ml.example.com, certificate: { files: { cert: ${CERTS}/leaf-chain.pem, key: ${CERTS}/leaf.key } }, allowPlaintextKey: true, fingerprintSuffix: true }`;

/** A temp project: prod (secret delivery, fingerprint-suffixed Secret name) and pem (pemSettings delivery). */
function project(o: ProjectOptions = {}): { dir: string; config: string; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-plan-'));
  const config = path.join(dir, 'azureml-tls.yaml');
  const prodCluster = o.prodCluster ?? PROD_CLUSTER;
  fs.writeFileSync(config, [
    'environments:',
    '  - name: prod',
    '    production: true',
    ...(prodCluster ? [`    cluster: ${prodCluster}`] : []),
    `    extension: ${o.prodExtension ?? '{ enableInference: true, inferenceRouterServiceType: LoadBalancer }'}`,
    `    tls: ${o.prodTls ?? PROD_TLS}`,
    '  - name: pem',
    `    cluster: { type: aks, subscriptionId: ${SUB}, resourceGroup: rg-ml-dev, name: aks-ml-dev, location: westeurope, nodeCount: 2 }`,
    `    extension: ${o.pemExtension ?? '{ enableInference: true, enableTraining: true, inferenceRouterServiceType: LoadBalancer }'}`,
    `    tls: { cname: ml.example.com, certificate: { files: { cert: ${CERTS}/leaf-chain.pem, key: ${CERTS}/leaf.key } }, delivery: pemSettings }`,
    '',
  ].join('\n'));
  return { dir, config, out: path.join(dir, 'dist') };
}

/** Writes a current-state document into the project and returns its path. */
function currentFile(dir: string, doc: unknown, name = 'current.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

/** Runs plan in process; `--at` and `--out` are added unless given. */
function plan(args: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = runPlanCli(args, io, { readStdin: () => { if (stdin === undefined) throw new Error('no stdin in this test'); return stdin; } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function planIn(p: { config: string; out: string }, env: string, current: string, extra: string[] = [], stdin?: string) {
  return plan(['--config', p.config, '--env', env, '--current', current, '--out', p.out, '--at', AT, ...extra], stdin);
}

describe('azureml-tls plan: in sync and pending', () => {
  test('returns 0 when the installed settings equal the settings.json synth writes', () => {
    const p = project();
    synthesize({ configFile: p.config, outDir: p.out, now: new Date(AT) });
    // The installed state is exactly settings.json, as az k8s-extension create sent it.
    const doc = readFixture('prod-in-sync.json');
    doc.configurationSettings = JSON.parse(fs.readFileSync(path.join(p.out, 'install', 'prod', 'settings.json'), 'utf8'));
    const r = planIn(p, 'prod', currentFile(p.dir, doc));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('settings: the installed settings equal settings.json');
    expect(r.out).toContain('protected settings: none installed, none sent');
    expect(r.out).toContain('TLS: certificate unchanged: the same certificate: the Secret name azureml-fe-tls-a86e7311d8 carries its fingerprint');
    expect(r.out).toContain('in sync: nothing to update');
  });

  test('the hand-written in-sync sample is in sync too; a missing output folder is a warning', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('prod-in-sync.json'));
    expect(r.code).toBe(0);
    expect(r.err).toBe(`warning: ${p.out}/install/prod/settings.json does not exist: run azureml-tls synth --out ${p.out} first (the update below runs from the files it writes)`);
  });

  test('returns 3 naming the key after one setting changes, unmarked when it does not affect endpoints', () => {
    const p = project({ prodExtension: '{ enableInference: true, inferenceRouterServiceType: LoadBalancer, inferenceRouterHA: false }' });
    synthesize({ configFile: p.config, outDir: p.out, now: new Date(AT) });
    const r = planIn(p, 'prod', fixture('prod-in-sync.json'));
    expect(r.code).toBe(3);
    expect(r.out).toContain('settings: 1 added, 0 changed, 0 removed');
    expect(r.out).toContain('    added   inferenceRouterHA: (not installed) -> False');
    expect(r.out).not.toContain('affects endpoints');
    expect(r.out).toContain('1 change(s) pending. Apply them with the files synth wrote:');
    expect(r.err).toBe('');
  });

  test('a changed value is old -> new; a boolean spelled differently says so', () => {
    const p = project();
    const doc = readFixture('prod-in-sync.json');
    doc.configurationSettings.enableTraining = 'false';
    const r = planIn(p, 'prod', currentFile(p.dir, doc));
    expect(r.code).toBe(3);
    expect(r.out).toContain('    changed enableTraining: false -> False');
    expect(r.out).toContain('      note: the same boolean, spelled differently');
  });

  test('scoringFe.serviceType.nodePort=False, as an update records it, is the same as absent', () => {
    const p = project();
    const doc = readFixture('prod-in-sync.json');
    doc.configurationSettings['scoringFe.serviceType.nodePort'] = 'False';
    expect(planIn(p, 'prod', currentFile(p.dir, doc)).code).toBe(0);
  });

  test('keys the az CLI derived at install are kept when the config has no cluster block', () => {
    const p = project({ prodCluster: '' });
    const r = planIn(p, 'prod', fixture('prod-in-sync.json'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('kept as installed (the az CLI derived them at install; settings.json does not set them): clusterId, cluster_name, cluster_name_friendly, domain,');
    // The cluster comes from the installed extension's resource id.
    expect(r.out).toContain(`--cluster-name aks-ml-prod \\`);
    expect(r.out).toContain(`--subscription ${SUB} \\`);
  });
});

describe('azureml-tls plan: marks, TLS and protected settings', () => {
  test('marks every change that affects endpoints and says why', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('prod-drifted.json'));
    expect(r.code).toBe(3);
    expect(r.out).toContain('plan for environment prod: extension azureml on managedClusters/aks-ml-prod (resource group rg-ml-prod): version 1.1.58, train stable, Succeeded');
    expect(r.out).toContain('settings: 0 added, 5 changed, 1 removed; 6 affect(s) endpoints (!)');
    const lines = r.out.split('\n');
    const after = (line: string) => lines[lines.indexOf(line) + 1];
    expect(after('  ! changed inferenceRouterServiceType: NodePort -> LoadBalancer')).toMatch(/affects endpoints: azureml-fe's Service type changes.*live endpoints break \(spec section 5; the az CLI asks for confirmation\)/);
    expect(after('  ! changed scoringFe.serviceType.nodePort: True -> False')).toMatch(/affects endpoints: azureml-fe's Service type changes/);
    expect(r.out).toContain('      note: the az CLI sends it on update, from inferenceRouterServiceType');
    expect(after('  ! changed sslCname: ml.internal.example.com -> ml.example.com')).toMatch(/affects endpoints: the name clients call: the certificate must cover it.*spec section 3/);
    expect(after('  ! changed sslSecret: azureml-fe-tls-5c0ffee123 -> azureml-fe-tls-a86e7311d8')).toMatch(/affects endpoints: azureml-fe serves the certificate of another Secret/);
    expect(lines).toContain('  ! changed scoringFe.sslSecret: azureml-fe-tls-5c0ffee123 -> azureml-fe-tls-a86e7311d8');
    expect(after('  ! removed nodeSelector.agentpool: mlpool -> (not sent)')).toMatch(/affects endpoints: moves the extension's pods, azureml-fe included, to other nodes/);
    expect(r.out).toContain('      note: the update leaves it installed (an update cannot remove a node selector, spec section 2): to accept it, add agentpool to extension.nodeSelector');
  });

  test('a new fingerprint-suffixed Secret name is a rotation: the Secret is applied first', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('prod-drifted.json'));
    expect(r.out).toContain('TLS: certificate changes: a rotation: the Secret name carries the leaf certificate\'s fingerprint (tls.fingerprintSuffix), so azureml-fe-tls-5c0ffee123 -> azureml-fe-tls-a86e7311d8 is a new certificate');
    expect(r.out).toContain('  configured leaf certificate SHA-256 A8:6E:73:11:D8:37:AB:3C:72:92:17:A0:6E:E0:9D:6D:FF:88:D2:1C:45:D1:B8:6A:EC:FC:0A:D1:A7:1F:72:F4');
    expect(r.err).toContain('warning: the TLS Secret azureml-fe-tls-a86e7311d8 must exist in namespace azureml before the update, or azureml-fe cannot serve HTTPS (check: kubectl get secret -n azureml azureml-fe-tls-a86e7311d8)');
    expect(r.out).toContain(`  kubectl apply -k ${p.out}/clusters/prod    # the TLS Secret first`);
  });

  test('a new certificate in the config changes the Secret name (rotation); without the suffix the change is not visible', () => {
    const rotated = project({ prodTls: PROD_TLS.replace('leaf-chain.pem', 'leaf-wildcard-chain.pem') });
    const r = planIn(rotated, 'prod', fixture('prod-in-sync.json'));
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/TLS: certificate changes: a rotation: .* azureml-fe-tls-a86e7311d8 -> azureml-fe-tls-[0-9a-f]{10} is a new certificate/);
    expect(r.out).toMatch(/ {2}! changed sslSecret: azureml-fe-tls-a86e7311d8 -> azureml-fe-tls-[0-9a-f]{10}/);

    const plain = project({ prodTls: `{ cname: ml.example.com, certificate: { files: { cert: ${CERTS}/leaf-wildcard-chain.pem, key: ${CERTS}/leaf.key } }, allowPlaintextKey: true, secretName: azureml-fe-tls-a86e7311d8 }` });
    const u = planIn(plain, 'prod', fixture('prod-in-sync.json'));
    expect(u.code).toBe(0);
    expect(u.out).toContain('TLS: certificate unknown: the TLS Secret name azureml-fe-tls-a86e7311d8 does not change, so a new certificate in the same Secret is not visible here, and nothing documents that azureml-fe reloads a changed Secret (spec section 5): tls.fingerprintSuffix gives each certificate its own Secret name');
  });

  test('pemSettings: the same protected names are in sync; the certificate is sent again', () => {
    const p = project();
    const r = planIn(p, 'pem', fixture('pem-in-sync.json'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('protected settings (names only: Azure never returns their values):');
    for (const k of ['scoringFe.sslCert', 'scoringFe.sslKey', 'sslCertPemFile', 'sslKeyPemFile']) {
      expect(r.out).toContain(`    resent    ${k}: sent again; Azure never returns protected values, so whether its value changes cannot be seen`);
    }
    expect(r.out).toContain('TLS: certificate resent: pemSettings: the installed certificate cannot be compared (Azure never returns protected values); the update sends the configured one again');
    expect(r.out).toContain('  --config-protected-file protected-settings.json \\');
  });

  test('warns that protected settings the config no longer sends are deleted, by name, never printing a value', () => {
    const p = project();
    // The REST shape (properties nested), with values a hand-made file might hold: they must never be printed.
    const doc = readFixture('pem-dropped-protected.rest.json');
    doc.properties.configurationProtectedSettings.serviceBusConnectionString = 'Endpoint=sb://leak.example/;SharedAccessKey=SECRET-VALUE-1';
    doc.properties.configurationProtectedSettings['scoringFe.sslKey'] = 'SECRET-VALUE-2';
    const file = currentFile(p.dir, doc);
    const r = planIn(p, 'pem', file);
    expect(r.code).toBe(3);
    expect(r.out).toContain('  ! dropped   serviceBusConnectionString: the config no longer sends it: omitted protected settings are deleted (spec section 5)');
    expect(r.out).toContain('  ! dropped   servicebus.connectionString: the config no longer sends it: omitted protected settings are deleted (spec section 5)');
    expect(r.out).toContain('      affects endpoints: a protected settings change: the az CLI asks for confirmation (spec section 3)');
    expect(r.out).toContain('2 change(s) pending, 2 protected setting(s) deleted.');
    expect(r.err).toContain('warning: the update deletes the protected setting(s) serviceBusConnectionString, servicebus.connectionString: the config no longer sends them, and omitted protected settings are deleted (spec section 5); to keep one, add it to extension.additionalProtectedSettings');
    const j = planIn(p, 'pem', file, ['--json']);
    for (const text of [r.out, r.err, j.out, j.err]) expect(text).not.toMatch(/SECRET-VALUE|leak\.example/);
  });

  test('the fixture sample itself (null values) names the same dropped keys', () => {
    const p = project();
    const r = planIn(p, 'pem', fixture('pem-dropped-protected.rest.json'), ['--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out);
    expect(doc.protectedSettings.filter((s: { change: string }) => s.change === 'dropped').map((s: { key: string }) => s.key)).toEqual(['serviceBusConnectionString', 'servicebus.connectionString']);
  });

  test('a switch from PEM settings to a Secret leaves the protected ones installed (the update sends none)', () => {
    const p = project();
    const doc = readFixture('prod-in-sync.json');
    doc.configurationProtectedSettings = { 'sslCertPemFile': null, 'sslKeyPemFile': null, 'scoringFe.sslCert': null, 'scoringFe.sslKey': null };
    delete doc.configurationSettings.sslSecret;
    delete doc.configurationSettings['scoringFe.sslSecret'];
    const r = planIn(p, 'prod', currentFile(p.dir, doc));
    expect(r.code).toBe(3);
    expect(r.out).toContain('TLS: certificate changes: the TLS source changes: PEM protected settings -> the Secret azureml-fe-tls-a86e7311d8');
    expect(r.out).toContain('  ! stale     scoringFe.sslCert: the config no longer sends it; the update sends no protected settings, so it stays installed\n'
      + '      affects endpoints: the certificate azureml-fe serves (pemSettings delivery): a protected settings change the az CLI asks to confirm (spec section 3)');
    expect(r.err).toContain('warning: the protected setting(s) scoringFe.sslCert, scoringFe.sslKey, sslCertPemFile, sslKeyPemFile stay installed: the config no longer sends them, but the update sends no protected settings');
  });

  test('protected settings the az CLI reads again from Azure are not dropped', () => {
    const p = project();
    const doc = readFixture('pem-in-sync.json');
    doc.configurationSettings['servicebus.enabled'] = 'true';
    doc.configurationProtectedSettings.serviceBusConnectionString = null;
    doc.configurationProtectedSettings['azure_log_analytics.connection_string'] = null;
    const r = planIn(p, 'pem', currentFile(p.dir, doc));
    // servicebus.enabled differs (the config sends false), the protected keys are refetched, not dropped.
    expect(r.out).toContain('    refetched serviceBusConnectionString: the az CLI reads it again from Azure when it sends protected settings');
    expect(r.out).toContain('    refetched azure_log_analytics.connection_string:');
    expect(r.out).not.toContain('dropped');
    expect(r.code).toBe(3);
  });

  test('pass-through protected settings are read from the environment by the command, never printed', () => {
    const p = project({ pemExtension: '{ enableInference: true, enableTraining: true, inferenceRouterServiceType: LoadBalancer, additionalProtectedSettings: { amloperator.registryToken: SECRET-PASS-THROUGH } }' });
    const r = planIn(p, 'pem', fixture('pem-in-sync.json'));
    expect(r.code).toBe(3);
    expect(r.out).toContain('  ! added     amloperator.registryToken: the config sends it; it is not installed');
    expect(r.out).toContain('  # set AZUREML_PROTECTED_AMLOPERATOR_REGISTRYTOKEN: the protected setting amloperator.registryToken');
    expect(r.out).toContain(`  --config-protected amloperator.registryToken="$AZUREML_PROTECTED_AMLOPERATOR_REGISTRYTOKEN" \\`);
    expect(r.out + r.err).not.toContain('SECRET-PASS-THROUGH');
  });
});

describe('azureml-tls plan: the command', () => {
  test('prints the exact az k8s-extension update with the current flag spellings', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('prod-drifted.json'));
    expect(r.out).toContain([
      `  cd ${p.out}/install/prod && az k8s-extension update \\`,
      '    --name azureml \\',
      '    --cluster-type managedClusters \\',
      '    --cluster-name aks-ml-prod \\',
      '    --resource-group rg-ml-prod \\',
      `    --subscription ${SUB} \\`,
      '    --config-settings-file settings.json \\',
      '    --yes',
      '  # --yes: the az CLI asks for confirmation whenever the settings it sends include enableTraining, inferenceRouterServiceType, sslCname',
      `  # or: bash ${p.out}/install/prod/az-update.sh (the same update)`,
    ].join('\n'));
    expect(r.out).not.toMatch(/--configuration-/);
  });

  test('unknown cluster parts become variables to set first', () => {
    const c = renderUpdateCommand({ model: { settings: {}, protectedSettings: {}, cliProtectedSettings: {} } as never, installDir: 'dist/install/dev' });
    expect(c.variables).toEqual([
      'CLUSTER_TYPE: managedClusters (AKS) or connectedClusters (Arc)',
      'CLUSTER_NAME: the name of the cluster',
      'RESOURCE_GROUP: the resource group of the cluster',
    ]);
    expect(c.command).toBe('cd dist/install/dev && az k8s-extension update \\\n  --name azureml \\\n  --cluster-type "$CLUSTER_TYPE" \\\n  --cluster-name "$CLUSTER_NAME" \\\n  --resource-group "$RESOURCE_GROUP" \\\n  --config-settings-file settings.json \\\n  --yes');
  });

  test('a stale settings.json in the output folder is a warning', () => {
    const p = project();
    synthesize({ configFile: p.config, outDir: p.out, now: new Date(AT) });
    fs.writeFileSync(path.join(p.out, 'install', 'prod', 'settings.json'), '{}\n');
    const r = planIn(p, 'prod', fixture('prod-in-sync.json'));
    expect(r.err).toBe(`warning: ${p.out}/install/prod/settings.json is not what the config gives now: run azureml-tls synth --out ${p.out} first, or the update sends the old settings`);
  });

  test('warns when the last operation failed or the namespace is not azureml', () => {
    const p = project();
    const doc = readFixture('prod-in-sync.json');
    doc.provisioningState = 'Failed';
    doc.scope.cluster.releaseNamespace = 'ml';
    const r = planIn(p, 'prod', currentFile(p.dir, doc));
    expect(r.err).toContain('warning: the extension\'s last operation ended with provisioningState Failed: find out why before updating (kubectl get configmap arcml-healthcheck -n azureml -o yaml | azureml-tls triage --healthcheck -)');
    expect(r.err).toContain('warning: the extension is installed in namespace ml, not azureml');
  });
});

describe('azureml-tls plan --json', () => {
  test('one document with the differences, marks, protected names, TLS, warnings and the command', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('prod-drifted.json'), ['--json']);
    expect(r.code).toBe(3);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(['environment', 'inSync', 'pending', 'extension', 'settings', 'keptAsInstalled', 'protectedSettings', 'tls', 'confirmationKeys', 'warnings', 'before', 'command', 'variables', 'script']);
    expect(doc).toMatchObject({
      environment: 'prod',
      inSync: false,
      pending: 6,
      extension: {
        name: 'azureml', extensionType: 'microsoft.azureml.kubernetes', version: '1.1.58', releaseTrain: 'stable', releaseNamespace: 'azureml', provisioningState: 'Succeeded',
        cluster: { subscriptionId: SUB, resourceGroup: 'rg-ml-prod', type: 'managedClusters', name: 'aks-ml-prod' },
      },
      keptAsInstalled: [],
      protectedSettings: [],
      tls: { from: { mode: 'sslSecret', secretName: 'azureml-fe-tls-5c0ffee123' }, to: { mode: 'sslSecret', secretName: 'azureml-fe-tls-a86e7311d8' }, secretNameChanges: true, certificate: 'changes' },
      // enableTraining=False too: the CLI warns that jobs are impacted whenever it is sent as False.
      confirmationKeys: ['enableTraining', 'inferenceRouterServiceType', 'sslCname'],
      before: [`kubectl apply -k ${p.out}/clusters/prod`],
      variables: [],
      script: `${p.out}/install/prod/az-update.sh`,
    });
    expect(doc.settings.find((s: { key: string }) => s.key === 'sslCname')).toEqual({
      key: 'sslCname', change: 'changed', old: 'ml.internal.example.com', new: 'ml.example.com', affectsEndpoints: true,
      reason: expect.stringContaining('the name clients call'), note: null,
    });
    expect(doc.settings.find((s: { key: string }) => s.key === 'nodeSelector.agentpool')).toMatchObject({ change: 'removed', old: 'mlpool', new: null, affectsEndpoints: true });
    expect(doc.command).toMatch(/^cd .*\/install\/prod && az k8s-extension update \\\n {2}--name azureml/);
    expect(doc.warnings).toEqual(expect.arrayContaining([expect.stringContaining('must exist in namespace azureml before the update')]));
  });

  test('in sync: inSync true, exit 0', () => {
    const p = project();
    const r = planIn(p, 'pem', fixture('pem-in-sync.json'), ['--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ inSync: true, pending: 0, settings: [], tls: { certificate: 'resent', fingerprintSha256: expect.stringMatching(/^A8:6E/) } });
    expect(doc.protectedSettings.map((s: { change: string }) => s.change)).toEqual(['resent', 'resent', 'resent', 'resent']);
  });

  test('reads standard input with --current -', () => {
    const p = project();
    const r = planIn(p, 'prod', '-', ['--json'], fs.readFileSync(fixture('prod-in-sync.json'), 'utf8'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).inSync).toBe(true);
  });
});

describe('azureml-tls plan: errors', () => {
  test('--help prints the usage and exits 0', () => {
    const r = plan(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(PLAN_USAGE);
    expect(PLAN_USAGE).toMatch(/^Usage: azureml-tls plan --env NAME --current FILE\|- /);
  });

  test('azureml-tls plan dispatches here', () => {
    const out: string[] = [];
    expect(main(['plan', '--help'], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out.join('\n')).toBe(PLAN_USAGE);
  });

  test('usage errors exit 2 with the usage', () => {
    const missing = plan([]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`error: missing --env and --current\n${PLAN_USAGE}`);
    const unknown = plan(['--env', 'prod', '--current', 'x', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: Unknown option '--bogus'/);
    const emptyOut = plan(['--env', 'prod', '--current', 'x', '--out', '']);
    expect(emptyOut.code).toBe(2);
    expect(emptyOut.err).toContain('error: --out "" is empty (fix: name the output root synth writes, e.g. --out dist)');
  });

  test('a bad --at exits 1', () => {
    const r = plan(['--env', 'prod', '--current', 'x', '--at', 'soon']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: --at "soon" is not a date (fix: use ISO 8601, e.g. 2027-01-01T00:00:00Z)');
  });

  test('a config that is not found or does not synthesize exits 1', () => {
    const p = project();
    const notFound = planIn({ ...p, config: path.join(p.dir, 'nope.yaml') }, 'prod', fixture('prod-in-sync.json'));
    expect(notFound.code).toBe(1);
    expect(notFound.err).toMatch(/nope\.yaml/);
    const bad = project({ prodExtension: '{ enableInference: true, inferenceRouterServiceType: Ingress }' });
    const r = planIn(bad, 'prod', fixture('prod-in-sync.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: cannot synthesize .*azureml-tls\.yaml:\nerror: .*environments\[0\] \(prod\)\.extension\.inferenceRouterServiceType/);
    expect(r.out).toBe('');
  });

  test('an unknown environment exits 1 listing the environments', () => {
    const p = project();
    const r = planIn(p, 'staging', fixture('prod-in-sync.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: --env "staging" is not an environment of .*azureml-tls\.yaml \(environments: prod, pem\)$/);
  });

  test('an unreadable --current exits 1', () => {
    const p = project();
    const missing = planIn(p, 'prod', path.join(p.dir, 'missing.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`error: --current ${p.dir}/missing.json does not exist (fix: save it first: az k8s-extension show --name azureml --cluster-type managedClusters --cluster-name CLUSTER --resource-group RG -o json > current.json)`);
    const folder = planIn(p, 'prod', p.dir);
    expect(folder.err).toMatch(/^error: --current .* is a folder \(fix: save it first/);
    const stdin = plan(['--config', p.config, '--env', 'prod', '--current', '-', '--out', p.out, '--at', AT]);
    expect(stdin.code).toBe(1);
    expect(stdin.err).toMatch(/^error: --current - \(standard input\) cannot be read \(no stdin in this test\)/);
  });

  test.each([
    ['empty', '  \n', 'is empty (expected the JSON of one AzureML extension, as az k8s-extension show --name azureml --cluster-type managedClusters --cluster-name CLUSTER --resource-group RG -o json prints it)'],
    ['a table', 'Name     ExtensionType                 ProvisioningState\n-------  ----------------------------  ------------------\nazureml  microsoft.azureml.kubernetes  Succeeded\n', 'is not JSON: it does not start with { (az prints a table with -o table and YAML with -o yaml: use -o json)'],
    ['broken JSON', '{ "name": "azureml", ', 'is not JSON: it starts like JSON but does not parse'],
    ['a list', '[]', 'is a JSON list, not one extension (az k8s-extension list prints a list: use az k8s-extension show --name NAME ... -o json, or pick one with --query "[?name==\'azureml\'] | [0]")'],
    ['a string', '"azureml"', 'is JSON but a string, not an object'],
    ['no extensionType', '{ "name": "azureml" }', 'has no extensionType, so it is not an extension resource'],
    ['settings not strings', '{ "extensionType": "Microsoft.AzureML.Kubernetes", "configurationSettings": { "inferenceRouterHA": false } }', 'has configurationSettings.inferenceRouterHA that is a boolean, not a string'],
    ['settings a list', '{ "extensionType": "microsoft.azureml.kubernetes", "configurationSettings": [] }', 'has configurationSettings that is a list, not a map of strings'],
    ['protected a list', '{ "extensionType": "microsoft.azureml.kubernetes", "configurationProtectedSettings": ["sslKeyPemFile"] }', 'has configurationProtectedSettings that is a list, not a map'],
  ])('--current that is %s exits 1 saying what was expected', (_what, text, message) => {
    const p = project();
    const file = currentFile(p.dir, text);
    const r = planIn(p, 'prod', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --current ${file} ${message}`);
    expect(r.out).toBe('');
  });

  test('another extension type is not an AzureML extension', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('flux.json'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: --current ${fixture('flux.json')} is extension "flux" of type "microsoft.flux", not an AzureML extension (expected extensionType microsoft.azureml.kubernetes: show the AzureML extension, usually named azureml)`);
  });

  test('the extension of another cluster than the environment\'s exits 1', () => {
    const p = project();
    const r = planIn(p, 'prod', fixture('pem-in-sync.json'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: --current ${fixture('pem-in-sync.json')} is the extension of another cluster than environment prod's: resource group rg-ml-dev (the config: rg-ml-prod), cluster aks-ml-dev (the config: aks-ml-prod) (fix: show the extension of the environment's cluster, or plan the environment this cluster runs)`);
  });
});

describe('plan-diff', () => {
  test('reads the flattened, REST and snake_case shapes alike, keeping protected names only', () => {
    const flat = parseInstalledExtension(fs.readFileSync(fixture('pem-in-sync.json'), 'utf8'));
    const rest = parseInstalledExtension(fs.readFileSync(fixture('pem-dropped-protected.rest.json'), 'utf8'));
    const snake = parseInstalledExtension(JSON.stringify({ extension_type: 'microsoft.azureml.kubernetes', configuration_settings: { a: 'b' }, configuration_protected_settings: { k: null }, provisioning_state: 'Creating' }));
    expect(flat.extension?.protectedKeys).toEqual(['scoringFe.sslCert', 'scoringFe.sslKey', 'sslCertPemFile', 'sslKeyPemFile']);
    expect(rest.extension?.settings).toEqual(flat.extension?.settings);
    expect(rest.extension?.cluster).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-ml-dev', type: 'managedClusters', name: 'aks-ml-dev' });
    expect(snake.extension).toMatchObject({ settings: { a: 'b' }, protectedKeys: ['k'], provisioningState: 'Creating' });
    // A null protected map (an extension installed without any) is none.
    expect(parseInstalledExtension('{ "extensionType": "microsoft.azureml.kubernetes", "configurationProtectedSettings": null, "configurationSettings": null }').extension)
      .toMatchObject({ settings: {}, protectedKeys: [] });
  });

  test('the update sends the service type flags the az CLI derives', () => {
    expect(updateSends({ inferenceRouterServiceType: 'nodePort' })['scoringFe.serviceType.nodePort']).toBe('True');
    expect(updateSends({ inferenceRouterServiceType: 'LoadBalancer', internalLoadBalancerProvider: 'azure' })).toMatchObject({
      'scoringFe.serviceType.nodePort': 'False', 'scoringFe.serviceType.internalLoadBalancer': 'True',
    });
  });

  test('a protected key sent and not installed is added, and pending', () => {
    const installed = parseInstalledExtension('{ "extensionType": "microsoft.azureml.kubernetes", "configurationSettings": { "a": "b" } }').extension;
    if (!installed) throw new Error('not parsed');
    const d = diffExtension({ model: { settings: { a: 'b' }, protectedSettings: { 'sslCertPemFile': 'x', 'scoringFe.sslCert': 'y' }, cliProtectedSettings: {}, tlsMode: 'pemSettings' } as never, installed });
    expect(d.protectedSettings.map((p) => [p.key, p.change, p.pending, p.affectsEndpoints])).toEqual([
      ['scoringFe.sslCert', ProtectedChangeKind.ADDED, true, true],
      ['sslCertPemFile', ProtectedChangeKind.ADDED, true, true],
    ]);
    expect(d.pending).toBe(2);
  });
});
