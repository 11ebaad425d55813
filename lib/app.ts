import * as path from 'node:path';
import { App, AppProps, YamlOutputType } from 'cdk8s';
import { STATE_DIR_NAME } from './config/load';
import { setExtensionDefaults } from './constructs/app-defaults';
import { extensionFilesOf } from './environment-files';
import { addEnvironment, addFleet } from './environments';
import { MANIFEST_EXTENSION, manifestFilesOf } from './layout';
import { OUTPUT_MARKER, OUTPUT_MARKER_TEXT, writeFiles } from './output';
import { DevStateRun } from './certificate/dev-store';
import { prepareConfig } from './prepare';

/** Properties for {@link AzureMlApp}. */
export interface AzureMlAppProps extends AppProps {
  /**
   * The git-ignored folder where development certificates (`TlsCertificate.selfSigned()`) are kept between runs, so
   * synth output stays byte-identical. It ignores itself (`.gitignore`), and keys in it are mode 0600. Extensions
   * whose props name a state folder keep theirs.
   * @default '.azureml-tls' in the current folder (the cdk8s project)
   */
  readonly stateDir?: string;
  /**
   * The time certificates are checked against, for extensions whose props leave it out.
   * @default - the current time
   */
  readonly now?: Date;
}

/** Options for {@link AzureMlApp.fromConfig}. */
export interface AzureMlAppFromConfigOptions extends AzureMlAppProps {
  /**
   * Only read the state folder (development certificates), never renew or write it.
   * @default false
   */
  readonly readOnlyState?: boolean;
}

/** What each app knows beyond its props: internal, so the public API stays small. */
interface AppState {
  /** Where the files end up when the app writes into a temp folder first (the CLI's atomic write). */
  outRoot?: string;
  /** The files the last synth wrote, relative to the output root. */
  written: string[];
  /** For an app made from a config: the state its certificates were drafted in, written after the output. */
  stateRun?: DevStateRun;
}
const states = new WeakMap<AzureMlApp, AppState>();

/**
 * A cdk8s App whose `synth()` writes everything an AzureML environment needs, laid out for GitOps:
 *
 * - `clusters/<chart>/`: each chart's Kubernetes objects, a file per object (`<Kind>.<name>.k8s.yaml`, as cdk8s's
 *   FOLDER_PER_CHART_FILE_PER_RESOURCE names them) and a `kustomization.yaml`, and nothing else, so Flux, Argo CD and
 *   `kubectl apply -k` can point at the folder;
 * - `install/<chart>/`, for every chart that holds an AzureML extension: the Helm values (`values.yml`), the settings
 *   files (`settings.json`, `protected-settings.json`), the az scripts and, when the cluster's identity is known,
 *   Bicep, ARM and Terraform. None of those files holds key material.
 *
 * An app made from a config adds `aso/<env>/` (the extension as an Azure Service Operator object) and `fleet/` (Flux
 * and Argo CD objects pointing at the folders) when the config asks for them.
 *
 * It is the same pipeline as `azureml-tls synth`: the same config gives the same bytes.
 */
export class AzureMlApp extends App {
  /**
   * An app with one {@link AzureMlEnvironmentChart} per environment of a config file (`azureml-tls.yaml`). Every
   * problem of every environment is checked first and reported together.
   * @throws Error listing every problem of the config, when there is any
   */
  public static fromConfig(configFile: string, options: AzureMlAppFromConfigOptions = {}): AzureMlApp {
    // Where App puts the output (props, else $CDK8S_OUTDIR, else dist), known before the app is made.
    const outRoot = path.resolve(options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
    // State (development certificates) is written by synth(), after the output: an app that fails writes none.
    const config = prepareConfig(configFile, { now: options.now, readOnlyState: options.readOnlyState, outRoot, deferStateWrites: true });
    const app = new AzureMlApp(options);
    stateOf(app).stateRun = config.devStateRun;
    app.warnings.push(...config.warnings);
    for (const env of config.config.environments) addEnvironment(app, env, config.config, outRoot);
    addFleet(app, config.config.environments, config.config, outRoot);
    return app;
  }

  /** Certificate warnings of the config's environments, one line each (empty for an app not made from a config). */
  public readonly warnings: string[];

  constructor(props: AzureMlAppProps = {}) {
    if (props.yamlOutputType !== undefined && props.yamlOutputType !== YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
      throw new Error(`AzureMlApp writes a folder per chart with a file per object and a kustomization.yaml (YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE); yamlOutputType ${YamlOutputType[props.yamlOutputType]} is not supported: leave it out`);
    }
    if (props.outputFileExtension !== undefined && props.outputFileExtension !== MANIFEST_EXTENSION) {
      throw new Error(`AzureMlApp names manifests <Kind>.<name>${MANIFEST_EXTENSION}; outputFileExtension ${JSON.stringify(props.outputFileExtension)} is not supported: leave it out`);
    }
    super({ ...props, outputFileExtension: MANIFEST_EXTENSION, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    setExtensionDefaults(this, { stateDir: path.resolve(props.stateDir ?? STATE_DIR_NAME), now: props.now });
    states.set(this, { written: [] });
    this.warnings = [];
  }

  /**
   * Writes every chart's objects into a folder of its own with a `kustomization.yaml` (`clusters/<chart>/`, and
   * `aso/<env>/` and `fleet/` for the config's ASO and fleet wiring), then each environment's Helm values, settings
   * files, az scripts and IaC into `install/<chart>/`.
   */
  public synth(): void {
    const state = stateOf(this);
    // Everything is rendered before anything is written, so an app that cannot be written writes nothing at all.
    const files = [...manifestFilesOf(this), ...extensionFilesOf(this, state.outRoot ?? path.resolve(this.outdir))];
    // The marker lets `azureml-tls synth --out` replace this folder later (it refuses folders it did not write); the
    // CLI's atomic write adds it once for all its apps.
    writeFiles(this.outdir, state.outRoot ? files : [...files, { path: OUTPUT_MARKER, content: OUTPUT_MARKER_TEXT }]);
    state.written = files.map((f) => f.path);
    if (state.stateRun) {
      const before = state.stateRun.warnings.length;
      state.stateRun.commit();
      this.warnings.push(...state.stateRun.warnings.slice(before));
    }
  }
}

// Registered by the constructor, so every AzureMlApp has one.
function stateOf(app: AzureMlApp): AppState {
  const state = states.get(app);
  if (!state) throw new Error('internal: an AzureMlApp without its state');
  return state;
}

/** Makes the app compute relative paths as if it wrote into `outRoot` (it writes into a temp folder first). */
export function setOutputRoot(app: AzureMlApp, outRoot: string): void {
  stateOf(app).outRoot = outRoot;
}

/** The files the app's last synth wrote, relative to its output folder. */
export function filesWrittenBy(app: AzureMlApp): string[] {
  return stateOf(app).written;
}
