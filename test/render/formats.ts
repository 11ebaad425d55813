/**
 * Readers for the formats the IaC renderers write, as the target tools read them: a Bicep string unescape and a
 * reader for the Bicep objects we emit, ARM's `[[` literal rule, Terraform's template escapes. Written from the
 * languages' documented rules, independently of the renderers' escaping code.
 */

/** Reads one Bicep single-quoted string starting at `start`; returns the value and the index after the closing quote. */
export function readBicepString(text: string, start: number): { value: string; end: number } {
  if (text[start] !== '\'') throw new Error(`no Bicep string at ${start}: ${text.slice(start, start + 20)}`);
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\'') return { value, end: i + 1 };
    if (c === '\n' || c === '\r') throw new Error('raw line break inside a Bicep string');
    if (c === '$' && text[i + 1] === '{') throw new Error(`unescaped interpolation in Bicep string at ${i}`);
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = text[++i];
    if (e === 'u' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      value += String.fromCodePoint(parseInt(text.slice(i + 2, close), 16));
      i = close;
    } else {
      const simple: { [k: string]: string } = { '\\': '\\', '\'': '\'', n: '\n', r: '\r', t: '\t', $: '$' };
      if (!(e in simple)) throw new Error(`unknown Bicep escape \\${e}`);
      value += simple[e];
    }
  }
  throw new Error('unterminated Bicep string');
}

/** The whole of `literal` as one Bicep string (nothing before or after it). */
export function unescapeBicepString(literal: string): string {
  const { value, end } = readBicepString(literal, 0);
  if (end !== literal.length) throw new Error(`text after the Bicep string: ${literal.slice(end)}`);
  return value;
}

/** One entry of an emitted Bicep object: a string key and either a string literal or an expression. */
export interface BicepEntry {
  readonly key: string;
  readonly value?: string;
  readonly expression?: string;
}

/**
 * The entries of the Bicep object property `name` (`name: {` ... `}` at the same indent), as we emit it: one
 * `'key': value` entry a line.
 */
export function bicepObjectBlock(bicep: string, name: string): BicepEntry[] | undefined {
  const lines = bicep.split('\n');
  const open = lines.findIndex((l) => new RegExp(`^\\s*${name}: \\{$`).test(l));
  if (open < 0) return undefined;
  const indent = (lines[open].match(/^\s*/) as RegExpMatchArray)[0];
  const entries: BicepEntry[] = [];
  for (let i = open + 1; lines[i] !== `${indent}}`; i++) {
    if (i >= lines.length) throw new Error(`unterminated block ${name}`);
    const line = lines[i];
    if (!line.startsWith(`${indent}  `) || line[indent.length + 2] === ' ') throw new Error(`unexpected indent: ${line}`);
    const start = indent.length + 2;
    // A property name is bare when it is an identifier (Bicep's prefer-unquoted-property-names), else a string.
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(start));
    const key = bare ? { value: bare[0], end: start + bare[0].length } : readBicepString(line, start);
    if (line.slice(key.end, key.end + 2) !== ': ') throw new Error(`no colon: ${line}`);
    const rest = line.slice(key.end + 2);
    entries.push(rest.startsWith('\'') ? { key: key.value, value: unescapeBicepString(rest) } : { key: key.value, expression: rest });
  }
  return entries;
}

/** The entries of a Bicep object block as a string map; every value must be a literal. */
export function bicepStringMap(bicep: string, name: string): { [key: string]: string } | undefined {
  const entries = bicepObjectBlock(bicep, name);
  if (!entries) return undefined;
  const out: { [key: string]: string } = {};
  for (const e of entries) {
    if (e.value === undefined) throw new Error(`${e.key} is an expression: ${e.expression}`);
    out[e.key] = e.value;
  }
  return out;
}

/** The Bicep text without comment lines and string contents: what the compiler reads as code. */
export function bicepCode(bicep: string): string {
  return bicep.split('\n').filter((l) => !l.trimStart().startsWith('//')).map((l) => l.replace(/'(?:[^'\\]|\\.)*'/g, '\'\'')).join('\n');
}

/** Checks that braces, brackets and parentheses balance in Bicep code (strings and comments ignored). */
export function bicepBalanced(bicep: string): boolean {
  const pairs: { [close: string]: string } = { '}': '{', ']': '[', ')': '(' };
  const stack: string[] = [];
  for (const c of bicepCode(bicep)) {
    if ('{[('.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0;
}

/** ARM: a string starting with `[` and ending with `]` is an expression, unless it starts with `[[` (then literal). */
export function armIsExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

/** The literal an ARM string stands for; throws for an expression. */
export function armLiteralValue(value: string): string {
  if (armIsExpression(value)) throw new Error(`an ARM expression, not a literal: ${value}`);
  return value.startsWith('[[') && value.endsWith(']') ? value.slice(1) : value;
}

/** An ARM string map read as ARM reads it (keys and values are literals). */
export function armStringMap(map: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(map)) out[armLiteralValue(k)] = armLiteralValue(v);
  return out;
}

/**
 * The literal a Terraform JSON string stands for when it holds no interpolation: `$${` is `${` and `%%{` is `%{`;
 * an unescaped `${` or `%{` is a template sequence and throws.
 */
export function terraformLiteralValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const two = value.slice(i, i + 2);
    const three = value.slice(i, i + 3);
    if (three === '$${' || three === '%%{') {
      out += three.slice(1);
      i += 2;
    } else if (two === '${' || two === '%{') {
      throw new Error(`a template sequence, not a literal: ${value}`);
    } else {
      out += value[i];
    }
  }
  return out;
}

/** A Terraform JSON string map read as Terraform reads it (keys and values are templates). */
export function terraformStringMap(map: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(map)) out[terraformLiteralValue(k)] = terraformLiteralValue(v);
  return out;
}

/** Every string in a JSON value, with its path. */
export function jsonStrings(value: unknown, path = '$'): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonStrings(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => jsonStrings(v, `${path}.${k}`));
  }
  return [];
}
