const fs = require('node:fs');

module.exports = async () => {
  const dir = process.env.AZUREML_TLS_TEST_TMP;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
