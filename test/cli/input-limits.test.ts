import { execFileSync, spawnSync, SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onPath } from '../helpers/tools';

// Issue 12: inputs that are not regular files, or are too big, end in one line naming the input, at once. The CLI
// is the precompiled one (`npm test` builds it first). Every child is killed after TIMEOUT_MS, so a read that hangs
// fails the test instead of hanging the run.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const AT = ['--at', '2027-06-01T00:00:00Z'];
const TIMEOUT_MS = 20_000;

interface Run { readonly code: number | null; readonly out: string; readonly err: string }

function run(args: string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, ...options });
  // A timed-out child has no exit code: say so rather than compare null with 1.
  if (r.signal) throw new Error(`azureml-tls ${args.join(' ')} did not finish within ${TIMEOUT_MS} ms (killed with ${r.signal})`);
  return { code: r.status, out: String(r.stdout), err: String(r.stderr) };
}

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-input-')));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function fifo(name: string): string | undefined {
  if (!onPath('mkfifo')) {
    console.log('skipped: mkfifo is not on the PATH');
    return undefined;
  }
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

function sparse(name: string, bytes: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, bytes);
  return file;
}

const PLAIN_CONFIG = 'environments:\n  - name: dev\n    insecure: true\n    extension: { enableTraining: true }\n';
const EVERY_LINE_SHORT = (text: string) => text.split('\n').every((l) => l.length < 1200);

describe('--config that is not a regular file or too big', () => {
  test('/dev/zero is named a character device, at once', () => {
    const r = run(['synth', '--check', '--config', '/dev/zero', '--out', path.join(dir, 'dist'), ...AT]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toBe('error: --config: names a config file that is a character device, not a regular file (got "/dev/zero"). Fix: run `npx azureml-tls init` to write a starter azureml-tls.yaml, or give an existing file');
  });

  test('a FIFO is named a FIFO, without waiting for a writer', () => {
    const file = fifo('config.yaml');
    if (!file) return;
    const r = run(['report', '--config', file, ...AT]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toBe(`error: --config: names a config file that is a FIFO (named pipe), not a regular file (got ${JSON.stringify(file)}). Fix: run \`npx azureml-tls init\` to write a starter azureml-tls.yaml, or give an existing file`);
  });

  test('a file over 16 MiB is refused by its size, unread', () => {
    const file = sparse('azureml-tls.yaml', 16 * 1024 * 1024 + 1);
    const r = run(['synth', '--check', '--config', file, '--out', path.join(dir, 'dist'), ...AT]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --config: names a config file that is 16777217 bytes; a config file is at most 16 MiB (got ${JSON.stringify(file)})`);
  });

  test('a 50 MB config value gives short lines: over the cap, the file is refused in one line', () => {
    const file = path.join(dir, 'azureml-tls.yaml');
    const text = `environments:\n  - name: dev\n    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }\n    tls: { cname: ${'a'.repeat(50 * 1024 * 1024)}, certificate: { existingSecret: s } }\n`;
    fs.writeFileSync(file, text);
    const r = run(['synth', '--check', '--config', file, '--out', path.join(dir, 'dist'), ...AT]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`names a config file that is ${Buffer.byteLength(text)} bytes; a config file is at most 16 MiB`);
    expect(r.err.length).toBeLessThan(2000);
  });

  test('6 MB config values within the cap are shown shortened in every line', () => {
    const file = path.join(dir, 'azureml-tls.yaml');
    const huge = 'a'.repeat(6 * 1024 * 1024);
    fs.writeFileSync(file, `environments:\n  - name: dev\n    extension: { enableInference: true, inferenceRouterServiceType: ${huge} }\n    tls: { cname: ${huge}, certificate: { existingSecret: s } }\n`);
    const r = run(['synth', '--check', '--config', file, '--out', path.join(dir, 'dist'), ...AT]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments[0] (dev).extension.inferenceRouterServiceType: is not an allowed value (got "aaaa');
    expect(r.err).toContain('... (6291456 characters))');
    expect(EVERY_LINE_SHORT(r.err)).toBe(true);
    expect(r.err.length).toBeLessThan(4000);
  });
});

describe('check --secret that is not a regular file, or endless standard input', () => {
  test('/dev/zero as the file is named a character device', () => {
    const r = run(['check', '--secret', '/dev/zero', ...AT]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: Secret manifest /dev/zero is a character device, not a regular file');
  });

  test('a FIFO as the file is named a FIFO, without waiting for a writer', () => {
    const file = fifo('secret.yaml');
    if (!file) return;
    const r = run(['check', '--secret', file, ...AT]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error: Secret manifest ${file} is a FIFO (named pipe), not a regular file`);
  });

  test('standard input from /dev/zero stops at 4 MiB', () => {
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      const r = run(['check', '--secret', '-', ...AT], { stdio: [zero, 'pipe', 'pipe'] });
      expect(r.code).toBe(1);
      expect(r.out).toContain('error: Secret manifest - (standard input) has more than 4194304 bytes; a Secret manifest is at most 4 MiB');
    } finally {
      fs.closeSync(zero);
    }
  });

  test('an endless pipe on standard input stops at 4 MiB', () => {
    if (!onPath('sh') || !fs.existsSync('/dev/zero')) {
      console.log('skipped: no sh or /dev/zero');
      return;
    }
    const r = spawnSync('sh', ['-c', `cat /dev/zero | "${process.execPath}" "${BIN}" check --secret - --at 2027-06-01T00:00:00Z`], { encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('error: Secret manifest - (standard input) has more than 4194304 bytes; a Secret manifest is at most 4 MiB');
  });

  test('a missing or folder path says so', () => {
    expect(run(['check', '--secret', path.join(dir, 'none.yaml'), ...AT]).out).toContain(`error: Secret manifest ${path.join(dir, 'none.yaml')} does not exist`);
    expect(run(['check', '--secret', dir, ...AT]).out).toContain(`error: Secret manifest ${dir} is a folder (fix: `);
  });

  test('a sparse file over 4 MiB is refused by its size', () => {
    const file = sparse('secret.yaml', 4 * 1024 * 1024 + 1);
    expect(run(['check', '--secret', file, ...AT]).out).toContain(`error: Secret manifest ${file} is 4194305 bytes; a Secret manifest is at most 4 MiB`);
  });
});

describe('plan --current and dns --service', () => {
  test('plan --current /dev/zero, a FIFO or a file over 4 MiB is refused in one line', () => {
    const config = path.join(dir, 'azureml-tls.yaml');
    fs.writeFileSync(config, PLAIN_CONFIG);
    const plan = (current: string) => run(['plan', '--env', 'dev', '--config', config, '--current', current, '--out', path.join(dir, 'dist'), ...AT]);
    expect(plan('/dev/zero').err).toMatch(/^error: --current \/dev\/zero is a character device, not a regular file \(fix: save it first: /m);
    expect(plan(sparse('current.json', 4 * 1024 * 1024 + 1)).err).toMatch(/^error: --current .*current\.json is 4194305 bytes; an input document is at most 4 MiB \(fix: /m);
    const file = fifo('current.fifo');
    if (file) expect(plan(file).err).toMatch(/^error: --current .*current\.fifo is a FIFO \(named pipe\), not a regular file \(fix: /m);
  });

  test('dns --service /dev/zero or standard input from /dev/zero is refused in one line', () => {
    expect(run(['dns', '--cname', 'ml.example.com', '--service', '/dev/zero']).err).toMatch(/^error: --service \/dev\/zero is a character device, not a regular file \(fix: /m);
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      const r = run(['dns', '--cname', 'ml.example.com', '--service', '-'], { stdio: [zero, 'pipe', 'pipe'] });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error: --service - \(standard input\) has more than 4194304 bytes; an input document is at most 4 MiB \(fix: /m);
    } finally {
      fs.closeSync(zero);
    }
  });
});
