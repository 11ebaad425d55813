/** Jest runs TypeScript through @swc/jest (no type checks: `npm run typecheck` does those). */
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2022' }, module: { type: 'commonjs' } }];
// The schema validators the tests use ship ES modules only (with their is-cidr and cidr-regex): compiled to CommonJS
// like the tests, resolved by test/setup/resolver.js.
const ESM_PACKAGES = '(?:kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc('typescript'),
    [`/node_modules/${ESM_PACKAGES}/.+\\.m?js$`]: swc('ecmascript'),
  },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_PACKAGES}/)`],
  resolver: '<rootDir>/test/setup/resolver.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
};
