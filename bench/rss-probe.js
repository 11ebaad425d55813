'use strict';
// Preloaded by bench/fleet.ts into every Node.js child it times (`node -r <root>/bench/rss-probe.js ...`): at exit,
// writes the process's peak resident set size (process.resourceUsage().maxRSS, KiB on Linux) to the file named by
// AZUREML_TLS_BENCH_RSS_FILE. Plain JavaScript (not compiled) so it can be preloaded from the source folder.
// Does nothing when the variable is not set.
const fs = require('node:fs');

const file = process.env.AZUREML_TLS_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
