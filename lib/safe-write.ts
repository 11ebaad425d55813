import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoFix, errnoMeaning } from './errno';

/*
 * Writing files that may hold key material (the state folder, protected settings, dev-cert's key.pem) so that no
 * reader ever sees half a file, no planted symbolic link or existing file is ever opened for writing, and a failure
 * leaves the target as it was. Internal: not part of the public API.
 */

/** Options for {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** The file's mode, set exactly (the umask does not apply): 0o600 for key material. */
  readonly mode: number;
  /**
   * How a string content is turned into bytes.
   * @default 'utf8'
   */
  readonly encoding?: BufferEncoding;
}

/**
 * A file or folder could not be written. `message` is one line naming the path, a plain reason and a fix, never the
 * content. The target is as it was before the call.
 */
export class FileWriteError extends Error {
  /** The file or folder that could not be written. */
  public readonly file: string;
  /** The errno code (`ENOSPC`, `EACCES`, ...), when the system gave one. */
  public readonly errorCode?: string;
  /** What went wrong, in plain words. */
  public readonly reason: string;
  /** What to do about it. */
  public readonly fix: string;

  constructor(file: string, what: string, reason: string, fix: string, errorCode?: string) {
    super(`cannot ${what} ${file}: ${reason}${errorCode ? ` (${errorCode})` : ''}, so nothing was changed (fix: ${fix})`);
    this.name = 'FileWriteError';
    this.file = file;
    this.errorCode = errorCode;
    this.reason = reason;
    this.fix = fix;
  }
}

// O_NOFOLLOW is not defined on Windows, where symbolic links need privileges to create: there the flag is left out.
const CREATE_FRESH = fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0);
/** Temp names are random; a clash (EEXIST) is retried with another name this many times. */
const CREATE_ATTEMPTS = 5;
/** Room for the temp suffix below the usual 255-byte name limit. */
const MAX_BASE_IN_TEMP_NAME = 200;

/**
 * Writes `content` to `file` atomically: into a fresh temp file in the same folder (exclusive create without following
 * symbolic links, so neither a planted link nor an existing file is ever opened), with `mode` set at creation, synced
 * to disk, then renamed over `file`. A rename replaces a symbolic link at `file` itself, never the link's target. The
 * folder must exist.
 *
 * A reader sees the old file or the new one, never a part; after a crash the file is the old one or the new one.
 * @throws FileWriteError naming the file, a plain reason and a fix; the target is left as it was and no temp file remains
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, options: WriteFileAtomicOptions): void {
  const target = path.resolve(file);
  const existing = lstatOrUndefined(target);
  if (existing?.isDirectory()) {
    throw new FileWriteError(target, 'write', 'it is a folder, not a file', `move the folder ${target} away: a file is written in its place`, 'EISDIR');
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, options.encoding ?? 'utf8') : content;
  const { fd, tmp } = createTemp(target, options.mode);
  let open = true;
  try {
    // Set the mode on the open file: the mode given to open() is reduced by the umask.
    fs.fchmodSync(fd, options.mode);
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    // On disk before the rename, so a crash cannot leave an empty file under the target's name.
    fs.fsyncSync(fd);
    open = false;
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    if (open) closeQuietly(fd);
    fs.rmSync(tmp, { force: true });
    throw writeError(target, 'write', e);
  }
}

/**
 * Creates `dir` and its missing parents with `mode` (an existing folder is left as it is).
 * @throws FileWriteError naming the folder, a plain reason and a fix
 */
export function makeDirectory(dir: string, mode: number): void {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs, { recursive: true, mode });
  } catch (e) {
    // A file where the folder should be: mkdir says EEXIST (or ENOTDIR when it is a parent).
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new FileWriteError(abs, 'create the folder', 'a file is in the way', `move the file ${abs} away, or choose another folder`, 'EEXIST');
    }
    throw writeError(abs, 'create the folder', e);
  }
}

/**
 * Sets the mode of the regular file `file` without following a symbolic link (chmod would change a link's target).
 * @throws FileWriteError naming the file, a plain reason and a fix
 */
export function setModeNoFollow(file: string, mode: number): void {
  const abs = path.resolve(file);
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    throw writeError(abs, 'set the mode of', e);
  }
  try {
    fs.fchmodSync(fd, mode);
  } catch (e) {
    throw writeError(abs, 'set the mode of', e);
  } finally {
    closeQuietly(fd);
  }
}

function writeError(file: string, what: string, e: unknown): FileWriteError {
  if (e instanceof FileWriteError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  // Without a known code the system's own message stands; it names a path at most, never content.
  const reason = (code && errnoMeaning(code)) ?? (err instanceof Error ? err.message : String(e));
  return new FileWriteError(file, what, reason, (code && errnoFix(code, file)) ?? 'remove the cause, then run again', code);
}

// A fresh temp file beside `target`, named `.<name>.<random>.tmp`. Only a file this call created is ever written or
// removed: on EEXIST the name belongs to someone else, and another one is tried.
function createTemp(target: string, mode: number): { fd: number; tmp: string } {
  const base = path.basename(target).slice(0, MAX_BASE_IN_TEMP_NAME);
  for (let attempt = 1; ; attempt++) {
    const tmp = path.join(path.dirname(target), `.${base}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    try {
      return { fd: fs.openSync(tmp, CREATE_FRESH, mode), tmp };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= CREATE_ATTEMPTS) throw writeError(target, 'write', e);
    }
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw writeError(file, 'write', e);
  }
}

// The write already failed and that error is the one reported; a failing close adds nothing to it.
function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Nothing to add: see above.
  }
}
