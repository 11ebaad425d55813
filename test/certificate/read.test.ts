import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_PEM_FILE_BYTES, readPemFile } from '../../lib/certificate/read';
import { CORPUS_DIR } from './corpus';

describe('readPemFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-pem-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('reads a file', () => {
    const r = readPemFile(path.join(CORPUS_DIR, 'leaf.pem'), 'certificate');
    expect(r.findings).toEqual([]);
    expect(r.bytes?.toString('latin1')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  test('fails if the file does not exist, naming the path', () => {
    const missing = path.join(dir, 'nope.pem');
    const r = readPemFile(missing, 'key');
    expect(r.bytes).toBeUndefined();
    expect(r.findings).toEqual([expect.objectContaining({ code: 'file-not-found', message: `key file ${missing} does not exist` })]);
  });

  test('fails if the path is a directory', () => {
    const r = readPemFile(dir, 'certificate');
    expect(r.findings).toEqual([expect.objectContaining({ code: 'file-not-found', message: `certificate file ${dir} is a directory` })]);
  });

  test('refuses a file over 1 MiB without reading it', () => {
    // GIVEN a sparse file one byte over the limit
    const big = path.join(dir, 'big.pem');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_PEM_FILE_BYTES + 1);
    // WHEN
    const r = readPemFile(big, 'certificate');
    // THEN
    expect(r.bytes).toBeUndefined();
    expect(r.findings).toEqual([expect.objectContaining({ code: 'file-too-large', message: expect.stringContaining(`${big} is ${MAX_PEM_FILE_BYTES + 1} bytes`) })]);
  });

  test('reads a file of exactly 1 MiB', () => {
    const edge = path.join(dir, 'edge.pem');
    fs.writeFileSync(edge, '');
    fs.truncateSync(edge, MAX_PEM_FILE_BYTES);
    expect(readPemFile(edge, 'certificate').bytes).toHaveLength(MAX_PEM_FILE_BYTES);
  });

  test('fails if the file cannot be read', () => {
    // Permissions do not stop root (as CI runs), but reading /proc/self/mem fails with EIO for everyone on Linux.
    let locked = path.join(dir, 'locked.pem');
    if (process.getuid?.() === 0) {
      if (!fs.existsSync('/proc/self/mem')) {
        console.log('skipped: running as root without /proc/self/mem, so no file is unreadable');
        return;
      }
      locked = '/proc/self/mem';
    } else {
      fs.writeFileSync(locked, 'x', { mode: 0o000 });
    }
    expect(readPemFile(locked, 'key').findings).toEqual([expect.objectContaining({ code: 'file-unreadable', message: expect.stringContaining(locked) })]);
  });
});
