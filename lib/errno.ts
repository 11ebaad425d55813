import * as path from 'node:path';

/*
 * Plain words for the errno codes of file-system errors, and what to do about them: one table for every message of
 * this tool that reports a failed write, a failed swap of the output or any other file-system error.
 */

/** The plain reason for an errno code, or undefined for codes without one. */
export function errnoMeaning(code: string): string | undefined {
  return REASONS[code];
}

const REASONS: { readonly [code: string]: string } = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'its folder does not exist',
  EEXIST: 'a file of the same name appeared while writing',
  ELOOP: 'too many symbolic links in its path',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'an input/output error (the disk or the network file system failed)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EXDEV: 'the temp file and the target are on different file systems',
  EBUSY: 'it is busy (in use, or a mount point)',
  ENOTEMPTY: 'the folder is not empty',
};

/** What to do about errno `code` met at `file`, or undefined for codes without a known fix. */
export function errnoFix(code: string, file: string): string | undefined {
  const dir = path.dirname(file);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some disk space, then run again';
    case 'EACCES':
    case 'EPERM':
      return `make ${dir} writable for this user (see ls -ld ${dir}), then run again`;
    case 'EROFS':
      return 'use a folder on a writable file system (or remount it read-write), then run again';
    case 'ENOTDIR':
      return `a folder on the way to ${file} is a file: move that file away, or choose another path`;
    case 'ENOENT':
      return `create ${dir}, or choose another path`;
    case 'EISDIR':
      return `move the folder ${file} away: a file is written in its place`;
    case 'EEXIST':
      return `run again; if it happens again, another program keeps creating files in ${dir}`;
    case 'EIO':
      return 'check the disk (or the network file system), then run again';
    case 'EMFILE':
    case 'ENFILE':
      return 'raise the open-file limit (ulimit -n), then run again';
    default:
      return undefined;
  }
}

/** A file-system error as a plain reason: what its errno code means, then the code; else its message. No stack. */
export function errnoReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') return `${errnoMeaning(err.code) ?? err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(e);
}
