// The cdk8s app: `npx cdk8s synth` runs this (precompiled: see cdk8s.yaml). It honours the output folder the cdk8s
// CLI passes (CDK8S_OUTDIR, set by `cdk8s synth -o DIR`), the config named by $AZUREML_TLS_CONFIG, and
// $AZUREML_TLS_AT (an ISO 8601 time to check certificates at instead of now, as `azureml-tls synth --at` does).
import { runSynthCommand } from './lib/cli/commands';

const at = process.env.AZUREML_TLS_AT ? new Date(process.env.AZUREML_TLS_AT) : undefined;
if (at && Number.isNaN(at.getTime())) {
  process.stderr.write(`error: AZUREML_TLS_AT ${JSON.stringify(process.env.AZUREML_TLS_AT)} is not a date (fix: use ISO 8601, e.g. 2027-01-01T00:00:00Z)\n`);
  process.exitCode = 1;
} else {
  process.exitCode = runSynthCommand({ outDir: process.env.CDK8S_OUTDIR ?? 'dist', now: at, underCdk8s: process.env.CDK8S_OUTDIR !== undefined });
}
