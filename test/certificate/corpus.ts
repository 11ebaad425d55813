import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder of certificate TEST FIXTURES made by scripts/make-cert-corpus.sh (not secrets). */
export const CORPUS_DIR = path.join(__dirname, '..', 'fixtures', 'certs');

/** A time at which the good fixtures are valid (2025-01-01..2125-01-01) and `leaf-expiring` has 14 days left. */
export const NOW = new Date('2026-06-01T00:00:00Z');

/** The bytes of one fixture file. */
export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(CORPUS_DIR, name));
}

/** The text of one fixture file. */
export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(CORPUS_DIR, name), 'latin1');
}

/** Every fixture file name (the README excluded). */
export function corpusFiles(): string[] {
  return fs.readdirSync(CORPUS_DIR).filter((f) => f !== 'README.md').sort();
}
