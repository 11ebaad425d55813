import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureMlApp, filesWrittenBy, setOutputRoot } from './app';
import { addEnvironment, addFleet } from './environments';
import { errnoReason } from './errno';
import { OUTPUT_MARKER, OUTPUT_MARKER_TEXT, OutputWriteError, outputDirProblem, replaceDirAtomically, writeSecretFile } from './output';
import { prepareConfig, PreparedConfig } from './prepare';
import { FileWriteError, writeFileAtomic } from './safe-write';
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

/** Options for {@link AzureMlSynth.check}. */
export interface SynthCheckOptions {
  /** The config file. */
  readonly configFile: string;
  /** The output root to compare with what synth would write there. */
  readonly outDir: string;
  /**
   * The time certificates are checked against.
   * @default - the current time
   */
  readonly now?: Date;
}

/** How a file on disk differs from what synth would write. */
export enum SynthDifferenceKind {
  /** Synth would write it; it is not on disk. */
  ADDED = 'added',
  /** It is on disk; synth would not write it (the output root is replaced whole, so it would go). */
  REMOVED = 'removed',
  /** On disk with other bytes or another mode than synth would write. */
  CHANGED = 'changed',
}

/** One file of the output root that differs from what synth would write. */
export interface SynthDifference {
  /** The file, relative to the output root, `/`-separated. */
  readonly path: string;
  /** How it differs. */
  readonly kind: SynthDifferenceKind;
  /**
   * What differs for a changed file: `content`, `mode 0644, synth writes 0755`, or both; never any content.
   * @default - none (added and removed files)
   */
  readonly detail?: string;
}

/** What {@link AzureMlSynth.check} found. */
export interface SynthCheckResult {
  /** True when the output root holds exactly the files synth would write, with their bytes and modes. */
  readonly upToDate: boolean;
  /** Every file that differs, sorted by path. */
  readonly differences: SynthDifference[];
  /** The files synth would write below the output root, relative, sorted. */
  readonly files: string[];
  /**
   * State files a real synth would write (development certificates adopted from the output, renewed or issued),
   * absolute, sorted. The check kept them in memory: they do not change the output unless listed as differences.
   */
  readonly stateFiles: string[];
  /** Certificate warnings, one line each, prefixed with the environment. */
  readonly warnings: string[];
  /** How many environments were synthesized. */
  readonly environments: number;
}

/** {@link SynthCheckOptions} with what only the CLI needs. */
export interface SynthCheckRunOptions extends SynthCheckOptions {
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

  /**
   * What `azureml-tls synth --check` does (a CI gate): computes what {@link AzureMlSynth.synthesize} would write and
   * compares it with the output root byte for byte (which files, their content, their mode), writing nothing: not
   * the output root, not the state folder. Development certificates are reused, adopted or
   * renewed as synth would decide, in memory; a missing output root is every file added.
   * @throws Error listing every problem, as synthesize does
   */
  public static check(options: SynthCheckOptions): SynthCheckResult {
    return checkSynth(options);
  }

  private constructor() {}
}

// Why the output root cannot be replaced (or compared with synth output), as a ValidationError.
function refuseOutputDir(outDir: string): void {
  const outProblem = outputDirProblem(outDir);
  if (outProblem) {
    throw new ValidationError([{ field: path.resolve(outDir), message: outProblem, fix: 'choose a new or empty folder for --out (default dist)' }], 'refusing to replace the output folder');
  }
}

// The output root as the previous output to adopt development certificates from; the store reads it only when it
// carries the output marker.
function previousOutput(outDir: string): string | undefined {
  return fs.existsSync(path.join(outDir, OUTPUT_MARKER)) ? outDir : undefined;
}

/**
 * The pipeline of {@link AzureMlSynth.synthesize}, with a progress callback.
 * @throws ValidationError with every problem, leaving the output root untouched
 */
export function synthesize(options: SynthRunOptions): SynthResult {
  refuseOutputDir(options.outDir);
  const outDir = path.resolve(options.outDir);
  // State (development certificates) is written only once the output is in place: a failed synth writes none.
  const prepared = prepareConfig(options.configFile, { now: options.now, deferStateWrites: true, previousOutputDir: previousOutput(outDir), outRoot: outDir });
  const { config } = prepared;
  const files: string[] = [];
  const models = new Map<string, ExtensionModel>();

  const mended = replaceDirAtomically(outDir, (tmp) => {
    files.push(...writeOutput(prepared, outDir, tmp, models, options.onProgress));
  });

  // From here on the new output is in place: a failure must say so, not that nothing was written.
  const afterOutput = <T>(what: string, write: () => T): T => {
    try {
      return write();
    } catch (e) {
      const why = e instanceof FileWriteError ? e.message : `${what}: ${errnoReason(e)}`;
      throw new OutputWriteError(why, `${outDir} holds the new output, but ${what.replace(/^cannot /, 'synth could not ')}: fix that and run synth again`);
    }
  };
  const stateWarnings = prepared.devStateRun.warnings.length;
  afterOutput('cannot write the development certificates to the state folder', () => prepared.devStateRun.commit());
  const protectedFiles: string[] = [];
  if (options.writeProtectedValues) {
    const dir = path.resolve(options.protectedValuesDir ?? path.join(stateDirBeside(config.file), 'protected'));
    afterOutput(`cannot write the protected values to ${dir}`, () => {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // The folder ignores itself, so its content cannot be committed by accident in any repository.
      writeFileAtomic(path.join(dir, '.gitignore'), '*\n', { mode: 0o644 });
      for (const [name, model] of models) {
        const file = path.join(dir, `${name}.protected-settings.json`);
        writeSecretFile(file, renderJson(model.protectedSettings));
        protectedFiles.push(file);
      }
    });
  }
  return { files: [OUTPUT_MARKER, ...files].sort(), protectedFiles, warnings: [...mended.notes, ...prepared.warnings, ...prepared.devStateRun.warnings.slice(stateWarnings)], environments: config.environments.length };
}

/**
 * Writes every environment's files (then the fleet's) into `tmp`, with paths computed as if it were `outDir`; returns
 * the files written, relative. Shared by synth and check, so a check compares exactly what synth writes.
 */
function writeOutput(prepared: PreparedConfig, outDir: string, tmp: string, models: Map<string, ExtensionModel>, onProgress?: (done: number, total: number) => void): string[] {
  const { config } = prepared;
  const files: string[] = [];
  // One app per environment: environments never depend on each other, and cdk8s resolves and validates the whole
  // app once per chart, which would make a large fleet quadratic. The bytes are those of one AzureMlApp for all.
  config.environments.forEach((env, i) => {
    const app = new AzureMlApp({ outdir: tmp });
    setOutputRoot(app, outDir);
    const chart = addEnvironment(app, env, config, outDir);
    models.set(env.name, chart.extension.model);
    app.synth();
    files.push(...filesWrittenBy(app));
    onProgress?.(i + 1, config.environments.length);
  });
  // What the fleet shares across environments (the Argo CD Applications, the Flux Kustomizations of the ASO folders)
    // comes last, from all of them.
  const fleetApp = new AzureMlApp({ outdir: tmp });
  setOutputRoot(fleetApp, outDir);
  addFleet(fleetApp, config.environments, config, outDir);
  if (fleetApp.charts.length > 0) {
    fleetApp.synth();
    files.push(...filesWrittenBy(fleetApp));
  }
  return files;
}

/**
 * The pipeline of {@link AzureMlSynth.check}, with a progress callback. The output is rendered into a private
 * scratch folder (mode 0700, below the OS temp folder, removed before returning) by the very code synth writes
 * with, so the comparison covers modes as written; the project is never written.
 * @throws ValidationError with every problem, as synthesize does
 */
export function checkSynth(options: SynthCheckRunOptions): SynthCheckResult {
  refuseOutputDir(options.outDir);
  const outDir = path.resolve(options.outDir);
  const prepared = prepareConfig(options.configFile, { now: options.now, dryRun: true, previousOutputDir: previousOutput(outDir), outRoot: outDir });
  removeStaleScratch();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  try {
    const files = writeOutput(prepared, outDir, scratch, new Map(), options.onProgress);
    // As replaceDirAtomically writes it, so the umask gives it the same mode.
    fs.writeFileSync(path.join(scratch, OUTPUT_MARKER), OUTPUT_MARKER_TEXT, { mode: 0o644 });
    const differences = compareTrees(readTree(scratch), fs.existsSync(outDir) ? readTree(outDir) : new Map());
    return {
      upToDate: differences.length === 0,
      differences,
      files: [OUTPUT_MARKER, ...files].sort(),
      stateFiles: prepared.devStateRun.writtenFiles,
      warnings: prepared.warnings,
      environments: prepared.config.environments.length,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Check scratch folders: `<prefix><pid>-XXXXXX` below the OS temp folder, mode 0700 (mkdtemp). */
const SCRATCH_PREFIX = 'azureml-tls-check-';
const SCRATCH_NAME = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-[A-Za-z0-9]{6}$`);

// A check killed before its `finally` leaves its scratch folder (the rendered output, keys included, readable only by
// its user): the next check of the same user removes those whose process is gone.
function removeStaleScratch(): void {
  const tmp = os.tmpdir();
  const uid = process.getuid?.();
  for (const name of fs.readdirSync(tmp)) {
    const m = SCRATCH_NAME.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      const stat = fs.lstatSync(path.join(tmp, name));
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    }
  }
}

/** A file of a tree: its bytes and permission bits, or, for anything but a regular file, what it is. */
interface TreeEntry {
  readonly bytes?: Buffer;
  readonly mode: number;
  readonly other?: string;
}

// Every entry below `root` but folders, by relative `/`-separated path. Symlinks are not followed: synth writes none,
// so one in the output is a difference, whatever it points at.
function readTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const walk = (dir: string, prefix: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) {
        walk(abs, rel);
      } else {
        const mode = fs.lstatSync(abs).mode & 0o777;
        out.set(rel, e.isFile() ? { bytes: fs.readFileSync(abs), mode } : { mode, other: e.isSymbolicLink() ? 'a symlink' : 'not a regular file' });
      }
    }
  };
  walk(root, '');
  return out;
}

function compareTrees(expected: Map<string, TreeEntry>, actual: Map<string, TreeEntry>): SynthDifference[] {
  const differences: SynthDifference[] = [];
  const octal = (m: number) => `0${m.toString(8).padStart(3, '0')}`;
  for (const [file, want] of expected) {
    const have = actual.get(file);
    if (!have) {
      differences.push({ path: file, kind: SynthDifferenceKind.ADDED });
      continue;
    }
    if (have.other) {
      differences.push({ path: file, kind: SynthDifferenceKind.CHANGED, detail: `${have.other}, synth writes a file` });
      continue;
    }
    const details: string[] = [];
    if (!have.bytes?.equals(want.bytes ?? Buffer.alloc(0))) details.push('content');
    if (have.mode !== want.mode) details.push(`mode ${octal(have.mode)}, synth writes ${octal(want.mode)}`);
    if (details.length > 0) differences.push({ path: file, kind: SynthDifferenceKind.CHANGED, detail: details.join('; ') });
  }
  for (const file of actual.keys()) {
    if (!expected.has(file)) differences.push({ path: file, kind: SynthDifferenceKind.REMOVED });
  }
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
