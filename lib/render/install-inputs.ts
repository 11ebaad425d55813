import { ExtensionModel } from '../settings/extension-model';
import { renderArmTemplate } from './arm';
import { AzScriptOptions, renderAzCreateScript, renderAzUpdateScript } from './az';
import { renderBicep } from './bicep';
import { IacInputs } from './iac';
import { renderTerraform } from './terraform';
import { renderHelmValues, renderSettingsJson } from './values';
import { renderWorkloadIdentityScript, WorkloadIdentityScriptOptions } from './workload-identity';

/**
 * The renderers: an {@link ExtensionModel} in, the text of one install input out. Every install path is rendered
 * from the same model, so each gets the same settings. Nothing rendered here holds a protected value: PEM content and
 * pass-through protected settings are secure parameters, environment variables or file paths.
 */
export class InstallInputs {
  /** `values.yml`: the settings as the Helm values of the extension's chart (reference only). */
  public static helmValues(environment: string, model: ExtensionModel): string {
    return renderHelmValues(environment, model);
  }

  /** `settings.json`: the configuration settings exactly as the az CLI would send them. */
  public static settingsJson(model: ExtensionModel): string {
    return renderSettingsJson(model);
  }

  /** `az-create.sh`: `az k8s-extension create` with the settings file. */
  public static azCreateScript(model: ExtensionModel, options: AzScriptOptions): string {
    return renderAzCreateScript(model, options);
  }

  /** `az-update.sh`: `az k8s-extension update --yes` with the same files (rotation, settings changes). */
  public static azUpdateScript(model: ExtensionModel, options: AzScriptOptions): string {
    return renderAzUpdateScript(model, options);
  }

  /** `extension.bicep`: the extension as a Bicep module; protected values are `@secure()` parameters. */
  public static bicep(inputs: IacInputs): string {
    return renderBicep(inputs);
  }

  /** `azuredeploy.json`: the extension as an ARM template; protected values are `securestring` parameters. */
  public static armTemplate(inputs: IacInputs): string {
    return renderArmTemplate(inputs);
  }

  /** `main.tf.json`: the extension as Terraform JSON (azurerm); protected values are sensitive variables. */
  public static terraform(inputs: IacInputs): string {
    return renderTerraform(inputs);
  }

  /** `workload-identity.sh`: the federated credential and Key Vault role External Secrets Operator needs. */
  public static workloadIdentityScript(options: WorkloadIdentityScriptOptions): string {
    return renderWorkloadIdentityScript(options);
  }

  private constructor() {}
}
