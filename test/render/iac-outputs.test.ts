/**
 * What every IaC output shares, whatever its format: the settings exactly as the model has them, the protected keys
 * the model asks for, no key material, the relay on Arc only, identical bytes for identical input.
 */
import { renderArmTemplate } from '../../lib/render/arm';
import { renderBicep } from '../../lib/render/bicep';
import { IacInputs, iacProtectedKeys, iacProtectedSettings } from '../../lib/render/iac';
import { renderTerraform } from '../../lib/render/terraform';
import { CASES, FORBIDDEN, isArc } from './fixtures';
import { armLiteralValue, armStringMap, bicepObjectBlock, bicepStringMap, terraformLiteralValue, terraformStringMap } from './formats';

interface Reader {
  settings(out: string): { [key: string]: string } | undefined;
  protectedKeys(out: string): string[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- free-form JSON of the outputs */
function armExtension(out: string): any {
  return JSON.parse(out).resources.find((r: any) => r.type === 'Microsoft.KubernetesConfiguration/extensions');
}
function tfExtension(out: string): any {
  const resources = JSON.parse(out).resource;
  const type = resources.azurerm_arc_kubernetes_cluster_extension ?? resources.azurerm_kubernetes_cluster_extension;
  return Object.values(type)[0];
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const RENDERERS: [string, (i: IacInputs) => string, Reader][] = [
  ['Bicep', renderBicep, {
    settings: (out) => bicepStringMap(out, 'configurationSettings'),
    protectedKeys: (out) => (bicepObjectBlock(out, 'configurationProtectedSettings') ?? []).map((e) => e.key),
  }],
  ['ARM', renderArmTemplate, {
    settings: (out) => armStringMap(armExtension(out).properties.configurationSettings),
    protectedKeys: (out) => Object.keys(armExtension(out).properties.configurationProtectedSettings ?? {}).map(armLiteralValue),
  }],
  ['Terraform', renderTerraform, {
    settings: (out) => terraformStringMap(tfExtension(out).configuration_settings),
    protectedKeys: (out) => Object.keys(tfExtension(out).configuration_protected_settings ?? {}).map(terraformLiteralValue),
  }],
];

describe.each(RENDERERS)('%s', (_format, render, read) => {
  describe.each(CASES)('%s', (_name, inputs) => {
    const out = render(inputs);

    test('writes the settings exactly as the model has them, in the same order', () => {
      const settings = read.settings(out);
      expect(settings).toEqual(inputs.model.settings);
      expect(Object.keys(settings ?? {})).toEqual(Object.keys(inputs.model.settings));
    });

    test('passes exactly the protected keys the deployment needs, never the CLI-only file paths', () => {
      expect(read.protectedKeys(out)).toEqual(iacProtectedSettings(inputs.model).map((s) => s.key));
      expect(read.protectedKeys(out)).not.toContain('sslKeyPemFile');
    });

    test('holds no key material and no protected value', () => {
      for (const forbidden of FORBIDDEN) expect(out).not.toContain(forbidden);
      for (const key of iacProtectedKeys(inputs.model)) expect(out).not.toContain(inputs.model.protectedSettings[key]);
    });

    test('never uses loadFileAsBase64 outside a comment', () => {
      const code = out.split('\n').filter((l) => !l.trimStart().startsWith('//')).join('\n');
      expect(code).not.toMatch(/loadFileAsBase64/i);
    });

    test('creates the relay and a system-assigned identity on Arc only', () => {
      const arc = isArc(inputs);
      expect(out.includes('Microsoft.Relay') || out.includes('azurerm_relay_')).toBe(arc);
      expect(out.includes('azureml_rw')).toBe(arc);
      expect(out.includes('SystemAssigned')).toBe(arc);
    });

    test('is deterministic', () => {
      expect(render({ ...inputs, model: { ...inputs.model } })).toBe(out);
    });

    test('ends with exactly one newline', () => {
      expect(out.endsWith('\n')).toBe(true);
      expect(out.endsWith('\n\n')).toBe(false);
    });
  });
});
