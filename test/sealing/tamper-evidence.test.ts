import { spawnSync } from 'node:child_process';
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { legacySealCachePath, prepareConfig } from '../../lib/prepare';
import { checkSynth, SynthDifferenceKind, synthesize } from '../../lib/synth';
import { CERTS_DIR, certFixture, NOW, SEALING_DIR, sealingFixture, unseal } from './unseal';

// Issue #12, item 1: a committed SealedSecret whose ciphertext was swapped or replaced must not pass as up to date.
// Sealing is deterministic, so synth --check seals again and compares byte for byte.

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const SEALING_CERT = sealingFixture('controller.pem');
const SEALING_KEY = sealingFixture('controller.key');
const TLS_CHAIN = certFixture('leaf-chain.pem');
const TLS_KEY = certFixture('leaf.key');
const ATTACKER_KEY = certFixture('other.key');

/** The TLS SealedSecret (sealedSecret delivery) and the ASO protected-settings SealedSecret, relative to the output root. */
const TLS_MANIFEST = 'clusters/prod/SealedSecret.azureml-fe-tls.k8s.yaml';
const ASO_MANIFEST = 'aso/edge/SealedSecret.azureml-protected-settings.k8s.yaml';
/** The OAEP label of each (strict scope: `<namespace>/<name>`). */
const LABELS: Record<string, string> = { [TLS_MANIFEST]: 'azureml/azureml-fe-tls', [ASO_MANIFEST]: 'azureml/azureml-protected-settings' };

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A temp project: a config with both kinds of SealedSecret, sealed under the fixture controller. */
function project(): { dir: string; config: string; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-tamper-'));
  dirs.push(dir);
  const files = `{ files: { cert: ${path.join(CERTS_DIR, 'leaf-chain.pem')}, key: ${path.join(CERTS_DIR, 'leaf.key')} } }`;
  const cluster = (name: string) => `{ type: aks, subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg-ml, name: ${name}, location: eastus, nodeCount: 3 }`;
  const config = path.join(dir, 'azureml-tls.yaml');
  fs.writeFileSync(config, [
    'environments:',
    '  - name: prod',
    `    cluster: ${cluster('aks-ml')}`,
    '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
    `    tls: { cname: ml.example.com, delivery: sealedSecret, certificate: ${files}, sealing: { certificate: ${path.join(SEALING_DIR, 'controller.pem')} } }`,
    '  - name: edge',
    `    cluster: ${cluster('aks-edge')}`,
    '    extension: { enableInference: true, inferenceRouterServiceType: LoadBalancer }',
    `    tls: { cname: ml.example.com, delivery: pemSettings, certificate: ${files} }`,
    `    aso: { sealing: { certificate: ${path.join(SEALING_DIR, 'controller.pem')} } }`,
    '',
  ].join('\n'));
  return { dir, config, out: path.join(dir, 'dist') };
}

function encryptedData(out: string, manifest: string): Record<string, string> {
  return (parse(fs.readFileSync(path.join(out, manifest), 'utf8')) as { spec: { encryptedData: Record<string, string> } }).spec.encryptedData;
}

/** Replaces sealed values in a manifest's text (each value is one line), leaving every other byte as it is. */
function rewrite(out: string, manifest: string, replace: (value: string) => string | undefined): void {
  const file = path.join(out, manifest);
  const values = Object.values(encryptedData(out, manifest));
  const text = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
    const m = /^(\s+[^:]+: )(\S+)$/.exec(line);
    return m && values.includes(m[2]) ? `${m[1]}${replace(m[2]) ?? m[2]}` : line;
  }).join('\n');
  fs.writeFileSync(file, text);
}

/**
 * What anyone holding the public sealing certificate can do, as kubeseal does it: a random session key, AES-256-GCM
 * with the zero nonce, RSA-OAEP-SHA-256 with a random seed (written here from the format, independently of lib/).
 */
function attackerSeal(value: Buffer, label: string): string {
  const sessionKey = randomBytes(32);
  const wrapped = publicEncrypt({ key: SEALING_CERT, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') }, sessionKey);
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  const body = Buffer.concat([cipher.update(value), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  return Buffer.concat([length, wrapped, body]).toString('base64');
}

function cli(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--at', NOW.toISOString()], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('synth --check catches a tampered SealedSecret (issue #12)', () => {
  test('swapping the ciphertexts of cert.pem and key.pem is a changed manifest, and synth restores them', () => {
    // GIVEN a synthesized project
    const { config, out } = project();
    synthesize({ configFile: config, outDir: out, now: NOW });
    const original = fs.readFileSync(path.join(out, TLS_MANIFEST), 'utf8');
    const sealed = encryptedData(out, TLS_MANIFEST);
    // WHEN the two values are swapped in the committed manifest
    rewrite(out, TLS_MANIFEST, (v) => (v === sealed['cert.pem'] ? sealed['key.pem'] : sealed['cert.pem']));
    // THEN the swap is a working attack (the controller would unseal the key into cert.pem) ...
    const swapped = encryptedData(out, TLS_MANIFEST);
    expect(unseal(swapped['cert.pem'], SEALING_KEY, LABELS[TLS_MANIFEST]).toString('latin1')).toBe(TLS_KEY);
    // ... and check reports exactly that manifest as changed
    const check = checkSynth({ configFile: config, outDir: out, now: NOW });
    expect(check.upToDate).toBe(false);
    expect(check.differences).toEqual([{ path: TLS_MANIFEST, kind: SynthDifferenceKind.CHANGED, detail: 'content' }]);
    // WHEN synth runs again, THEN the true ciphertext is back and check is clean
    synthesize({ configFile: config, outDir: out, now: NOW });
    expect(fs.readFileSync(path.join(out, TLS_MANIFEST), 'utf8')).toBe(original);
    expect(checkSynth({ configFile: config, outDir: out, now: NOW }).upToDate).toBe(true);
  });

  test.each([
    [TLS_MANIFEST, 'key.pem', Buffer.from(ATTACKER_KEY, 'latin1')],
    [ASO_MANIFEST, 'scoringFe.sslKey', Buffer.from(Buffer.from(ATTACKER_KEY, 'latin1').toString('base64'), 'utf8')],
  ])('a value sealed by someone else under the public certificate is a changed manifest (%s)', (manifest, key, foreign) => {
    // GIVEN a synthesized project
    const { config, out } = project();
    synthesize({ configFile: config, outDir: out, now: NOW });
    const original = fs.readFileSync(path.join(out, manifest), 'utf8');
    const truth = encryptedData(out, manifest)[key];
    // WHEN one value is replaced by the attacker's seal of the attacker's key
    const forged = attackerSeal(foreign, LABELS[manifest]);
    rewrite(out, manifest, (v) => (v === truth ? forged : undefined));
    // THEN the controller would unseal it without complaint ...
    expect(unseal(encryptedData(out, manifest)[key], SEALING_KEY, LABELS[manifest])).toEqual(foreign);
    // ... but check reports the manifest as changed, and nothing else
    expect(checkSynth({ configFile: config, outDir: out, now: NOW }).differences)
      .toEqual([{ path: manifest, kind: SynthDifferenceKind.CHANGED, detail: 'content' }]);
    // WHEN synth runs again, THEN the true ciphertext is back
    synthesize({ configFile: config, outDir: out, now: NOW });
    expect(fs.readFileSync(path.join(out, manifest), 'utf8')).toBe(original);
    expect(encryptedData(out, manifest)[key]).toBe(truth);
  });

  test('the CLI: synth --check exits 3 naming the tampered manifest, and 0 once synth has run again', () => {
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
    // GIVEN a project synthesized by the CLI, clean by its own check
    const { dir, config } = project();
    expect(cli(['synth', '--config', config], dir).code).toBe(0);
    expect(cli(['synth', '--check', '--config', config], dir).code).toBe(0);
    // WHEN a value is replaced by a foreign seal of the right certificate and key
    const truth = encryptedData(path.join(dir, 'dist'), TLS_MANIFEST)['cert.pem'];
    rewrite(path.join(dir, 'dist'), TLS_MANIFEST, (v) => (v === truth ? attackerSeal(Buffer.from(TLS_CHAIN, 'latin1'), LABELS[TLS_MANIFEST]) : undefined));
    // THEN even a foreign seal of the very same plaintext is caught: only this run's ciphertext passes
    const check = cli(['synth', '--check', '--config', config], dir);
    expect(check.code).toBe(3);
    expect(check.out.split('\n').filter((l) => /^(added|removed|changed) /.test(l))).toEqual([`changed ${TLS_MANIFEST}`]);
    // WHEN synth runs again, THEN the check is clean
    expect(cli(['synth', '--config', config], dir).code).toBe(0);
    expect(cli(['synth', '--check', '--config', config], dir)).toMatchObject({ code: 0, err: '' });
  });

  test('re-running synth writes byte-identical SealedSecrets, with no cache file before or after', () => {
    // GIVEN
    const { dir, config, out } = project();
    synthesize({ configFile: config, outDir: out, now: NOW });
    const first = [TLS_MANIFEST, ASO_MANIFEST].map((m) => fs.readFileSync(path.join(out, m), 'utf8'));
    // WHEN synthesized again, into the same folder and into a fresh one (a fresh clone)
    synthesize({ configFile: config, outDir: out, now: NOW });
    synthesize({ configFile: config, outDir: path.join(dir, 'clone'), now: NOW });
    // THEN
    expect([TLS_MANIFEST, ASO_MANIFEST].map((m) => fs.readFileSync(path.join(out, m), 'utf8'))).toEqual(first);
    expect([TLS_MANIFEST, ASO_MANIFEST].map((m) => fs.readFileSync(path.join(dir, 'clone', m), 'utf8'))).toEqual(first);
    expect(fs.readdirSync(dir).sort()).toEqual(['azureml-tls.yaml', 'clone', 'dist']);
    // The values are the controller's: each unseals to the PEM files under its label.
    expect(unseal(encryptedData(out, TLS_MANIFEST)['cert.pem'], SEALING_KEY, LABELS[TLS_MANIFEST]).toString('latin1')).toBe(TLS_CHAIN);
  });
});

describe('upgrading from the seal cache', () => {
  test('a leftover <config>.sealed.json is reported as unused and left alone, even when damaged', () => {
    // GIVEN a project synthesized without the file, then the old cache file beside the config
    const { dir, config, out } = project();
    synthesize({ configFile: config, outDir: path.join(dir, 'without'), now: NOW });
    const leftover = path.join(dir, 'azureml-tls.sealed.json');
    fs.writeFileSync(leftover, '{ not json');
    // WHEN
    const prepared = prepareConfig(config, { now: NOW });
    const result = synthesize({ configFile: config, outDir: out, now: NOW });
    // THEN the warning names the file and says what to do
    const warning = `${path.relative(process.cwd(), leftover)}: this seal cache is no longer used (sealing is deterministic: every synth seals again and gets the same SealedSecrets, and synth --check catches an edited one); delete the file`;
    expect(prepared.warnings).toContain(warning);
    expect(result.warnings).toContain(warning);
    expect(checkSynth({ configFile: config, outDir: out, now: NOW }).warnings).toContain(warning);
    // ... the file is neither read (it is not even JSON) nor written, and the output is what it is without it
    expect(fs.readFileSync(leftover, 'utf8')).toBe('{ not json');
    expect(fs.readFileSync(path.join(out, TLS_MANIFEST), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'without', TLS_MANIFEST), 'utf8'));
  });

  test('no warning when there is no such file', () => {
    const { config } = project();
    expect(prepareConfig(config, { now: NOW }).warnings.filter((w) => w.includes('seal cache'))).toEqual([]);
  });

  test('the old file is named after the config: <name without extension>.sealed.json beside it', () => {
    expect(legacySealCachePath(path.join('/repo', 'azureml-tls.yaml'))).toBe(path.join('/repo', 'azureml-tls.sealed.json'));
    expect(legacySealCachePath(path.join('/repo', 'envs', 'prod.config.yml'))).toBe(path.join('/repo', 'envs', 'prod.config.sealed.json'));
  });
});
