/** The Git source a Flux `Kustomization` reads the output from. */
export interface FluxSourceOptions {
  /**
   * The source's kind.
   * @default 'GitRepository'
   */
  readonly kind?: string;
  /**
   * The source's name.
   * @default 'flux-system'
   */
  readonly name?: string;
  /**
   * The source's namespace.
   * @default - the Kustomization's namespace
   */
  readonly namespace?: string;
}

/** Flux wiring: a `Kustomization` per environment folder. */
export interface FluxFleetOptions {
  /**
   * The Git source.
   * @default - GitRepository flux-system
   */
  readonly sourceRef?: FluxSourceOptions;
  /**
   * The Kustomizations' namespace.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * How often Flux reconciles, a Go duration.
   * @default '10m'
   */
  readonly interval?: string;
  /**
   * Delete objects that left the folder.
   * @default true
   */
  readonly prune?: boolean;
}

/** Argo CD wiring: an `Application` per environment folder. */
export interface ArgoCdFleetOptions {
  /** The Git repository's URL. */
  readonly repoUrl: string;
  /**
   * The revision to sync.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * The Argo CD project.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * The Applications' namespace (where Argo CD runs).
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Sync automatically (with prune and self-heal).
   * @default true
   */
  readonly automated?: boolean;
}

/** Fleet wiring for all environments of a config. */
export interface FleetOptions {
  /**
   * The output folder's path in the Git repository, e.g. `./dist` or `./platform/dist`.
   * @default - the output folder relative to the config file's folder
   */
  readonly path?: string;
  /**
   * Flux `Kustomization`s, one per environment (`fleet/flux/<env>/`).
   * @default - none
   */
  readonly flux?: FluxFleetOptions;
  /**
   * Argo CD `Application`s, all in `fleet/argocd/`.
   * @default - none
   */
  readonly argocd?: ArgoCdFleetOptions;
}

/** Where one environment's objects go, for Argo CD. */
export interface EnvironmentFleetOptions {
  /**
   * The Argo CD cluster name of the environment's cluster.
   * @default - the environment's name, unless `destinationServer` is set
   */
  readonly destinationName?: string;
  /**
   * The API server URL of the environment's cluster (instead of `destinationName`).
   * @default - none
   */
  readonly destinationServer?: string;
  /**
   * The Argo CD cluster name of the cluster where ASO runs.
   * @default 'in-cluster' (the cluster Argo CD runs in), unless `asoDestinationServer` is set
   */
  readonly asoDestinationName?: string;
  /**
   * The API server URL of the cluster where ASO runs.
   * @default - none
   */
  readonly asoDestinationServer?: string;
}
