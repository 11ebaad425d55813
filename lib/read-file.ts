// Bounded reads of the files and standard input the tool is given (config, PEM files, manifests, JSON documents).
// Internal: not exported from lib/index.ts.
//
// A path a user passes may name anything: /dev/zero or a FIFO (a read never ends), /dev/stdin, a socket, a folder,
// a multi-gigabyte log. Every input is therefore read here: the path is checked with stat before it is opened (so a
// device is never opened), opened without blocking (a FIFO swapped in after the stat does not hang the open),
// checked again on the open descriptor, and read up to the cap plus one byte, so a file whose size stat reports as 0
// (/proc files) is still bounded. Failures come back as words for a message, never as exceptions.
import * as fs from 'node:fs';
import { errnoMeaning } from './errno';

/**
 * The largest config file read. The 1,000-environment config of bench/fleet.ts, every environment spelt out, is about
 * 450 KB: the cap leaves room for some 35,000 such environments, and stops a path that names a log or an image.
 */
export const MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024;

/** The largest manifest or JSON document read (kubectl or az output): a Secret or a Service is a few KiB. */
export const MAX_INPUT_FILE_BYTES = 4 * 1024 * 1024;

/** Why a read failed, for the caller's message and finding code. */
export enum ReadFailureKind {
  /** The path does not exist (ENOENT, or a path through a file: ENOTDIR). */
  MISSING = 'missing',
  /** A folder, FIFO, device or socket: not a regular file. */
  NOT_A_FILE = 'not-a-file',
  /** Over the cap. */
  TOO_LARGE = 'too-large',
  /** The system refused: permissions, a symlink loop, an I/O error. */
  UNREADABLE = 'unreadable',
}

/** A failed read: what kind of failure, and the words for it (after the file's name). */
export interface ReadFailure {
  readonly kind: ReadFailureKind;
  /** E.g. `does not exist`, `is a FIFO (named pipe), not a regular file`, `is 20971520 bytes, over the 16 MiB ...`. */
  readonly message: string;
  /** For {@link ReadFailureKind.NOT_A_FILE}: what the path is (`a folder`, `a FIFO (named pipe)`, ...). */
  readonly type?: string;
  /** For {@link ReadFailureKind.TOO_LARGE}: the size stat reported, or undefined when the read found the excess. */
  readonly size?: number;
  /** The errno code when the system refused (ENOENT, EACCES, ...). */
  readonly code?: string;
}

/** The bytes read, or why not. */
export type BoundedBytes = { readonly bytes: Buffer; readonly failure?: undefined } | { readonly bytes?: undefined; readonly failure: ReadFailure };

/** The text read (UTF-8), or why not. */
export type BoundedText = { readonly text: string; readonly failure?: undefined } | { readonly text?: undefined; readonly failure: ReadFailure };

/** Options of the bounded reads. */
export interface BoundedReadOptions {
  /** The most bytes accepted; one more is read to tell a file of exactly this size from a bigger one. */
  readonly maxBytes: number;
  /** What the input is, for the too-large message: `a config file`, `a Secret manifest`. */
  readonly what: string;
}

/** What a stat says a path is, when it is not a regular file. */
function typeOf(stat: fs.Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Plain words for an errno code. */
export function ioFailure(e: unknown): ReadFailure {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: ReadFailureKind.MISSING, message: 'does not exist', code };
    case 'EISDIR':
      return { kind: ReadFailureKind.NOT_A_FILE, message: 'is a folder, not a regular file', type: 'a folder', code };
    case 'EACCES':
    case 'EPERM':
      return { kind: ReadFailureKind.UNREADABLE, message: `cannot be read: permission denied (${code})`, code };
    case 'ELOOP':
      return { kind: ReadFailureKind.UNREADABLE, message: 'cannot be read: it is a loop of symbolic links (ELOOP)', code };
    case 'EIO':
      return { kind: ReadFailureKind.UNREADABLE, message: 'cannot be read: input/output error (EIO)', code };
    case 'ENAMETOOLONG':
      return { kind: ReadFailureKind.MISSING, message: 'does not exist: the path is too long (ENAMETOOLONG)', code };
    default: {
      // Codes with no read-specific wording take the words of the shared errno table (EMFILE, EBUSY, ...).
      const meaning = code === undefined ? undefined : errnoMeaning(code);
      if (meaning) return { kind: ReadFailureKind.UNREADABLE, message: `cannot be read: ${meaning} (${code})`, code };
      return { kind: ReadFailureKind.UNREADABLE, message: `cannot be read (${code ?? ((e as Error | undefined)?.message ?? 'error')})`, code };
    }
  }
}

const MIB = 1024 * 1024;
const sizeWords = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`);

/** The failure of an input over the cap; `size` when known (stat), else it is said to have more. */
export function tooLarge(options: BoundedReadOptions, size?: number): ReadFailure {
  const limit = `${options.what} is at most ${sizeWords(options.maxBytes)}`;
  return {
    kind: ReadFailureKind.TOO_LARGE,
    message: size === undefined ? `has more than ${options.maxBytes} bytes; ${limit}` : `is ${size} bytes; ${limit}`,
    size,
  };
}

/**
 * Why `file` cannot be read as an input, from its metadata only (nothing is opened): missing, not a regular file,
 * or (with `maxBytes`) over the cap. Undefined when it looks readable.
 */
export function fileProblem(file: string, options?: BoundedReadOptions): ReadFailure | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    return ioFailure(e);
  }
  const type = typeOf(stat);
  if (type) return { kind: ReadFailureKind.NOT_A_FILE, message: `is ${type}, not a regular file`, type };
  if (options && stat.size > options.maxBytes) return tooLarge(options, stat.size);
  return undefined;
}

// O_NONBLOCK: opening a FIFO for reading waits for a writer; with it the open returns and the fstat refuses it.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** Reads at most `maxBytes` bytes of a regular file, refusing anything else (see the file comment). */
export function readFileBounded(file: string, options: BoundedReadOptions): BoundedBytes {
  const before = fileProblem(file, options);
  if (before) return { failure: before };
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    return { failure: ioFailure(e) };
  }
  try {
    // The path may have been replaced between the stat and the open: what counts is what was opened.
    const stat = fs.fstatSync(fd);
    const type = typeOf(stat);
    if (type) return { failure: { kind: ReadFailureKind.NOT_A_FILE, message: `is ${type}, not a regular file`, type } };
    if (stat.size > options.maxBytes) return { failure: tooLarge(options, stat.size) };
    return readFd(fd, options);
  } catch (e) {
    return { failure: ioFailure(e) };
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link readFileBounded}, decoded as UTF-8 (as `fs.readFileSync(file, 'utf8')` does). */
export function readTextFileBounded(file: string, options: BoundedReadOptions): BoundedText {
  const r = readFileBounded(file, options);
  return r.failure ? { failure: r.failure } : { text: r.bytes.toString('utf8') };
}

/**
 * Reads standard input (or another descriptor) to its end, at most `maxBytes` bytes: reading stops at the first byte
 * over the cap, so `< /dev/zero` or an endless pipe ends with a failure instead of filling the memory.
 */
export function readStdinBounded(options: BoundedReadOptions, fd = 0): BoundedBytes {
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isFile() && stat.size > options.maxBytes) return { failure: tooLarge(options, stat.size) };
    return readFd(fd, options);
  } catch (e) {
    return { failure: ioFailure(e) };
  }
}

/** {@link readStdinBounded}, decoded as UTF-8. */
export function readStdinTextBounded(options: BoundedReadOptions, fd = 0): BoundedText {
  const r = readStdinBounded(options, fd);
  return r.failure ? { failure: r.failure } : { text: r.bytes.toString('utf8') };
}

const CHUNK_BYTES = 64 * 1024;

// Reads `fd` to its end or to one byte over the cap, whichever comes first. A pipe set to non-blocking mode by
// whoever shares it answers EAGAIN when it is momentarily empty: wait briefly and read again.
function readFd(fd: number, options: BoundedReadOptions): BoundedBytes {
  const chunks: Buffer[] = [];
  let total = 0;
  const limit = options.maxBytes + 1;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, limit - total));
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > options.maxBytes) return { failure: tooLarge(options) };
  }
  return { bytes: Buffer.concat(chunks, total) };
}
