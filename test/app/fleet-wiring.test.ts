import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { AzureMlApp } from '../../lib';
import { synthesize, SynthResult, ValidationError } from '../../lib/internal';
import { schemaErrors } from '../helpers/validators';
import { onPath } from '../helpers/tools';

// The fleet wiring end to end: config text in a temp file, through `synthesize` (the CLI's pipeline: an app per
// environment, then one for the fleet) and through AzureMlApp.fromConfig (one app), into temp folders. Every
// environment uses a Secret that already exists or cert-manager, so nothing needs the state folder or the clock.

const ROOT = path.resolve(__dirname, '..', '..');
const NOW = new Date('2027-06-01T00:00:00Z');
const CHILD_TIMEOUT_MS = 10_000;

const HAVE_KUBECTL = onPath('kubectl');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'azml-fleet-'));
}

/** Writes `text` as `azureml-tls.yaml` in a new temp folder; returns the file. */
function configFile(text: string): string {
  const file = path.join(tmp(), 'azureml-tls.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** Every file below `dir`, relative, `/`-separated, sorted. */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };

function manifest(out: string, file: string): Manifest {
  return parse(fs.readFileSync(path.join(out, file), 'utf8')) as Manifest;
}

/** The objects of the fleet folders, by file. */
function fleetObjects(out: string): Map<string, Manifest> {
  return new Map(filesBelow(out).filter((f) => f.startsWith('fleet/') && f.endsWith('.k8s.yaml')).map((f) => [f, manifest(out, f)]));
}

/** Synthesizes `text` into `dist/` beside it; returns the output folder. */
function synthOf(text: string): string {
  const file = configFile(text);
  const out = path.join(path.dirname(file), 'dist');
  synthesize({ configFile: file, outDir: out, now: NOW });
  return out;
}

/** The problems a config's synth reports, without the config file's label; nothing may be written. */
function problemsOf(text: string): string[] {
  const file = configFile(text);
  const out = path.join(path.dirname(file), 'dist');
  const label = path.relative(process.cwd(), file) || file;
  try {
    synthesize({ configFile: file, outDir: out, now: NOW });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    expect(fs.existsSync(out)).toBe(false);
    return e.problems.map((p) => {
      expect(p.field.startsWith(`${label}: `)).toBe(true);
      return `${p.field.slice(label.length + 2)}: ${p.message}${p.value === undefined ? '' : ` (${p.value})`}`;
    });
  }
  throw new Error('synth succeeded');
}

const DEFAULTS = `
defaults:
  cluster: { type: aks, subscriptionId: 00000000-0000-0000-0000-000000000000, nodeCount: 3 }
  extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }
  tls: { certificate: { existingSecret: azureml-fe-tls } }
`;

/** A config of environments `names` (each `name[:aso]`, with an aso block), a fleet block and extra text per environment. */
function config(fleet: string, envs: readonly string[], extra: { readonly [env: string]: string } = {}): string {
  const list = envs.map((e) => {
    const [name, aso] = e.split(':');
    return [
      `  - name: ${name}`,
      `    cluster: { resourceGroup: rg-${name}, name: aks-${name}, location: eastus }`,
      `    tls: { cname: ml.${name}.example.com }`,
      ...(aso ? ['    aso: {}'] : []),
      ...(extra[name] ? [`    ${extra[name]}`] : []),
    ].join('\n');
  });
  return `${DEFAULTS}${fleet}\nenvironments:\n${list.join('\n')}\n`;
}

const BOTH = 'fleet: { flux: {}, argocd: { repoURL: https://github.com/example/platform.git } }';

describe('the example fleet (examples/gitops-fleet.yaml)', () => {
  const dir = tmp();
  const file = path.join(dir, 'gitops-fleet.yaml');
  const out = path.join(dir, 'dist');
  let result: SynthResult;
  beforeAll(() => {
    fs.copyFileSync(path.join(ROOT, 'examples', 'gitops-fleet.yaml'), file);
    result = synthesize({ configFile: file, outDir: out, now: NOW });
  });

  test('writes a Flux folder per environment, one for the ASO folders, and one Argo CD folder', () => {
    expect(result.files.filter((f) => f.startsWith('fleet/'))).toEqual([
      'fleet/argocd/Application.azureml-eus.k8s.yaml',
      'fleet/argocd/Application.azureml-weu-aso.k8s.yaml',
      'fleet/argocd/Application.azureml-weu.k8s.yaml',
      'fleet/argocd/kustomization.yaml',
      'fleet/flux-aso/Kustomization.azureml-weu-aso.k8s.yaml',
      'fleet/flux-aso/kustomization.yaml',
      'fleet/flux/eus/Kustomization.azureml-eus.k8s.yaml',
      'fleet/flux/eus/kustomization.yaml',
      'fleet/flux/weu/Kustomization.azureml-weu.k8s.yaml',
      'fleet/flux/weu/kustomization.yaml',
    ]);
  });

  test('AzureMlApp.fromConfig writes the same bytes as the pipeline', () => {
    const app = AzureMlApp.fromConfig(file, { outdir: path.join(dir, 'app'), now: NOW });
    app.synth();
    const files = filesBelow(out);
    expect(filesBelow(path.join(dir, 'app'))).toEqual(files);
    for (const f of files) {
      expect({ f, text: fs.readFileSync(path.join(dir, 'app', f), 'latin1') }).toEqual({ f, text: fs.readFileSync(path.join(out, f), 'latin1') });
    }
  });

  test('every Kustomization and Application passes its schema', () => {
    const objects = fleetObjects(out);
    expect(objects.size).toBe(6);
    for (const [f, obj] of objects) expect({ f, errors: schemaErrors(obj) }).toEqual({ f, errors: [] });
  });

  test('the Flux Kustomization of an environment, with the environment\'s labels', () => {
    expect(manifest(out, 'fleet/flux/weu/Kustomization.azureml-weu.k8s.yaml')).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'azureml-weu', namespace: 'flux-system', labels: { 'app.kubernetes.io/part-of': 'azureml', 'team': 'ml-platform' } },
      spec: { interval: '10m', path: './dist/clusters/weu', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, wait: true },
    });
    expect(manifest(out, 'fleet/flux-aso/Kustomization.azureml-weu-aso.k8s.yaml').spec.path).toBe('./dist/aso/weu');
  });

  test('the Argo CD Applications: destinations from each environment\'s fleet block, the ASO one a wave later', () => {
    const labels = { 'app.kubernetes.io/part-of': 'azureml', 'team': 'ml-platform' };
    const source = (p: string) => ({ repoURL: 'https://github.com/example/platform.git', targetRevision: 'main', path: p });
    const automated = { automated: { prune: true, selfHeal: true } };
    expect(manifest(out, 'fleet/argocd/Application.azureml-weu.k8s.yaml')).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'azureml-weu', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '0' }, labels },
      spec: { project: 'default', source: source('dist/clusters/weu'), destination: { name: 'aks-ml-weu' }, syncPolicy: automated },
    });
    expect(manifest(out, 'fleet/argocd/Application.azureml-weu-aso.k8s.yaml')).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'azureml-weu-aso', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '1' }, labels },
      spec: { project: 'default', source: source('dist/aso/weu'), destination: { name: 'in-cluster' }, syncPolicy: automated },
    });
    expect(manifest(out, 'fleet/argocd/Application.azureml-eus.k8s.yaml').spec.destination).toEqual({ server: 'https://aks-ml-eus-dns-00000000.hcp.eastus.azmk8s.io:443' });
  });

  test('every path names a folder of the output with a kustomization.yaml, and every folder builds with kubectl kustomize', () => {
    // fleet.path is ./dist and the output is dist/ beside the config: the repository's root is the config's folder.
    const targets = [...fleetObjects(out).values()].map((o) => String(o.kind === 'Kustomization' ? o.spec.path : (o.spec.source as { path: string }).path).replace(/^\.\//, ''));
    expect(targets.sort()).toEqual(['dist/aso/weu', 'dist/aso/weu', 'dist/clusters/eus', 'dist/clusters/eus', 'dist/clusters/weu', 'dist/clusters/weu']);
    for (const t of targets) expect(fs.existsSync(path.join(dir, t, 'kustomization.yaml'))).toBe(true);
    if (!HAVE_KUBECTL) {
      console.log('skipped kubectl kustomize: kubectl is not on this machine');
      return;
    }
    const folders = [...new Set([...targets.map((t) => path.join(dir, t)), ...['fleet/flux/weu', 'fleet/flux/eus', 'fleet/flux-aso', 'fleet/argocd'].map((f) => path.join(out, f))])];
    for (const folder of folders) {
      const built = execFileSync('kubectl', ['kustomize', folder], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
      const listed = (parse(fs.readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources;
      // kustomize prints nothing for a folder without objects (clusters/weu/: the Secret exists already).
      expect({ folder, objects: parseAllDocuments(built).filter((d) => d.contents !== null).length }).toEqual({ folder, objects: listed.length });
    }
  });
});

describe('fleet defaults and options', () => {
  test('without fleet.path: the output folder relative to the config file\'s folder; the defaults of every field', () => {
    const out = synthOf(config(BOTH, ['dev']));
    expect(manifest(out, 'fleet/flux/dev/Kustomization.azureml-dev.k8s.yaml')).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'azureml-dev', namespace: 'flux-system' },
      spec: { interval: '10m', path: './dist/clusters/dev', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, wait: true },
    });
    expect(manifest(out, 'fleet/argocd/Application.azureml-dev.k8s.yaml').spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://github.com/example/platform.git', targetRevision: 'HEAD', path: 'dist/clusters/dev' },
      destination: { name: 'dev' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    // No environment with an aso block: no ASO Kustomizations and no ASO Applications.
    expect(filesBelow(out).filter((f) => f.startsWith('fleet/'))).toEqual([
      'fleet/argocd/Application.azureml-dev.k8s.yaml', 'fleet/argocd/kustomization.yaml',
      'fleet/flux/dev/Kustomization.azureml-dev.k8s.yaml', 'fleet/flux/dev/kustomization.yaml',
    ]);
  });

  test('every option of the fleet block, and the environment\'s annotations for its Kustomization and Applications', () => {
    const fleet = [
      'fleet:',
      '  path: platform/dist/',
      '  flux: { namespace: gitops, interval: 1h30m, prune: false, sourceRef: { kind: OCIRepository, name: platform, namespace: sources } }',
      '  argocd: { repoURL: "git@github.com:example/platform.git", targetRevision: v1.2.0, project: ml, namespace: gitops, automated: false }',
    ].join('\n');
    const out = synthOf(config(fleet, ['dev:aso'], {
      dev: 'fleet: { destinationServer: "https://dev.example.com:6443", asoDestinationName: mgmt }\n    manifests: { annotations: { Kustomization: { team: ml }, Application: { argocd.argoproj.io/sync-wave: "5" } } }',
    }));
    const k = manifest(out, 'fleet/flux/dev/Kustomization.azureml-dev.k8s.yaml');
    expect(k.metadata).toEqual({ name: 'azureml-dev', namespace: 'gitops', annotations: { team: 'ml' } });
    expect(k.spec).toEqual({ interval: '1h30m', path: './platform/dist/clusters/dev', prune: false, sourceRef: { kind: 'OCIRepository', name: 'platform', namespace: 'sources' }, wait: true });
    expect(manifest(out, 'fleet/flux-aso/Kustomization.azureml-dev-aso.k8s.yaml').metadata.annotations).toEqual({ team: 'ml' });
    const app = manifest(out, 'fleet/argocd/Application.azureml-dev.k8s.yaml');
    // The environment's annotation replaces the generated sync wave (its own choice of order).
    expect(app.metadata).toEqual({ name: 'azureml-dev', namespace: 'gitops', annotations: { 'argocd.argoproj.io/sync-wave': '5' } });
    expect(app.spec).toEqual({
      project: 'ml',
      source: { repoURL: 'git@github.com:example/platform.git', targetRevision: 'v1.2.0', path: 'platform/dist/clusters/dev' },
      destination: { server: 'https://dev.example.com:6443' },
    });
    expect(manifest(out, 'fleet/argocd/Application.azureml-dev-aso.k8s.yaml').spec).toMatchObject({ source: { path: 'platform/dist/aso/dev' }, destination: { name: 'mgmt' } });
    for (const [f, obj] of fleetObjects(out)) expect({ f, errors: schemaErrors(obj) }).toEqual({ f, errors: [] });
  });

  test('an ASO destination by server URL', () => {
    const out = synthOf(config(BOTH, ['dev:aso'], { dev: 'fleet: { asoDestinationServer: "https://kubernetes.default.svc" }' }));
    expect(manifest(out, 'fleet/argocd/Application.azureml-dev-aso.k8s.yaml').spec.destination).toEqual({ server: 'https://kubernetes.default.svc' });
  });

  test('fleet.path . (the output folder is the repository\'s root)', () => {
    const out = synthOf(config('fleet: { path: ., flux: {}, argocd: { repoURL: https://github.com/example/platform.git } }', ['dev']));
    expect(manifest(out, 'fleet/flux/dev/Kustomization.azureml-dev.k8s.yaml').spec.path).toBe('./clusters/dev');
    expect(manifest(out, 'fleet/argocd/Application.azureml-dev.k8s.yaml').spec.source).toMatchObject({ path: 'clusters/dev' });
  });

  test('only flux: no Argo CD folder; only argocd: no Flux folders', () => {
    expect(filesBelow(synthOf(config('fleet: { flux: {} }', ['dev:aso']))).filter((f) => f.startsWith('fleet/'))).toEqual([
      'fleet/flux-aso/Kustomization.azureml-dev-aso.k8s.yaml', 'fleet/flux-aso/kustomization.yaml',
      'fleet/flux/dev/Kustomization.azureml-dev.k8s.yaml', 'fleet/flux/dev/kustomization.yaml',
    ]);
    expect(filesBelow(synthOf(config('fleet: { argocd: { repoURL: https://github.com/example/platform.git } }', ['dev:aso']))).filter((f) => f.startsWith('fleet/'))).toEqual([
      'fleet/argocd/Application.azureml-dev-aso.k8s.yaml', 'fleet/argocd/Application.azureml-dev.k8s.yaml', 'fleet/argocd/kustomization.yaml',
    ]);
  });

  test('no fleet block: no fleet/ folder', () => {
    const out = synthOf(config('', ['dev:aso', 'prod']));
    expect(fs.existsSync(path.join(out, 'fleet'))).toBe(false);
    expect(filesBelow(out).some((f) => f.startsWith('fleet/'))).toBe(false);
  });
});

describe('the output folder outside the config file\'s folder, without fleet.path', () => {
  // One problem of the config, as the others are: the file, the field, why, and the fix.
  const message = /: fleet\.path: is not set, and the output folder \S+elsewhere\/dist is not below the config file's folder, so its path in the Git repository cannot be derived \(it would be "\.\.\/elsewhere\/dist", which must stay inside the Git repository \(it climbs out of it with \.\.\)\)\. Fix: set fleet\.path to the output folder's path from the repository's root, e\.g\. \.\/dist/;

  test('the pipeline refuses it and writes nothing', () => {
    const file = configFile(config(BOTH, ['dev']));
    const out = path.join(path.dirname(file), '..', 'elsewhere', 'dist');
    fs.mkdirSync(path.dirname(out));
    expect(() => synthesize({ configFile: file, outDir: out, now: NOW })).toThrow(message);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  test('AzureMlApp.fromConfig refuses it when built', () => {
    const file = configFile(config(BOTH, ['dev']));
    expect(() => AzureMlApp.fromConfig(file, { outdir: path.join(path.dirname(file), '..', 'elsewhere', 'dist'), now: NOW })).toThrow(message);
  });

  test('fleet.path makes it work', () => {
    const file = configFile(config(BOTH.replace('{ flux', '{ path: ./dist, flux'), ['dev']));
    const out = path.join(path.dirname(file), '..', 'elsewhere', 'dist');
    synthesize({ configFile: file, outDir: out, now: NOW });
    expect(manifest(out, 'fleet/flux/dev/Kustomization.azureml-dev.k8s.yaml').spec.path).toBe('./dist/clusters/dev');
  });
});

describe('fleet problems, reported with the config\'s other problems before anything is written', () => {
  test('a fleet block with neither flux nor argocd', () => {
    expect(problemsOf(config('fleet: { path: ./dist }', ['dev']))).toEqual(['fleet: has neither a flux nor an argocd block, so it generates nothing']);
  });

  test('an environment\'s fleet block without fleet.argocd', () => {
    expect(problemsOf(config('fleet: { flux: {} }', ['dev'], { dev: 'fleet: { destinationName: dev-cluster }' }))).toEqual([
      'environments[0] (dev).fleet: says where Argo CD sends the environment\'s folders, but there is no top-level fleet.argocd block, so it does nothing',
    ]);
    expect(problemsOf(config('', ['dev'], { dev: 'fleet: { destinationName: dev-cluster }' }))).toEqual([
      'environments[0] (dev).fleet: says where Argo CD sends the environment\'s folders, but there is no top-level fleet.argocd block, so it does nothing',
    ]);
  });

  test('a mistake inside the fleet block is its one problem: the environments\' fleet blocks are not blamed as well', () => {
    const env = { dev: 'fleet: { destinationName: dev-cluster }' };
    expect(problemsOf(config('fleet: { argocd: { targetRevision: main } }', ['dev'], env))).toEqual(['fleet.argocd.repoURL: is required']);
    expect(problemsOf(config('fleet: { flux: { sourceRef: { kind: GitRepo } }, argocd: { repoURL: https://example.com/p.git } }', ['dev'], env)))
      .toEqual(['fleet.flux.sourceRef.kind: is not an allowed value (GitRepo)']);
  });

  test.each([
    ['/srv/platform/dist', 'must be relative to the Git repository\'s root, not absolute'],
    ['C:/platform/dist', 'must be relative to the Git repository\'s root, not absolute'],
    ['.\\dist', 'must use / as separator (Flux and Argo CD read paths in the repository, not on this machine)'],
    ['../dist', 'must stay inside the Git repository (it climbs out of it with ..)'],
    ['./platform/../../dist', 'must stay inside the Git repository (it climbs out of it with ..)'],
  ])('fleet.path %s', (value, message) => {
    expect(problemsOf(config(`fleet: { path: '${value}', flux: {} }`, ['dev']))).toEqual([`fleet.path: ${message} (${value})`]);
  });

  test.each([
    ['10', 'is not a duration Flux accepts: a Go duration in ms, s, m or h'],
    ['1d', 'is not a duration Flux accepts: a Go duration in ms, s, m or h'],
    ['500us', 'is not a duration Flux accepts: a Go duration in ms, s, m or h'],
    ['0s', 'must be more than 0: Flux reconciles (and undoes changes made by hand) once per interval'],
    ['0m0.0s', 'must be more than 0: Flux reconciles (and undoes changes made by hand) once per interval'],
  ])('fleet.flux.interval %s', (value, message) => {
    expect(problemsOf(config(`fleet: { flux: { interval: '${value}' } }`, ['dev']))).toEqual([`fleet.flux.interval: ${message} (${value})`]);
  });

  test('Flux namespaces and the source\'s name', () => {
    expect(problemsOf(config('fleet: { flux: { namespace: Flux_System, sourceRef: { name: My_Repo, namespace: "-x" } } }', ['dev']))).toEqual([
      'fleet.flux.namespace: is not a namespace name: a DNS-1123 label (lower-case letters, digits and -, at most 63) (Flux_System)',
      'fleet.flux.sourceRef.namespace: is not a namespace name: a DNS-1123 label (lower-case letters, digits and -, at most 63) (-x)',
      'fleet.flux.sourceRef.name: must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit (My_Repo)',
    ]);
  });

  test('Argo CD: the repository URL, the namespace and the project', () => {
    expect(problemsOf(config('fleet: { argocd: { repoURL: github.com/example/platform, namespace: argo.cd, project: My Project } }', ['dev']))).toEqual([
      'fleet.argocd.repoURL: is not a repository URL Argo CD can clone (github.com/example/platform)',
      'fleet.argocd.namespace: is not a namespace name: a DNS-1123 label (lower-case letters, digits and -, at most 63) (argo.cd)',
      'fleet.argocd.project: is not an AppProject name: it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit (My Project)',
    ]);
  });

  test('names too long for a label value: 55 characters for an environment, 51 with an aso block', () => {
    const ok = ['a'.repeat(55), 'b'.repeat(51)];
    // Each ASO Extension object named apart, so only the names are at fault.
    const asoNames = { [ok[1]]: 'aso: { name: azureml-b }', ['d'.repeat(52)]: 'aso: { name: azureml-d }' };
    expect(problemsOf(config('fleet: { flux: {} }', [...ok, 'c'.repeat(56), 'd'.repeat(52)], asoNames))).toEqual([
      `environments[2] (${'c'.repeat(56)}).name: is too long for the fleet objects: azureml-${'c'.repeat(56)} has 64 characters, and Flux and Argo CD label every object they apply with it (a label value has at most 63) (${'c'.repeat(56)})`,
      `environments[3] (${'d'.repeat(52)}).name: is too long for the fleet objects: azureml-${'d'.repeat(52)}-aso has 64 characters, and Flux and Argo CD label every object they apply with it (a label value has at most 63) (${'d'.repeat(52)})`,
    ]);
    // Without a fleet block the names are not used.
    expect(() => synthOf(config('', ['c'.repeat(56), 'd'.repeat(52)], asoNames))).not.toThrow();
  });

  test('an environment named like another\'s ASO object', () => {
    expect(problemsOf(config(BOTH, ['ml:aso', 'ml-aso']))).toEqual([
      'environments[1] (ml-aso).name: gives the fleet object azureml-ml-aso, the name of the ASO one of environments[0] (ml) (ml-aso)',
    ]);
  });

  test('Argo CD destinations: server URLs, both ASO destinations, ASO destinations without aso, two environments on one cluster', () => {
    expect(problemsOf(config(BOTH, ['a', 'b', 'c:aso', 'd'], {
      a: 'fleet: { destinationServer: aks-a.example.com, asoDestinationName: mgmt }',
      b: 'fleet: { destinationName: shared }',
      c: 'fleet: { destinationName: shared, asoDestinationName: mgmt, asoDestinationServer: "ftp://mgmt" }',
      d: 'fleet: { asoDestinationServer: "https://mgmt.example.com" }',
    }))).toEqual([
      'environments[0] (a).fleet.destinationServer: is not an API server URL (aks-a.example.com)',
      'environments[0] (a).fleet.asoDestinationName: does nothing: the environment has no aso block, so it has no ASO Application (mgmt)',
      'environments[2] (c).fleet.asoDestinationServer: is not an API server URL (ftp://mgmt)',
      'environments[2] (c).fleet: sets both asoDestinationName and asoDestinationServer, and an Argo CD destination takes one of them',
      'environments[2] (c).fleet: sends the environment\'s objects to cluster shared, like environments[1] (b): their Applications would fight over the azureml namespace\'s objects',
      'environments[3] (d).fleet.asoDestinationServer: does nothing: the environment has no aso block, so it has no ASO Application (https://mgmt.example.com)',
    ]);
  });

  test('two environments\' ASO Extension objects on one cluster: all of Flux\'s, Argo CD\'s with the same destination', () => {
    const asoTwice = (fleet: string, extra: { readonly [env: string]: string } = {}) => problemsOf(config(fleet, ['a:aso', 'b:aso', 'c'], { c: 'aso: { name: azureml-c }', ...extra }));
    const clash = (cluster: string) => `environments[1] (b).aso.name: gives the ASO Extension object azureml/azureml, like environments[0] (a), and both go to ${cluster}: one would replace the other (azureml)`;
    expect(asoTwice('fleet: { flux: {} }')).toEqual([clash('the cluster whose Flux applies fleet/flux-aso/')]);
    expect(asoTwice('fleet: { argocd: { repoURL: https://github.com/example/platform.git } }')).toEqual([clash('cluster in-cluster')]);
    // Argo CD sends them to two ASO clusters: no clash.
    expect(() => synthOf(config('fleet: { argocd: { repoURL: https://github.com/example/platform.git } }', ['a:aso', 'b:aso'], { b: 'fleet: { asoDestinationName: mgmt-2 }' }))).not.toThrow();
  });
});
