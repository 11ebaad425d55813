// The cdk8s app: `npx cdk8s synth` runs this (precompiled: see cdk8s.yaml). It honours the output folder the cdk8s
// CLI passes (CDK8S_OUTDIR, set by `cdk8s synth -o DIR`) and the config named by $AZUREML_TLS_CONFIG.
import { runSynthCommand } from './lib/cli/commands';

process.exitCode = runSynthCommand({ outDir: process.env.CDK8S_OUTDIR ?? 'dist' });
