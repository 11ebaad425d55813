import { Construct } from 'constructs';
import { AzureMlAsoOptions } from '../aso-options';
import { AzureMlExtensionProps, ExtensionPlan } from '../plan';
import { Problem } from '../problems';
import { ISealCache } from '../sealing/cache';
import { AzureMlExtension } from './extension';

/** Properties for {@link AzureMlAsoExtension}. */
export interface AzureMlAsoExtensionProps extends AzureMlAsoOptions {
  /** The extension installation whose settings the Extension object carries. */
  readonly extension: AzureMlExtension;
  /**
   * Labels for every object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations by kind.
   * @default - none
   */
  readonly annotations?: { [kind: string]: { [key: string]: string } };
  /**
   * Where sealed values are kept between runs.
   * @default - none
   */
  readonly sealCache?: ISealCache;
  /**
   * The time the sealing certificate is checked against.
   * @default - the current time
   */
  readonly now?: Date;
}

/** STUB: implemented by the ASO work. */
export class AzureMlAsoExtension extends Construct {
  constructor(scope: Construct, id: string, props: AzureMlAsoExtensionProps) {
    super(scope, id);
    void props;
  }
}

/** STUB: problems of an ASO install (fields `aso.<field>`), reported with the config's other problems. */
export function asoProblems(options: AzureMlAsoOptions, props: AzureMlExtensionProps, plan: ExtensionPlan): Problem[] {
  void options; void props; void plan;
  return [];
}
