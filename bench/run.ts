/**
 * Benchmark (not a test: nothing here asserts on time). Measures, on this machine:
 *  1. validateTlsMaterial() over a mix of good and bad certificate TEST FIXTURES (test/fixtures/certs/);
 *  2. issueDevCertificate() (node:crypto RSA-2048 + node-forge X.509) versus `openssl req -x509 -newkey rsa:2048`;
 *  3. synthesize() of a temp copy of the embedded default config, first run (generates dev certificates) and reuse;
 *  4. sealValue() of a certificate and a key PEM (the example files) for the Sealed Secrets controller.
 *
 * Run: `npm run bench` (or `npm run build && node build/bench/run.js`); `--quick` for a smoke run with fewer
 * iterations. Prints a plain-text table and writes the same as JSON to build/bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findRoot, machine as describeMachine } from './common';
import { createDevCa, issueDevCertificate } from '../lib/certificate/dev-ca';
import { Severity } from '../lib/certificate/findings';
import { validateTlsMaterial } from '../lib/certificate/validate';
import { SealingKey, sealValue } from '../lib/sealing/seal';
import { synthesize } from '../lib/synth';

const QUICK = process.argv.slice(2).includes('--quick');
const SIZES = QUICK
  ? { checks: 100, warmup: 20, certs: 3, synthReuse: 2, seals: 50 }
  : { checks: 1000, warmup: 20, certs: 10, synthReuse: 5, seals: 500 };
const CHECK_NOW = new Date('2026-06-01T00:00:00Z');
const CERT_NOW = new Date('2026-06-01T00:00:00Z');
const SYNTH_NOW = new Date('2027-06-01T00:00:00Z');
const BENCH_CNAME = 'ml.bench.example.com';

const ROOT = findRoot(__dirname);
const CORPUS_DIR = path.join(ROOT, 'test', 'fixtures', 'certs');
const RESULTS_FILE = path.join(ROOT, 'build', 'bench', 'results.json');

// ---------------------------------------------------------------------------------------------------------------
// Statistics

interface Stats {
  readonly n: number;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: number[];
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  return {
    n: samples.length,
    medianMs: round(median),
    meanMs: round(mean),
    minMs: round(sorted[0]),
    maxMs: round(sorted[sorted.length - 1]),
    samplesMs: samples.map(round),
  };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn` once; returns its result and the time it took, in milliseconds. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. validateTlsMaterial over the fixture corpus

/** One check: a certificate file, the key file that goes with it (when there is one) and the cname. */
interface CheckCase {
  readonly certificate: string;
  readonly privateKey?: string;
  readonly cname?: string;
}

const CNAME = 'ml.example.com';
/**
 * Good and bad inputs from test/fixtures/certs/ (see its README.md), chains paired with their keys where a matching
 * key exists. Order mixes good and bad so that any prefix (the warm-up, a quick run) sees both.
 */
const CASES: CheckCase[] = [
  { certificate: 'leaf-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-expired-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-full-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-chain-wrong-order.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-chain-crlf.pem', privateKey: 'leaf-crlf.key', cname: CNAME },
  { certificate: 'leaf-chain.pem', privateKey: 'other.key', cname: CNAME },
  { certificate: 'leaf-chain-bom.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-chain-gap.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-chain-whitespace.pem', privateKey: 'leaf-traditional.key', cname: CNAME },
  { certificate: 'leaf-not-yet-valid-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-chain-bag-attributes.pem', privateKey: 'leaf-bag-attributes.key', cname: CNAME },
  { certificate: 'leaf-expiring-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'ecdsa-p256-chain.pem', privateKey: 'ecdsa-p256.key', cname: CNAME },
  { certificate: 'leaf-sha1-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'ecdsa-p256-chain.pem', privateKey: 'ecdsa-p256-sec1.key', cname: CNAME },
  { certificate: 'leaf-no-san-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'ed25519-chain.pem', privateKey: 'ed25519.key', cname: CNAME },
  { certificate: 'leaf-client-auth-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-wildcard-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-ca-true-chain.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'self-signed.pem', privateKey: 'self-signed.key', cname: CNAME },
  { certificate: 'leaf-full-chain-sha1-root.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'rsa1024-chain.pem', privateKey: 'rsa1024.key', cname: CNAME },
  { certificate: 'leaf-chain.pem', privateKey: 'leaf.key', cname: 'other.example.com' },
  { certificate: 'leaf-chain.pem', privateKey: 'two-keys.key', cname: CNAME },
  { certificate: 'leaf-chain.pem', privateKey: 'leaf-encrypted-pkcs8.key', cname: CNAME },
  { certificate: 'leaf-chain.pem', privateKey: 'leaf-encrypted-traditional.key', cname: CNAME },
  { certificate: 'leaf-chain.pem', privateKey: 'leaf-public.pem', cname: CNAME },
  { certificate: 'leaf-chain.pem', privateKey: 'leaf-key.der', cname: CNAME },
  { certificate: 'leaf.der', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf.pfx', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf.csr', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-chain.p7b', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'leaf-with-key.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'empty.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'truncated.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'truncated-middle.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'non-ascii-comment.pem', privateKey: 'leaf.key', cname: CNAME },
  { certificate: 'junk.bin', privateKey: 'junk.bin', cname: CNAME },
  { certificate: 'text-only.pem', privateKey: 'empty.pem', cname: CNAME },
  { certificate: 'ecdsa-p256-self-signed.pem', cname: CNAME },
  { certificate: 'ed25519-self-signed.pem', cname: CNAME },
  { certificate: 'root-ca.pem' },
  { certificate: 'intermediate-ca.pem' },
];

interface LoadedCase {
  readonly label: string;
  readonly certificate: Buffer;
  readonly privateKey?: Buffer;
  readonly cname?: string;
}

/** Reads every fixture once; cases whose files are missing are skipped (and reported), not fatal. */
function loadCases(): { cases: LoadedCase[]; skipped: string[] } {
  const files = new Map<string, Buffer | undefined>();
  const read = (name: string): Buffer | undefined => {
    if (!files.has(name)) {
      const file = path.join(CORPUS_DIR, name);
      files.set(name, fs.existsSync(file) ? fs.readFileSync(file) : undefined);
    }
    return files.get(name);
  };
  const cases: LoadedCase[] = [];
  const skipped: string[] = [];
  for (const c of CASES) {
    const label = c.privateKey ? `${c.certificate} + ${c.privateKey}` : c.certificate;
    const certificate = read(c.certificate);
    const privateKey = c.privateKey === undefined ? undefined : read(c.privateKey);
    if (!certificate || (c.privateKey !== undefined && !privateKey)) {
      skipped.push(label);
      continue;
    }
    cases.push({ label, certificate, privateKey, cname: c.cname });
  }
  return { cases, skipped };
}

interface ValidateResult {
  readonly checks: number;
  readonly warmup: number;
  readonly distinctInputs: number;
  readonly inputsWithErrors: number;
  readonly inputsWithWarningsOnly: number;
  readonly inputsClean: number;
  readonly skippedInputs: string[];
  readonly totalFindings: number;
  readonly totalMs: number;
  readonly perCheckMs: number;
  readonly checksPerSecond: number;
}

function benchValidate(): ValidateResult {
  const { cases, skipped } = loadCases();
  if (cases.length === 0) throw new Error(`no certificate fixtures found in ${CORPUS_DIR}`);
  const check = (c: LoadedCase) => validateTlsMaterial({
    certificate: c.certificate,
    privateKey: c.privateKey,
    cname: c.cname,
    now: CHECK_NOW,
    certificateLabel: 'cert.pem',
    keyLabel: 'key.pem',
  });

  for (let i = 0; i < SIZES.warmup; i++) check(cases[i % cases.length]);

  // Every report's findings are counted (and returned) so the work cannot be optimised away.
  let findings = 0;
  const start = performance.now();
  for (let i = 0; i < SIZES.checks; i++) findings += check(cases[i % cases.length]).findings.length;
  const totalMs = performance.now() - start;

  let withErrors = 0;
  let warningsOnly = 0;
  for (const c of cases) {
    const f = check(c).findings;
    if (f.some((x) => x.severity === Severity.ERROR)) withErrors++;
    else if (f.length > 0) warningsOnly++;
  }
  return {
    checks: SIZES.checks,
    warmup: SIZES.warmup,
    distinctInputs: cases.length,
    inputsWithErrors: withErrors,
    inputsWithWarningsOnly: warningsOnly,
    inputsClean: cases.length - withErrors - warningsOnly,
    skippedInputs: skipped,
    totalFindings: findings,
    totalMs: round(totalMs),
    perCheckMs: round(totalMs / SIZES.checks, 4),
    checksPerSecond: Math.round(SIZES.checks / (totalMs / 1000)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Development certificate generation versus openssl

type OpensslResult = { readonly skipped: string } | { readonly version: string; readonly stats: Stats };

interface DevCertResult {
  readonly createDevCaMs: number;
  readonly issueDevCertificate: Stats;
  readonly rsaKeygenOnly: Stats;
  readonly openssl: OpensslResult;
  /** ours / openssl; > 1 means ours is slower. */
  readonly ratio?: { readonly median: number; readonly mean: number };
}

function benchDevCertificates(): DevCertResult {
  const { value: devCa, ms: createDevCaMs } = timed(() => createDevCa({ now: CERT_NOW }));

  const ours: number[] = [];
  for (let i = 0; i < SIZES.certs; i++) {
    ours.push(timed(() => issueDevCertificate(devCa, { cname: BENCH_CNAME, now: CERT_NOW })).ms);
  }

  // The RSA-2048 key generation alone (what issueDevCertificate does first), to show how much of its time is the
  // prime search rather than node-forge.
  const keygen: number[] = [];
  for (let i = 0; i < SIZES.certs; i++) {
    keygen.push(timed(() => crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })).ms);
  }

  const openssl = benchOpenssl();
  const oursStats = stats(ours);
  return {
    createDevCaMs: round(createDevCaMs),
    issueDevCertificate: oursStats,
    rsaKeygenOnly: stats(keygen),
    openssl,
    ratio: 'stats' in openssl
      ? { median: round(oursStats.medianMs / openssl.stats.medianMs, 2), mean: round(oursStats.meanMs / openssl.stats.meanMs, 2) }
      : undefined,
  };
}

function benchOpenssl(): OpensslResult {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { skipped: `openssl not available (${probe.error ? probe.error.message : `exit ${probe.status}`})` };
  }
  const version = probe.stdout.trim();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-tls-bench-openssl-'));
  try {
    const args = [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
      '-keyout', path.join(tmp, 'k.pem'), '-out', path.join(tmp, 'c.pem'),
      '-days', '90', '-subj', `/CN=${BENCH_CNAME}`, '-addext', `subjectAltName=DNS:${BENCH_CNAME}`,
    ];
    const samples: number[] = [];
    for (let i = 0; i < SIZES.certs; i++) {
      const { value: result, ms } = timed(() => spawnSync('openssl', args, { cwd: tmp, encoding: 'utf8' }));
      if (result.error || result.status !== 0) {
        const why = result.error?.message ?? result.stderr.trim().split('\n')[0];
        return { skipped: `openssl req failed (${why || `exit ${result.status}`})` };
      }
      samples.push(ms);
    }
    return { version, stats: stats(samples) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Synth of the embedded default config

interface SynthBenchResult {
  readonly configFile: string;
  readonly firstRunMs: number;
  readonly firstRunGeneratedCertificates: number;
  readonly reuse: Stats;
  readonly reuseKeptCertificates: boolean;
  readonly files: number;
}

function benchSynth(): SynthBenchResult {
  const source = path.join(ROOT, 'azureml-tls.yaml');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-tls-bench-synth-'));
  try {
    const configFile = path.join(tmp, 'azureml-tls.yaml');
    fs.copyFileSync(source, configFile);
    const outDir = path.join(tmp, 'dist');
    const run = () => synthesize({ configFile, outDir, now: SYNTH_NOW });

    const { value: first, ms: firstRunMs } = timed(run);
    const before = devCertificates(tmp);

    const reuse: number[] = [];
    for (let i = 0; i < SIZES.synthReuse; i++) reuse.push(timed(run).ms);
    const after = devCertificates(tmp);
    const kept = before.size > 0 && before.size === after.size && [...before].every(([k, v]) => after.get(k) === v);

    return {
      configFile: path.relative(ROOT, source),
      firstRunMs: round(firstRunMs),
      firstRunGeneratedCertificates: before.size,
      reuse: stats(reuse),
      reuseKeptCertificates: kept,
      files: first.files.length,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface SealResult {
  /** Values sealed, alternating the example certificate and key. */
  readonly seals: number;
  readonly totalMs: number;
  readonly perSealMs: number;
  readonly plaintextBytes: number;
}

// Sealing is deterministic (issue 12): every run seals every value again, so its cost is paid on each synth.
function benchSeal(): SealResult {
  const certs = path.join(ROOT, 'examples', 'certs');
  const key = SealingKey.fromCertificatePem(fs.readFileSync(path.join(certs, 'example-only.sealing.pem'), 'utf8'));
  const values = ['example-only.cert.pem', 'example-only.key.pem'].map((f) => fs.readFileSync(path.join(certs, f)));
  for (let i = 0; i < SIZES.warmup; i++) sealValue(values[i % 2], key, 'azureml/azureml-fe-tls');
  const { ms } = timed(() => {
    for (let i = 0; i < SIZES.seals; i++) sealValue(values[i % 2], key, `azureml/bench-${i}`);
  });
  return { seals: SIZES.seals, totalMs: round(ms), perSealMs: round(ms / SIZES.seals), plaintextBytes: values[0].length + values[1].length };
}

/** The dev certificates in the temp state folder (cname -> cert.pem content), to confirm later runs reused them. */
function devCertificates(dir: string): Map<string, string> {
  const certs = new Map<string, string>();
  const root = path.join(dir, '.azureml-tls', 'dev-certs');
  if (!fs.existsSync(root)) return certs;
  for (const name of fs.readdirSync(root)) {
    const file = path.join(root, name, 'cert.pem');
    if (fs.existsSync(file)) certs.set(name, fs.readFileSync(file, 'utf8'));
  }
  return certs;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined ? '-' : x.toFixed(digits);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function main(): void {
  const machine = describeMachine();
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.platform}`);
  console.log(`mode: ${QUICK ? 'quick (--quick: fewer iterations, for a smoke run)' : 'full'}\n`);

  const wall = performance.now();
  const validate = benchValidate();
  const dev = benchDevCertificates();
  const synth = benchSynth();
  const seal = benchSeal();
  const wallMs = performance.now() - wall;

  const o = dev.openssl;
  const rows: string[][] = [
    ['benchmark', 'n', 'median ms', 'mean ms', 'total ms', 'notes'],
    [
      'check certificates (validateTlsMaterial)', String(validate.checks), '-', fmt(validate.perCheckMs, 3), fmt(validate.totalMs),
      `${validate.checksPerSecond} checks/s; ${validate.distinctInputs} fixture inputs cycled (${validate.inputsClean} clean, ${validate.inputsWithWarningsOnly} warnings, ${validate.inputsWithErrors} errors)`,
    ],
    ['dev CA (createDevCa, once)', '1', '-', '-', fmt(dev.createDevCaMs), 'RSA-2048, not in the comparison'],
    [
      'dev certificate (issueDevCertificate)', String(dev.issueDevCertificate.n), fmt(dev.issueDevCertificate.medianMs), fmt(dev.issueDevCertificate.meanMs),
      fmt(dev.issueDevCertificate.samplesMs.reduce((s, x) => s + x, 0)), `min ${fmt(dev.issueDevCertificate.minMs)}, max ${fmt(dev.issueDevCertificate.maxMs)}`,
    ],
    [
      '  reference: RSA-2048 keygen alone', String(dev.rsaKeygenOnly.n), fmt(dev.rsaKeygenOnly.medianMs), fmt(dev.rsaKeygenOnly.meanMs),
      fmt(dev.rsaKeygenOnly.samplesMs.reduce((s, x) => s + x, 0)), `node:crypto generateKeyPairSync (ours' first step), own runs; min ${fmt(dev.rsaKeygenOnly.minMs)}, max ${fmt(dev.rsaKeygenOnly.maxMs)}`,
    ],
    'stats' in o
      ? ['openssl req -x509 -newkey rsa:2048', String(o.stats.n), fmt(o.stats.medianMs), fmt(o.stats.meanMs), fmt(o.stats.samplesMs.reduce((s, x) => s + x, 0)),
        `${o.version}; spawnSync incl. process start + file writes; min ${fmt(o.stats.minMs)}, max ${fmt(o.stats.maxMs)}`]
      : ['openssl req -x509 -newkey rsa:2048', '0', '-', '-', '-', `skipped: ${o.skipped}`],
    dev.ratio
      ? ['ratio ours / openssl', '-', fmt(dev.ratio.median, 2), fmt(dev.ratio.mean, 2), '-', '> 1: ours slower; RSA keygen time varies a lot (prime search), trust the median']
      : ['ratio ours / openssl', '-', '-', '-', '-', 'skipped (no openssl)'],
    [
      'synth default config, first run', '1', '-', '-', fmt(synth.firstRunMs),
      `generates a dev CA + ${synth.firstRunGeneratedCertificates} dev certificates; ${synth.files} files; includes first-call JIT`,
    ],
    [
      'synth default config, reuse', String(synth.reuse.n), fmt(synth.reuse.medianMs), fmt(synth.reuse.meanMs), fmt(synth.reuse.samplesMs.reduce((s, x) => s + x, 0)),
      `dev certificates ${synth.reuseKeptCertificates ? 'reused' : 'NOT reused (regenerated?)'}; min ${fmt(synth.reuse.minMs)}, max ${fmt(synth.reuse.maxMs)}`,
    ],
    [
      'seal a value (sealValue)', String(seal.seals), '-', fmt(seal.perSealMs, 3), fmt(seal.totalMs),
      `the example certificate and key alternately (${seal.plaintextBytes} bytes the pair); RSA-OAEP-4096 wrap + AES-256-GCM, deterministic`,
    ],
  ];
  console.log(table(rows));
  if (validate.skippedInputs.length > 0) console.log(`\nskipped (fixture files missing): ${validate.skippedInputs.join(', ')}`);
  console.log(`\nwall time ${fmt(wallMs / 1000, 1)} s`);

  const results = {
    timestamp: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    machine,
    wallMs: round(wallMs),
    checkCertificates: { now: CHECK_NOW.toISOString(), ...validate },
    devCertificates: { now: CERT_NOW.toISOString(), cname: BENCH_CNAME, ...dev },
    synth: { now: SYNTH_NOW.toISOString(), ...synth },
    seal,
    table: rows,
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);
}

main();
