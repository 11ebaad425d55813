/**
 * The AzureML Kubernetes extension's configuration settings, typed.
 *
 * Every key of spec section 2 (`../shared/spec/azureml-extension.md`) has a field here. Names are the upstream
 * setting names verbatim so that a reader of Microsoft's docs finds them. Nothing in this folder knows about cdk8s.
 */

/**
 * How azureml-fe, the inference router, is exposed.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension
 */
export enum InferenceRouterServiceType {
  /** A public (or, with `internalLoadBalancerProvider: azure`, internal) load balancer. */
  LOAD_BALANCER = 'LoadBalancer',
  /** A node port on every node. Cannot be combined with an internal load balancer. */
  NODE_PORT = 'NodePort',
  /** Cluster-internal only; expose it yourself (ingress, private link). */
  CLUSTER_IP = 'ClusterIP',
}

/**
 * The extension's sizing profile. Not in the docs table; the az CLI sets `DevTest` on clusters under 3 nodes
 * (spec section 3).
 */
export enum ClusterPurpose {
  /** Fewer replicas, for development and test clusters. */
  DEV_TEST = 'DevTest',
  /** Production sizing. */
  FAST_PROD = 'FastProd',
}

/** Internal load balancer providers the extension knows. AKS only (spec section 2). */
export enum InternalLoadBalancerProvider {
  /** Azure's internal load balancer (`service.beta.kubernetes.io/azure-load-balancer-internal`). */
  AZURE = 'azure',
}

/**
 * The extension's own settings: everything except TLS material and cluster identity.
 *
 * Leaving a field unset leaves the key out, so the extension's (or the az CLI's) default applies, exactly as when the
 * key is not passed to `az k8s-extension create --config`.
 */
export interface ExtensionSettings {
  /**
   * Install the training components. At least one of `enableTraining` and `enableInference` must be true.
   * @default false
   */
  readonly enableTraining?: boolean;
  /**
   * Install the inference components, among them azureml-fe, which serves HTTPS with the TLS Secret.
   * @default false
   */
  readonly enableInference?: boolean;
  /**
   * How azureml-fe is exposed. Required when `enableInference` is true.
   * @default - none; required with inference
   */
  readonly inferenceRouterServiceType?: InferenceRouterServiceType;
  /**
   * Use an internal load balancer. AKS only; rejected together with `NodePort`.
   * @default - a public load balancer
   */
  readonly internalLoadBalancerProvider?: InternalLoadBalancerProvider;
  /**
   * Plain HTTP, no TLS termination (development and test only). Rejected together with TLS material.
   * @default false
   */
  readonly allowInsecureConnections?: boolean;
  /**
   * Three azureml-fe replicas. Needs at least 3 nodes; on a smaller cluster an unset value is derived as `false`.
   * @default true (false on clusters under 3 nodes, as the az CLI does)
   */
  readonly inferenceRouterHA?: boolean;
  /**
   * Sizing profile.
   * @default - DevTest on clusters under 3 nodes, otherwise the extension's default
   */
  readonly clusterPurpose?: ClusterPurpose;
  /**
   * Node labels the extension's pods must run on, one `nodeSelector.<label>` setting each.
   * An update cannot remove a node selector once set.
   * @default - no node selector
   */
  readonly nodeSelector?: { [label: string]: string };
  /** @default false */
  readonly installNvidiaDevicePlugin?: boolean;
  /** @default false */
  readonly installDcgmExporter?: boolean;
  /**
   * Install the Prometheus operator; false reuses an existing one.
   * @default true
   */
  readonly installPromOp?: boolean;
  /**
   * Install Volcano; false reuses an existing one.
   * @default true
   */
  readonly installVolcano?: boolean;
  /**
   * `volcanoScheduler.schedulerConfigMap`: the ConfigMap of a custom Volcano scheduler configuration.
   * @default - none
   */
  readonly volcanoSchedulerConfigMap?: string;
  /**
   * `amloperator.skipResourceValidation`.
   * @default - none
   */
  readonly amloperatorSkipResourceValidation?: boolean;
  /**
   * `nginxIngress.controller`: the ingress controller class to use.
   * @default - none
   */
  readonly nginxIngressController?: string;
  /**
   * `scoringFe.enableUpgrade`.
   * @default - none
   */
  readonly scoringFeEnableUpgrade?: boolean;
  /**
   * Migrating from the AKS inference of AzureML v1 (the CLI then sets `scoringFe.namespace=default`).
   * @default false
   */
  readonly isAKSMigration?: boolean;
  /**
   * Other settings passed through verbatim (the escape hatch). Keys modelled by a typed field, and the keys derived
   * from TLS and cluster identity, are rejected here: use the typed field.
   * @default - none
   */
  readonly additionalSettings?: { [key: string]: string };
  /**
   * Other protected settings passed through verbatim. A key may not also appear in the settings.
   * @default - none
   */
  readonly additionalProtectedSettings?: { [key: string]: string };
}

/** The kind of Azure cluster the extension is installed on. */
export enum ClusterType {
  /** Azure Kubernetes Service: `Microsoft.ContainerService/managedClusters`. */
  AKS = 'aks',
  /** Azure Arc-enabled Kubernetes: `Microsoft.Kubernetes/connectedClusters`. */
  ARC = 'arc',
}

/**
 * The cluster the extension is installed on. Everything is optional: what is known is used to derive the keys
 * the az CLI adds (spec section 3), what is not is left to the CLI at install time.
 */
export interface ClusterIdentity {
  /** AKS or Arc. */
  readonly type: ClusterType;
  /** @default - unknown */
  readonly subscriptionId?: string;
  /** @default - unknown */
  readonly resourceGroup?: string;
  /** The cluster's resource name. @default - unknown */
  readonly name?: string;
  /** The Azure region, e.g. `eastus` (any case; the CLI lower-cases it). @default - unknown */
  readonly location?: string;
  /** Total node count; under 3 makes it a small cluster (spec section 3). @default - unknown */
  readonly nodeCount?: number;
  /**
   * Arc only: the connected cluster's Kubernetes distribution, its `properties.distribution` as
   * `az connectedk8s connect --distribution` records it (e.g. `openshift`, `k3s`, `generic`). The az CLI reads it from
   * the cluster resource and, when it is `openshift` (any case), sends `openshift=true` (spec section 3). AKS clusters
   * have no such property.
   * @default - unknown: no `openshift` key is derived
   */
  readonly distribution?: string;
}

/** The distribution value for which the az CLI sends `openshift=true` (compared case-insensitively). */
export const OPENSHIFT_DISTRIBUTION = 'openshift';
