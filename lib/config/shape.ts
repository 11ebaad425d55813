import { OBJECT_PROTOTYPE_NAMES as RESERVED_KEYS, Problem, SHOWN_VALUE_CHARACTERS, shownValue } from '../problems';

/**
 * A small description of the config file's shape. One table drives both the loader's checks (with friendly, per-field
 * errors) and the JSON Schema shipped for editors, so the two cannot drift apart.
 */
/** A map with known keys. */
export interface ObjectShape {
  readonly kind: 'object';
  readonly description: string;
  readonly properties: { readonly [key: string]: Shape };
  readonly required?: readonly string[];
  /** Exactly one of these keys must be present. */
  readonly exactlyOne?: readonly string[];
  /** At most one of these keys may be present. */
  readonly atMostOne?: readonly string[];
}

export type Shape =
  | { readonly kind: 'string'; readonly description: string; readonly enum?: readonly string[]; readonly caseInsensitive?: boolean; readonly nonEmpty?: boolean }
  | { readonly kind: 'boolean'; readonly description: string }
  /**
   * A whole number. The maximum is required: a number becomes a date or a count downstream, and without a bound a
   * typo (99999999999) becomes an invalid date or a number past 2^53 where arithmetic is no longer exact.
   */
  | { readonly kind: 'integer'; readonly description: string; readonly minimum?: number; readonly maximum: number; readonly maximumFix: string }
  | { readonly kind: 'map'; readonly description: string; readonly values: Shape }
  | { readonly kind: 'array'; readonly description: string; readonly items: Shape; readonly minItems?: number }
  | ObjectShape;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  // A string is quoted and shortened (a pasted blob stays one short line); a number shows as JavaScript reads it
  // (.nan and .inf as NaN and Infinity, where JSON would say null).
  if (typeof v === 'string') return `string ${shownValue(v)}`;
  return `${typeof v} ${String(v)}`;
}


/** A key as a field path shows it: as written when short and printable, else quoted and shortened. */
export function shownKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key !== '' && key.length <= SHOWN_VALUE_CHARACTERS && !/[\u0000-\u001f\u007f-\u009f"]/.test(key) ? key : shownValue(key);
}

const join = (path: string, key: string) => (path ? `${path}.${shownKey(key)}` : shownKey(key));

/** Whether `obj` itself has `key` (never a name every object inherits). */
const has = (obj: object, key: string) => Object.hasOwn(obj, key);

/**
 * Checks `value` against `shape`; returns one problem per mismatch (unknown key, wrong type, missing key, value
 * outside an enum). Values of enums are compared case-insensitively when the shape says so.
 */
export function checkShape(value: unknown, shape: Shape, path: string): Problem[] {
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        return [{ field: path, message: `must be a string, but is ${typeName(value)}`, fix: shape.enum ? `use one of ${shape.enum.join(', ')}` : 'quote the value' }];
      }
      if (shape.nonEmpty && value.trim() === '') return [{ field: path, message: 'must not be empty', fix: shape.description }];
      if (shape.enum) {
        const ok = shape.caseInsensitive
          ? shape.enum.some((e) => e.toLowerCase() === value.toLowerCase())
          : shape.enum.includes(value);
        if (!ok) return [{ field: path, message: 'is not an allowed value', value, fix: `use one of ${shape.enum.join(', ')}` }];
      }
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [{ field: path, message: `must be true or false, but is ${typeName(value)}`, fix: 'write true or false without quotes' }];
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return [{ field: path, message: `must be a whole number, but is ${typeName(value)}`, fix: 'write a number without quotes' }];
      }
      if (shape.minimum !== undefined && value < shape.minimum) {
        return [{ field: path, message: `must be at least ${shape.minimum}`, value: String(value), fix: shape.description }];
      }
      if (value > shape.maximum) {
        return [{ field: path, message: `must be at most ${shape.maximum}`, value: String(value), fix: shape.maximumFix }];
      }
      return [];
    case 'array':
      if (!Array.isArray(value)) return [{ field: path, message: `must be a list, but is ${typeName(value)}`, fix: `write a YAML list (- item): ${shape.description}` }];
      if (shape.minItems !== undefined && value.length < shape.minItems) {
        return [{ field: path, message: `must have at least ${shape.minItems} item(s)`, fix: `add one: ${shape.description}` }];
      }
      return value.flatMap((item, i) => checkShape(item, shape.items, `${path}[${i}]`));
    case 'map':
      if (!isMap(value)) return [{ field: path, message: `must be a map, but is ${typeName(value)}`, fix: `write a YAML map (key: value): ${shape.description}` }];
      return Object.entries(value).flatMap(([k, v]) => (RESERVED_KEYS.has(k)
        ? [{
          field: join(path, k),
          message: `is a name every JavaScript object has (Object.prototype.${k}), which this tool cannot take as a key`,
          fix: `remove the key ${k} or rename it`,
        }]
        : checkShape(v, shape.values, join(path, k))));
    case 'object': {
      if (!isMap(value)) return [{ field: path, message: `must be a map, but is ${typeName(value)}`, fix: `write a YAML map (key: value): ${shape.description}` }];
      const problems: Problem[] = [];
      const known = Object.keys(shape.properties);
      for (const [k, v] of Object.entries(value)) {
        // An own property only: `constructor` or `__proto__` is not a key of the shape because every object has it.
        const child = has(shape.properties, k) ? shape.properties[k] : undefined;
        if (!child) {
          const near = known.find((n) => n.toLowerCase() === k.toLowerCase());
          problems.push({ field: join(path, k), message: 'is not a known key', fix: near ? `did you mean ${near}?` : `use one of ${known.join(', ')}` });
          continue;
        }
        problems.push(...checkShape(v, child, join(path, k)));
      }
      for (const r of shape.required ?? []) {
        if (!has(value, r)) problems.push({ field: join(path, r), message: 'is required', fix: `add ${r}: ${shape.properties[r].description}` });
      }
      if (shape.atMostOne) {
        const present = shape.atMostOne.filter((k) => has(value, k));
        if (present.length > 1) {
          problems.push({ field: path, message: `has ${present.join(' and ')}, but only one may be given`, fix: `give at most one of ${shape.atMostOne.join(', ')}` });
        }
      }
      if (shape.exactlyOne) {
        const present = shape.exactlyOne.filter((k) => has(value, k));
        if (present.length !== 1) {
          problems.push({
            field: path,
            message: present.length === 0 ? `needs one of ${shape.exactlyOne.join(', ')}` : `has ${present.join(' and ')}, but only one may be given`,
            fix: `give exactly one of ${shape.exactlyOne.join(', ')}`,
          });
        }
      }
      return problems;
    }
  }
}

/**
 * True for a plain object (a YAML or JSON map): not null, a list, or an object of a class (a Date, Map or Buffer a
 * YAML 1.1 tag would make), whose keys are not the document's.
 */
export function isMap(v: unknown): v is { [key: string]: unknown } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  // Object.prototype of this realm or another (a test's), or none.
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A JSON Schema (draft-07) document or fragment. */
export interface JsonSchema {
  [key: string]: unknown;
}

/** Renders a shape as JSON Schema (draft-07); case-insensitive enums become a pattern. */
export function toJsonSchema(shape: Shape): JsonSchema {
  switch (shape.kind) {
    case 'string': {
      const s: JsonSchema = { type: 'string', description: shape.description };
      if (shape.enum && shape.caseInsensitive) s.pattern = caseInsensitivePattern(shape.enum);
      else if (shape.enum) s.enum = [...shape.enum];
      if (shape.enum && shape.caseInsensitive) s.examples = [...shape.enum];
      if (shape.nonEmpty) s.minLength = 1;
      return s;
    }
    case 'boolean':
      return { type: 'boolean', description: shape.description };
    case 'integer':
      return shape.minimum === undefined
        ? { type: 'integer', description: shape.description, maximum: shape.maximum }
        : { type: 'integer', description: shape.description, minimum: shape.minimum, maximum: shape.maximum };
    case 'array':
      return { type: 'array', description: shape.description, items: toJsonSchema(shape.items), ...(shape.minItems !== undefined ? { minItems: shape.minItems } : {}) };
    case 'map':
      return { type: 'object', description: shape.description, additionalProperties: toJsonSchema(shape.values) };
    case 'object': {
      const properties: { [key: string]: JsonSchema } = {};
      for (const [k, v] of Object.entries(shape.properties)) properties[k] = toJsonSchema(v);
      const s: JsonSchema = { type: 'object', description: shape.description, properties, additionalProperties: false };
      if (shape.required?.length) s.required = [...shape.required];
      if (shape.exactlyOne) s.oneOf = shape.exactlyOne.map((k) => ({ required: [k] }));
      return s;
    }
  }
}

function caseInsensitivePattern(values: readonly string[]): string {
  const cls = (c: string) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  return `^(${values.map((v) => [...v].map(cls).join('')).join('|')})$`;
}

/** The same shape with nothing required at any depth (for blocks that are merged before the real check). */
export function partialShape(shape: Shape): Shape {
  switch (shape.kind) {
    case 'object':
      return {
        kind: 'object',
        description: shape.description,
        properties: Object.fromEntries(Object.entries(shape.properties).map(([k, v]) => [k, partialShape(v)])),
        ...(shape.exactlyOne ? { atMostOne: shape.exactlyOne } : {}),
      };
    case 'array':
      return { ...shape, items: partialShape(shape.items), minItems: undefined };
    case 'map':
      return { ...shape, values: partialShape(shape.values) };
    default:
      return shape;
  }
}
