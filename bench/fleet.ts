/**
 * Fleet benchmark (not a test: nothing here asserts on time). Measures, on this machine, `azureml-tls synth` of
 * generated fleet configs with N = 10, 100 and 1000 environments, each a separate Node.js process as a user runs it:
 *  1. `node build/lib/cli/bin.js synth --config F --out D --at T`: median wall time of 3 runs, peak RSS, files written;
 *  2. side by side, bench/bare-app.ts: a bare cdk8s app emitting the same Secrets with no validation at all;
 *  3. at N = 10 and 100, `kubectl create secret generic ... --dry-run=client -o yaml` once per environment;
 *  4. start-up: `node -e 'require("cdk8s"); require("cdk8s-plus-28")'` against a one-environment synth;
 *  5. derived figures (cost per added environment, growth) against the targets, reported PASS / MISS.
 *
 * Run: `npm run build && node build/bench/fleet.js` (`--quick`: N = 10 and 100, one run each). Prints a plain-text
 * table and writes the same as JSON to build/bench/fleet-results.json. Everything else goes to a temp folder that is
 * removed afterwards (`--keep` leaves it, with the configs and certificates, and prints its path). Peak RSS comes from bench/rss-probe.js, preloaded into each Node.js child with `-r`.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDevCa, issueDevCertificate } from '../lib/certificate/dev-ca';

const QUICK = process.argv.slice(2).includes('--quick');
/** `--keep`: leave the temp folder (certificate pool, fleet-<N>.yaml configs) in place, e.g. to profile one synth. */
const KEEP = process.argv.slice(2).includes('--keep');
const FLEET_SIZES = QUICK ? [10, 100] : [10, 100, 1000];
const RUNS = QUICK ? 1 : 3;
const STARTUP_RUNS = QUICK ? 3 : 7;
const KUBECTL_SIZES = [10, 100];
const POOL_SIZE = 20;
/** The pool's certificates are valid 2026-06-01 .. 2026-08-30 (90 days); synth checks them at AT (60 days left). */
const CERT_NOW = new Date('2026-06-01T00:00:00Z');
const AT = '2026-07-01T00:00:00Z';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const TARGETS = { startupRatio: 1.6, fleetMs: 5000, perAddedEnvMs: 3, rssMb: 500 } as const;
const CHILD_TIMEOUT_MS = 300_000;

/** The project root: the nearest folder above this file with the project's package.json (works from bench/ and build/bench/). */
function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cdk8s-azureml-tls') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cdk8s-azureml-tls package root above ${start}`);
    dir = parent;
  }
}

const ROOT = findRoot(__dirname);
const CLI = path.join(ROOT, 'build', 'lib', 'cli', 'bin.js');
const BARE_APP = path.join(ROOT, 'build', 'bench', 'bare-app.js');
/** Plain JavaScript, not compiled: preloaded from the source folder. */
const RSS_PROBE = path.join(ROOT, 'bench', 'rss-probe.js');
const RESULTS_FILE = path.join(ROOT, 'build', 'bench', 'fleet-results.json');

// ---------------------------------------------------------------------------------------------------------------
// Statistics

interface Stats {
  readonly n: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: number[];
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: samples.length, medianMs: round(median), minMs: round(sorted[0]), maxMs: round(sorted[sorted.length - 1]), samplesMs: samples.map((x) => round(x)) };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------------------------------------------------------
// Setup: the certificate pool and the fleet configs

const envName = (i: number) => `env-${String(i).padStart(4, '0')}`;
const poolName = (i: number) => `ml-${i % POOL_SIZE}`;
const cnameOf = (i: number) => `${poolName(i)}.fleet.example.com`;

/** One CA and POOL_SIZE leaves, written as certs/ml-<i>/cert.pem (leaf + CA) and key.pem (mode 0600). */
function writeCertificatePool(dir: string): number {
  const start = performance.now();
  const ca = createDevCa({ now: CERT_NOW });
  for (let i = 0; i < POOL_SIZE; i++) {
    const leaf = issueDevCertificate(ca, { cname: cnameOf(i), now: CERT_NOW });
    const folder = path.join(dir, 'certs', poolName(i));
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'cert.pem'), leaf.certificatePem);
    const key = path.join(folder, 'key.pem');
    fs.writeFileSync(key, leaf.privateKeyPem, { mode: 0o600 });
    fs.chmodSync(key, 0o600);
  }
  return performance.now() - start;
}

/**
 * A config with `n` environments env-0001 ... With `useDefaults`, the shared parts (extension, cluster but its name,
 * delivery, secretName) are in a `defaults:` block; otherwise every environment spells everything out.
 */
function fleetConfig(n: number, useDefaults: boolean): string {
  const lines = [
    `# Fleet benchmark config: ${n} environment(s), generated by bench/fleet.ts (temporary).`,
  ];
  const cluster = `type: aks, subscriptionId: ${SUBSCRIPTION}, resourceGroup: rg-ml-fleet, location: eastus, nodeCount: 3`;
  const extension = '{ enableInference: true, inferenceRouterServiceType: LoadBalancer }';
  const certificate = (i: number) => `{ files: { cert: certs/${poolName(i)}/cert.pem, key: certs/${poolName(i)}/key.pem } }`;
  if (useDefaults) {
    lines.push(
      'defaults:',
      `  cluster: { ${cluster} }`,
      `  extension: ${extension}`,
      '  tls: { delivery: secret, secretName: azureml-fe-tls, allowPlaintextKey: true }',
    );
  }
  lines.push('environments:');
  for (let i = 1; i <= n; i++) {
    lines.push(`  - name: ${envName(i)}`);
    if (useDefaults) {
      lines.push(
        `    cluster: { name: aks-${envName(i)} }`,
        `    tls: { cname: ${cnameOf(i)}, certificate: ${certificate(i)} }`,
      );
    } else {
      lines.push(
        `    cluster: { ${cluster}, name: aks-${envName(i)} }`,
        `    extension: ${extension}`,
        `    tls: { cname: ${cnameOf(i)}, certificate: ${certificate(i)}, delivery: secret, secretName: azureml-fe-tls, allowPlaintextKey: true }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Running children

interface ChildRun {
  readonly ms: number;
  /** Peak RSS in KiB (from the probe); undefined when the probe wrote nothing. */
  readonly rssKb?: number;
  readonly result: SpawnSyncReturns<string>;
}

/** Runs `node -r rss-probe.js ...args` in `cwd`; wall time around spawnSync (process start-up included). */
function runNode(args: string[], cwd: string, rssFile: string): ChildRun {
  fs.rmSync(rssFile, { force: true });
  const start = performance.now();
  const result = spawnSync(process.execPath, ['-r', RSS_PROBE, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, AZUREML_TLS_BENCH_RSS_FILE: rssFile, CDK8S_CHECK_UPGRADE: 'false' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: CHILD_TIMEOUT_MS,
  });
  const ms = performance.now() - start;
  const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim()) : NaN;
  return { ms, rssKb: Number.isFinite(rss) ? rss : undefined, result };
}

function failed(what: string, r: SpawnSyncReturns<string>): Error {
  const why = r.error?.message ?? (r.stderr || r.stdout).trim().split('\n').slice(0, 5).join('\n');
  return new Error(`${what} failed (exit ${r.status}${r.signal ? `, signal ${r.signal}` : ''}):\n${why}`);
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  }
  return n;
}

interface Measured {
  readonly stats: Stats;
  /** The largest peak RSS of the runs, MB (1024 * 1024 bytes). */
  readonly peakRssMb?: number;
  readonly files: number;
  readonly warnings: number;
}

/** `runs` runs of `node args...`, each into an emptied `outDir` (removal not timed). */
function measureNode(what: string, args: string[], outDir: string | undefined, runs: number, cwd: string, rssFile: string): Measured {
  const samples: number[] = [];
  let peakKb: number | undefined;
  let warnings = 0;
  for (let r = 0; r < runs; r++) {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    const run = runNode(args, cwd, rssFile);
    if (run.result.error || run.result.status !== 0) throw failed(what, run.result);
    samples.push(run.ms);
    if (run.rssKb !== undefined) peakKb = Math.max(peakKb ?? 0, run.rssKb);
    warnings = run.result.stderr.split('\n').filter((l) => l.startsWith('warning:')).length;
  }
  return { stats: stats(samples), peakRssMb: peakKb === undefined ? undefined : round(peakKb / 1024), files: outDir ? countFiles(outDir) : 0, warnings };
}

type KubectlResult = { readonly skipped: string } | { readonly version: string; readonly totalMs: number; readonly files: number };

/** `kubectl create secret generic --dry-run=client -o yaml > file` once per environment, sequentially. */
function benchKubectl(n: number, dir: string, certsDir: string): KubectlResult {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `kubectl not available (${probe.error ? probe.error.message : `exit ${probe.status}`})` };
  const version = probe.stdout.trim().split('\n')[0];
  const out = path.join(dir, `kubectl-${n}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  let totalMs = 0;
  for (let i = 1; i <= n; i++) {
    const certDir = path.join(certsDir, poolName(i));
    const fd = fs.openSync(path.join(out, `${envName(i)}.yaml`), 'w');
    try {
      const start = performance.now();
      const r = spawnSync('kubectl', [
        'create', 'secret', 'generic', 'azureml-fe-tls', '-n', 'azureml',
        `--from-file=cert.pem=${path.join(certDir, 'cert.pem')}`, `--from-file=key.pem=${path.join(certDir, 'key.pem')}`,
        '--dry-run=client', '-o', 'yaml',
      ], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
      totalMs += performance.now() - start;
      if (r.error || r.status !== 0) return { skipped: `kubectl create secret failed (${r.error?.message ?? (r.stderr.trim().split('\n')[0] || `exit ${r.status}`)})` };
    } finally {
      fs.closeSync(fd);
    }
  }
  return { version, totalMs: round(totalMs), files: countFiles(out) };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** A plain-text table: the first and last columns (and any in `left`) left-aligned, the others right-aligned. */
function table(rows: string[][], left: number[] = []): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const leftAligned = (i: number, r: string[]) => i === 0 || i === r.length - 1 || left.includes(i);
  const line = (r: string[]) => r.map((c, i) => (leftAligned(i, r) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');

/** Growth from N=100 to N=1000 with the one-environment time taken as the fixed cost: 10 means linear. */
function growthLabel(ratio: number): string {
  if (ratio > 12.5) return 'superlinear';
  if (ratio < 8) return 'sublinear';
  return 'linear';
}

function main(): void {
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.platform}`);
  console.log(`mode: ${QUICK ? `quick (--quick: N = ${FLEET_SIZES.join(', ')}, ${RUNS} run each, start-up ${STARTUP_RUNS} runs)` : `full (median of ${RUNS} runs, start-up median of ${STARTUP_RUNS})`}`);
  for (const f of [CLI, BARE_APP, RSS_PROBE]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(ROOT, f)} not found: run npm run build first`);
  }

  const wall = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-tls-bench-fleet-'));
  try {
    const rssFile = path.join(tmp, 'rss.txt');
    const certsDir = path.join(tmp, 'certs');
    const setupMs = writeCertificatePool(tmp);
    const configFile = (n: number) => path.join(tmp, `fleet-${n}.yaml`);
    const writeConfigs = (useDefaults: boolean) => {
      for (const n of [1, ...FLEET_SIZES]) fs.writeFileSync(configFile(n), fleetConfig(n, useDefaults));
    };
    const synthArgs = (n: number, out: string) => [CLI, 'synth', '--config', configFile(n), '--out', out, '--at', AT];

    // Warm-up (not timed; also fills the page cache with the modules): the one-environment config. A build without
    // `defaults:` support rejects the block, and the configs are rewritten with every key per environment.
    let useDefaults = true;
    writeConfigs(useDefaults);
    const warmOut = path.join(tmp, 'out-warmup');
    let warm = runNode(synthArgs(1, warmOut), ROOT, rssFile);
    if (warm.result.status !== 0 && /defaults/.test(warm.result.stderr)) {
      useDefaults = false;
      writeConfigs(useDefaults);
      warm = runNode(synthArgs(1, warmOut), ROOT, rssFile);
    }
    if (warm.result.error || warm.result.status !== 0) throw failed('warm-up synth of the one-environment config', warm.result);
    fs.rmSync(warmOut, { recursive: true, force: true });
    console.log(`setup: ${POOL_SIZE} certificates + CA in ${fmt(setupMs / 1000, 1)} s; configs ${useDefaults ? 'with a defaults: block' : 'with every key per environment (this build rejects defaults:)'}; --at ${AT}\n`);

    const cli = new Map<number, Measured>();
    const bare = new Map<number, Measured>();
    const kubectl = new Map<number, KubectlResult>();
    for (const n of FLEET_SIZES) {
      const out = path.join(tmp, `out-cli-${n}`);
      cli.set(n, measureNode(`azureml-tls synth of ${n} environments`, synthArgs(n, out), out, RUNS, ROOT, rssFile));
      fs.rmSync(out, { recursive: true, force: true });
      const bareOut = path.join(tmp, `out-bare-${n}`);
      bare.set(n, measureNode(`bare cdk8s app with ${n} environments`, [BARE_APP, '--config', configFile(n), '--out', bareOut], bareOut, RUNS, ROOT, rssFile));
      fs.rmSync(bareOut, { recursive: true, force: true });
      if (KUBECTL_SIZES.includes(n)) kubectl.set(n, benchKubectl(n, tmp, certsDir));
    }

    // Start-up: the two commands alternate, so drift on the machine affects both alike.
    const requireSamples: number[] = [];
    const oneSamples: number[] = [];
    let requireRssKb = 0;
    let oneRssKb = 0;
    const oneOut = path.join(tmp, 'out-one');
    for (let r = 0; r < STARTUP_RUNS; r++) {
      const req = runNode(['-e', 'require("cdk8s"); require("cdk8s-plus-28")'], ROOT, rssFile);
      if (req.result.error || req.result.status !== 0) throw failed('node -e require(cdk8s, cdk8s-plus-28)', req.result);
      requireSamples.push(req.ms);
      requireRssKb = Math.max(requireRssKb, req.rssKb ?? 0);
      fs.rmSync(oneOut, { recursive: true, force: true });
      const one = runNode(synthArgs(1, oneOut), ROOT, rssFile);
      if (one.result.error || one.result.status !== 0) throw failed('azureml-tls synth of 1 environment', one.result);
      oneSamples.push(one.ms);
      oneRssKb = Math.max(oneRssKb, one.rssKb ?? 0);
    }
    const requireStats = stats(requireSamples);
    const oneStats = stats(oneSamples);
    const oneFiles = countFiles(oneOut);
    const startupRatio = oneStats.medianMs / requireStats.medianMs;
    const wallMs = performance.now() - wall;

    // Derived figures.
    const med = (m: Map<number, Measured>, n: number) => m.get(n)?.stats.medianMs;
    const perAdded = (m: Map<number, Measured>, a: number, b: number) => {
      const ta = med(m, a);
      const tb = med(m, b);
      return ta === undefined || tb === undefined ? undefined : (tb - ta) / (b - a);
    };
    const growth = (m: Map<number, Measured>) => {
      const t100 = med(m, 100);
      const t1000 = med(m, 1000);
      return t100 === undefined || t1000 === undefined ? undefined : t1000 / t100;
    };
    // With the fixed cost removed: (t(1000) - t(1)) / (t(100) - t(1)), t(1) the one-environment synth (CLI only).
    const t100 = med(cli, 100);
    const t1000 = med(cli, 1000);
    const marginalGrowth = t100 !== undefined && t1000 !== undefined ? (t1000 - oneStats.medianMs) / (t100 - oneStats.medianMs) : undefined;
    const cliPerAdded = perAdded(cli, 100, 1000);
    const barePerAdded = perAdded(bare, 100, 1000);
    const largest = FLEET_SIZES[FLEET_SIZES.length - 1];
    const cliPeakRss = Math.max(...[...cli.values()].map((m) => m.peakRssMb ?? 0), oneRssKb / 1024);

    const rows: string[][] = [['benchmark', 'N', 'runs', 'median ms', 'ms/env', 'peak RSS MB', 'files', 'notes']];
    for (const n of FLEET_SIZES) {
      const c = cli.get(n);
      const b = bare.get(n);
      if (c) {
        rows.push(['azureml-tls synth', String(n), String(c.stats.n), fmt(c.stats.medianMs), fmt(c.stats.medianMs / n, 2), fmt(c.peakRssMb), String(c.files),
          `min ${fmt(c.stats.minMs)}, max ${fmt(c.stats.maxMs)}; ${c.warnings} warning(s)`]);
      }
      if (b) {
        rows.push(['  bare cdk8s app, Secrets only', String(n), String(b.stats.n), fmt(b.stats.medianMs), fmt(b.stats.medianMs / n, 2), fmt(b.peakRssMb), String(b.files),
          `min ${fmt(b.stats.minMs)}, max ${fmt(b.stats.maxMs)}; no validation${c ? `; synth / bare ${fmt(c.stats.medianMs / b.stats.medianMs, 2)}x` : ''}`]);
      }
      const k = kubectl.get(n);
      if (k) {
        rows.push('totalMs' in k
          ? ['  kubectl create secret --dry-run', String(n), '1', fmt(k.totalMs), fmt(k.totalMs / n, 2), '-', String(k.files), `one process per environment, sequential, total; ${k.version}`]
          : ['  kubectl create secret --dry-run', String(n), '0', '-', '-', '-', '-', `skipped: ${k.skipped}`]);
      }
    }
    rows.push(
      ['node -e require(cdk8s, cdk8s-plus-28)', '-', String(requireStats.n), fmt(requireStats.medianMs), '-', fmt(requireRssKb / 1024), '0', `start-up baseline; min ${fmt(requireStats.minMs)}, max ${fmt(requireStats.maxMs)}`],
      ['azureml-tls synth, 1 environment', '1', String(oneStats.n), fmt(oneStats.medianMs), fmt(oneStats.medianMs), fmt(oneRssKb / 1024), String(oneFiles), `min ${fmt(oneStats.minMs)}, max ${fmt(oneStats.maxMs)}; ${fmt(startupRatio, 2)}x the baseline`],
    );

    const quickNote = 'n/a in --quick (needs N = 1000)';
    const targetRows: string[][] = [
      ['target', 'measured', 'result'],
      [`1 env synth within ${TARGETS.startupRatio}x of require(cdk8s + cdk8s-plus-28)`, `${fmt(startupRatio, 2)}x (${fmt(oneStats.medianMs)} / ${fmt(requireStats.medianMs)} ms)`, verdict(startupRatio <= TARGETS.startupRatio)],
      [`1000 envs < ${TARGETS.fleetMs / 1000} s`, t1000 === undefined ? quickNote : `${fmt(t1000)} ms`, verdict(t1000 === undefined ? undefined : t1000 < TARGETS.fleetMs)],
      [`<= ${TARGETS.perAddedEnvMs} ms per added env, (t(1000) - t(100)) / 900`, cliPerAdded === undefined
        ? `${quickNote}; (t(100) - t(10)) / 90 = ${fmt(perAdded(cli, 10, 100), 2)} ms`
        : `${fmt(cliPerAdded, 2)} ms (bare app ${fmt(barePerAdded, 2)} ms)`, verdict(cliPerAdded === undefined ? undefined : cliPerAdded <= TARGETS.perAddedEnvMs)],
      [`peak RSS < ${TARGETS.rssMb} MB (any synth run)`, `${fmt(cliPeakRss)} MB (largest of all synth runs; N = ${largest}: ${fmt(cli.get(largest)?.peakRssMb)} MB)`, verdict(cliPeakRss < TARGETS.rssMb)],
      ['growth 100 -> 1000 (info): t(1000)/t(100), 10 = proportional', growth(cli) === undefined ? quickNote
        : `${fmt(growth(cli), 2)} (bare app ${fmt(growth(bare), 2)}); minus the 1-env time: ${fmt(marginalGrowth, 2)} -> ${growthLabel(marginalGrowth ?? 0)}`, 'info'],
    ];

    console.log(table(rows));
    console.log(`\n${table(targetRows, [1])}`);
    console.log(`\nwall time ${fmt(wallMs / 1000, 1)} s`);

    const plain = (m: Map<number, Measured>) => Object.fromEntries([...m].map(([n, v]) => [n, { ...v, msPerEnv: round(v.stats.medianMs / n, 3) }]));
    const results = {
      timestamp: new Date().toISOString(),
      mode: QUICK ? 'quick' : 'full',
      machine,
      wallMs: round(wallMs),
      at: AT,
      certificatesIssuedAt: CERT_NOW.toISOString(),
      certificatePool: POOL_SIZE,
      configWithDefaultsBlock: useDefaults,
      setupMs: round(setupMs),
      synth: plain(cli),
      bareApp: plain(bare),
      kubectl: Object.fromEntries(kubectl),
      startup: { require: { ...requireStats, peakRssMb: round(requireRssKb / 1024) }, synthOneEnvironment: { ...oneStats, peakRssMb: round(oneRssKb / 1024), files: oneFiles }, ratio: round(startupRatio, 3) },
      derived: {
        perAddedEnvMs: cliPerAdded === undefined ? undefined : round(cliPerAdded, 3),
        perAddedEnvMsBareApp: barePerAdded === undefined ? undefined : round(barePerAdded, 3),
        growth100To1000: growth(cli) === undefined ? undefined : round(growth(cli) ?? 0, 3),
        growth100To1000BareApp: growth(bare) === undefined ? undefined : round(growth(bare) ?? 0, 3),
        marginalGrowth100To1000: marginalGrowth === undefined ? undefined : round(marginalGrowth, 3),
        peakRssMb: round(cliPeakRss),
      },
      targets: TARGETS,
      table: rows,
      targetTable: targetRows,
    };
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`results: ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);
  } finally {
    if (KEEP) {
      for (const e of fs.readdirSync(tmp)) if (e.startsWith('out-') || e.startsWith('kubectl-') || e === 'rss.txt') fs.rmSync(path.join(tmp, e), { recursive: true, force: true });
      console.log(`kept (--keep): ${tmp}`);
    } else {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}

main();
