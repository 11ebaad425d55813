import * as path from 'node:path';
import { App, AppProps, YamlOutputType } from 'cdk8s';
import { STATE_DIR_NAME } from './config/load';
import { setExtensionDefaults } from './constructs/app-defaults';
import { AzureMlEnvironmentChart } from './constructs/environment-chart';
import { extensionFilesOf, MANIFEST_EXTENSION } from './environment-files';
import { OUTPUT_MARKER, OUTPUT_MARKER_TEXT, writeFiles } from './output';
import { prepareConfig, PreparedConfig } from './prepare';

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
  /** The files besides manifests that the last synth wrote, relative to the output root. */
  written: string[];
  /** The config the app was built from, whose seal cache is saved after synth. */
  config?: PreparedConfig;
}
const states = new WeakMap<AzureMlApp, AppState>();

/**
 * A cdk8s App whose `synth()` writes everything an AzureML environment needs: the manifests (as any cdk8s app does,
 * `<chart>.k8s.yaml`) and, for every chart that holds an AzureML extension, a folder `<chart>/` with the Helm values
 * (`values.yml`), the settings files (`settings.json`, `protected-settings.json`), the az scripts and, when the
 * cluster's identity is known, Bicep, ARM and Terraform. None of those files holds key material.
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
    const config = prepareConfig(configFile, { now: options.now, readOnlyState: options.readOnlyState });
    const app = new AzureMlApp(options);
    stateOf(app).config = config;
    app.warnings.push(...config.warnings);
    for (const env of config.config.environments) new AzureMlEnvironmentChart(app, env.name, env.props);
    return app;
  }

  /** Certificate warnings of the config's environments, one line each (empty for an app not made from a config). */
  public readonly warnings: string[];

  constructor(props: AzureMlAppProps = {}) {
    super({ outputFileExtension: MANIFEST_EXTENSION, yamlOutputType: YamlOutputType.FILE_PER_CHART, ...props });
    setExtensionDefaults(this, { stateDir: path.resolve(props.stateDir ?? STATE_DIR_NAME), now: props.now });
    states.set(this, { written: [] });
    this.warnings = [];
  }

  /** Writes the manifests, then each environment's Helm values, settings files, az scripts and IaC. */
  public synth(): void {
    const state = stateOf(this);
    // Rendered first, so an app that cannot be written (two extensions in one chart) writes nothing at all.
    const files = extensionFilesOf(this, state.outRoot ?? path.resolve(this.outdir));
    super.synth();
    // The marker lets `azureml-tls synth --out` replace this folder later (it refuses folders it did not write); the
    // CLI's atomic write adds it once for all its apps.
    writeFiles(this.outdir, state.outRoot ? files : [...files, { path: OUTPUT_MARKER, content: OUTPUT_MARKER_TEXT }]);
    state.written = files.map((f) => f.path);
    state.config?.saveSealCache();
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

/** The files besides manifests the app's last synth wrote, relative to its output folder. */
export function filesWrittenBy(app: AzureMlApp): string[] {
  return stateOf(app).written;
}
