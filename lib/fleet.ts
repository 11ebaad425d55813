import { App, Chart } from 'cdk8s';
import { EnvironmentConfig, LoadedConfig } from './config/load';
import { FleetOptions } from './fleet-options';
import { Problem } from './problems';

/** STUB: implemented by the fleet work. */
export function addFluxChart(app: App, env: EnvironmentConfig, fleet: FleetOptions, repoPath: string): Chart | undefined {
  void app; void env; void fleet; void repoPath;
  return undefined;
}

/** STUB: implemented by the fleet work. */
export function addArgoCdChart(app: App, envs: readonly EnvironmentConfig[], fleet: FleetOptions, repoPath: string): Chart | undefined {
  void app; void envs; void fleet; void repoPath;
  return undefined;
}

/** STUB: problems of the fleet wiring. */
export function fleetProblems(config: LoadedConfig): Problem[] {
  void config;
  return [];
}
