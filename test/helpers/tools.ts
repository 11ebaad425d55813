import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when `name` is an executable on PATH (what `which` does, without needing `which`). */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
