import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import { SealedSecret } from '@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse } from 'yaml';

/*
 * Schema checks for emitted manifests that need nothing outside the repository. Every object is validated by a
 * maintained, independent model package (kubernetes-models and @kubernetes-models/*). Custom resources are also
 * validated against the vendored CRD in crds/ that imports/ is generated from, with undeclared fields as errors:
 * the model packages accept unknown fields, and the API server would silently prune them.
 */

/** What the helpers accept: any manifest-like object (synthesized manifests carry more fields). */
export type ManifestLike = { apiVersion?: string; kind?: string };

/**
 * A kubernetes-models class: `validate()` throws a ValidationError that carries Ajv-style `errors`. Each class types
 * its own data; whether a manifest fits is exactly what validation tells, hence `never`.
 */
type ModelClass = new (data: never) => { validate(): void };

interface KindValidator {
  /** The kubernetes-models class, when a maintained package models the kind. */
  readonly model?: ModelClass;
  /** The package the model comes from, named in error messages. */
  readonly modelPackage?: string;
  /** The vendored CRD file (relative to the repository root), for custom resources only. */
  readonly crd?: string;
  /** A vendored JSON Schema of the whole object (relative to the repository root), where no CRD or model exists. */
  readonly jsonSchema?: string;
}

const BUILT_IN: Readonly<Record<string, KindValidator>> = {
  'v1 Namespace': { model: Namespace, modelPackage: 'kubernetes-models' },
  'v1 Secret': { model: Secret, modelPackage: 'kubernetes-models' },
  'v1 ServiceAccount': { model: ServiceAccount, modelPackage: 'kubernetes-models' },
  'rbac.authorization.k8s.io/v1 Role': { model: Role, modelPackage: 'kubernetes-models' },
  'rbac.authorization.k8s.io/v1 RoleBinding': { model: RoleBinding, modelPackage: 'kubernetes-models' },
};

/** The vendored schema of ASO's Extension (v1api20241101 as in ASO's newest generated types). */
export const ASO_EXTENSION_SCHEMA = 'crds/aso/kubernetesconfiguration.azure.com_extensions.schema.json';

const CUSTOM: Readonly<Record<string, KindValidator>> = {
  'bitnami.com/v1alpha1 SealedSecret': {
    model: SealedSecret, modelPackage: '@kubernetes-models/sealed-secrets', crd: 'crds/bitnami.com_sealedsecrets.yaml',
  },
  'cert-manager.io/v1 Certificate': {
    model: Certificate, modelPackage: '@kubernetes-models/cert-manager', crd: 'crds/cert-manager.io_certificates.yaml',
  },
  'external-secrets.io/v1 ExternalSecret': {
    model: ExternalSecret, modelPackage: '@kubernetes-models/external-secrets',
    crd: 'crds/trimmed/external-secrets.io_externalsecrets.v1-trimmed.yaml',
  },
  'external-secrets.io/v1 SecretStore': {
    model: SecretStore, modelPackage: '@kubernetes-models/external-secrets',
    crd: 'crds/trimmed/external-secrets.io_secretstores.v1-trimmed.yaml',
  },
  'kustomize.toolkit.fluxcd.io/v1 Kustomization': { model: Kustomization, modelPackage: '@kubernetes-models/flux-cd' },
  'argoproj.io/v1alpha1 Application': { model: Application, modelPackage: '@kubernetes-models/argo-cd' },
  // Derived from ASO's generated types (crds/aso/README.md): closed objects, the owner webhook's rules as oneOf.
  'kubernetesconfiguration.azure.com/v1api20241101 Extension': { jsonSchema: ASO_EXTENSION_SCHEMA },
};

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Validates a built-in Kubernetes kind (kubernetes-models); returns the errors, empty when valid. */
export function k8sSchemaErrors(manifest: ManifestLike): string[] {
  return errorsWith(BUILT_IN, manifest, 'no kubernetes-models class registered for');
}

/** Validates a custom resource (its @kubernetes-models package and its vendored CRD); returns the errors, empty when valid. */
export function crdSchemaErrors(manifest: ManifestLike): string[] {
  return errorsWith(CUSTOM, manifest, 'no CRD for');
}

/** Validates any registered kind, built-in or custom; returns the errors, empty when valid. */
export function schemaErrors(manifest: ManifestLike): string[] {
  return errorsWith({ ...BUILT_IN, ...CUSTOM }, manifest, 'no validator for');
}

function errorsWith(table: Readonly<Record<string, KindValidator>>, manifest: ManifestLike, unknown: string): string[] {
  if (!manifest.apiVersion || !manifest.kind) return ['the manifest has no apiVersion or kind'];
  const key = `${manifest.apiVersion} ${manifest.kind}`;
  const kind = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
  // Never silently valid: a kind nobody can check is an error (register it in test/helpers/validators.ts).
  if (!kind) return [`${unknown} ${key} in test/helpers/validators.ts`];
  const errors = kind.model ? format(modelErrors(kind.model, manifest), kind.modelPackage ?? 'model') : [];
  if (kind.jsonSchema) {
    const validate = jsonSchemaValidator(kind.jsonSchema);
    if (!validate(manifest)) errors.push(...format(validate.errors ?? [], kind.jsonSchema));
  }
  if (kind.crd) {
    const validate = crdValidator(kind.crd, manifest.apiVersion, manifest.kind);
    if (!validate(manifest)) errors.push(...format(validate.errors ?? [], kind.crd));
  }
  return errors;
}

function modelErrors(model: ModelClass, manifest: ManifestLike): ErrorObject[] {
  try {
    new model(manifest as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) return errors as ErrorObject[];
    throw e;
  }
}

function format(errors: readonly ErrorObject[], source: string): string[] {
  return errors.map((e) => {
    const extra = e.keyword === 'additionalProperties'
      ? `: ${String((e.params as { additionalProperty?: unknown }).additionalProperty)}` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra} [${source}]`;
  });
}

/** JSON schema nodes as they appear in a CRD (free-form JSON). */
type SchemaNode = { [key: string]: unknown };

interface Crd {
  kind?: string;
  spec?: { group?: string; names?: { kind?: string }; versions?: { name: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
}

const crdValidators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    // OpenAPI 'byte' is base64; the numeric, date and int-or-string formats are not checked.
    ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    for (const f of ['int32', 'int64', 'double', 'float', 'date-time', 'duration', 'int-or-string']) ajv.addFormat(f, true);
  }
  return ajv;
}

/** A vendored JSON Schema file, compiled once (draft-07, as the ASO schema declares). */
function jsonSchemaValidator(file: string): ValidateFunction {
  const key = `json ${file}`;
  let validate = crdValidators.get(key);
  if (!validate) {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as SchemaNode;
    delete schema.$schema;
    validate = getAjv().compile(schema);
    crdValidators.set(key, validate);
  }
  return validate;
}

/** The compiled `openAPIV3Schema` of one version of the CRD in `file`; a registry entry pointing at a wrong CRD throws. */
function crdValidator(file: string, apiVersion: string, kind: string): ValidateFunction {
  const key = `${file} ${apiVersion} ${kind}`;
  let validate = crdValidators.get(key);
  if (!validate) {
    const crd = parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Crd;
    const [group, version] = apiVersion.split('/');
    const schema = crd.kind === 'CustomResourceDefinition' && crd.spec?.group === group && crd.spec.names?.kind === kind
      ? crd.spec.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema : undefined;
    if (!schema) throw new Error(`${file} does not define ${apiVersion} ${kind}`);
    validate = getAjv().compile(closeObjects(schema));
    crdValidators.set(key, validate);
  }
  return validate;
}

/**
 * A copy of a structural schema in which every object with declared `properties` rejects other fields, so a misspelt
 * field is an error instead of being pruned. Objects marked `x-kubernetes-preserve-unknown-fields` or with their own
 * `additionalProperties` are left open. CEL rules (`x-kubernetes-validations`) are not evaluated.
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
