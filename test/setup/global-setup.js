// Every test's temp folders (os.tmpdir()) go below one folder per run, removed again by global-teardown.js, so runs
// leave nothing behind in /tmp.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-tls-tests-'));
  process.env.AZUREML_TLS_TEST_TMP = dir;
  process.env.TMPDIR = dir;
};
