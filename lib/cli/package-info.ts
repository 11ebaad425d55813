import * as fs from 'node:fs';
import * as path from 'node:path';

/** The name in this package's package.json. */
export const PACKAGE_NAME = 'cdk8s-azureml-tls';

/** The JSON Schema of the config file, at the package root. */
export const SCHEMA_FILE_NAME = 'azureml-tls.schema.json';

/**
 * The root of this package: the nearest folder above `start` whose package.json is named {@link PACKAGE_NAME}.
 * Walking up (instead of a fixed `../../..`) works from the sources (lib/cli), the compiled files (build/lib/cli) and
 * an installed copy alike, and skips any other package.json on the way.
 * @throws Error when there is none (a broken install)
 */
export function packageRoot(start: string = __dirname): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (packageNameAt(dir) === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the package.json of ${PACKAGE_NAME} above ${start} (fix: reinstall the package)`);
  }
}

function packageNameAt(dir: string): string | undefined {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const name = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    // Some other, unreadable package.json: not ours, keep walking up.
    return undefined;
  }
}

/** This package's version, from its own package.json. */
export function packageVersion(root: string = packageRoot()): string {
  const parsed = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof parsed.version !== 'string') throw new Error(`${path.join(root, 'package.json')} has no version (fix: reinstall the package)`);
  return parsed.version;
}
