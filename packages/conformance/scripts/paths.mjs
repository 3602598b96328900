import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(pkgDir, '../..');
/** The read-only shared folder beside the repo (override with SIAMESE_SHARED). */
export const sharedDir = process.env.SIAMESE_SHARED ?? resolve(repoRoot, '..', 'shared');
if (!existsSync(resolve(sharedDir, 'golden'))) {
  throw new Error(`conformance: shared folder not found at ${sharedDir} (set SIAMESE_SHARED)`);
}
export const bin = (name) => resolve(repoRoot, 'node_modules', '.bin', name);
