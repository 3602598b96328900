// The cross-runtime reference: the values `ctx.same()` records on Node, from this very build. Deno, Bun and
// workerd compare theirs with it bit for bit. The file carries a fingerprint of the build (every package's dist/
// and the lockfile), so a stale reference is never used: `ensureReference()` reruns the Node suite when it differs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pkgDir, repoRoot } from './paths.mjs';

export const referenceFile = join(pkgDir, '.out', 'reference-node.json');

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** sha256 over every package's built files and the lockfile (tfjs versions). */
export function buildFingerprint() {
  const h = createHash('sha256');
  const files = readdirSync(join(repoRoot, 'packages'))
    .sort()
    .flatMap((p) => walk(join(repoRoot, 'packages', p, 'dist')));
  for (const f of [...files, join(repoRoot, 'package-lock.json')]) {
    h.update(f.slice(repoRoot.length));
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

/** Node's values for this build: read, or computed now by a Node run of the suite. */
export function ensureReference() {
  const fingerprint = buildFingerprint();
  const read = () => {
    try {
      const ref = JSON.parse(readFileSync(referenceFile, 'utf8'));
      return ref.fingerprint === fingerprint && ref.ok ? ref : null;
    } catch {
      return null;
    }
  };
  let ref = read();
  if (!ref) {
    console.log('conformance: computing the Node reference for this build (node scripts/entry-local.mjs)');
    const res = spawnSync(process.execPath, [join(pkgDir, 'scripts/entry-local.mjs')], {
      cwd: pkgDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    ref = read();
    if (res.status !== 0 || !ref) {
      throw new Error('the Node run that records the reference failed: run `npm run test:node` to see why');
    }
  }
  return ref;
}
