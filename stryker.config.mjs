// Mutation testing of the rule code (issue #12): `npm run mutate`. Not part of `npm test` or CI: a run takes tens of
// minutes. Stryker fails below 90% (thresholds.break) for all files together; scripts/mutation-score.ts reads the same
// threshold from the report and fails the script when any one file is below it.
//
// Only the tests that exercise these three files run (each mutant only against the tests that cover it), without the
// global setup: it points TMPDIR at a folder it removes again, which breaks the second run in the same process, and
// none of these tests writes files. None of them spawns build/ or reads the clock.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  mutate: ['lib/settings/rules.ts', 'lib/settings/derive.ts', 'lib/certificate/validate.ts'],
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Every selected test file depends on the mutated files anyway; per-test coverage picks the tests.
    enableFindRelatedTests: false,
    config: {
      roots: ['<rootDir>/test/settings', '<rootDir>/test/certificate'],
      testMatch: [
        '<rootDir>/test/settings/{derive,rules,vectors}.test.ts',
        '<rootDir>/test/settings/*-{mutants,edges}.test.ts',
        '<rootDir>/test/certificate/{validate,names}.test.ts',
        '<rootDir>/test/certificate/*-{mutants,edges}.test.ts',
      ],
      globalSetup: null,
      globalTeardown: null,
      watchman: false,
    },
  },
  // The sandbox holds only what these tests load: lib (the code), test (tests, fixtures, the Jest resolver), imports
  // (generated CRD types lib imports) and the Jest and package files. node_modules is linked, not copied.
  ignorePatterns: ['/*', '!/lib', '!/test', '!/imports', '!/package.json', '!/jest.config.js', '!/tsconfig.json'],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 90, break: 90 },
  // concurrency: Stryker's default (every core on up to 4 cores); pass --concurrency 1 on a shared machine.
  timeoutMS: 30000,
  // Off by default: `npx stryker run --incremental` re-tests only mutants whose code changed, for quick loops while
  // writing tests, but it may keep a mutant as survived after a test that kills it was added. Recorded scores come
  // from a full run.
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
