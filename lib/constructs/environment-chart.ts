import { Chart, ChartProps, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { OUTPUT_TREES, setChartFolder } from '../layout';
import { AzureMlExtensionProps } from '../plan';
import { AzureMlExtension } from './extension';

/**
 * Properties for {@link AzureMlEnvironmentChart}.
 */
export interface AzureMlEnvironmentChartProps extends ChartProps, AzureMlExtensionProps {}

/**
 * One environment (one cluster's extension): a chart whose objects go to `clusters/<environment>/` in an
 * {@link AzureMlApp} (the Namespace and the TLS Secret, or what delivers it), and whose {@link extension} carries the
 * settings and Helm values for the renderers (`install/<environment>/`).
 */
export class AzureMlEnvironmentChart extends Chart {
  /** The extension installation. */
  public readonly extension: AzureMlExtension;

  constructor(scope: Construct, id: string, props: AzureMlEnvironmentChartProps) {
    super(scope, id, props);
    setChartFolder(this, `${OUTPUT_TREES.clusters}/${Names.toDnsLabel(this)}`, `environment "${id}": the objects for its cluster`);
    this.extension = new AzureMlExtension(this, 'Extension', props);
  }
}
