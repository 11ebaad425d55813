import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AzureMlExtensionProps } from '../plan';
import { AzureMlExtension } from './extension';

/**
 * Properties for {@link AzureMlEnvironmentChart}.
 */
export interface AzureMlEnvironmentChartProps extends ChartProps, AzureMlExtensionProps {}

/**
 * One environment (one cluster's extension): a chart whose manifest is `<environment>.k8s.yaml`, holding the TLS
 * Secret when there is one, and whose {@link extension} carries the settings and Helm values for the renderers.
 */
export class AzureMlEnvironmentChart extends Chart {
  /** The extension installation. */
  public readonly extension: AzureMlExtension;

  constructor(scope: Construct, id: string, props: AzureMlEnvironmentChartProps) {
    super(scope, id, props);
    this.extension = new AzureMlExtension(this, 'Extension', props);
  }
}
