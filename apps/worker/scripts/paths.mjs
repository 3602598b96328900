// Paths shared by the worker scripts and tests: the app folder, the repo root, the repo's datasets/ folder, binaries.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const appDir = resolve(import.meta.dirname, '..');
export const rootDir = resolve(appDir, '../..');
/** The repo's data sets (gzipped; see datasets/README.md). */
export const dataDir = join(rootDir, 'datasets');
/** The generated model and reference set the Worker imports. */
export const modelDir = join(appDir, 'model');

/** A binary from the root node_modules/.bin, failing clearly when it is missing. */
export function bin(name) {
  const p = join(rootDir, 'node_modules/.bin', name);
  if (!existsSync(p)) throw new Error(`${name} not found at ${p}: run npm ci at the repo root`);
  return p;
}
