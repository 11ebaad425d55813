/**
 * One problem with the input: which field, the bad value, and the fix.
 *
 * Problems are collected, not thrown one at a time, so a user sees every problem of every environment at once.
 * A problem never carries key material: `value` is only ever a setting value, a name or a path.
 */
export interface Problem {
  /** Dotted path of the field, e.g. `environments[0] (dev).tls.cname` or `inferenceRouterServiceType`. */
  readonly field: string;
  /** What is wrong. */
  readonly message: string;
  /**
   * The offending value, quoted in the message. Omitted when the value is missing or secret.
   * @default - not shown
   */
  readonly value?: string;
  /** What to do instead. */
  readonly fix: string;
}

/** How many characters of a config value a message quotes: enough for any name or setting value a user types. */
export const SHOWN_VALUE_CHARACTERS = 80;

/**
 * How many characters of a problem's `value` {@link formatProblem} quotes. More than {@link SHOWN_VALUE_CHARACTERS}:
 * the value may be a path (two, for a symlink and its target) or an Azure resource id, which a user needs whole; a
 * value longer than any of those is junk, and quoting it whole would put megabytes into one line of standard error.
 */
export const SHOWN_PROBLEM_VALUE_CHARACTERS = 512;

/**
 * A value as a message quotes it: JSON-quoted (so control characters and quotes are escaped and the line stays one
 * line), and cut after `max` characters with `... (N characters)`, so a pasted blob never fills the terminal.
 * @param value the value to show
 * @param max how many characters are shown at most
 */
export function shownValue(value: string, max: number = SHOWN_VALUE_CHARACTERS): string {
  if (value.length <= max) return JSON.stringify(value);
  let head = value.slice(0, max);
  // Never split a surrogate pair: a lone half would print as a replacement character.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${JSON.stringify(head)}... (${value.length} characters)`;
}

/** Renders a problem as one line: `field: message (got "value"). Fix: ...`; a long value is shortened. */
export function formatProblem(p: Problem): string {
  const got = p.value === undefined ? '' : ` (got ${shownValue(p.value, SHOWN_PROBLEM_VALUE_CHARACTERS)})`;
  return `${p.field}: ${p.message}${got}. Fix: ${p.fix}`;
}

/**
 * Thrown when input is invalid; carries every problem found, one line each in `message`.
 */
export class ValidationError extends Error {
  /** Every problem found. */
  public readonly problems: Problem[];

  constructor(problems: readonly Problem[], heading = 'invalid input') {
    super(`${heading}:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ValidationError';
    this.problems = [...problems];
  }
}

/** Throws a {@link ValidationError} when `problems` is not empty. */
export function throwIfProblems(problems: readonly Problem[], heading?: string): void {
  if (problems.length > 0) {
    throw new ValidationError(problems, heading);
  }
}

/**
 * The names every JavaScript object inherits (`constructor`, `toString`, `__proto__`, ...). As keys of a map they
 * would shadow or, assigned, replace what code downstream calls on the map, so maps of the config and of the
 * constructs refuse them.
 */
export const OBJECT_PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
