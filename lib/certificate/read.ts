import { readFileBounded, ReadFailure, ReadFailureKind } from '../read-file';
import { Finding, Severity } from './findings';

/** The largest PEM file read for validation (a certificate chain is a few KiB). */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/**
 * Reads a PEM file for validation. Never throws: a missing file, a folder, a FIFO or device, an unreadable file or a
 * file over {@link MAX_PEM_FILE_BYTES} (checked before reading, and the read stops one byte over it) becomes a
 * finding naming the path.
 *
 * @param path the file to read
 * @param role which file it is, for messages
 */
export function readPemFile(path: string, role: 'certificate' | 'key'): { readonly bytes?: Buffer; readonly findings: Finding[] } {
  const what = role === 'certificate' ? 'certificate file' : 'key file';
  const expected = role === 'certificate'
    ? 'the PEM certificate chain (leaf first)'
    : 'the unencrypted PEM private key';
  const read = readFileBounded(path, { maxBytes: MAX_PEM_FILE_BYTES, what: `a PEM ${role === 'certificate' ? 'chain' : 'key'}` });
  if (read.failure) return { findings: [pemFinding(read.failure, path, what, role, expected)] };
  return { bytes: read.bytes, findings: [] };
}

/** The finding of a failed PEM read; the words of a folder and of a size stay those this module always used. */
export function pemFinding(failure: ReadFailure, path: string, what: string, role: 'certificate' | 'key', expected: string): Finding {
  switch (failure.kind) {
    case ReadFailureKind.MISSING:
      return { severity: Severity.ERROR, code: 'file-not-found', message: `${what} ${path} ${failure.message}`, fix: `check the path: give ${expected}` };
    case ReadFailureKind.NOT_A_FILE:
      return {
        severity: Severity.ERROR,
        code: 'file-not-found',
        message: `${what} ${path} is ${failure.type === 'a folder' ? 'a directory' : `${failure.type}, not a regular file`}`,
        fix: `give the path of ${expected}`,
      };
    case ReadFailureKind.TOO_LARGE:
      return {
        severity: Severity.ERROR,
        code: 'file-too-large',
        message: `${what} ${path} ${failure.size === undefined ? `has more than ${MAX_PEM_FILE_BYTES} bytes` : `is ${failure.size} bytes`}; a PEM ${role === 'certificate' ? 'chain' : 'key'} is a few KiB (at most ${MAX_PEM_FILE_BYTES} bytes are read)`,
        fix: `check the path: give ${expected}`,
      };
    case ReadFailureKind.UNREADABLE:
      return {
        severity: Severity.ERROR,
        code: 'file-unreadable',
        message: `${what} ${path} ${failure.message}`,
        fix: 'check the file\'s permissions: it must be readable by the user running this tool',
      };
  }
}
