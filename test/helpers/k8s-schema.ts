import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';

/** The Kubernetes 1.28 OpenAPI definitions shipped beside the project (../shared/schemas). */
const DEFINITIONS_FILE = path.resolve(__dirname, '..', '..', '..', 'shared', 'schemas', 'kubernetes', 'v1.28.0', '_definitions.json');

interface Definitions {
  definitions: { [name: string]: { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] } };
}

let cache: { defs: Definitions; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (!cache) {
    const defs = JSON.parse(fs.readFileSync(DEFINITIONS_FILE, 'utf8')) as Definitions;
    const ajv = new Ajv({ strict: false, allErrors: true });
    // OpenAPI 'byte' is base64; 'int-or-string' and the other formats are not checked.
    ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    for (const f of ['int32', 'int64', 'double', 'date-time', 'int-or-string']) ajv.addFormat(f, true);
    ajv.addSchema({ $id: 'k8s', definitions: defs.definitions });
    cache = { defs, ajv, validators: new Map() };
  }
  return cache;
}

/** Validates a manifest object against the definition named by its apiVersion and kind; returns the errors (empty when valid). */
export function k8sSchemaErrors(manifest: { apiVersion?: string; kind?: string }): string[] {
  const { defs, ajv, validators } = load();
  const [group, version] = manifest.apiVersion?.includes('/') ? manifest.apiVersion.split('/') : ['', manifest.apiVersion];
  const name = Object.keys(defs.definitions).find((n) => (defs.definitions[n]['x-kubernetes-group-version-kind'] ?? [])
    .some((g) => g.group === group && g.version === version && g.kind === manifest.kind));
  if (!name) return [`no definition for ${manifest.apiVersion} ${manifest.kind}`];
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `k8s#/definitions/${name}` });
    validators.set(name, validate);
  }
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
