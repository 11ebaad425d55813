import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevStateRun, loadOrCreateDevCertificate, ValidationError } from '../../lib/internal';
import { onPath } from '../helpers/tools';

// The state folder as a failed synth, a damaged .gitignore and loose key modes leave it. Certificates are generated
// in-test at a fixed time: nothing here reads the clock.
const NOW = new Date('2027-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const STANDARD_IGNORE = '# generated keys and protected values: never commit\n*\n';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-state-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Every entry below `dir`, relative, with a digest of each file's bytes and its mode (never the bytes: keys). */
function tree(dir: string): { [entry: string]: string } {
  return Object.fromEntries((fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((f) => {
    const st = fs.lstatSync(path.join(dir, f));
    if (st.isSymbolicLink()) return [f, `link ${fs.readlinkSync(path.join(dir, f))}`];
    return [f, st.isFile() ? `${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')}` : 'dir'];
  }));
}
const modeOf = (file: string) => fs.lstatSync(file).mode & 0o777;
const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('a deferred run: synth commits the state only after its output was written', () => {
  test('drafts every file in memory: a run that is not committed leaves nothing on disk', () => {
    // GIVEN a project without a state folder
    const project = tmp();
    const stateDir = path.join(project, '.azureml-tls');
    const run = new DevStateRun({ deferWrites: true });
    // WHEN a certificate is resolved and the run is dropped (synth failed)
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    // THEN the decisions were made, and nothing was written
    expect(got.generated).toBe(true);
    expect(run.writtenFiles.map((f) => path.relative(stateDir, f))).toEqual([
      'dev-ca/ca.key.pem', 'dev-ca/ca.pem', 'dev-ca/ca.sha256',
      ...['cert.pem', 'key.pem', 'meta.json'].map((f) => path.join(path.relative(stateDir, path.dirname(got.certificateFile)), f)),
    ].sort());
    expect(fs.readdirSync(project)).toEqual([]);
  });

  test('shares what it drafted across the run, as a writing run shares what it wrote', () => {
    const stateDir = path.join(tmp(), '.azureml-tls');
    const run = new DevStateRun({ deferWrites: true });
    const first = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run })).toMatchObject({ generated: false, certificatePem: first.certificatePem });
    expect(fs.existsSync(stateDir)).toBe(false);
  });

  test('commit writes the drafts: the folder 0700 with its .gitignore, keys 0600, and the next run reuses them', () => {
    // GIVEN a deferred run that made a certificate
    const stateDir = path.join(tmp(), '.azureml-tls');
    const run = new DevStateRun({ deferWrites: true });
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    // WHEN it is committed
    const wrote = run.commit();
    // THEN
    expect(wrote).toEqual(run.writtenFiles);
    expect(modeOf(stateDir)).toBe(0o700);
    expect(fs.readFileSync(path.join(stateDir, '.gitignore'), 'utf8')).toBe(STANDARD_IGNORE);
    expect(modeOf(got.privateKeyFile)).toBe(0o600);
    expect(modeOf(path.join(stateDir, 'dev-ca', 'ca.key.pem'))).toBe(0o600);
    expect(modeOf(got.certificateFile)).toBe(0o644);
    expect(fs.readFileSync(got.privateKeyFile, 'utf8')).toBe(got.privateKeyPem);
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW })).toMatchObject({ generated: false, certificatePem: got.certificatePem });
    // A second commit has nothing left to write.
    expect(run.commit()).toEqual([]);
  });

  test('an uncommitted renewal leaves the existing state exactly as it was', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const before = tree(stateDir);
    const run = new DevStateRun({ deferWrites: true });
    expect(loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 61 * DAY), run }).generated).toBe(true);
    expect(tree(stateDir)).toEqual(before);
  });

  test('commit does nothing in a dry run', () => {
    const stateDir = path.join(tmp(), '.azureml-tls');
    const run = new DevStateRun({ dryRun: true, deferWrites: true });
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    expect(run.commit()).toEqual([]);
    expect(fs.existsSync(stateDir)).toBe(false);
  });
});

describe('names are checked before they become paths', () => {
  test.each([
    ['../../../escaped/x', 'it has a path (/../../escaped/x); a trailing dot; an empty label (two dots in a row, or a leading dot)'],
    ['..', 'it has a trailing dot; an empty label (two dots in a row, or a leading dot)'],
    ['a/b', 'it has a path (/b); a single label: it must be a fully qualified name such as ml.example.com'],
  ])('refuses the cname %j naming the field, the value and the fix, and writes nothing inside or outside the state folder', (cname, detail) => {
    // GIVEN a project whose state folder already holds a CA (so a write would have somewhere to go)
    const root = tmp();
    const stateDir = path.join(root, 'a', 'b', '.azureml-tls');
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const before = tree(root);
    // WHEN / THEN
    for (const run of [undefined, new DevStateRun(), new DevStateRun({ deferWrites: true })]) {
      const e = thrown(() => loadOrCreateDevCertificate({ stateDir, cname, now: NOW, run }));
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.message).toBe(`invalid development certificate name:\n  - tls.cname: is not a DNS name or wildcard (such as ml.example.com or *.example.com): ${detail} (got ${JSON.stringify(cname)}). Fix: set tls.cname to the fully qualified DNS name clients call, e.g. ml.example.com`);
      run?.commit();
    }
    expect(tree(root)).toEqual(before);
  });

  test('refuses before anything exists: no state folder is created for a bad name', () => {
    const root = tmp();
    expect(() => loadOrCreateDevCertificate({ stateDir: path.join(root, '.azureml-tls'), cname: '../../../escaped/x', now: NOW })).toThrow(ValidationError);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('the caller names the fields, and every bad extra name is reported with its entry', () => {
    const e = thrown(() => loadOrCreateDevCertificate({
      stateDir: tmp(), cname: 'ml.example.com', extraNames: ['ok.example.com', 'x/../..', 'bad name.example.com'], now: NOW,
      cnameField: 'environments[0] (dev).tls.cname', extraNamesField: 'environments[0] (dev).tls.certificate.selfSigned.extraNames',
    })) as ValidationError;
    expect(e.problems.map((p) => `${p.field} ${p.value}`)).toEqual([
      'environments[0] (dev).tls.certificate.selfSigned.extraNames[1] x/../..',
      'environments[0] (dev).tls.certificate.selfSigned.extraNames[2] bad name.example.com',
    ]);
    expect(e.problems[1].message).toBe('is not a DNS name or wildcard (such as ml.example.com or *.example.com): it has characters a host name cannot hold (" "); use letters, digits and \'-\', and punycode (xn--) for international names');
  });

  test('the read-only path (report) refuses the same names', () => {
    const stateDir = tmp();
    expect(() => loadOrCreateDevCertificate({ stateDir, cname: '..', now: NOW, readOnly: true })).toThrow('tls.cname: is not a DNS name or wildcard');
    expect(fs.readdirSync(stateDir)).toEqual([]);
  });

  test('a wildcard is a valid name: its certificate covers it and lives in dev-certs/wildcard.<name>-<hash>', () => {
    const stateDir = tmp();
    const got = loadOrCreateDevCertificate({ stateDir, cname: '*.Example.com', extraNames: ['*.ml.example.com'], now: NOW });
    expect(path.relative(stateDir, path.dirname(got.certificateFile))).toMatch(/^dev-certs[/\\]wildcard\.example\.com-[0-9a-f]{8}$/);
    expect(new X509Certificate(got.certificatePem).subjectAltName).toBe('DNS:*.example.com, DNS:*.ml.example.com');
    expect(loadOrCreateDevCertificate({ stateDir, cname: '*.example.com', extraNames: ['*.ml.example.com'], now: NOW }).generated).toBe(false);
  });
});

describe('the .gitignore is checked on every run', () => {
  test('truncated to 0 bytes (a disk-full failure): the next run restores it and says so', () => {
    // GIVEN
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const ignore = path.join(stateDir, '.gitignore');
    fs.truncateSync(ignore, 0);
    // WHEN
    const run = new DevStateRun();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    // THEN
    expect(fs.readFileSync(ignore, 'utf8')).toBe(STANDARD_IGNORE);
    expect(run.warnings).toEqual([`${ignore} was empty: rewrote it so that git ignores the state folder (check with git status that no key was staged)`]);
  });

  test.each([
    ['without a "*" line', 'node_modules\n', 'did not ignore everything (no line "*")'],
    ['with a negation', '*\n!dev-ca/ca.key.pem\n', 'un-ignored some files (a line starting with "!")'],
  ])('%s: rewritten with the standard content', (_, content, problem) => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const ignore = path.join(stateDir, '.gitignore');
    fs.writeFileSync(ignore, content);
    const run = new DevStateRun();
    run.ensureStateDir(stateDir);
    expect(fs.readFileSync(ignore, 'utf8')).toBe(STANDARD_IGNORE);
    expect(run.warnings).toEqual([`${ignore} ${problem}: rewrote it so that git ignores the state folder (check with git status that no key was staged)`]);
  });

  test('a symbolic link (git does not follow one) is replaced by a file, its target left alone', () => {
    const stateDir = tmp();
    const elsewhere = path.join(tmp(), 'ignore');
    fs.writeFileSync(elsewhere, '*\n');
    const ignore = path.join(stateDir, '.gitignore');
    fs.symlinkSync(elsewhere, ignore);
    const run = new DevStateRun();
    run.ensureStateDir(stateDir);
    expect(fs.lstatSync(ignore).isFile()).toBe(true);
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('*\n');
    expect(run.warnings).toEqual([expect.stringContaining(`${ignore} is a symbolic link (git does not follow it): rewrote it`)]);
  });

  test('a missing one is written without a warning; a sound one is left as it is', () => {
    const stateDir = tmp();
    const run = new DevStateRun();
    run.ensureStateDir(stateDir);
    const ignore = path.join(stateDir, '.gitignore');
    expect(fs.readFileSync(ignore, 'utf8')).toBe(STANDARD_IGNORE);
    fs.writeFileSync(ignore, '# mine\n*\n');
    const again = new DevStateRun();
    again.ensureStateDir(stateDir);
    expect(fs.readFileSync(ignore, 'utf8')).toBe('# mine\n*\n');
    expect([...run.warnings, ...again.warnings]).toEqual([]);
  });

  test('a deferred run repairs an existing folder\'s .gitignore at once (it adds no state); a dry run only tells', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const ignore = path.join(stateDir, '.gitignore');
    fs.truncateSync(ignore, 0);
    const dry = new DevStateRun({ dryRun: true });
    dry.ensureStateDir(stateDir);
    expect(fs.statSync(ignore).size).toBe(0);
    expect(dry.warnings).toEqual([`${ignore} was empty: synth rewrites it so that git ignores the state folder (check with git status that no key was staged)`]);
    new DevStateRun({ deferWrites: true }).ensureStateDir(stateDir);
    expect(fs.readFileSync(ignore, 'utf8')).toBe(STANDARD_IGNORE);
  });

  const git = onPath('git');
  if (!git) console.warn('skipping the git check-ignore test: git is not on PATH');
  (git ? test : test.skip)('git ignores the CA key again after the next run (real git check-ignore)', () => {
    // GIVEN a git repository with a state folder whose .gitignore was emptied
    const repo = tmp();
    // Hermetic: no user or system git configuration (a global excludes file could hide the bug).
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const gitIn = (...args: string[]) => spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
    expect(gitIn('init', '-q').status).toBe(0);
    const stateDir = path.join(repo, '.azureml-tls');
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const keys = [path.join('.azureml-tls', 'dev-ca', 'ca.key.pem'), path.relative(repo, got.privateKeyFile)];
    fs.truncateSync(path.join(stateDir, '.gitignore'), 0);
    // Not ignored while the .gitignore is empty: the bug this guards against.
    for (const key of keys) expect(`${key}: ${gitIn('check-ignore', '-q', key).status}`).toBe(`${key}: 1`);
    // WHEN
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    // THEN every key, and the folder's every file, is ignored
    for (const key of keys) expect(`${key}: ${gitIn('check-ignore', '-q', key).status}`).toBe(`${key}: 0`);
    expect(gitIn('status', '--porcelain', '--untracked-files=all').stdout).toBe('');
  });
});

describe('key files readable by group or others', () => {
  test('are set to 0600, with one warning line each naming the file', () => {
    // GIVEN loose modes on the CA key and a certificate key
    const stateDir = tmp();
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const caKey = path.join(stateDir, 'dev-ca', 'ca.key.pem');
    fs.chmodSync(caKey, 0o644);
    fs.chmodSync(got.privateKeyFile, 0o640);
    // WHEN the next run, with two environments sharing the state
    const run = new DevStateRun();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', days: 30, now: NOW, run });
    // THEN
    expect(modeOf(caKey)).toBe(0o600);
    expect(modeOf(got.privateKeyFile)).toBe(0o600);
    expect(run.warnings).toEqual([
      `${caKey} was readable by group/others (mode 0644): set to 0600`,
      `${got.privateKeyFile} was readable by group/others (mode 0640): set to 0600`,
    ]);
  });

  test('a group-writable key is named as such', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const caKey = path.join(stateDir, 'dev-ca', 'ca.key.pem');
    fs.chmodSync(caKey, 0o620);
    const run = new DevStateRun();
    run.ensureStateDir(stateDir);
    expect(run.warnings).toEqual([`${caKey} was writable by group/others (mode 0620): set to 0600`]);
  });

  test('a dry run leaves the mode and says synth sets it', () => {
    const stateDir = tmp();
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const caKey = path.join(stateDir, 'dev-ca', 'ca.key.pem');
    fs.chmodSync(caKey, 0o644);
    const run = new DevStateRun({ dryRun: true });
    loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run });
    expect(modeOf(caKey)).toBe(0o644);
    expect(run.warnings).toEqual([`${caKey} is readable by group/others (mode 0644): synth sets it to 0600`]);
  });

  test('a key file that is a symbolic link is not chmod-ed through: its target keeps its mode', () => {
    const stateDir = tmp();
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const victim = path.join(tmp(), 'victim');
    fs.writeFileSync(victim, 'not a key');
    fs.chmodSync(victim, 0o644);
    fs.rmSync(got.privateKeyFile);
    fs.symlinkSync(victim, got.privateKeyFile);
    // The link's target is no key: reported as damaged state, with no mode changed anywhere.
    const run = new DevStateRun();
    const e = thrown(() => loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW, run }));
    expect(e.message).toContain(`${got.privateKeyFile}: is not a readable private key`);
    expect(run.warnings).toEqual([]);
    expect(modeOf(victim)).toBe(0o644);
    expect(fs.readFileSync(victim, 'utf8')).toBe('not a key');
  });
});

describe('development certificate keys are written without following links', () => {
  test('a symbolic link planted at a certificate\'s key.pem is replaced when the certificate is renewed, its target untouched', () => {
    // GIVEN a state whose certificate is due for renewal, with key.pem swapped for a link to a victim file
    const stateDir = tmp();
    const got = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: NOW });
    const victim = path.join(tmp(), 'victim');
    fs.copyFileSync(got.privateKeyFile, victim);
    fs.chmodSync(victim, 0o644);
    const victimBefore = fs.readFileSync(victim, 'utf8');
    fs.rmSync(got.privateKeyFile);
    fs.symlinkSync(victim, got.privateKeyFile);
    // WHEN the renewal writes a new key
    const renewed = loadOrCreateDevCertificate({ stateDir, cname: 'ml.example.com', now: new Date(NOW.getTime() + 61 * DAY) });
    // THEN
    expect(renewed.generated).toBe(true);
    expect(fs.lstatSync(got.privateKeyFile).isFile()).toBe(true);
    expect(modeOf(got.privateKeyFile)).toBe(0o600);
    expect(fs.readFileSync(victim, 'utf8')).toBe(victimBefore);
  });
});
