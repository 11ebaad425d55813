import { isCollection, LineCounter, parseDocument, visit } from 'yaml';
import { Problem } from '../problems';

/** The longest part of a YAML library message quoted in a problem (its messages may quote the input). */
const MAX_REASON_CHARACTERS = 200;

/** What {@link parseConfigYaml} read: the document as plain data, or the problems that stopped it. */
export interface ParsedConfigYaml {
  /** The document as plain JavaScript data (maps are plain objects). @default - none: see problems */
  readonly value?: unknown;
  /** Why the text is not a usable document, each naming the file (and the line when known). */
  readonly problems: Problem[];
}

/** The most YAML errors reported one by one: after a few, the rest follow from the first. */
const MAX_YAML_ERRORS = 10;

const shortened = (s: string) => (s.length > MAX_REASON_CHARACTERS ? `${s.slice(0, MAX_REASON_CHARACTERS)}...` : s);

/**
 * Parses config text as one YAML 1.2 document (JSON is YAML too). Never throws: a syntax error, a duplicate key, a
 * key that is a list or a map, an alias to an anchor not set yet, aliases that expand to too many nodes (a "billion
 * laughs" document) and nesting too deep for the parser each become a problem naming `label` and, when known, the line.
 *
 * The schema is YAML 1.2's core schema whatever the document declares: a `%YAML 1.1` directive would otherwise turn
 * `yes` into true and `!!timestamp` or `!!set` into a Date or a Set, none of which the config file has.
 * @param text the file's text
 * @param label the file as messages name it
 */
export function parseConfigYaml(text: string, label: string): ParsedConfigYaml {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    if (offset === undefined || offset < 0) return '';
    const { line, col } = lineCounter.linePos(offset);
    return ` at line ${line}, column ${col}`;
  };
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, schema: 'core', version: '1.2', lineCounter, logLevel: 'error' });
    if (doc.errors.length > 0) {
      // The library appends the position and a snippet of the line; the position is rebuilt from its offset. Over-deep
      // nesting gives one error per level: one problem per reason and line, and at most MAX_YAML_ERRORS of them.
      const seen = new Set<string>();
      const found: Problem[] = [];
      for (const e of doc.errors) {
        const reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        const line = e.pos[0] >= 0 ? lineCounter.linePos(e.pos[0]).line : 0;
        if (seen.has(`${line} ${reason}`)) continue;
        seen.add(`${line} ${reason}`);
        found.push({ field: label, message: `is not valid YAML${at(e.pos[0])}: ${shortened(reason)}`, fix: 'fix the YAML syntax at the line shown' });
      }
      const more = found.length - MAX_YAML_ERRORS;
      return more > 0
        ? { problems: [...found.slice(0, MAX_YAML_ERRORS), { field: label, message: `has ${more} more YAML error(s)`, fix: 'fix the ones shown first, then run again' }] }
        : { problems: found };
    }
    // A key written as a list or a map (`? [a, b]: c`) would become the text "[ a, b ]": refuse it where it is.
    const problems: Problem[] = [];
    let firstAlias: number | undefined;
    visit(doc, {
      Pair: (_key, pair) => {
        const key: unknown = pair.key;
        if (isCollection(key)) {
          problems.push({ field: label, message: `has a key that is a list or a map${at(key.range?.[0])}`, fix: 'write the key as plain text (a name such as tls or a label key)' });
        }
      },
      Alias: (_key, alias) => {
        firstAlias ??= alias.range?.[0];
      },
    });
    if (problems.length > 0) return { problems };
    try {
      return { value: doc.toJS({ maxAliasCount: 100 }), problems: [] };
    } catch (e) {
      const reason = shortened((e as Error).message);
      if (/Excessive alias count/.test(reason)) {
        return {
          problems: [{
            field: label,
            message: `is not a usable YAML document: its aliases (*name) expand to too many copies (${reason}), as in a "billion laughs" document; the first alias is${at(firstAlias)}`,
            fix: 'expand the aliases (write the values out) or remove the anchor loop; a config file needs few aliases, if any',
          }],
        };
      }
      if (/Unresolved alias/.test(reason)) {
        return { problems: [{ field: label, message: `is not a usable YAML document: ${reason}`, fix: 'set the anchor (&name) before the alias (*name) that uses it, or write the value out' }] };
      }
      throw e;
    }
  } catch (e) {
    // The parser reports most over-deep nesting itself; a walk or conversion of a document just below its limit may
    // still run out of stack.
    if (e instanceof RangeError) {
      return { problems: [{ field: label, message: 'is not a usable YAML document: it nests lists or maps too deeply to read', fix: 'a config file nests a few levels deep: check that the file is the config' }] };
    }
    throw e;
  }
}
