import * as fs from 'node:fs';
import { Finding, Severity } from './findings';

/** The largest PEM file read for validation (a certificate chain is a few KiB). */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/**
 * Reads a PEM file for validation. Never throws: a missing file, a directory, an unreadable file or a file over
 * {@link MAX_PEM_FILE_BYTES} (checked with `fs.statSync` before reading) becomes a finding naming the path.
 *
 * @param path the file to read
 * @param role which file it is, for messages
 */
export function readPemFile(path: string, role: 'certificate' | 'key'): { readonly bytes?: Buffer; readonly findings: Finding[] } {
  const what = role === 'certificate' ? 'certificate file' : 'key file';
  const expected = role === 'certificate'
    ? 'the PEM certificate chain (leaf first)'
    : 'the unencrypted PEM private key';
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(path);
  } catch (e) {
    return { findings: [ioFinding(e, path, what, expected)] };
  }
  if (!stat.isFile()) {
    return {
      findings: [{
        severity: Severity.ERROR,
        code: 'file-not-found',
        message: `${what} ${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}`,
        fix: `give the path of ${expected}`,
      }],
    };
  }
  if (stat.size > MAX_PEM_FILE_BYTES) {
    return {
      findings: [{
        severity: Severity.ERROR,
        code: 'file-too-large',
        message: `${what} ${path} is ${stat.size} bytes; a PEM ${role === 'certificate' ? 'chain' : 'key'} is a few KiB (at most ${MAX_PEM_FILE_BYTES} bytes are read)`,
        fix: `check the path: give ${expected}`,
      }],
    };
  }
  try {
    return { bytes: fs.readFileSync(path), findings: [] };
  } catch (e) {
    return { findings: [ioFinding(e, path, what, expected)] };
  }
}

function ioFinding(e: unknown, path: string, what: string, expected: string): Finding {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return { severity: Severity.ERROR, code: 'file-not-found', message: `${what} ${path} does not exist`, fix: `check the path: give ${expected}` };
  }
  return {
    severity: Severity.ERROR,
    code: 'file-unreadable',
    message: `${what} ${path} cannot be read (${code ?? 'error'})`,
    fix: `check the file's permissions: it must be readable by the user running this tool`,
  };
}
