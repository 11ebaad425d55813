import { parseConfigYaml } from '../../lib/config/parse';

// The YAML parser turns most over-deep nesting into an error of its own (see hardening.test.ts); a document just
// below its limit may still exhaust the stack while it is walked or converted. That RangeError is simulated here, as
// no input triggers it reliably on every machine.
jest.mock('yaml', () => {
  const actual = jest.requireActual<typeof import('yaml')>('yaml');
  return {
    ...actual,
    parseDocument: (text: string, options: object) => {
      if (text.startsWith('# overflow')) throw new RangeError('Maximum call stack size exceeded');
      return actual.parseDocument(text, options);
    },
  };
});

describe('parseConfigYaml when the stack runs out', () => {
  test('a RangeError while reading is a problem naming the file, not an exception', () => {
    expect(parseConfigYaml('# overflow\nenvironments: []\n', 'azureml-tls.yaml')).toEqual({
      problems: [{ field: 'azureml-tls.yaml', message: 'is not a usable YAML document: it nests lists or maps too deeply to read', fix: 'a config file nests a few levels deep: check that the file is the config' }],
    });
  });

  test('other documents are read as before', () => {
    expect(parseConfigYaml('environments: []\n', 'azureml-tls.yaml')).toEqual({ value: { environments: [] }, problems: [] });
  });
});
