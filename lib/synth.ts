import * as fs from 'node:fs';
import * as path from 'node:path';
import { AzureMlApp, filesWrittenBy, setOutputRoot } from './app';
import { addEnvironment, addFleet } from './environments';
import { OUTPUT_MARKER, outputDirProblem, replaceDirAtomically, writeSecretFile } from './output';
import { prepareConfig } from './prepare';
import { stateDirBeside } from './config/load';
import { ValidationError } from './problems';
import { renderJson } from './render/common';
import { ExtensionModel } from './settings/extension-model';

/** Options for {@link AzureMlSynth.synthesize}. */
export interface SynthOptions {
  /** The config file. */
  readonly configFile: string;
  /** The output root: replaced as a whole, atomically. */
  readonly outDir: string;
  /**
   * The time certificates are checked against.
   * @default - the current time
   */
  readonly now?: Date;
  /**
   * Also write the protected settings with their values (PEM base64 included) to `protectedValuesDir`, mode 0600.
   * @default false
   */
  readonly writeProtectedValues?: boolean;
  /**
   * Where protected values go on opt-in: a git-ignored folder outside the output root.
   * @default - `.azureml-tls/protected` beside the config file
   */
  readonly protectedValuesDir?: string;
}

/** What a synth run wrote and noticed. */
export interface SynthResult {
  /** Files written below the output root, relative, sorted. */
  readonly files: string[];
  /** Protected values files written on opt-in (absolute). */
  readonly protectedFiles: string[];
  /** Certificate warnings, one line each, prefixed with the environment. */
  readonly warnings: string[];
  /** How many environments were synthesized. */
  readonly environments: number;
}

/** {@link SynthOptions} with what only the CLI needs. */
export interface SynthRunOptions extends SynthOptions {
  /** Called after each environment is built (for a progress display). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The config-file pipeline behind `azureml-tls synth`, for programs that drive it themselves.
 */
export class AzureMlSynth {
  /**
   * Config -> typed props -> plans (every problem of every environment) -> an {@link AzureMlApp} per environment ->
   * one atomic write of the output root. On any problem nothing is written and the output root stays as it was.
   * @throws Error listing every problem, leaving the output root untouched
   */
  public static synthesize(options: SynthOptions): SynthResult {
    return synthesize(options);
  }

  private constructor() {}
}

/**
 * The pipeline of {@link AzureMlSynth.synthesize}, with a progress callback.
 * @throws ValidationError with every problem, leaving the output root untouched
 */
export function synthesize(options: SynthRunOptions): SynthResult {
  const outProblem = outputDirProblem(options.outDir);
  if (outProblem) {
    throw new ValidationError([{ field: path.resolve(options.outDir), message: outProblem, fix: 'choose a new or empty folder for --out (default dist)' }], 'refusing to replace the output folder');
  }
  const prepared = prepareConfig(options.configFile, { now: options.now });
  const { config } = prepared;
  const outDir = path.resolve(options.outDir);
  const files: string[] = [];
  const models = new Map<string, ExtensionModel>();

  replaceDirAtomically(outDir, (tmp) => {
    // One app per environment: environments never depend on each other, and cdk8s resolves and validates the whole
    // app once per chart, which would make a large fleet quadratic. The bytes are those of one AzureMlApp for all.
    config.environments.forEach((env, i) => {
      const app = new AzureMlApp({ outdir: tmp });
      setOutputRoot(app, outDir);
      const chart = addEnvironment(app, env, config, outDir);
      models.set(env.name, chart.extension.model);
      app.synth();
      files.push(...filesWrittenBy(app));
      options.onProgress?.(i + 1, config.environments.length);
    });
    // What the fleet shares across environments (Argo CD's Applications) comes last, from all of them.
    const fleetApp = new AzureMlApp({ outdir: tmp });
    setOutputRoot(fleetApp, outDir);
    addFleet(fleetApp, config.environments, config, outDir);
    if (fleetApp.charts.length > 0) {
      fleetApp.synth();
      files.push(...filesWrittenBy(fleetApp));
    }
  });
  prepared.saveSealCache();

  const protectedFiles: string[] = [];
  if (options.writeProtectedValues) {
    const dir = path.resolve(options.protectedValuesDir ?? path.join(stateDirBeside(config.file), 'protected'));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The folder ignores itself, so its content cannot be committed by accident in any repository.
    fs.writeFileSync(path.join(dir, '.gitignore'), '*\n');
    for (const [name, model] of models) {
      const file = path.join(dir, `${name}.protected-settings.json`);
      writeSecretFile(file, renderJson(model.protectedSettings));
      protectedFiles.push(file);
    }
  }
  return { files: [OUTPUT_MARKER, ...files].sort(), protectedFiles, warnings: prepared.warnings, environments: config.environments.length };
}
