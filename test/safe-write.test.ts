import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSecretFile } from '../lib/output';
import { FileWriteError, makeDirectory, setModeNoFollow, writeFileAtomic } from '../lib/safe-write';

// A failure the system would give (a full disk, a denied permission) is injected into one fs call: every other call
// is the real one. As root, modes do not stop writes, so this is how those paths are reached on any machine.
let mockFailure: { readonly call: string; readonly code: string; times?: number } | undefined;
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  const failing = (call: string) => (...args: unknown[]) => {
    if (mockFailure?.call === call && mockFailure.times !== 0) {
      if (mockFailure.times !== undefined) mockFailure.times--;
      throw Object.assign(new Error(`${mockFailure.code}: injected, ${call}`), { code: mockFailure.code, syscall: call });
    }
    return (actual[call as keyof typeof actual] as (...a: unknown[]) => unknown)(...args);
  };
  return { ...actual, openSync: failing('openSync'), writeSync: failing('writeSync'), fsyncSync: failing('fsyncSync'), renameSync: failing('renameSync'), mkdirSync: failing('mkdirSync') };
});

const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-safe-write-'));
  dirs.push(dir);
  return dir;
}
const modeOf = (file: string) => fs.lstatSync(file).mode & 0o777;

afterEach(() => {
  mockFailure = undefined;
  for (const d of dirs.splice(0)) {
    fs.chmodSync(d, 0o700);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

describe('writeFileAtomic', () => {
  test('writes a new file with exactly the mode asked for, whatever the umask', () => {
    // GIVEN a umask that would clear the owner's write bit
    const dir = tmp();
    const before = process.umask(0o277);
    try {
      // WHEN
      writeFileAtomic(path.join(dir, 'ca.pem'), 'certificate text\n', { mode: 0o644 });
    } finally {
      process.umask(before);
    }
    // THEN
    expect(fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8')).toBe('certificate text\n');
    expect(modeOf(path.join(dir, 'ca.pem'))).toBe(0o644);
    expect(fs.readdirSync(dir)).toEqual(['ca.pem']);
  });

  test('replaces a symbolic link planted at the target with a regular 0600 file, leaving the link\'s target untouched', () => {
    // GIVEN a link at key.pem to a file the user cares about
    const dir = tmp();
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious\n', { mode: 0o644 });
    const key = path.join(dir, 'key.pem');
    fs.symlinkSync(victim, key);
    // WHEN
    writeFileAtomic(key, 'key text\n', { mode: 0o600 });
    // THEN the link itself is gone, replaced by the key; the victim is as it was
    expect(fs.lstatSync(key).isFile()).toBe(true);
    expect(modeOf(key)).toBe(0o600);
    expect(fs.readFileSync(key, 'utf8')).toBe('key text\n');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(modeOf(victim)).toBe(0o644);
  });

  test('replaces a dangling symbolic link without creating its target', () => {
    const dir = tmp();
    const key = path.join(dir, 'key.pem');
    fs.symlinkSync(path.join(dir, 'elsewhere', 'planted.pem'), key);
    writeFileAtomic(key, 'key text\n', { mode: 0o600 });
    expect(fs.lstatSync(key).isFile()).toBe(true);
    expect(fs.existsSync(path.join(dir, 'elsewhere'))).toBe(false);
  });

  test('replaces an existing 0644 file: the new content with mode 0600', () => {
    const dir = tmp();
    const key = path.join(dir, 'key.pem');
    fs.writeFileSync(key, 'old\n', { mode: 0o644 });
    fs.chmodSync(key, 0o644);
    writeFileAtomic(key, 'new\n', { mode: 0o600 });
    expect(fs.readFileSync(key, 'utf8')).toBe('new\n');
    expect(modeOf(key)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['key.pem']);
  });

  test('writes latin1 text byte for byte when asked', () => {
    const dir = tmp();
    writeFileAtomic(path.join(dir, 'f'), '\u00e9\u00ff', { mode: 0o644, encoding: 'latin1' });
    expect([...fs.readFileSync(path.join(dir, 'f'))]).toEqual([0xe9, 0xff]);
  });

  test('refuses a target that is a folder, with a true message, and changes nothing', () => {
    const dir = tmp();
    const target = path.join(dir, 'key.pem');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'kept');
    expect(() => writeFileAtomic(target, 'key text\n', { mode: 0o600 })).toThrow(
      `cannot write ${target}: it is a folder, not a file (EISDIR), so nothing was changed (fix: move the folder ${target} away: a file is written in its place)`);
    expect(fs.readFileSync(path.join(target, 'inside'), 'utf8')).toBe('kept');
    expect(fs.readdirSync(dir)).toEqual(['key.pem']);
  });

  (asRoot ? test.skip : test)('in a read-only folder: a clear error, the old file kept and no temp file left (skipped as root: root ignores modes)', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'key.pem'), 'old\n');
    fs.chmodSync(dir, 0o500);
    expect(() => writeFileAtomic(path.join(dir, 'key.pem'), 'new\n', { mode: 0o600 }))
      .toThrow(`cannot write ${path.join(dir, 'key.pem')}: permission denied (EACCES), so nothing was changed (fix: make ${dir} writable for this user (see ls -ld ${dir}), then run again)`);
    fs.chmodSync(dir, 0o700);
    expect(fs.readdirSync(dir)).toEqual(['key.pem']);
    expect(fs.readFileSync(path.join(dir, 'key.pem'), 'utf8')).toBe('old\n');
  });

  test.each([
    ['openSync', 'EACCES', 'permission denied (EACCES)', 'make DIR writable for this user (see ls -ld DIR), then run again'],
    ['openSync', 'EROFS', 'read-only file system (EROFS)', 'use a folder on a writable file system (or remount it read-write), then run again'],
    ['writeSync', 'ENOSPC', 'the disk is full (ENOSPC)', 'free some disk space, then run again'],
    ['fsyncSync', 'EIO', 'an input/output error (the disk or the network file system failed) (EIO)', 'check the disk (or the network file system), then run again'],
    ['renameSync', 'EPERM', 'permission denied (EPERM)', 'make DIR writable for this user (see ls -ld DIR), then run again'],
  ])('a failing %s (%s) is one line naming the file, the reason and a fix; the old file is kept and no temp file is left', (call, code, reason, fix) => {
    // GIVEN an existing key file
    const dir = tmp();
    const key = path.join(dir, 'key.pem');
    fs.writeFileSync(key, 'old\n', { mode: 0o600 });
    // WHEN the system fails that call
    mockFailure = { call, code };
    let error: unknown;
    try {
      writeFileAtomic(key, 'new key text\n', { mode: 0o600 });
    } catch (e) {
      error = e;
    }
    mockFailure = undefined;
    // THEN
    expect(error).toBeInstanceOf(FileWriteError);
    expect((error as Error).message).toBe(`cannot write ${key}: ${reason}, so nothing was changed (fix: ${fix.replace(/DIR/g, dir)})`);
    expect((error as Error).message).not.toContain('new key text');
    expect((error as FileWriteError).errorCode).toBe(code);
    expect(fs.readdirSync(dir)).toEqual(['key.pem']);
    expect(fs.readFileSync(key, 'utf8')).toBe('old\n');
  });

  test('a temp name that is taken is never opened: another name is tried', () => {
    // The first exclusive create finds its name taken (EEXIST), as if something was planted there.
    const dir = tmp();
    mockFailure = { call: 'openSync', code: 'EEXIST', times: 1 };
    writeFileAtomic(path.join(dir, 'key.pem'), 'key\n', { mode: 0o600 });
    expect(mockFailure.times).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'key.pem'), 'utf8')).toBe('key\n');
    expect(fs.readdirSync(dir)).toEqual(['key.pem']);
  });

  test('gives up after a few taken temp names, saying so', () => {
    const dir = tmp();
    const key = path.join(dir, 'key.pem');
    mockFailure = { call: 'openSync', code: 'EEXIST' };
    expect(() => writeFileAtomic(key, 'key\n', { mode: 0o600 })).toThrow(`cannot write ${key}: a file of the same name appeared while writing (EEXIST), so nothing was changed (fix: run again; if it happens again, another program keeps creating files in ${dir})`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('writeSecretFile (protected settings, keys)', () => {
  test('replaces a planted symbolic link with a 0600 file instead of writing through it', () => {
    const dir = tmp();
    const victim = path.join(dir, 'victim.json');
    fs.writeFileSync(victim, '{}\n');
    const file = path.join(dir, 'dev.protected-settings.json');
    fs.symlinkSync(victim, file);
    writeSecretFile(file, '{"sslKeyPemFile":"..."}\n');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readFileSync(victim, 'utf8')).toBe('{}\n');
  });

  test('an existing 0644 file becomes 0600', () => {
    const dir = tmp();
    const file = path.join(dir, 'key.pem');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o644);
    writeSecretFile(file, 'new');
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
  });
});

describe('makeDirectory', () => {
  test('creates missing parents with the mode', () => {
    const dir = tmp();
    makeDirectory(path.join(dir, 'a', 'b'), 0o700);
    expect(modeOf(path.join(dir, 'a', 'b'))).toBe(0o700);
  });

  test('a file in the way is named with a fix', () => {
    const dir = tmp();
    const file = path.join(dir, 'certs');
    fs.writeFileSync(file, 'x');
    expect(() => makeDirectory(file, 0o700)).toThrow(`cannot create the folder ${file}: a file is in the way (EEXIST), so nothing was changed (fix: move the file ${file} away, or choose another folder)`);
  });

  test('a file as a parent is named with a fix', () => {
    const dir = tmp();
    const file = path.join(dir, 'certs');
    fs.writeFileSync(file, 'x');
    const target = path.join(file, 'sub');
    expect(() => makeDirectory(target, 0o700)).toThrow(`cannot create the folder ${target}: a parent is a file, not a folder (ENOTDIR), so nothing was changed (fix: a folder on the way to ${target} is a file: move that file away, or choose another path)`);
  });

  test('a full disk is named with a fix', () => {
    const target = path.join(tmp(), 'state');
    mockFailure = { call: 'mkdirSync', code: 'ENOSPC' };
    expect(() => makeDirectory(target, 0o700)).toThrow(`cannot create the folder ${target}: the disk is full (ENOSPC), so nothing was changed (fix: free some disk space, then run again)`);
  });
});

describe('setModeNoFollow', () => {
  test('sets a regular file\'s mode', () => {
    const file = path.join(tmp(), 'key.pem');
    fs.writeFileSync(file, 'k', { mode: 0o644 });
    setModeNoFollow(file, 0o600);
    expect(modeOf(file)).toBe(0o600);
  });

  test('refuses to follow a symbolic link, leaving its target\'s mode alone', () => {
    const dir = tmp();
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'v');
    fs.chmodSync(victim, 0o644);
    const link = path.join(dir, 'key.pem');
    fs.symlinkSync(victim, link);
    expect(() => setModeNoFollow(link, 0o600)).toThrow(`cannot set the mode of ${link}: too many symbolic links in its path (ELOOP), so nothing was changed`);
    expect(modeOf(victim)).toBe(0o644);
  });
});
