import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { buildConfigSchema, parseConfig, ValidationError } from '../../lib/internal';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_FILE = path.join(ROOT, 'azureml-tls.schema.json');

describe('the config file\'s JSON Schema', () => {
  test('the shipped file is the one generated from the types (run `npm run schema` after changing them)', () => {
    expect(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(buildConfigSchema());
  });

  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(buildConfigSchema());

  test('accepts the embedded default config', () => {
    expect(validate(parse(fs.readFileSync(path.join(ROOT, 'azureml-tls.yaml'), 'utf8')))).toBe(true);
  });

  // The loader and the schema agree on what is structurally invalid.
  test.each([
    ['unknown key', { environments: [{ name: 'a', extension: { enableTraining: true }, colour: 'red' }] }],
    ['wrong type', { environments: [{ name: 'a', extension: { enableTraining: 'yes' } }] }],
    ['bad enum', { environments: [{ name: 'a', insecure: true, extension: { enableInference: true, inferenceRouterServiceType: 'Ingress' } }] }],
    ['two certificate sources', { environments: [{ name: 'a', extension: { enableInference: true, inferenceRouterServiceType: 'LoadBalancer' }, tls: { cname: 'x.example.com', certificate: { existingSecret: 's', files: { cert: 'a', key: 'b' } } } }] }],
    ['no environments', { environments: [] }],
  ])('rejects a config with %s, as the loader does', (_name, config) => {
    expect(validate(config)).toBe(false);
    expect(() => parseConfig(JSON.stringify(config), path.join(ROOT, 'x.yaml'))).toThrow(ValidationError);
  });

  test('accepts a fleet whose environments are completed by defaults, as the loader does', () => {
    const fleet = parse(fs.readFileSync(path.join(__dirname, 'fleet.test.ts'), 'utf8').split('const FLEET = `')[1].split('`;')[0]);
    expect(validate(fleet)).toBe(true);
    expect(() => parseConfig(JSON.stringify(fleet), path.join(ROOT, 'x.yaml'))).not.toThrow();
    expect(validate({ ...fleet, environments: [{ extension: {} }] })).toBe(false); // a name is always required
  });

  test('accepts a lower-case router service type, as the loader does', () => {
    expect(validate({ environments: [{ name: 'a', insecure: true, extension: { enableInference: true, inferenceRouterServiceType: 'nodeport' } }] })).toBe(true);
  });
});
