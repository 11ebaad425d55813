import { Finding } from './certificate/findings';
import { TlsReport } from './certificate/facts';
import { AzureMlExtensionProps, planExtension, TlsDelivery } from './plan';
import { Problem } from './problems';
import { ExtensionModel } from './settings/extension-model';

/** What {@link ExtensionPlanner.plan} decided about one installation. */
export interface ExtensionPlanResult {
  /** Every problem (the extension's rules and certificate errors); empty when the installation can be synthesized. */
  readonly problems: Problem[];
  /** Certificate warnings: usable, but worth a look. */
  readonly warnings: Finding[];
  /**
   * The settings as the az CLI would send them, the protected settings and the Helm values.
   * @default - none when there are problems
   */
  readonly model?: ExtensionModel;
  /**
   * The certificate report (chain, key, findings), when this tool saw the material.
   * @default - none: no TLS, or a certificate this tool never sees (existing Secret, Key Vault, cert-manager)
   */
  readonly certificateReport?: TlsReport;
  /**
   * How the certificate reaches azureml-fe.
   * @default - none: no TLS
   */
  readonly delivery?: TlsDelivery;
}

/**
 * The settings model without cdk8s: checks an installation against every rule of the extension and the certificate
 * checks, and derives the settings the az CLI would send. The constructs use the same plan.
 */
export class ExtensionPlanner {
  /**
   * Resolves the certificate, checks it and the settings, and builds the model. Never throws for bad input: every
   * problem is returned at once.
   */
  public static plan(props: AzureMlExtensionProps): ExtensionPlanResult {
    const plan = planExtension(props);
    return {
      problems: plan.problems,
      warnings: plan.warnings,
      model: plan.model,
      certificateReport: plan.certificateReport,
      delivery: plan.delivery,
    };
  }

  private constructor() {}
}
