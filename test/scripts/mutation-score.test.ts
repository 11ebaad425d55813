import { fileScores, MutationReport, reportThreshold, scoreFailures } from '../../scripts/mutation-score';

// The per-file gate of npm run mutate: Stryker's break threshold is for all files together.

const report = (files: Record<string, string[]>): MutationReport => ({
  files: Object.fromEntries(Object.entries(files).map(([file, statuses]) => [file, { mutants: statuses.map((status) => ({ status })) }])),
});

describe('fileScores', () => {
  test('counts Killed and Timeout as detected, Survived and NoCoverage as not, and errors as no mutant', () => {
    const [s] = fileScores(report({ 'lib/a.ts': ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'] }));
    expect(s).toEqual({ file: 'lib/a.ts', mutants: 7, detected: 2, undetected: 2, equivalentOrInvalid: 3, score: 50 });
  });

  test('gives 100 for a file without a valid mutant, and lists files by name', () => {
    const scores = fileScores(report({ 'lib/z.ts': ['Killed'], 'lib/b.ts': ['CompileError'] }));
    expect(scores.map((s) => [s.file, s.score])).toEqual([['lib/b.ts', 100], ['lib/z.ts', 100]]);
  });
});

describe('scoreFailures', () => {
  test('names each file below the threshold with its score, its survivors and the fix; a file at the threshold passes', () => {
    const scores = fileScores(report({
      'lib/weak.ts': ['Killed', 'Killed', 'Survived'],
      'lib/edge.ts': [...Array(9).fill('Killed'), 'Survived'],
      'lib/strong.ts': ['Killed'],
    }));
    expect(scoreFailures(scores, 90)).toEqual([
      'lib/weak.ts: mutation score 66.67% is below 90% (1 of 3 mutants undetected): add tests that kill the survivors the clear-text report lists, or remove the code they show is dead',
    ]);
  });
});

describe('reportThreshold', () => {
  test('takes break from the report, then low, then 90', () => {
    expect(reportThreshold({ files: {}, thresholds: { high: 95, low: 80, break: 85 } })).toBe(85);
    expect(reportThreshold({ files: {}, thresholds: { high: 95, low: 80, break: null } })).toBe(80);
    expect(reportThreshold({ files: {} })).toBe(90);
  });
});
