import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { LoadedConfig, EnvironmentConfig } from './config/load';
import { AzureMlAsoExtension } from './constructs/aso-extension';
import { AzureMlEnvironmentChart } from './constructs/environment-chart';
import { addArgoCdChart, addFluxAsoChart, addFluxChart, fleetPathError } from './fleet';
import { Problem } from './problems';
import { OUTPUT_TREES, setChartFolder } from './layout';

/**
 * Adds one environment of a config to an app: its chart (`clusters/<env>/`), its ASO chart when it has an `aso`
 * block (`aso/<env>/`) and its Flux chart when the config wires a Flux fleet (`fleet/flux/<env>/`). `outRoot` is the
 * output root, for the fleet's paths in the repository.
 */
export function addEnvironment(app: App, env: EnvironmentConfig, config: LoadedConfig, outRoot: string): AzureMlEnvironmentChart {
  const chart = new AzureMlEnvironmentChart(app, env.name, env.props);
  if (env.aso) {
    const aso = new Chart(app, `${env.name}.aso`);
    setChartFolder(aso, `${OUTPUT_TREES.aso}/${env.name}`, `environment "${env.name}": the AzureML extension as an Azure Service Operator Extension, for the cluster where ASO runs`);
    new AzureMlAsoExtension(aso, 'Extension', {
      ...env.aso,
      extension: chart.extension,
      labels: env.props.labels,
      annotations: env.props.annotations,
      now: env.props.now,
    });
  }
  if (config.fleet?.flux) addFluxChart(app, env, config.fleet, fleetRepoPath(config, outRoot));
  return chart;
}

/**
 * Adds what the fleet wiring shares across environments, if any: the Argo CD Applications (`fleet/argocd/`) and the
 * Flux Kustomizations of the ASO folders (`fleet/flux-aso/`, for the one cluster where ASO runs).
 */
export function addFleet(app: App, envs: readonly EnvironmentConfig[], config: LoadedConfig, outRoot: string): void {
  if (config.fleet?.flux) addFluxAsoChart(app, envs, config.fleet, fleetRepoPath(config, outRoot));
  if (config.fleet?.argocd) addArgoCdChart(app, envs, config.fleet, fleetRepoPath(config, outRoot));
}

/**
 * Why the output root's path in the repository cannot be derived for the fleet wiring (no `fleet.path`, and the output
 * folder is not below the config file's folder), as a problem of the config naming the file; undefined when it can.
 */
export function fleetRepoPathProblem(config: LoadedConfig, outRoot: string): Problem | undefined {
  if (!config.fleet || config.fleet.path) return undefined;
  const derived = fleetRepoPath(config, outRoot);
  const error = fleetPathError(derived);
  if (!error) return undefined;
  const label = path.relative(process.cwd(), config.file) || config.file;
  return {
    field: `${label}: fleet.path`,
    message: `is not set, and the output folder ${outRoot} is not below the config file's folder, so its path in the Git repository cannot be derived (it would be ${JSON.stringify(derived)}, which ${error})`,
    fix: 'set fleet.path to the output folder\'s path from the repository\'s root, e.g. ./dist',
  };
}

/**
 * The output root's path in the Git repository, as Flux and Argo CD take it: `fleet.path`, else the output folder
 * relative to the config file's folder (`./dist`), `/`-separated, so it is the same on every machine.
 */
export function fleetRepoPath(config: LoadedConfig, outRoot: string): string {
  if (config.fleet?.path) return config.fleet.path.replace(/\/+$/, '');
  const rel = path.relative(path.dirname(config.file), outRoot).split(path.sep).join('/');
  return rel === '' ? '.' : rel.startsWith('..') ? rel : `./${rel}`;
}
