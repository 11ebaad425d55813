import { Problem } from '../problems';

/** Free-form nested Helm values. */
export type HelmValues = { [key: string]: unknown };

/**
 * Types a setting's string value the way Helm's `--set` parser does (helm strvals): `true`/`false` in any case become
 * booleans, `null` becomes null, decimal integers without a leading zero (and `0`) become numbers, the rest stays text.
 */
export function helmTypedValue(value: string): unknown {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (value === '0') return 0;
  if (/^-?[1-9][0-9]*$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return value;
}

/**
 * Splits a dotted setting key into its Helm values path (spec section 4: `scoringFe.sslSecret` ->
 * `scoringFe: {sslSecret: ...}`). A `nodeSelector.<label>` key keeps the label whole, dots and slashes included
 * (`nodeSelector.kubernetes.azure.com/agentpool` -> `nodeSelector: {kubernetes.azure.com/agentpool: ...}`).
 */
export function valuesPath(key: string): string[] {
  const NODE_SELECTOR = 'nodeSelector.';
  if (key.startsWith(NODE_SELECTOR)) return ['nodeSelector', key.slice(NODE_SELECTOR.length)];
  return key.split('.');
}

/**
 * Expands flat settings into nested Helm values, keys sorted at every level so the output is stable.
 * A key that is both a value and the prefix of another key (`a.b` and `a.b.c`) is a problem.
 */
export function toHelmValues(settings: { readonly [key: string]: string }): { values: HelmValues; problems: Problem[] } {
  const values: HelmValues = {};
  const problems: Problem[] = [];
  for (const key of Object.keys(settings).sort()) {
    const path = valuesPath(key);
    let node: HelmValues = values;
    let conflict = false;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) {
        const child: HelmValues = {};
        node[part] = child;
        node = child;
      } else if (typeof next === 'object' && next !== null) {
        node = next as HelmValues;
      } else {
        conflict = true;
        break;
      }
    }
    const leaf = path[path.length - 1];
    if (conflict || (leaf in node && typeof node[leaf] === 'object' && node[leaf] !== null)) {
      problems.push({
        field: key,
        message: 'collides with another setting: one key is a value, the other a map below it, so the Helm values cannot hold both',
        value: settings[key],
        fix: 'remove one of the two settings',
      });
      continue;
    }
    node[leaf] = helmTypedValue(settings[key]);
  }
  return { values: sortDeep(values), problems };
}

function sortDeep(v: HelmValues): HelmValues {
  const out: HelmValues = {};
  for (const k of Object.keys(v).sort()) {
    const x = v[k];
    out[k] = typeof x === 'object' && x !== null ? sortDeep(x as HelmValues) : x;
  }
  return out;
}
