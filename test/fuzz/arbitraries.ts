// Generators of config files for the fuzz tests: valid configs with a few mutations (so most runs get past the
// first check and reach the deeper ones), random structures built from the schema's own field names, and text-level
// damage (YAML only: anchors and aliases, tabs, duplicate keys, directives, cut lines).
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { CONFIG_SHAPE } from '../../lib/config/schema';
import { Shape } from '../../lib/config/shape';

/** The fixed seed of every fuzz test: a failure reproduces run after run (fast-check prints the path to shrink to). */
export const FUZZ_SEED = 20260612;

const ROOT = path.resolve(__dirname, '..', '..');
export const EXAMPLE_CERT = path.join(ROOT, 'examples', 'certs', 'example-only.cert.pem');
export const EXAMPLE_KEY = path.join(ROOT, 'examples', 'certs', 'example-only.key.pem');
export const EXAMPLE_SEALING = path.join(ROOT, 'examples', 'certs', 'example-only.sealing.pem');

/** Every key the config's shape knows, at any depth (and the keys of the extension's settings). */
export function schemaFieldNames(): string[] {
  const names = new Set<string>();
  const walk = (shape: Shape) => {
    if (shape.kind === 'object') {
      for (const [k, v] of Object.entries(shape.properties)) {
        names.add(k);
        walk(v);
      }
    } else if (shape.kind === 'array') {
      walk(shape.items);
    } else if (shape.kind === 'map') {
      walk(shape.values);
    }
  };
  walk(CONFIG_SHAPE);
  return [...names].sort();
}

/** Keys every JavaScript object has: as config keys they once crashed the loader (issue 12). */
export const PROTOTYPE_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toLocaleString', '__defineGetter__'];

const GUID = '00000000-0000-0000-0000-000000000000';
const CLUSTER = { type: 'aks', subscriptionId: GUID, resourceGroup: 'rg-ml', name: 'aks-ml', location: 'eastus', nodeCount: 3 };
const INFERENCE = { enableInference: true, inferenceRouterServiceType: 'LoadBalancer' };

/**
 * Valid configs (each synthesizes), the starting points of the mutations. Certificates come from files or existing
 * Secrets; a development (selfSigned) certificate costs an RSA key per run, so it is one base among many.
 */
export function baseConfigs(): { [key: string]: unknown }[] {
  return [
    { environments: [{ name: 'dev', insecure: true, extension: { enableTraining: true } }] },
    { environments: [{ name: 'prod', cluster: CLUSTER, extension: INFERENCE, tls: { cname: 'ml.example.com', certificate: { existingSecret: 'azureml-fe-tls' } } }] },
    {
      environments: [{
        name: 'byo', cluster: CLUSTER, extension: { ...INFERENCE, inferenceRouterHA: true, nodeSelector: { 'kubernetes.io/os': 'linux' } },
        tls: { cname: 'ml.dev.example.com', certificate: { files: { cert: EXAMPLE_CERT, key: EXAMPLE_KEY } }, delivery: 'sealedSecret', sealing: { certificate: EXAMPLE_SEALING } },
        manifests: { labels: { team: 'ml' }, annotations: { Secret: { 'argocd.argoproj.io/sync-wave': '-1' } } },
      }],
    },
    {
      defaults: { cluster: CLUSTER, extension: INFERENCE },
      environments: [
        { name: 'a', cluster: { name: 'aks-a' }, tls: { cname: 'a.example.com', certificate: { existingSecret: 'tls-a' } } },
        { name: 'b', cluster: { name: 'aks-b' }, tls: { cname: 'b.example.com', keyVault: { vaultUrl: 'https://my-vault.vault.azure.net/', certificateName: 'ml', clientId: GUID, tenantId: GUID } } },
      ],
    },
    {
      fleet: { path: './dist', flux: { sourceRef: { kind: 'GitRepository', name: 'flux-system' } }, argocd: { repoURL: 'https://github.com/example/platform.git' } },
      environments: [{ name: 'edge', cluster: CLUSTER, extension: INFERENCE, tls: { cname: 'edge.example.com', certManager: { issuerName: 'letsencrypt' } } }],
    },
    { environments: [{ name: 'dev', extension: INFERENCE, tls: { cname: 'ml.dev.example.com', certificate: { selfSigned: { days: 30, extraNames: ['*.dev.example.com'] } } } }] },
  ];
}

/** DNS names, valid and not: the loader passes them on to the name rules. */
const dnsLike = fc.oneof(
  fc.domain(),
  fc.constantFrom('ml.example.com', 'ML.Example.COM', '*.example.com', 'ml.example.com.', 'https://ml.example.com/', 'ml.example.com:443', 'ml..example.com',
    '-ml.example.com', 'ml-.example.com', `${'a'.repeat(64)}.example.com`, `${'a.'.repeat(127)}ab`, 'localhost', '10.0.0.1', 'ml_example.com', 'ml.exämple.com', ' ml.example.com '),
);

/** Scalars that often trip parsers and checks: huge and odd numbers, NaN-ish and YAML-ish strings, long strings. */
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 3, 3650, 3651, 5001, 99999999999, Number.MAX_SAFE_INTEGER + 2, 1e300, -0, 0.5),
  fc.double(),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '.nan', '.inf', 'yes', 'no', 'on', 'off', '~', 'null', '', ' ', '0x1F', '1e3', '0o17', '2001-12-14',
    'LoadBalancer', 'nodeport', 'ClusterIP', 'aks', 'arc', 'secret', 'sealedSecret', 'pemSettings', 'strict', 'cluster-wide', 'manage', '/dev/zero', 'missing.pem', '*', '&a', '*a', '!!binary', '%', '\t'),
  fc.constantFrom(...PROTOTYPE_KEYS),
  dnsLike,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ minLength: 100, maxLength: 300, unit: fc.constantFrom('a', '.', '-', 'Z', '9') }),
);

/** Keys: the schema's own field names, the prototype's, and random ones. */
const keyArb = (fields: string[]) => fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...fields) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a.b', 'kubernetes.io/os', 'Secret', 'SealedSecret', 'a\nb', '"') },
);

/** Random values up to a few levels deep; maps are built with Object.fromEntries, so `__proto__` stays an own key. */
export function valueArb(fields: string[]): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.array(fc.tuple(keyArb(fields), tie('value')), { maxLength: 5 }).map((entries) => Object.fromEntries(entries)),
  }));
  return value;
}

type Json = { [key: string]: unknown };

/** Every path (list of keys and indices) in `v`, the root included. */
function pathsOf(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((item, i) => pathsOf(item, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, item] of Object.entries(v)) pathsOf(item, [...at, k], out);
  return out;
}

interface Mutation {
  readonly pick: number;
  readonly op: 'set' | 'delete' | 'add';
  readonly key: string;
  readonly value: unknown;
}

function setOwn(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function applyMutation(root: Json, m: Mutation): Json {
  const paths = pathsOf(root);
  const target = paths[m.pick % paths.length];
  if (target.length === 0) {
    if (m.op === 'add') setOwn(root, m.key, m.value);
    return root;
  }
  let parent: unknown = root;
  for (const step of target.slice(0, -1)) parent = (parent as Json)[step as string];
  const last = target[target.length - 1];
  const container = parent as Json;
  if (m.op === 'delete') {
    if (Array.isArray(container)) container.splice(last as number, 1);
    else delete container[last as string];
  } else if (m.op === 'add' && typeof container[last as string] === 'object' && container[last as string] !== null && !Array.isArray(container[last as string])) {
    setOwn(container[last as string] as Json, m.key, m.value);
  } else if (Array.isArray(container)) {
    container[last as number] = m.value;
  } else {
    setOwn(container, last as string, m.value);
  }
  return root;
}

/** A valid config with one to three mutations (a value replaced, a key deleted, a key added). */
export function mutatedConfigArb(): fc.Arbitrary<unknown> {
  const fields = schemaFieldNames();
  const bases = baseConfigs();
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    pick: fc.nat(),
    op: fc.constantFrom<Mutation['op']>('set', 'delete', 'add'),
    key: keyArb(fields),
    value: valueArb(fields),
  });
  return fc.tuple(fc.nat({ max: bases.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: 3 }))
    .map(([i, ms]) => ms.reduce((root, m) => applyMutation(root, m), JSON.parse(JSON.stringify(bases[i])) as Json));
}

/** A random structure built from the schema's field names: mostly nonsense, sometimes a near miss. */
export function randomConfigArb(): fc.Arbitrary<unknown> {
  const fields = schemaFieldNames();
  return fc.oneof(
    valueArb(fields),
    fc.record({ environments: fc.array(valueArb(fields), { maxLength: 3 }) }),
    fc.record({ defaults: valueArb(fields), environments: fc.array(valueArb(fields), { maxLength: 2 }) }),
  );
}

/** YAML-only shapes: anchors and aliases (a billion-laughs ladder too), directives, tabs, duplicate keys, nesting. */
const yamlSnippet = fc.constantFrom(
  'x: &a [1, 2]\ny: [*a, *a]\n',
  'a: &a ["l","l","l","l","l","l","l","l","l"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nenvironments: [*d]\n',
  'environments: [*nope]\n',
  'environments: &e [*e]\n',
  '%YAML 1.1\n---\nenvironments: [{ name: dev, insecure: yes, extension: { enableTraining: on } }]\n',
  'environments:\n\t- name: dev\n',
  'environments: []\nenvironments: []\n',
  '? [a, b]\n: c\nenvironments: []\n',
  '--- a\n--- b\n',
  `environments: ${'['.repeat(60)}${']'.repeat(60)}\n`,
  'environments: [{ name: dev, <<: { insecure: true }, extension: { enableTraining: true } }]\n',
  'environments: !!map [1]\n',
  'environments:\n  - name: dev\n    extension: { enableTraining: true }\n    insecure: !!bool "true"\n',
  '\uFEFFenvironments: [{ name: dev, insecure: true, extension: { enableTraining: true } }]\n',
);

/** Text damage: a character inserted, a slice cut, a line doubled. */
const damage = fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.constantFrom('insert', 'cut', 'double'), fc.constantFrom(':', '-', '{', '}', '[', ']', '"', '\'', '&', '*', '!', '|', '>', '#', '\t', '\n', ' ', '\u0000', '\uFFFD'));

function applyDamage(text: string, [at, len, kind, ch]: [number, number, string, string]): string {
  const i = text.length === 0 ? 0 : at % text.length;
  if (kind === 'insert') return text.slice(0, i) + ch + text.slice(i);
  if (kind === 'cut') return text.slice(0, i) + text.slice(i + len);
  const lines = text.split('\n');
  const j = at % lines.length;
  return [...lines.slice(0, j + 1), lines[j], ...lines.slice(j + 1)].join('\n');
}

/** One config file's text: a value serialized as YAML or JSON, maybe damaged, or a YAML-only snippet. */
export function configTextArb(): fc.Arbitrary<{ readonly format: 'yaml' | 'json'; readonly text: string }> {
  const value = fc.oneof({ weight: 3, arbitrary: mutatedConfigArb() }, { weight: 1, arbitrary: randomConfigArb() });
  return fc.oneof(
    { weight: 5, arbitrary: value.map((v) => ({ format: 'yaml' as const, text: yamlText(v) })) },
    { weight: 2, arbitrary: value.map((v) => ({ format: 'json' as const, text: JSON.stringify(v) ?? 'null' })) },
    { weight: 2, arbitrary: fc.tuple(value, fc.array(damage, { minLength: 1, maxLength: 2 })).map(([v, ds]) => ({ format: 'yaml' as const, text: ds.reduce(applyDamage, yamlText(v)) })) },
    { weight: 1, arbitrary: yamlSnippet.map((text) => ({ format: 'yaml' as const, text })) },
  );
}

function yamlText(v: unknown): string {
  // NaN and the infinities serialize as .nan and .inf, which the loader reads back as numbers.
  return stringify(v, { aliasDuplicateObjects: false });
}
