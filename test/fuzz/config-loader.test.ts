import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { prepareConfig } from '../../lib/prepare';
import { Problem, readConfig, ValidationError } from '../../lib/internal';
import { baseConfigs, configTextArb, FUZZ_SEED, PROTOTYPE_KEYS, schemaFieldNames } from './arbitraries';

// Property-based tests of the config loader (issue 12): whatever the file holds, loading it either succeeds or
// throws a ValidationError whose every problem names the file or a field and says what is wrong and what to do. No
// other exception, no TypeError from a key such as `constructor`, no RangeError from nesting or aliases.
// Bounded: a fixed seed and a fixed number of runs, so the test is the same on every run and takes a few seconds.
const NOW = new Date('2027-06-01T00:00:00Z');
const RUNS = 300;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-fuzz-config-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Why a problem is not one a user can act on, or undefined when it is. */
function unusable(p: Problem, label: string): string | undefined {
  if (typeof p.field !== 'string' || p.field.trim() === '') return 'no field';
  if (!p.field.includes(label) && !p.field.startsWith('--') && !path.isAbsolute(p.field)) return `the field does not name the file (${label})`;
  if (/\bundefined\b|\[object /.test(p.field.replace(/"[^"]*"/g, '""'))) return 'the field shows undefined or an object';
  if (typeof p.message !== 'string' || p.message.trim() === '') return 'no message';
  if (typeof p.fix !== 'string' || p.fix.trim() === '') return 'no fix';
  if (p.value !== undefined && typeof p.value !== 'string') return 'a value that is not a string';
  return undefined;
}

/** Loads `text` as the loader and synth's preparation do; returns the problems (empty on success). */
function load(text: string, name: string): Problem[] {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const read = readConfig(file, { now: NOW, stateDir: path.join(dir, 'state') });
  if (read.problems.length > 0) return read.problems;
  // A development certificate costs two RSA keys per dry run (over a second): those configs stop at the loader.
  if (text.includes('selfSigned')) return [];
  try {
    // The rest of synth's checks (every environment planned), in a dry run: nothing written, not even the state.
    prepareConfig(file, { now: NOW, dryRun: true });
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw e;
  }
}

describe('config loader (property-based, fixed seed)', () => {
  test('the base configs of the mutations load without problems', () => {
    baseConfigs().forEach((config, i) => expect(load(JSON.stringify(config), `base-${i}.json`)).toEqual([]));
  });

  test('the generators use the schema\'s field names', () => {
    expect(schemaFieldNames()).toEqual(expect.arrayContaining(['environments', 'defaults', 'fleet', 'tls', 'cname', 'selfSigned', 'days', 'labels', 'additionalSettings', 'secretNames', 'nodeCount']));
    expect(PROTOTYPE_KEYS).toEqual(expect.arrayContaining(['constructor', 'toString', '__proto__']));
  });

  test(`any config text (YAML or JSON) loads, or fails with usable problems (${RUNS} runs)`, () => {
    const outcomes = { loaded: 0, problems: 0 };
    fc.assert(
      fc.property(configTextArb(), ({ format, text }) => {
        const name = `azureml-tls.${format === 'json' ? 'json' : 'yaml'}`;
        const label = path.relative(process.cwd(), path.join(dir, name));
        const problems = load(text, name);
        if (problems.length === 0) outcomes.loaded++;
        else outcomes.problems++;
        for (const p of problems) {
          const why = unusable(p, label);
          if (why) throw new Error(`${why}: ${JSON.stringify(p).slice(0, 500)}`);
        }
        // No prototype was touched on the way.
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    // The generators reach both outcomes: a fuzz test that only ever fails at the first check tests little.
    expect(outcomes.loaded).toBeGreaterThan(RUNS / 20);
    expect(outcomes.problems).toBeGreaterThan(RUNS / 2);
  });
});

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
