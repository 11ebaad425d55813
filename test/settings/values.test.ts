import { helmTypedValue, toHelmValues, valuesPath } from '../../lib/internal';

describe('Helm values from dotted settings', () => {
  test('expands dotted keys into nested maps, sorted', () => {
    const { values, problems } = toHelmValues({ 'scoringFe.sslSecret': 's', 'a.b.c': 'x', enableInference: 'True' });
    expect(problems).toEqual([]);
    expect(values).toEqual({ a: { b: { c: 'x' } }, enableInference: true, scoringFe: { sslSecret: 's' } });
    expect(Object.keys(values)).toEqual(['a', 'enableInference', 'scoringFe']);
  });

  test('keeps a node selector label whole', () => {
    expect(valuesPath('nodeSelector.kubernetes.azure.com/agentpool')).toEqual(['nodeSelector', 'kubernetes.azure.com/agentpool']);
  });

  test('types values as Helm --set does', () => {
    expect([helmTypedValue('True'), helmTypedValue('false'), helmTypedValue('0'), helmTypedValue('42'), helmTypedValue('007'), helmTypedValue('null'), helmTypedValue('eastus')])
      .toEqual([true, false, 0, 42, '007', null, 'eastus']);
  });

  test('reports a key that is both a value and a map', () => {
    const { problems } = toHelmValues({ 'a.b': 'x', 'a.b.c': 'y' });
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('a.b.c');
    expect(problems[0].message).toMatch(/collides with another setting/);
  });
});
