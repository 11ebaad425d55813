import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { OBJECT_PROTOTYPE_NAMES, Problem } from '../problems';
import { labelKeyError } from '../settings/names';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The kinds an annotation map may name: every kind this library emits. */
export const ANNOTATABLE_KINDS = [
  'Namespace', 'Secret', 'SealedSecret', 'ExternalSecret', 'SecretStore', 'ServiceAccount', 'Certificate', 'Role',
  'RoleBinding', 'Extension', 'Kustomization', 'Application',
] as const;

// cdk8s cannot render a label or annotation map holding one of these keys.
function reservedKeyError(key: string): string | undefined {
  return OBJECT_PROTOTYPE_NAMES.has(key) ? `is a name every JavaScript object has (Object.prototype.${key}), which cdk8s cannot render as a key` : undefined;
}

/**
 * Problems with labels for every object and annotations by kind: label keys and values as Kubernetes checks them
 * (the API server refuses an object with a bad label, so a GitOps sync would fail on the cluster), annotation keys
 * with the label-key syntax, and kinds this library emits (a misspelt kind would silently annotate nothing).
 * `field` prefixes each problem's field, e.g. `labels`.
 */
export function objectMetadataProblems(labels: { readonly [key: string]: string } | undefined, annotations: { readonly [kind: string]: { readonly [key: string]: string } } | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyError = reservedKeyError(key) ?? labelKeyError(key);
    if (keyError) problems.push({ field: `labels.${key}`, message: `the key ${keyError}`, value: key, fix: 'use a key such as app.kubernetes.io/part-of or team' });
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push({
        field: `labels.${key}`,
        message: 'is not a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (or empty)',
        value: String(value),
        fix: 'shorten the value or move it to an annotation',
      });
    }
  }
  for (const [kind, map] of Object.entries(annotations ?? {})) {
    if (!(ANNOTATABLE_KINDS as readonly string[]).includes(kind)) {
      const near = ANNOTATABLE_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
      problems.push({
        field: `annotations.${kind}`,
        message: 'is not a kind this tool emits, so it would annotate nothing',
        value: kind,
        fix: near ? `did you mean ${near}? Kinds are matched exactly` : `use one of ${ANNOTATABLE_KINDS.join(', ')} (case matters)`,
      });
      continue;
    }
    for (const [key, value] of Object.entries(map ?? {})) {
      const keyError = reservedKeyError(key) ?? labelKeyError(key);
      if (keyError) problems.push({ field: `annotations.${kind}.${key}`, message: `the key ${keyError}`, value: key, fix: 'use a key such as argocd.argoproj.io/sync-wave' });
      if (typeof value !== 'string') problems.push({ field: `annotations.${kind}.${key}`, message: 'must be a string', value: String(value), fix: 'quote the value, e.g. "-1"' });
    }
  }
  return problems;
}

/** Adds `labels` to every API object below `scope`, and each kind's annotations to the objects of that kind. */
export function applyObjectMetadata(scope: IConstruct, labels: { readonly [key: string]: string } | undefined, annotations: { readonly [kind: string]: { readonly [key: string]: string } } | undefined): void {
  if (!labels && !annotations) return;
  for (const c of scope.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    for (const [k, v] of Object.entries(labels ?? {})) c.metadata.addLabel(k, v);
    for (const [k, v] of Object.entries(annotations?.[c.kind] ?? {})) c.metadata.addAnnotation(k, v);
  }
}
