import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { configTextArb, FUZZ_SEED } from './arbitraries';

// Property-based test of the CLI on generated configs (issue 12): `synth --check` (which writes nothing) and `report`
// run the precompiled CLI (`npm test` builds it first) as a user does. Whatever the config holds, the exit code is a
// documented one, standard error holds no stack trace, and every `error:` line names the config file or a flag.
// Each run starts a Node.js process, so the runs are few; the seed is fixed, so they are the same every time.
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const RUNS = 25;
const TIMEOUT_MS = 30_000;
const CONFIG = 'azureml-tls.yaml';

let dir: string;
beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'azml-fuzz-cli-')));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Exit codes: 0 ok, 1 invalid input, 2 usage; synth --check also 3 (the output folder differs: it is empty here). */
const EXIT_CODES: { readonly [command: string]: readonly number[] } = { synth: [0, 1, 2, 3], report: [0, 1, 2] };

/** Why standard error is not what a user should see, or undefined when it is fine. */
function stderrProblem(err: string, configLabel: string): string | undefined {
  if (/^\s+at /m.test(err)) return 'a stack trace';
  const error = /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/.exec(err);
  if (error) return `a ${error[1]}`;
  for (const line of err.split('\n').filter((l) => l.startsWith('error:'))) {
    const namesFlag = /^error: (--[a-z-]+|\$AZUREML_TLS_CONFIG|config file): /.test(line);
    if (!namesFlag && !line.includes(configLabel)) return `an error line that names neither the file nor a flag: ${line.slice(0, 300)}`;
  }
  return undefined;
}

describe('the CLI on generated configs (property-based, fixed seed)', () => {
  test(`synth --check and report exit 0-3 with one plain line per problem (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(configTextArb(), fc.constantFrom('synth', 'synth', 'report'), ({ text }, command) => {
        fs.writeFileSync(path.join(dir, CONFIG), text);
        const args = command === 'synth'
          ? ['synth', '--check', '--config', CONFIG, '--out', path.join(dir, 'dist'), '--at', '2027-06-01T00:00:00Z']
          : ['report', '--config', CONFIG, '--at', '2027-06-01T00:00:00Z'];
        const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
        if (r.signal) throw new Error(`azureml-tls ${args.join(' ')} did not finish within ${TIMEOUT_MS} ms`);
        if (!EXIT_CODES[command].includes(r.status ?? -1)) throw new Error(`exit ${r.status}; standard error: ${r.stderr.slice(0, 1000)}`);
        const why = stderrProblem(r.stderr, CONFIG);
        if (why) throw new Error(`standard error has ${why}\n${r.stderr.slice(0, 2000)}`);
        // Nothing was written: synth --check and report only read.
        expect(fs.readdirSync(dir).sort()).toEqual([CONFIG]);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
  });

  test('the standard-error check itself catches a stack trace, a TypeError and an anonymous error line', () => {
    expect(stderrProblem('error: azureml-tls.yaml: environments: is required. Fix: add it\nnothing was written\n', CONFIG)).toBeUndefined();
    expect(stderrProblem('error: --config: names a config file that does not exist (got "x")\n', CONFIG)).toBeUndefined();
    expect(stderrProblem('TypeError: x is not iterable\n    at checkShape (lib/config/shape.ts:1:1)\n', CONFIG)).toBe('a stack trace');
    expect(stderrProblem('error: checkShape(...) is not iterable (TypeError)\n', CONFIG)).toBe('a TypeError');
    expect(stderrProblem('error: Failed serializing construct at path \'dev/Extension\'\n', CONFIG)).toMatch(/^an error line that names neither/);
  });
});
