import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AzureMlSynth, SynthDifferenceKind } from '../../lib/internal';

// `azureml-tls synth --check`, end to end: the precompiled CLI (`npm test` builds it first), as CI runs it.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');

// Certificates are evaluated at a fixed time (--at), never at the clock's.
const AT = '2027-06-01T00:00:00Z';
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.parse(AT) + days * DAY).toISOString();

function run(args: string[], cwd: string) {
  const withAt = args.includes('--at') || args.includes('--help') ? args : [...args, '--at', AT];
  const r = spawnSync(process.execPath, [BIN, ...withAt], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'azml-check-'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A temp project holding a copy of the embedded default config. */
function project(): string {
  const dir = tmp();
  fs.copyFileSync(path.join(ROOT, 'azureml-tls.yaml'), path.join(dir, 'azureml-tls.yaml'));
  return dir;
}

/**
 * Every file below `dir` with a digest of its bytes, its mode and mtime (folders by name): what "writes nothing"
 * compares. Digests, so a failing comparison never prints the development keys.
 */
function snapshot(dir: string): { [file: string]: string } {
  if (!fs.existsSync(dir)) return { '(absent)': dir };
  const out: { [file: string]: string } = {};
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const st = fs.lstatSync(path.join(dir, f));
    out[f] = st.isFile() ? `${(st.mode & 0o777).toString(8)} ${st.mtimeMs} ${sha256(fs.readFileSync(path.join(dir, f)))}` : `${st.isDirectory() ? 'dir' : 'other'} ${st.mtimeMs}`;
  }
  return out;
}

/** The project folder as a whole (config, output, state), and the folder's own entries' mtimes. */
function projectSnapshot(dir: string) {
  return { tree: snapshot(dir), root: fs.statSync(dir).mtimeMs };
}

/** The lines a check lists, without its summary. */
const listed = (out: string) => out.split('\n').filter((l) => /^(added|removed|changed) /.test(l));

beforeAll(() => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
});

describe('azureml-tls synth --check', () => {
  test('exit 0 when the output is what synth writes, exit 3 listing each file added, removed or changed', () => {
    const dir = project();
    expect(run(['synth'], dir).code).toBe(0);
    const files = Object.keys(snapshot(path.join(dir, 'dist'))).filter((f) => fs.statSync(path.join(dir, 'dist', f)).isFile()).length;

    const same = run(['synth', '--check'], dir);
    expect(same).toEqual({ code: 0, err: '', out: `dist is up to date: its ${files} files are what synth would write for 4 environment(s), 0 warning(s)\n` });

    // Another location changes every install path of dev; a stray file would be removed; a mode is part of a file.
    fs.writeFileSync(path.join(dir, 'azureml-tls.yaml'), fs.readFileSync(path.join(dir, 'azureml-tls.yaml'), 'utf8').replace('location: EastUS', 'location: westus2'));
    fs.writeFileSync(path.join(dir, 'dist', 'clusters', 'dev', 'notes.txt'), 'edited by hand\n');
    fs.chmodSync(path.join(dir, 'dist', 'install', 'poc', 'az-create.sh'), 0o644);
    fs.rmSync(path.join(dir, 'dist', 'install', 'staging', 'values.yml'));
    const before = projectSnapshot(dir);
    const differs = run(['synth', '--check'], dir);
    expect(differs.code).toBe(3);
    expect(differs.err).toBe('');
    expect(differs.out.split('\n')).toEqual([
      'removed clusters/dev/notes.txt',
      'changed install/dev/azuredeploy.json',
      'changed install/dev/extension.bicep',
      'changed install/dev/main.tf.json',
      'changed install/dev/settings.json',
      'changed install/dev/values.yml',
      'changed install/poc/az-create.sh (mode 0644, synth writes 0755)',
      'added   install/staging/values.yml',
      'dist differs from what synth would write: 1 added, 1 removed, 6 changed (run azureml-tls synth with the same options, without --check, to update it)',
      '',
    ]);
    expect(projectSnapshot(dir)).toEqual(before);

    // Synth brings the folder back in line.
    expect(run(['synth'], dir).code).toBe(0);
    expect(run(['synth', '--check'], dir).code).toBe(0);
  });

  test('writes nothing: a first check lists every file as added and leaves no output or state behind', () => {
    const dir = project();
    const before = projectSnapshot(dir);
    const r = run(['synth', '--check', '--verbose'], dir);
    expect(r.code).toBe(3);
    const lines = listed(r.out);
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.every((l) => l.startsWith('added   '))).toBe(true);
    expect(lines).toContain('added   clusters/dev/Secret.azureml-fe-tls.k8s.yaml');
    expect(lines).toContain('added   .azureml-tls-output');
    // --verbose names the state synth would write (two development certificates and a CA), kept in memory.
    expect(r.out).toContain(`state   ${path.join(dir, '.azureml-tls', 'dev-ca', 'ca.key.pem')} (synth would write it; the check kept it in memory)`);
    expect(r.out).toMatch(new RegExp(`^dist differs from what synth would write: ${lines.length} added, 0 removed, 0 changed `, 'm'));
    expect(projectSnapshot(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, '.azureml-tls'))).toBe(false);
    // What it said would be added is what synth then writes.
    expect(run(['synth'], dir).code).toBe(0);
    expect(Object.keys(snapshot(path.join(dir, 'dist'))).filter((f) => fs.statSync(path.join(dir, 'dist', f)).isFile()).sort())
      .toEqual(lines.map((l) => l.slice(8)).sort());
  });

  test('a development certificate due for renewal is renewed in memory: a difference, with the state untouched', () => {
    const dir = project();
    expect(run(['synth'], dir).code).toBe(0);
    const before = projectSnapshot(dir);
    // 61 of 90 days gone: synth would renew both development certificates. Only dev's is in the output (edge's
    // pemSettings output holds its paths, which stay the same).
    const r = run(['synth', '--check', '--at', at(61)], dir);
    expect(r.code).toBe(3);
    expect(listed(r.out)).toEqual(['changed clusters/dev/Secret.azureml-fe-tls.k8s.yaml']);
    expect(projectSnapshot(dir)).toEqual(before);
    // Ten days on, nothing is due.
    expect(run(['synth', '--check', '--at', at(10)], dir).code).toBe(0);
  });

  test('exit 1 on invalid input, with the messages of synth, and nothing written', () => {
    const dir = project();
    const config = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('cname: ml.dev.example.com', 'cname: ml_dev'));
    const before = projectSnapshot(dir);
    const check = run(['synth', '--check'], dir);
    expect(check.code).toBe(1);
    expect(check.out).toBe('');
    expect(check.err).toContain('error: cannot synthesize azureml-tls.yaml');
    expect(check.err).toContain('nothing was written; dist is unchanged');
    expect(projectSnapshot(dir)).toEqual(before);
    expect(check).toEqual(run(['synth'], dir));
  });

  test('exit 1 when there is no config, or the output folder is not a synth output, as synth says', () => {
    const empty = tmp();
    const none = run(['synth', '--check'], empty);
    expect(none.code).toBe(1);
    expect(none.err).toContain('error: config file: none found');
    expect(none).toEqual(run(['synth'], empty));
    expect(fs.readdirSync(empty)).toEqual([]);

    const dir = project();
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), '// a user file\n');
    const r = run(['synth', '--check', '--out', 'src'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: ${path.join(dir, 'src')}: is a folder synth did not write (no .azureml-tls-output in it; it holds main.ts)`);
    expect(r.err).toContain('nothing was written; src is unchanged');
    expect(r).toEqual(run(['synth', '--out', 'src'], dir));
  });

  test('refuses flags that write (exit 2), and documents itself', () => {
    const dir = project();
    const r = run(['synth', '--check', '--write-protected-values'], dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toBe('error: --check writes nothing, so --write-protected-values cannot be combined with it (fix: run synth --write-protected-values without --check to write them)');
    expect(fs.readdirSync(dir)).toEqual(['azureml-tls.yaml']);
    const help = run(['synth', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain('azureml-tls synth --check [--config FILE] [--out DIR] [--at ISO-DATE] [--verbose]');
    expect(help.out).toContain('3 (--check only) DIR differs from what synth would write');
  });

  test('AzureMlSynth.check returns the differences as data', () => {
    const dir = project();
    const configFile = path.join(dir, 'azureml-tls.yaml');
    const outDir = path.join(dir, 'out');
    const now = new Date(AT);
    AzureMlSynth.synthesize({ configFile, outDir, now });
    expect(AzureMlSynth.check({ configFile, outDir, now })).toMatchObject({ upToDate: true, differences: [], stateFiles: [], environments: 4 });
    fs.appendFileSync(path.join(outDir, 'install', 'dev', 'values.yml'), '# edited\n');
    expect(AzureMlSynth.check({ configFile, outDir, now }).differences).toEqual([{ path: 'install/dev/values.yml', kind: SynthDifferenceKind.CHANGED, detail: 'content' }]);
  });
});

// Git, as GitOps uses it: hermetic (no user or system config), local paths only.
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull, GIT_TERMINAL_PROMPT: '0' };
const gitMissing = (() => {
  const r = spawnSync('git', ['--version'], { encoding: 'utf8' });
  return r.error ? `git is not installed (${(r.error as NodeJS.ErrnoException).code})` : undefined;
})();
if (gitMissing) console.log(`skipping the GitOps round trip of synth --check: ${gitMissing}`);

function git(args: string[], cwd: string): SpawnSyncReturns<string> {
  // umask 022, as CI runners check out: git gives files 0666 & ~umask, which synth's modes are compared with.
  const r = spawnSync('sh', ['-c', 'umask 022 && exec git "$@"', 'git', '-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

describe('synth --check in a GitOps repository', () => {
  (gitMissing ? test.skip : test)('a fresh clone checks clean, adopts the committed development certificate, and synthesizes the same bytes', () => {
    const origin = project();
    expect(run(['synth'], origin).code).toBe(0);
    git(['init', '-q'], origin);
    git(['add', '-A'], origin);
    git(['commit', '-q', '-m', 'synth output'], origin);
    // The state folder ignores itself: only the config and the output are committed.
    const committed = git(['ls-files'], origin).stdout.split('\n').filter(Boolean);
    expect(committed.some((f) => f.startsWith('.azureml-tls'))).toBe(false);
    expect(committed).toContain('dist/clusters/dev/Secret.azureml-fe-tls.k8s.yaml');

    const clone = path.join(tmp(), 'clone');
    git(['clone', '-q', origin, clone], path.dirname(clone));
    expect(fs.existsSync(path.join(clone, '.azureml-tls'))).toBe(false);
    const fresh = projectSnapshot(clone);
    const check = run(['synth', '--check'], clone);
    expect(check.err).toBe('');
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/^dist is up to date: /);
    expect(projectSnapshot(clone)).toEqual(fresh);

    // An edited config value: exit 3, naming the files synth would change.
    const config = path.join(clone, 'azureml-tls.yaml');
    const original = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, original.replace('inferenceRouterServiceType: NodePort', 'inferenceRouterServiceType: LoadBalancer'));
    const edited = run(['synth', '--check'], clone);
    expect(edited.code).toBe(3);
    expect(listed(edited.out).length).toBeGreaterThan(0);
    expect(listed(edited.out).every((l) => /^changed install\/edge\//.test(l))).toBe(true);
    expect(listed(edited.out)).toContain('changed install/edge/values.yml');
    fs.writeFileSync(config, original);

    // A real synth in the clone: the same bytes as the original, and the development certificate adopted.
    expect(run(['synth'], clone).code).toBe(0);
    expect(snapshotBytes(path.join(clone, 'dist'))).toEqual(snapshotBytes(path.join(origin, 'dist')));
    expect(git(['status', '--porcelain'], clone).stdout).toBe('');
    const certDir = (root: string) => {
      const base = path.join(root, '.azureml-tls', 'dev-certs');
      return path.join(base, fs.readdirSync(base).find((d) => d.startsWith('ml.dev.example.com-')) ?? 'missing');
    };
    expect(fs.readFileSync(path.join(certDir(clone), 'cert.pem'))).toEqual(fs.readFileSync(path.join(certDir(origin), 'cert.pem')));
    expect(fs.readFileSync(path.join(certDir(clone), 'key.pem'))).toEqual(fs.readFileSync(path.join(certDir(origin), 'key.pem')));
    expect(fs.statSync(path.join(certDir(clone), 'key.pem')).mode & 0o777).toBe(0o600);
    // ca.pem holds the adopted certificate's CA, so curl --cacert .azureml-tls/dev-ca/ca.pem trusts dev's endpoint.
    const [secret] = parseAllDocuments(fs.readFileSync(path.join(clone, 'dist', 'clusters', 'dev', 'Secret.azureml-fe-tls.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    const chain = Buffer.from(secret.data['cert.pem'], 'base64').toString();
    const devCa = chain.slice(chain.indexOf('-----BEGIN CERTIFICATE-----', 1));
    expect(fs.readFileSync(path.join(clone, '.azureml-tls', 'dev-ca', 'ca.pem'), 'utf8')).toContain(devCa);
    // And from then on the clone is stable on its own.
    expect(run(['synth', '--check'], clone).code).toBe(0);
  });
});

/** Every file below `dir` with its bytes and mode (not mtimes: another folder's files are compared). */
function snapshotBytes(dir: string): { [file: string]: string } {
  const out: { [file: string]: string } = {};
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const st = fs.statSync(path.join(dir, f));
    if (st.isFile()) out[f] = `${(st.mode & 0o777).toString(8)} ${sha256(fs.readFileSync(path.join(dir, f)))}`;
  }
  return out;
}
