import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeFsError, OUTPUT_MARKER, OutputWriteError, replaceDirAtomically } from '../../lib/output';

// Issue #12 item 6: the output swap is crash-safe, its temp folders are private and cleaned by the next run, and
// every message says truly where the output stands. The kill -9 case through the CLI is in test/cli/crash.test.ts.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-swap-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A previous output: the marker and one file. */
function previousOutput(at: string, content = 'old'): void {
  fs.mkdirSync(at, { recursive: true });
  fs.writeFileSync(path.join(at, OUTPUT_MARKER), 'marker');
  fs.writeFileSync(path.join(at, 'file.txt'), content);
}

const fill = (content: string) => (tmp: string) => fs.writeFileSync(path.join(tmp, 'file.txt'), content);
const siblings = () => fs.readdirSync(dir).sort();

describe('replaceDirAtomically', () => {
  test('fills a private (0700) temp folder, leaves the output 0755 and nothing beside it', () => {
    const out = path.join(dir, 'dist');
    previousOutput(out);
    let modeWhileFilling = 0;
    const result = replaceDirAtomically(out, (tmp) => {
      modeWhileFilling = fs.statSync(tmp).mode & 0o777;
      fill('new')(tmp);
    });
    expect(modeWhileFilling).toBe(0o700);
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('new');
    expect(result.notes).toEqual([]);
    expect(siblings()).toEqual(['dist']);
  });

  test('removes the temp folders an interrupted run left (kill -9 while filling, or after the swap)', () => {
    const out = path.join(dir, 'dist');
    previousOutput(out);
    fs.mkdirSync(path.join(dir, 'dist.tmp-AbC123'));
    fs.writeFileSync(path.join(dir, 'dist.tmp-AbC123', 'key.pem'), 'plaintext key of a killed run');
    previousOutput(path.join(dir, 'dist.tmp-XyZ789-old'));
    // Not ours: other names beside the output stay.
    fs.mkdirSync(path.join(dir, 'dist.tmp-notours'));
    fs.mkdirSync(path.join(dir, 'other.tmp-AbC123'));
    const result = replaceDirAtomically(out, fill('new'));
    expect(siblings()).toEqual(['dist', 'dist.tmp-notours', 'other.tmp-AbC123']);
    expect(result.notes.sort()).toEqual([
      `removed ${path.join(dir, 'dist.tmp-AbC123')}, left by an interrupted synth`,
      `removed ${path.join(dir, 'dist.tmp-XyZ789-old')}, left by an interrupted synth`,
    ]);
  });

  test('killed between the two renames (the output is missing): the previous output is put back first', () => {
    const out = path.join(dir, 'dist');
    previousOutput(path.join(dir, 'dist.tmp-Old111-old'), 'previous');
    // A run that then fails leaves the restored previous output, not a missing folder.
    expect(() => replaceDirAtomically(out, () => {
      throw new Error('invalid input');
    })).toThrow('invalid input');
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('previous');
    expect(siblings()).toEqual(['dist']);
    const result = replaceDirAtomically(out, fill('new'));
    expect(result.notes).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('new');
  });

  test('reports the restore it made', () => {
    const out = path.join(dir, 'dist');
    previousOutput(path.join(dir, 'dist.tmp-Old111-old'), 'previous');
    const result = replaceDirAtomically(out, fill('new'));
    expect(result.notes).toEqual([`${out} was missing (a synth was interrupted while replacing it): restored the previous output from ${path.join(dir, 'dist.tmp-Old111-old')}`]);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('new');
  });

  test('the final rename fails: the previous output is put back and the message says so', () => {
    const out = path.join(dir, 'dist');
    previousOutput(out, 'previous');
    let calls = 0;
    const rename = (from: string, to: string) => {
      calls++;
      if (calls === 2) throw Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES', syscall: 'rename' });
      fs.renameSync(from, to);
    };
    let error: unknown;
    try {
      replaceDirAtomically(out, fill('new'), rename);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as OutputWriteError).message).toBe(`cannot move the new output into ${out}: permission denied (EACCES)`);
    expect((error as OutputWriteError).outcome).toBe(`nothing was written; ${out} was put back as it was`);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('previous');
    expect(siblings()).toEqual(['dist']);
  });

  test('the final rename and the restore fail: the message says where both outputs are, and the next run mends it', () => {
    const out = path.join(dir, 'dist');
    previousOutput(out, 'previous');
    let calls = 0;
    const rename = (from: string, to: string) => {
      calls++;
      if (calls >= 2) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO', syscall: 'rename' });
      fs.renameSync(from, to);
    };
    let error: OutputWriteError | undefined;
    try {
      replaceDirAtomically(out, fill('new'), rename);
    } catch (e) {
      error = e as OutputWriteError;
    }
    expect(error?.message).toBe(`cannot move the new output into ${out}: an input/output error (the disk or the network file system failed) (EIO)`);
    expect(error?.outcome).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is missing: the previous output is in .*dist\\.tmp-\\w{6}-old and the new one in .*dist\\.tmp-\\w{6} \\(rename one of them to dist; the next synth puts the previous one back\\)$`));
    expect(fs.existsSync(out)).toBe(false);
    const result = replaceDirAtomically(out, fill('newer'));
    expect(result.notes).toHaveLength(2);
    expect(result.notes[0]).toMatch(/was missing .*restored the previous output/);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('newer');
    expect(siblings()).toEqual(['dist']);
  });

  test('moving the previous output aside fails (a read-only parent): nothing is replaced, no temp folder stays', () => {
    const out = path.join(dir, 'dist');
    previousOutput(out, 'previous');
    const rename = () => {
      throw Object.assign(new Error('EROFS: read-only file system, rename'), { code: 'EROFS', syscall: 'rename' });
    };
    expect(() => replaceDirAtomically(out, fill('new'), rename)).toThrow(`cannot move ${out} aside to replace it: read-only file system (EROFS)`);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('previous');
    expect(siblings()).toEqual(['dist']);
  });

  test('a concurrent run holding the lock is refused; a lock whose process is gone is taken over', () => {
    const out = path.join(dir, 'dist');
    previousOutput(out, 'previous');
    // The parent of this test process is alive.
    fs.writeFileSync(`${out}.lock`, `${process.ppid}\n`);
    let error: OutputWriteError | undefined;
    try {
      replaceDirAtomically(out, fill('new'));
    } catch (e) {
      error = e as OutputWriteError;
    }
    expect(error?.message).toBe(`another synth (pid ${process.ppid}) is writing ${out}: wait for it to finish (if no synth runs, delete ${out}.lock)`);
    expect(error?.outcome).toBe(`nothing was written; ${out} is unchanged`);
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('previous');
    // A pid no process has (above Linux's pid_max): the lock is stale.
    fs.writeFileSync(`${out}.lock`, '4194305\n');
    replaceDirAtomically(out, fill('new'));
    expect(fs.readFileSync(path.join(out, 'file.txt'), 'utf8')).toBe('new');
    expect(siblings()).toEqual(['dist']);
  });
});

describe('describeFsError', () => {
  test('names the operation, the path, the meaning and a fix', () => {
    const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/x/dist.tmp-1/a.yaml' });
    expect(describeFsError(e)).toBe('cannot write /x/dist.tmp-1/a.yaml: the disk is full (ENOSPC) (fix: free some disk space, then run again)');
    const notDir = Object.assign(new Error('ENOTDIR: not a directory, open'), { code: 'ENOTDIR', syscall: 'open', path: '/x/file/y' });
    expect(describeFsError(notDir)).toBe('cannot open /x/file/y: a parent is a file, not a folder (ENOTDIR) (fix: a folder on the way to /x/file/y is a file: move that file away, or choose another path)');
    expect(describeFsError(new Error('plain'))).toBeUndefined();
    expect(describeFsError('text')).toBeUndefined();
  });
});
