import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file to write: a path relative to the output root, its text and its mode. */
export interface OutputFile {
  /** Relative path below the root, `/`-separated. */
  readonly path: string;
  /** The content. */
  readonly content: string;
  /**
   * File mode.
   * @default 0o644
   */
  readonly mode?: number;
}

/**
 * Replaces `outDir` with a fresh tree, atomically as far as the file system allows: everything is written to a
 * sibling temp folder first, which then takes `outDir`'s place. If `fill` throws, `outDir` is left exactly as it was.
 */
export function replaceDirAtomically(outDir: string, fill: (tmpDir: string) => void): void {
  const abs = path.resolve(outDir);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tmp = fs.mkdtempSync(`${abs}.tmp-`);
  try {
    fill(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${tmp}-old`;
  if (fs.existsSync(abs)) fs.renameSync(abs, old);
  fs.renameSync(tmp, abs);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Writes files below `root`, creating folders, with their modes (also on existing files). */
export function writeFiles(root: string, files: readonly OutputFile[]): void {
  const made = new Set<string>();
  for (const f of files) {
    const target = path.join(root, ...f.path.split('/'));
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
    fs.chmodSync(target, f.mode ?? 0o644);
  }
}

/** Writes a file holding key material with mode 0600 (also when it existed with another mode). */
export function writeSecretFile(file: string, content: string): void {
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
