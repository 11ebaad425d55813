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

/** Renders a problem as one line: `field: message (got "value"). Fix: ...`. */
export function formatProblem(p: Problem): string {
  const got = p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`;
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
