import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileProblem, ioFailure, readFileBounded, readStdinBounded, readTextFileBounded, ReadFailureKind } from '../../lib/read-file';
import { onPath } from '../helpers/tools';

// lib/read-file.ts: every input the tool reads goes through these, so a path naming a device, a FIFO or a huge file
// is refused in words, before (or while) reading, never by hanging or filling the memory.
describe('bounded reads', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-read-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const bounds = { maxBytes: 1024, what: 'a test input' };

  test('reads a regular file, up to exactly the cap', () => {
    const file = path.join(dir, 'a.txt');
    fs.writeFileSync(file, 'é'.repeat(512));
    expect(readTextFileBounded(file, bounds)).toEqual({ text: 'é'.repeat(512) });
    expect(readFileBounded(file, bounds).bytes).toHaveLength(1024);
  });

  test('refuses a file over the cap from its size, without reading it', () => {
    // GIVEN a sparse file of 1 GiB (made instantly)
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1024 * 1024 * 1024);
    // WHEN / THEN
    expect(readTextFileBounded(big, { maxBytes: 16 * 1024 * 1024, what: 'a config file' }).failure)
      .toEqual({ kind: ReadFailureKind.TOO_LARGE, message: 'is 1073741824 bytes; a config file is at most 16 MiB', size: 1073741824 });
    expect(fileProblem(big, bounds)?.kind).toBe(ReadFailureKind.TOO_LARGE);
  });

  test('stops one byte over the cap when the size says 0 (a /proc file)', () => {
    const proc = '/proc/self/maps';
    if (!fs.existsSync(proc) || fs.statSync(proc).size !== 0) {
      console.log(`skipped: no ${proc} of size 0 on this system`);
      return;
    }
    expect(readFileBounded(proc, { maxBytes: 10, what: 'a test input' }).failure).toEqual({ kind: ReadFailureKind.TOO_LARGE, message: 'has more than 10 bytes; a test input is at most 10 bytes', size: undefined });
  });

  test('refuses a character device (/dev/zero) by its kind', () => {
    expect(readFileBounded('/dev/zero', bounds).failure).toEqual({ kind: ReadFailureKind.NOT_A_FILE, message: 'is a character device, not a regular file', type: 'a character device' });
  });

  test('refuses a FIFO by its kind, without opening it', () => {
    if (!onPath('mkfifo')) {
      console.log('skipped: mkfifo is not on the PATH');
      return;
    }
    const fifo = path.join(dir, 'in.fifo');
    execFileSync('mkfifo', [fifo]);
    // The stat refuses it before any open; were it opened, O_NONBLOCK keeps the open from waiting for a writer.
    expect(readFileBounded(fifo, bounds).failure).toEqual({ kind: ReadFailureKind.NOT_A_FILE, message: 'is a FIFO (named pipe), not a regular file', type: 'a FIFO (named pipe)' });
  });

  test('refuses a socket by its kind', async () => {
    const sock = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expect(readFileBounded(sock, bounds).failure).toEqual({ kind: ReadFailureKind.NOT_A_FILE, message: 'is a socket, not a regular file', type: 'a socket' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('refuses a folder', () => {
    expect(readFileBounded(dir, bounds).failure).toEqual({ kind: ReadFailureKind.NOT_A_FILE, message: 'is a folder, not a regular file', type: 'a folder' });
  });

  test('says a missing file, or a path through a file, does not exist', () => {
    expect(readFileBounded(path.join(dir, 'none'), bounds).failure).toEqual({ kind: ReadFailureKind.MISSING, message: 'does not exist', code: 'ENOENT' });
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'x');
    expect(readFileBounded(path.join(file, 'below'), bounds).failure).toEqual({ kind: ReadFailureKind.MISSING, message: 'does not exist', code: 'ENOTDIR' });
  });

  test('names a loop of symbolic links', () => {
    fs.symlinkSync(path.join(dir, 'b'), path.join(dir, 'a'));
    fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(readFileBounded(path.join(dir, 'a'), bounds).failure).toEqual({ kind: ReadFailureKind.UNREADABLE, message: 'cannot be read: it is a loop of symbolic links (ELOOP)', code: 'ELOOP' });
  });

  test('names an I/O error or a permission denied', () => {
    // Permissions do not stop root (as CI runs), but reading /proc/self/mem fails with EIO for everyone on Linux.
    if (process.getuid?.() === 0) {
      if (!fs.existsSync('/proc/self/mem')) {
        console.log('skipped: running as root without /proc/self/mem, so no file is unreadable');
        return;
      }
      expect(readFileBounded('/proc/self/mem', bounds).failure).toEqual({ kind: ReadFailureKind.UNREADABLE, message: 'cannot be read: input/output error (EIO)', code: 'EIO' });
    } else {
      const locked = path.join(dir, 'locked');
      fs.writeFileSync(locked, 'x', { mode: 0o000 });
      expect(readFileBounded(locked, bounds).failure).toEqual({ kind: ReadFailureKind.UNREADABLE, message: 'cannot be read: permission denied (EACCES)', code: 'EACCES' });
    }
    expect(ioFailure(Object.assign(new Error('x'), { code: 'EPERM' })).message).toBe('cannot be read: permission denied (EPERM)');
    expect(ioFailure(Object.assign(new Error('x'), { code: 'EISDIR' })).message).toBe('is a folder, not a regular file');
    expect(ioFailure(Object.assign(new Error('x'), { code: 'ENAMETOOLONG' })).message).toBe('does not exist: the path is too long (ENAMETOOLONG)');
    expect(ioFailure(Object.assign(new Error('x'), { code: 'EMFILE' })).message).toBe('cannot be read: too many open files (EMFILE)');
    expect(ioFailure(Object.assign(new Error('x'), { code: 'EBADF' })).message).toBe('cannot be read (EBADF)');
  });

  test('reads standard input in chunks and stops one byte over the cap (an endless stream)', () => {
    // GIVEN /dev/zero as the descriptor standard input would be
    const fd = fs.openSync('/dev/zero', 'r');
    try {
      // WHEN / THEN
      expect(readStdinBounded({ maxBytes: 200 * 1024, what: 'a Secret manifest' }, fd).failure)
        .toEqual({ kind: ReadFailureKind.TOO_LARGE, message: 'has more than 204800 bytes; a Secret manifest is at most 204800 bytes', size: undefined });
    } finally {
      fs.closeSync(fd);
    }
  });

  test('reads standard input that is a regular file, refusing one over the cap by its size', () => {
    const file = path.join(dir, 'in.yaml');
    fs.writeFileSync(file, 'kind: Secret\n');
    const small = fs.openSync(file, 'r');
    try {
      expect(readStdinBounded(bounds, small).bytes?.toString('utf8')).toBe('kind: Secret\n');
    } finally {
      fs.closeSync(small);
    }
    fs.truncateSync(file, 4096);
    const big = fs.openSync(file, 'r');
    try {
      expect(readStdinBounded(bounds, big).failure).toEqual({ kind: ReadFailureKind.TOO_LARGE, message: 'is 4096 bytes; a test input is at most 1024 bytes', size: 4096 });
    } finally {
      fs.closeSync(big);
    }
  });
});
