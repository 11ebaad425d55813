// kubernetes-models and @kubernetes-models/* export their files under the "import" condition only, which Jest's
// CommonJS resolution does not ask for; for those packages alone, ask for it (jest.config.js compiles them to CommonJS).
// Everything else keeps Jest's conditions, so dual packages still resolve to their CommonJS builds.
const ESM_ONLY = /^(?:kubernetes-models|@kubernetes-models\/[^/]+)(?:\/|$)/;

module.exports = (request, options) => options.defaultResolver(request, ESM_ONLY.test(request)
  ? { ...options, conditions: ['import', 'node', 'default'] }
  : options);
