import * as path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig, LoadedConfig } from './config/load';
import { applyObjectMetadata } from './constructs/metadata';
import { ArgoCdFleetOptions, FleetOptions, FluxFleetOptions } from './fleet-options';
import { OUTPUT_TREES, setChartFolder } from './layout';
import { Problem } from './problems';
import { dns1123SubdomainError } from './settings/names';
import { DEFAULT_ASO_NAME, DEFAULT_ASO_NAMESPACE } from './constructs/aso-extension';

/**
 * The fleet wiring (issue 10): Flux `Kustomization`s and Argo CD `Application`s that point each cluster at the
 * folders of the output layout (see layout.ts). Nothing here reaches a cluster by itself: the user adds a fleet folder
 * to their Flux bootstrap or Argo CD instance once, and from then on every synth that changes the folders is applied.
 *
 * - `fleet/flux/<env>/`: one Kustomization applying `clusters/<env>/`, for the Flux of the environment's cluster.
 * - `fleet/flux-aso/`: one Kustomization per environment with an `aso` block, applying `aso/<env>/`, for the Flux of
 *   the cluster where ASO runs. It is not `fleet/flux/aso/`: `aso` is a valid environment name, and that
 *   environment's folder would be the same.
 * - `fleet/argocd/`: an Application per folder, all for the one Argo CD instance that reaches every cluster.
 */
export const FLEET_FOLDERS = {
  flux: `${OUTPUT_TREES.fleet}/flux`,
  fluxAso: `${OUTPUT_TREES.fleet}/flux-aso`,
  argocd: `${OUTPUT_TREES.fleet}/argocd`,
} as const;

/** The Flux Kustomization's API (Flux 2.0 and later). */
export const FLUX_KUSTOMIZATION_API_VERSION = 'kustomize.toolkit.fluxcd.io/v1';

/** The Argo CD Application's API. */
export const ARGOCD_APPLICATION_API_VERSION = 'argoproj.io/v1alpha1';

/** The annotation Argo CD orders the objects of one sync by (lower waves first). */
export const ARGOCD_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * The sync waves of an environment's two Applications: the cluster's folder (the TLS Secret, or what delivers it)
 * before the ASO folder (the Extension, which makes Azure install azureml-fe, which reads the Secret). They order
 * anything only when an app-of-apps Application syncs `fleet/argocd/` (see the README).
 */
export const ARGOCD_SYNC_WAVES = { cluster: '0', aso: '1' } as const;

/**
 * The longest name Flux and Argo CD can give an object they manage: Flux labels every object it applies with
 * `kustomize.toolkit.fluxcd.io/name: <Kustomization>`, and Argo CD's label tracking (the default before 3.0) with
 * `app.kubernetes.io/instance: <Application>`, and a label value is at most 63 characters.
 */
export const MAX_FLEET_OBJECT_NAME = 63;

/** The `interval` of the Flux Kustomizations, as Flux's CRD accepts it (no ns or us: Flux refuses them). */
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** What Argo CD takes as a repository: a URL with a scheme, or scp-like `git@host:path`. */
const REPO_URL = /^([a-z][a-z0-9+.-]*:\/\/\S+|[^\s@/:]+@[^\s/:]+:\S+)$/i;
const SERVER_URL = /^https?:\/\/\S+$/i;


/** The name of an environment's Flux Kustomization and Argo CD Application for its cluster's folder. */
export function fleetObjectName(env: string): string {
  return `azureml-${env}`;
}

/** The name of an environment's Flux Kustomization and Argo CD Application for its ASO folder. */
export function fleetAsoObjectName(env: string): string {
  return `azureml-${env}-aso`;
}

/**
 * Why `repoPath` cannot be the output folder's path in the Git repository (absolute, `\`-separated, or outside the
 * repository), or undefined when it can. Flux and Argo CD resolve it against the repository's root.
 */
export function fleetPathError(repoPath: string): string | undefined {
  if (repoPath.includes('\\')) return 'must use / as separator (Flux and Argo CD read paths in the repository, not on this machine)';
  if (repoPath.startsWith('/') || /^[A-Za-z]:/.test(repoPath)) return 'must be relative to the Git repository\'s root, not absolute';
  const normal = path.posix.normalize(repoPath);
  if (normal === '..' || normal.startsWith('../')) return 'must stay inside the Git repository (it climbs out of it with ..)';
  return undefined;
}

/** The output folder's path below the repository's root, without `./` or a trailing `/` (`''` for the root). */
function repoRelative(repoPath: string): string {
  const error = fleetPathError(repoPath);
  if (error) {
    // Only a derived path gets here (fleetProblems refuses a bad fleet.path first): the output folder is not below
    // the config file's folder, so where it sits in the repository cannot be known.
    throw new Error(`the output folder's path in the Git repository would be ${JSON.stringify(repoPath)}, which ${error}: set fleet.path in the config to the output folder's path in the repository, e.g. ./dist`);
  }
  const normal = path.posix.normalize(repoPath).replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

/** A folder of the output as Flux's `spec.path` takes it: `./<repo path>/<folder>`. */
function fluxPath(rel: string, folder: string): string {
  return `./${rel === '' ? '' : `${rel}/`}${folder}`;
}

/** A folder of the output as Argo CD's `source.path` takes it: relative to the root, without `./`. */
function argoPath(rel: string, folder: string): string {
  return rel === '' ? folder : `${rel}/${folder}`;
}

function fluxKustomization(scope: Construct, name: string, flux: FluxFleetOptions, repoFolder: string): ApiObject {
  const source = flux.sourceRef ?? {};
  return new ApiObject(scope, name, {
    apiVersion: FLUX_KUSTOMIZATION_API_VERSION,
    kind: 'Kustomization',
    metadata: { name, namespace: flux.namespace ?? 'flux-system' },
    spec: {
      interval: flux.interval ?? '10m',
      path: repoFolder,
      prune: flux.prune ?? true,
      sourceRef: {
        kind: source.kind ?? 'GitRepository',
        name: source.name ?? 'flux-system',
        // Left out unless given: Flux then looks in the Kustomization's namespace, and clusters that lock down
        // cross-namespace references (--no-cross-namespace-refs) refuse any namespace, even the same one.
        ...(source.namespace ? { namespace: source.namespace } : {}),
      },
      // Ready only once every object applied is ready as kstatus judges it (a SealedSecret the controller has
      // unsealed, not just stored), so a user's own Kustomization can dependsOn this one. Costs nothing for the
      // Namespace and Secret, which are ready when they exist; a stuck object fails the reconcile after `interval`.
      wait: true,
    },
  });
}

/**
 * The Flux `Kustomization` that applies an environment's folder (`clusters/<env>/`), in its own folder
 * `fleet/flux/<env>/` for the Flux of the environment's cluster, when `fleet.flux` is set. Carries the
 * environment's labels, and its annotations for kind `Kustomization`. `repoPath` is the output folder's path in the
 * Git repository ({@link fleetRepoPath}).
 * @throws Error when `repoPath` is absolute or outside the repository
 */
export function addFluxChart(app: App, env: EnvironmentConfig, fleet: FleetOptions, repoPath: string): Chart | undefined {
  if (!fleet.flux) return undefined;
  const rel = repoRelative(repoPath);
  const chart = new Chart(app, `${env.name}.flux`);
  setChartFolder(chart, `${FLEET_FOLDERS.flux}/${env.name}`, `environment "${env.name}": the Flux Kustomization that applies ${OUTPUT_TREES.clusters}/${env.name}/, for the Flux of its cluster`);
  fluxKustomization(chart, fleetObjectName(env.name), fleet.flux, fluxPath(rel, `${OUTPUT_TREES.clusters}/${env.name}`));
  applyObjectMetadata(chart, env.props.labels, env.props.annotations);
  return chart;
}

/**
 * The Flux `Kustomization`s that apply the ASO folders (`aso/<env>/`) of every environment with an `aso` block, all
 * in `fleet/flux-aso/` for the Flux of the cluster where ASO runs, when `fleet.flux` is set and any environment has
 * an `aso` block. Each carries its environment's labels and `Kustomization` annotations.
 * @throws Error when `repoPath` is absolute or outside the repository
 */
export function addFluxAsoChart(app: App, envs: readonly EnvironmentConfig[], fleet: FleetOptions, repoPath: string): Chart | undefined {
  const withAso = envs.filter((e) => e.aso);
  if (!fleet.flux || withAso.length === 0) return undefined;
  const rel = repoRelative(repoPath);
  const chart = new Chart(app, 'fleet.flux-aso');
  setChartFolder(chart, FLEET_FOLDERS.fluxAso, `the Flux Kustomizations that apply ${OUTPUT_TREES.aso}/<env>/ of every environment with an aso block, for the Flux of the cluster where ASO runs`);
  for (const env of withAso) {
    // A scope per environment, so each environment's labels and annotations reach only its own object.
    const scope = new Construct(chart, env.name);
    fluxKustomization(scope, fleetAsoObjectName(env.name), fleet.flux, fluxPath(rel, `${OUTPUT_TREES.aso}/${env.name}`));
    applyObjectMetadata(scope, env.props.labels, env.props.annotations);
  }
  return chart;
}

function argoApplication(scope: Construct, name: string, argocd: ArgoCdFleetOptions, repoFolder: string, destination: { [key: string]: string }, wave: string): ApiObject {
  return new ApiObject(scope, name, {
    apiVersion: ARGOCD_APPLICATION_API_VERSION,
    kind: 'Application',
    // No resources-finalizer: deleting an Application (an environment dropped from the config, pruned by an
    // app-of-apps) then leaves the Namespace and the TLS Secret in place, which the installed extension still uses.
    metadata: { name, namespace: argocd.namespace ?? 'argocd', annotations: { [ARGOCD_SYNC_WAVE_ANNOTATION]: wave } },
    spec: {
      project: argocd.project ?? 'default',
      source: { repoURL: argocd.repoUrl, targetRevision: argocd.targetRevision ?? 'HEAD', path: repoFolder },
      // No destination namespace: every object in the folders names its own.
      destination,
      ...((argocd.automated ?? true) ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
    },
  });
}

/**
 * The Argo CD `Application`s of every environment, all in `fleet/argocd/` for the one Argo CD instance, when
 * `fleet.argocd` is set: `azureml-<env>` applies `clusters/<env>/` to the environment's cluster (`fleet.destinationServer`,
 * else `fleet.destinationName`, else the environment's name), and, for an environment with an `aso` block,
 * `azureml-<env>-aso` applies `aso/<env>/` to the cluster where ASO runs (`in-cluster` unless the environment's
 * `fleet` block says otherwise), one sync wave later. Each carries its environment's labels and `Application`
 * annotations (which may replace the sync wave).
 * @throws Error when `repoPath` is absolute or outside the repository
 */
export function addArgoCdChart(app: App, envs: readonly EnvironmentConfig[], fleet: FleetOptions, repoPath: string): Chart | undefined {
  const argocd = fleet.argocd;
  if (!argocd) return undefined;
  const rel = repoRelative(repoPath);
  const chart = new Chart(app, 'fleet.argocd');
  setChartFolder(chart, FLEET_FOLDERS.argocd, 'the Argo CD Applications of every environment, for the Argo CD instance (apply the folder, or point an app-of-apps Application at it)');
  for (const env of envs) {
    const scope = new Construct(chart, env.name);
    const to = env.fleet ?? {};
    argoApplication(scope, fleetObjectName(env.name), argocd, argoPath(rel, `${OUTPUT_TREES.clusters}/${env.name}`),
      to.destinationServer ? { server: to.destinationServer } : { name: to.destinationName ?? env.name }, ARGOCD_SYNC_WAVES.cluster);
    if (env.aso) {
      argoApplication(scope, fleetAsoObjectName(env.name), argocd, argoPath(rel, `${OUTPUT_TREES.aso}/${env.name}`),
        to.asoDestinationServer ? { server: to.asoDestinationServer } : { name: to.asoDestinationName ?? 'in-cluster' }, ARGOCD_SYNC_WAVES.aso);
    }
    applyObjectMetadata(scope, env.props.labels, env.props.annotations);
  }
  return chart;
}

/**
 * Problems of the fleet wiring, with fields as the config file names them (`fleet.flux.interval`,
 * `environments[1] (edge).fleet.destinationServer`): what Flux or Argo CD would refuse, and blocks that would do
 * nothing. Config-shape problems (types, unknown keys) are the loader's; these need the whole config.
 */
export function fleetProblems(config: LoadedConfig): Problem[] {
  const problems: Problem[] = [];
  const fleet = config.fleet;
  const where = (env: EnvironmentConfig) => `environments[${env.index}] (${env.name})`;
  for (const env of config.environments) {
    // A fleet block with problems of its own is reported by the loader: its argocd block may well be there.
    if (env.fleet && !fleet?.argocd && !config.fleetInvalid) {
      problems.push({
        field: `${where(env)}.fleet`,
        message: 'says where Argo CD sends the environment\'s folders, but there is no top-level fleet.argocd block, so it does nothing',
        fix: 'add a top-level fleet block with argocd: { repoURL: ... }, or remove this block (Flux runs in each cluster and needs no destination)',
      });
    }
  }
  if (!fleet) return problems;
  if (!fleet.flux && !fleet.argocd) {
    problems.push({ field: 'fleet', message: 'has neither a flux nor an argocd block, so it generates nothing', fix: 'add flux: {} (a Kustomization per environment) or argocd: { repoURL: ... }, or remove the fleet block' });
  }
  if (fleet.path !== undefined) {
    const error = fleetPathError(fleet.path);
    if (error) problems.push({ field: 'fleet.path', message: error, value: fleet.path, fix: 'give the output folder\'s path from the repository\'s root, e.g. ./dist or ./platform/dist' });
  }
  if (fleet.flux) problems.push(...fluxProblems(fleet.flux));
  if (fleet.argocd) problems.push(...argoProblems(fleet.argocd));
  if (fleet.flux || fleet.argocd) problems.push(...nameProblems(config.environments, where));
  if (fleet.argocd) problems.push(...destinationProblems(config.environments, where));
  problems.push(...asoObjectProblems(config.environments, fleet, where));
  return problems;
}

function fluxProblems(flux: FluxFleetOptions): Problem[] {
  const problems: Problem[] = [];
  if (flux.interval !== undefined) {
    if (!FLUX_DURATION.test(flux.interval)) {
      problems.push({ field: 'fleet.flux.interval', message: 'is not a duration Flux accepts: a Go duration in ms, s, m or h', value: flux.interval, fix: 'use a duration such as 10m, 1h or 1h30m' });
    } else if (!/[1-9]/.test(flux.interval)) {
      problems.push({ field: 'fleet.flux.interval', message: 'must be more than 0: Flux reconciles (and undoes changes made by hand) once per interval', value: flux.interval, fix: 'use a duration such as 10m' });
    }
  }
  for (const [field, value] of [['fleet.flux.namespace', flux.namespace], ['fleet.flux.sourceRef.namespace', flux.sourceRef?.namespace]] as const) {
    if (value !== undefined && (value.length > 63 || !DNS1123_LABEL.test(value))) {
      problems.push({ field, message: 'is not a namespace name: a DNS-1123 label (lower-case letters, digits and -, at most 63)', value, fix: 'use the namespace Flux runs in, e.g. flux-system' });
    }
  }
  const sourceName = flux.sourceRef?.name;
  const sourceError = sourceName === undefined ? undefined : dns1123SubdomainError(sourceName);
  if (sourceError) problems.push({ field: 'fleet.flux.sourceRef.name', message: sourceError, value: sourceName, fix: 'use the name of the Flux source of this repository (flux get sources all), e.g. flux-system' });
  return problems;
}

function argoProblems(argocd: ArgoCdFleetOptions): Problem[] {
  const problems: Problem[] = [];
  if (!REPO_URL.test(argocd.repoUrl)) {
    problems.push({ field: 'fleet.argocd.repoURL', message: 'is not a repository URL Argo CD can clone', value: argocd.repoUrl, fix: 'use the URL Argo CD knows the repository by, e.g. https://github.com/example/platform.git or git@github.com:example/platform.git' });
  }
  if (argocd.namespace !== undefined && (argocd.namespace.length > 63 || !DNS1123_LABEL.test(argocd.namespace))) {
    problems.push({ field: 'fleet.argocd.namespace', message: 'is not a namespace name: a DNS-1123 label (lower-case letters, digits and -, at most 63)', value: argocd.namespace, fix: 'use the namespace Argo CD runs in, e.g. argocd' });
  }
  const projectError = argocd.project === undefined ? undefined : dns1123SubdomainError(argocd.project);
  if (projectError) problems.push({ field: 'fleet.argocd.project', message: `is not an AppProject name: it ${projectError}`, value: argocd.project, fix: 'use an existing Argo CD project (argocd proj list), e.g. default' });
  return problems;
}

/** Names too long for a label value, and an environment whose name collides with another's ASO object. */
function nameProblems(envs: readonly EnvironmentConfig[], where: (env: EnvironmentConfig) => string): Problem[] {
  const problems: Problem[] = [];
  const asoOwners = new Map(envs.filter((e) => e.aso).map((e) => [fleetAsoObjectName(e.name), e]));
  for (const env of envs) {
    const longest = env.aso ? fleetAsoObjectName(env.name) : fleetObjectName(env.name);
    if (longest.length > MAX_FLEET_OBJECT_NAME) {
      const room = MAX_FLEET_OBJECT_NAME - (longest.length - env.name.length);
      problems.push({
        field: `${where(env)}.name`,
        message: `is too long for the fleet objects: ${longest} has ${longest.length} characters, and Flux and Argo CD label every object they apply with it (a label value has at most ${MAX_FLEET_OBJECT_NAME})`,
        value: env.name,
        fix: `shorten the name to at most ${room} characters`,
      });
    }
    // `azureml-<a>-aso` (ASO of a) is also `azureml-<a-aso>`: both would be Applications in one namespace.
    const owner = asoOwners.get(fleetObjectName(env.name));
    if (owner) {
      problems.push({
        field: `${where(env)}.name`,
        message: `gives the fleet object ${fleetObjectName(env.name)}, the name of the ASO one of ${where(owner)}`,
        value: env.name,
        fix: 'rename one of the two environments',
      });
    }
  }
  return problems;
}

type Destination = { readonly key: string; readonly shown: string };

function destinationOf(server: string | undefined, name: string): Destination {
  return server ? { key: `server ${server}`, shown: `server ${server}` } : { key: `name ${name}`, shown: `cluster ${name}` };
}

/** Destinations Argo CD would refuse or that would do nothing, and two environments sent to one cluster. */
function destinationProblems(envs: readonly EnvironmentConfig[], where: (env: EnvironmentConfig) => string): Problem[] {
  const problems: Problem[] = [];
  const clusters = new Map<string, EnvironmentConfig>();
  for (const env of envs) {
    const to = env.fleet ?? {};
    for (const field of ['destinationServer', 'asoDestinationServer'] as const) {
      const value = to[field];
      if (value !== undefined && !SERVER_URL.test(value)) {
        problems.push({ field: `${where(env)}.fleet.${field}`, message: 'is not an API server URL', value, fix: 'use the server URL Argo CD knows the cluster by (argocd cluster list), e.g. https://kubernetes.default.svc' });
      }
    }
    if (to.asoDestinationName !== undefined && to.asoDestinationServer !== undefined) {
      problems.push({ field: `${where(env)}.fleet`, message: 'sets both asoDestinationName and asoDestinationServer, and an Argo CD destination takes one of them', fix: 'keep one of the two' });
    }
    if (!env.aso) {
      for (const field of ['asoDestinationName', 'asoDestinationServer'] as const) {
        if (to[field] !== undefined) {
          problems.push({ field: `${where(env)}.fleet.${field}`, message: 'does nothing: the environment has no aso block, so it has no ASO Application', value: to[field], fix: 'remove it, or add an aso block to install the extension with Azure Service Operator' });
        }
      }
    }
    // Every environment's folder holds the azureml Namespace and the TLS Secret: two Applications applying them to
    // one cluster would undo each other's changes (with selfHeal, forever).
    const cluster = destinationOf(to.destinationServer, to.destinationName ?? env.name);
    const other = clusters.get(cluster.key);
    if (other) {
      problems.push({
        field: `${where(env)}.fleet`,
        message: `sends the environment's objects to ${cluster.shown}, like ${where(other)}: their Applications would fight over the azureml namespace's objects`,
        fix: 'give each environment its own cluster (fleet.destinationName or fleet.destinationServer)',
      });
    } else {
      clusters.set(cluster.key, env);
    }
  }
  return problems;
}

/**
 * Two environments whose ASO Extension objects would be one object on the cluster where ASO runs: with Flux, every
 * ASO folder goes to one cluster (`fleet/flux-aso/`); with Argo CD, those with the same ASO destination.
 */
function asoObjectProblems(envs: readonly EnvironmentConfig[], fleet: FleetOptions, where: (env: EnvironmentConfig) => string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, EnvironmentConfig>();
  for (const env of envs) {
    if (!env.aso) continue;
    const object = `${env.aso.namespace ?? DEFAULT_ASO_NAMESPACE}/${env.aso.name ?? DEFAULT_ASO_NAME}`;
    const to = env.fleet ?? {};
    const clusters = [
      ...(fleet.flux ? ['the cluster whose Flux applies fleet/flux-aso/'] : []),
      ...(fleet.argocd ? [destinationOf(to.asoDestinationServer, to.asoDestinationName ?? 'in-cluster').shown] : []),
    ];
    for (const cluster of clusters) {
      const other = seen.get(`${cluster} ${object}`);
      if (other) {
        problems.push({
          field: `${where(env)}.aso.name`,
          message: `gives the ASO Extension object ${object}, like ${where(other)}, and both go to ${cluster}: one would replace the other`,
          value: env.aso.name ?? DEFAULT_ASO_NAME,
          fix: `give each environment's Extension its own name or namespace, e.g. aso: { name: azureml-${env.name} }`,
        });
        break;
      }
      seen.set(`${cluster} ${object}`, env);
    }
  }
  return problems;
}
