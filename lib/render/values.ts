import { ExtensionModel } from '../settings/extension-model';
import { generatedHeader, renderJson, renderYaml } from './common';

/**
 * The Helm values the extension's chart receives from the non-protected settings (dotted keys expanded, values typed
 * as Helm's `--set` types them). Never holds a protected value.
 */
export function renderHelmValues(environment: string, model: ExtensionModel): string {
  return generatedHeader(environment, 'Helm values of the AzureML extension (non-protected settings only)')
    + '# Reference only: the extension manager passes the settings to the chart; nothing applies this file.\n'
    + renderYaml(model.helmValues);
}

/** `settings.json` for `--config-settings-file`: the settings exactly as the az CLI would send them. */
export function renderSettingsJson(model: ExtensionModel): string {
  return renderJson(model.settings);
}
