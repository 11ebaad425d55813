// The cdk8s app: `npx cdk8s synth` runs this (precompiled: see cdk8s.yaml). One AzureMlApp with a chart per
// environment of the config ($AZUREML_TLS_CONFIG, else ./azureml-tls.yaml); its synth() writes the manifests and each
// environment's values, settings and install inputs into the folder cdk8s passes (CDK8S_OUTDIR). $AZUREML_TLS_AT
// checks certificates at another time, as `azureml-tls synth --at` does.
import { AzureMlApp } from './lib';
import { runConfigApp } from './lib/cli/commands';

process.exitCode = runConfigApp((configFile, now) => {
  const app = AzureMlApp.fromConfig(configFile, { now });
  app.synth();
  return app;
});
