// The per-file gate of `npm run mutate` (issue #12): Stryker's own `break` threshold applies to the score of all files
// together, so a well-tested file could hide a weak one. This reads Stryker's JSON report, prints each mutated file's
// score and fails when any file is below the threshold.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The part of Stryker's mutation-testing-report-schema JSON this script reads. */
export interface MutationReport {
  readonly files: { readonly [file: string]: { readonly mutants: readonly { readonly status: string }[] } };
  /** The thresholds of the run (stryker.config.mjs): the gate uses `break`, or `low` when `break` is not set. */
  readonly thresholds?: { readonly high: number; readonly low: number; readonly break?: number | null };
}

/** The threshold the run was configured with, so that the config stays its one source. */
export function reportThreshold(report: MutationReport): number {
  return report.thresholds?.break ?? report.thresholds?.low ?? 90;
}

/** One file's counts and score. */
export interface FileScore {
  readonly file: string;
  readonly mutants: number;
  readonly detected: number;
  readonly undetected: number;
  readonly equivalentOrInvalid: number;
  /** Percent of valid mutants detected, as Stryker counts it; 100 when there is no valid mutant. */
  readonly score: number;
}

// Stryker's mutation score: (Killed + Timeout) / (Killed + Timeout + Survived + NoCoverage). Compile and runtime errors
// and ignored mutants are not valid mutants and count for nothing.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** The score of each file of the report, in file name order. */
export function fileScores(report: MutationReport): FileScore[] {
  return Object.keys(report.files).sort().map((file) => {
    const mutants = report.files[file].mutants;
    const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
    const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
    const valid = detected + undetected;
    return {
      file,
      mutants: mutants.length,
      detected,
      undetected,
      equivalentOrInvalid: mutants.length - valid,
      score: valid === 0 ? 100 : (100 * detected) / valid,
    };
  });
}

/** One line per file below `threshold`, naming the file, its score and what to do. */
export function scoreFailures(scores: readonly FileScore[], threshold: number): string[] {
  return scores.filter((s) => s.score < threshold).map((s) =>
    `${s.file}: mutation score ${s.score.toFixed(2)}% is below ${threshold}% (${s.undetected} of ${s.detected + s.undetected} mutants undetected): `
    + 'add tests that kill the survivors the clear-text report lists, or remove the code they show is dead');
}

function main(): number {
  const reportFile = path.resolve(process.argv[2] ?? 'reports/mutation/mutation.json');
  let report: MutationReport;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as MutationReport;
  } catch (e) {
    process.stderr.write(`error: ${reportFile} cannot be read as Stryker's JSON report (${(e as Error).message}); run npm run mutate first\n`);
    return 2;
  }
  const scores = fileScores(report);
  for (const s of scores) {
    process.stdout.write(`${s.score.toFixed(2).padStart(6)}%  ${String(s.detected).padStart(4)} detected, ${String(s.undetected).padStart(3)} undetected  ${s.file}\n`);
  }
  const failures = scoreFailures(scores, reportThreshold(report));
  for (const f of failures) process.stderr.write(`error: ${f}\n`);
  return failures.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
