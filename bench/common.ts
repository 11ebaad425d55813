// Shared by the benchmark scripts: where the project is, and what machine the figures come from.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The project root: the nearest folder above `start` with the project's package.json (from bench/ and build/bench/). */
export function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cdk8s-azureml-tls') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cdk8s-azureml-tls package root above ${start}`);
    dir = parent;
  }
}

/** The machine a run measured: CPU model, cores, Node version, OS. */
export function machine(): { cpu: string; cores: number; node: string; platform: string } {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
