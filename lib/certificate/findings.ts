/**
 * How serious a finding about TLS material is.
 */
export enum Severity {
  /** The material cannot be used: synth refuses it, `check` exits 1. */
  ERROR = 'error',
  /** Usable, but likely to cause trouble for some clients or operators. */
  WARNING = 'warning',
}

/**
 * One problem found while checking a certificate, a key or a name.
 *
 * Messages never contain key material: at most a file name, a PEM label or a fingerprint.
 */
export interface Finding {
  /** Error or warning. */
  readonly severity: Severity;
  /** A stable identifier for the kind of problem, e.g. `key-mismatch`. Tests and `--json` consumers match on it. */
  readonly code: string;
  /** What is wrong, naming the file or field and the bad value (never key bytes). */
  readonly message: string;
  /**
   * What to do about it, often an `openssl` command.
   * @default - no fix is suggested
   */
  readonly fix?: string;
}

/** One line per finding, `error: ...` / `warning: ...`, with the fix appended. */
export function formatFinding(f: Finding): string {
  return `${f.severity}: ${f.message}${f.fix ? ` (fix: ${f.fix})` : ''}`;
}
