import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDevCa } from '../../lib/internal';
import { runDevCertCommand } from '../../lib/cli/dev-cert';

// dev-cert's files and errors: --out that is a file, planted links, the --days maximum, the store's problems. Times
// are fixed (now / --at): nothing here reads the clock.
const NOW = new Date('2027-06-01T00:00:00Z');
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-dev-cert-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs dev-cert in-process; returns the exit code and what it printed. */
function devCert(options: Partial<Parameters<typeof runDevCertCommand>[0]> & { readonly outDir: string }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDevCertCommand({ cname: 'ml.dev.example.com', stateDir: path.join(path.dirname(options.outDir), 'state'), now: NOW, ...options }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
const modeOf = (file: string) => fs.lstatSync(file).mode & 0o777;
const digest = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('dev-cert --out', () => {
  test('an existing file as --out is one line naming --out and the fix, exit 1, nothing written', () => {
    // GIVEN
    const dir = tmp();
    const file = path.join(dir, 'cert.pem');
    fs.writeFileSync(file, 'mine\n');
    // WHEN
    const r = devCert({ outDir: file });
    // THEN
    expect(r).toEqual({
      code: 1,
      out: [],
      err: [`error: --out: is a file, not a folder: dev-cert writes cert.pem, key.pem and ca.pem into it (got ${JSON.stringify(file)}). Fix: pass a folder (it is created when missing), e.g. --out ${path.join(dir, 'certs')}`],
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
    expect(fs.readdirSync(dir)).toEqual(['cert.pem']);
  });

  test('a file where a parent folder of --out should be is one line naming the folder, exit 1', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'certs'), 'mine\n');
    const outDir = path.join(dir, 'certs', 'dev');
    const r = devCert({ outDir, stateDir: path.join(dir, 'state') });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`error: cannot create the folder ${outDir}: a parent is a file, not a folder (ENOTDIR), so nothing was changed (fix: a folder on the way to ${outDir} is a file: move that file away, or choose another path)`]);
  });

  test('a state folder that cannot be created is one line naming it, exit 1, nothing written to --out', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'state'), 'mine\n');
    const stateDir = path.join(dir, 'state', '.azureml-tls');
    const r = devCert({ outDir: path.join(dir, 'out'), stateDir });
    expect(r).toEqual({ code: 1, out: [], err: [`error: cannot create the folder ${stateDir}: a parent is a file, not a folder (ENOTDIR), so nothing was changed (fix: a folder on the way to ${stateDir} is a file: move that file away, or choose another path)`] });
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('writes key.pem 0600 and the certificate files 0644, each a regular file', () => {
    const outDir = path.join(tmp(), 'certs');
    const r = devCert({ outDir });
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(modeOf(path.join(outDir, 'key.pem'))).toBe(0o600);
    expect(modeOf(path.join(outDir, 'cert.pem'))).toBe(0o644);
    expect(modeOf(path.join(outDir, 'ca.pem'))).toBe(0o644);
    expect(fs.readdirSync(outDir).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
  });

  test('a symbolic link planted at DIR/key.pem is replaced by the key, never followed', () => {
    // GIVEN a link at key.pem to a file the user cares about
    const dir = tmp();
    const outDir = path.join(dir, 'certs');
    fs.mkdirSync(outDir);
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious\n');
    fs.symlinkSync(victim, path.join(outDir, 'key.pem'));
    // WHEN
    const r = devCert({ outDir });
    // THEN
    expect(r.code).toBe(0);
    expect(fs.lstatSync(path.join(outDir, 'key.pem')).isFile()).toBe(true);
    expect(modeOf(path.join(outDir, 'key.pem'))).toBe(0o600);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  test('a wildcard extra name is accepted; a name that is not a DNS name is refused before anything is written', () => {
    const dir = tmp();
    const ok = devCert({ outDir: path.join(dir, 'ok'), extraNames: ['*.dev.example.com'] });
    expect(ok.code).toBe(0);
    expect(new X509Certificate(fs.readFileSync(path.join(dir, 'ok', 'cert.pem'))).subjectAltName).toBe('DNS:ml.dev.example.com, DNS:*.dev.example.com');
    const bad = tmp();
    const r = devCert({ outDir: path.join(bad, 'out'), extraNames: ['../../escaped'] });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^error: --name "\.\.\/\.\.\/escaped" is not a plain host name: it has a path/)]);
    expect(fs.readdirSync(bad)).toEqual([]);
  });
});

describe('dev-cert --days', () => {
  test.each([
    [3651, 'error: --days "3651" is more than 3650 days (ten years), the longest a development certificate may be valid (fix: e.g. --days 90)'],
    [0, 'error: --days "0" is not a whole number of days of at least 1 (fix: e.g. --days 90)'],
  ])('%s is refused with one line, exit 1, nothing written', (days, line) => {
    const dir = tmp();
    expect(devCert({ outDir: path.join(dir, 'out'), days })).toEqual({ code: 1, out: [], err: [line] });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('dev-cert and the state folder', () => {
  test('a CA replaced behind its back is printed as problem lines, exit 1, no stack', () => {
    // GIVEN a state made by dev-cert, then ca.pem replaced
    const dir = tmp();
    const stateDir = path.join(dir, 'state');
    expect(devCert({ outDir: path.join(dir, 'out'), stateDir }).code).toBe(0);
    const caPem = path.join(stateDir, 'dev-ca', 'ca.pem');
    fs.writeFileSync(caPem, createDevCa({ now: NOW }).certificatePem);
    const before = digest(path.join(dir, 'out', 'key.pem'));
    // WHEN
    const r = devCert({ outDir: path.join(dir, 'out'), stateDir });
    // THEN
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([expect.stringMatching(new RegExp(`^error: ${caPem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: was replaced or edited since synth created it \\(fingerprint [0-9A-F:]{95}, expected [0-9A-F:]{95}\\)\\. Fix: restore it from backup, or delete ${path.join(stateDir, 'dev-ca').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to start a new development CA \\(clients must trust the new ca\\.pem\\)$`))]);
    expect(digest(path.join(dir, 'out', 'key.pem'))).toBe(before);
  });

  test('a key file in the state readable by others is set to 0600 and warned about', () => {
    const dir = tmp();
    const stateDir = path.join(dir, 'state');
    expect(devCert({ outDir: path.join(dir, 'out'), stateDir }).code).toBe(0);
    const caKey = path.join(stateDir, 'dev-ca', 'ca.key.pem');
    fs.chmodSync(caKey, 0o604);
    const r = devCert({ outDir: path.join(dir, 'out'), stateDir });
    expect(r.code).toBe(0);
    expect(r.err).toEqual([`warning: ${caKey} was readable by group/others (mode 0604): set to 0600`]);
    expect(modeOf(caKey)).toBe(0o600);
  });
});

describe('dev-cert through the CLI binary', () => {
  beforeAll(() => {
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
  });

  test('--out naming an existing file: one line on stderr, exit 1, no stack trace', () => {
    const dir = tmp();
    const file = path.join(dir, 'cert.pem');
    fs.writeFileSync(file, 'mine\n');
    const r = spawnSync(process.execPath, [BIN, 'dev-cert', '--cname', 'ml.dev.example.com', '--out', file, '--state', path.join(dir, 'state'), '--at', NOW.toISOString()], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: --out: is a file, not a folder: dev-cert writes cert.pem, key.pem and ca.pem into it (got ${JSON.stringify(file)}). Fix: pass a folder (it is created when missing), e.g. --out ${path.join(dir, 'certs')}\n`);
    expect(fs.readdirSync(dir)).toEqual(['cert.pem']);
  });
});
