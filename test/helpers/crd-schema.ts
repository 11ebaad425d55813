import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/** The CRDs shipped beside the project (../shared/crds); the trimmed ESO variants are searched first (faster to parse). */
const CRD_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');
const CRD_FILES = [
  ...listYaml(path.join(CRD_DIR, 'trimmed')),
  ...listYaml(CRD_DIR),
];

function listYaml(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** JSON schema nodes as they appear in a CRD (free-form JSON). */
type SchemaNode = { [key: string]: unknown };

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: SchemaNode };
}

interface Crd {
  kind?: string;
  spec?: { group?: string; names?: { kind?: string }; versions?: CrdVersion[] };
}

const schemas = new Map<string, SchemaNode>();
const parsedFiles = new Set<string>();
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    // OpenAPI 'byte' is base64; the numeric and date formats are not checked.
    ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    for (const f of ['int32', 'int64', 'double', 'float', 'date-time', 'duration', 'int-or-string']) ajv.addFormat(f, true);
  }
  return ajv;
}

/** `group/version/Kind` of a manifest's apiVersion and kind (the core group is ''). */
function gvkKey(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return `${group}/${version}/${kind}`;
}

/** Parses CRD files, in order, until one defines `key`. Parsed files are remembered; earlier files win. */
function findSchema(key: string): SchemaNode | undefined {
  if (schemas.has(key)) return schemas.get(key);
  for (const file of CRD_FILES) {
    if (parsedFiles.has(file)) continue;
    parsedFiles.add(file);
    const crd = parse(fs.readFileSync(file, 'utf8')) as Crd;
    const group = crd.spec?.group;
    const kind = crd.spec?.names?.kind;
    if (crd.kind !== 'CustomResourceDefinition' || group === undefined || kind === undefined) continue;
    for (const v of crd.spec?.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      const k = `${group}/${v.name}/${kind}`;
      if (schema && !schemas.has(k)) schemas.set(k, closeObjects(schema));
    }
    if (schemas.has(key)) return schemas.get(key);
  }
  return undefined;
}

/**
 * A copy of a structural schema in which every object with declared `properties` rejects other fields. The API server
 * silently prunes unknown fields of a CRD, so a misspelt field would be lost without an error; here it is one.
 * Objects marked `x-kubernetes-preserve-unknown-fields` or with their own `additionalProperties` are left alone.
 */
function closeObjects(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as SchemaNode).map(([p, s]) => [p, closeObjects(s as SchemaNode)]));
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = closeObjects(v as SchemaNode);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = v.map((s) => closeObjects(s as SchemaNode));
    } else {
      out[k] = v;
    }
  }
  if (out.properties !== undefined && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Validates a custom resource against the `openAPIV3Schema` of its apiVersion in the CRD files of `../shared/crds`
 * (trimmed ESO variants first); returns the errors (empty when valid). Fields the schema does not declare are errors
 * (the API server would prune them). CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
export function crdSchemaErrors(manifest: { apiVersion?: string; kind?: string }): string[] {
  if (!manifest.apiVersion || !manifest.kind) return ['the manifest has no apiVersion or kind'];
  const key = gvkKey(manifest.apiVersion, manifest.kind);
  let validate = validators.get(key);
  if (!validate) {
    const schema = findSchema(key);
    if (!schema) return [`no CRD for ${manifest.apiVersion} ${manifest.kind} in ${CRD_DIR}`];
    validate = getAjv().compile(schema);
    validators.set(key, validate);
  }
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}${
    e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : ''}`);
}
