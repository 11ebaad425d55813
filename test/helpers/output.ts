import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A manifest as the tests read it back: free-form YAML, as `Document.toJS()` returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = any;

/**
 * The objects of one folder of the output (`clusters/<env>` by default), in the order its kustomization.yaml lists
 * them: what `kubectl apply -k` and the GitOps tools read.
 */
export function folderObjects(outRoot: string, folder: string): Manifest[] {
  const dir = path.join(outRoot, folder);
  const kustomization = parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources?: string[] };
  return (kustomization.resources ?? []).flatMap((file) =>
    parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJS() as Manifest).filter(Boolean));
}

/** The objects for an environment's cluster: `clusters/<env>/`. */
export function environmentObjects(outRoot: string, env: string): Manifest[] {
  return folderObjects(outRoot, path.join('clusters', env));
}
