import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(pkgDir, '../..');
/** PyTorch goldens (`fixtures/golden/*.json`) and data sets (`datasets/<set>/<file>.gz`), both in the repo. */
export const fixturesDir = resolve(repoRoot, 'fixtures');
export const goldenDir = resolve(fixturesDir, 'golden');
export const dataDir = resolve(repoRoot, 'datasets');
/** Models saved by `save-extensions.mjs` (one Node process) for the suites to load (another process). */
export const savedDir = resolve(pkgDir, '.out', 'saved');
export const bin = (name) => resolve(repoRoot, 'node_modules', '.bin', name);
