/**
 * The baseline for bench/fleet.ts: a bare cdk8s app that emits the same TLS Secrets as `azureml-tls synth` for every
 * environment of a fleet config, with NO validation (no schema check, no certificate checks, no settings, no
 * rendering, no atomic write). It reads the config with the `yaml` package, merges `defaults:` under each environment
 * (maps key by key, the rest replaced), reads each environment's certificate files and writes one chart per
 * environment (FILE_PER_CHART) with App.synth().
 *
 * Run: `node build/bench/bare-app.js --config FILE --out DIR`. Only `tls.certificate.files` environments get a
 * Secret; others get an empty chart. Not part of the library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { parse } from 'yaml';

type RawMap = { [key: string]: unknown };

const isMap = (v: unknown): v is RawMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps merge key by key (recursively); anything else of the environment replaces the default. */
function merge(defaults: RawMap, env: RawMap): RawMap {
  const out: RawMap = { ...defaults };
  for (const [k, v] of Object.entries(env)) {
    const d = out[k];
    out[k] = isMap(d) && isMap(v) ? merge(d, v) : v;
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } }, strict: true });
  if (!values.config || !values.out) {
    process.stderr.write('usage: node build/bench/bare-app.js --config FILE --out DIR\n');
    process.exitCode = 2;
    return;
  }
  const configFile = path.resolve(values.config);
  const baseDir = path.dirname(configFile);
  const raw: unknown = parse(fs.readFileSync(configFile, 'utf8'));
  const doc = isMap(raw) ? raw : {};
  const defaults = isMap(doc.defaults) ? doc.defaults : {};
  const environments = Array.isArray(doc.environments) ? doc.environments.filter(isMap) : [];

  const app = new App({ outdir: path.resolve(values.out), outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const rawEnv of environments) {
    const env = merge(defaults, rawEnv);
    const chart = new Chart(app, String(env.name));
    const tls = isMap(env.tls) ? env.tls : {};
    const files = isMap(tls.certificate) && isMap(tls.certificate.files) ? tls.certificate.files : undefined;
    if (!files) continue;
    const read = (f: unknown) => fs.readFileSync(path.resolve(baseDir, String(f))).toString('base64');
    new k8s.KubeSecret(chart, 'tls-secret', {
      metadata: { name: typeof tls.secretName === 'string' ? tls.secretName : 'azureml-fe-tls', namespace: 'azureml' },
      type: 'Opaque',
      data: { 'cert.pem': read(files.cert), 'key.pem': read(files.key) },
    });
  }
  app.synth();
}

main();
