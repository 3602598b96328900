// Path helpers on top of the platform's file system (`fileSystem()` from @siamese/core), which keeps this
// package loadable on Workers and in browsers (they load models from URLs or bytes instead).
import type { FileSystem } from '@siamese/core';

/** Joins path segments with '/', keeping it simple and runtime-neutral. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * Writes a file atomically: to a temporary sibling first, then `rename` over the target. A crash mid-write
 * leaves the previous file intact.
 */
export async function writeFileAtomic(
  fs: FileSystem,
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/** A temporary file of {@link writeFileAtomic}: `<name>.tmp-<time>-<random>`. */
const TEMP = /\.tmp-[0-9a-z]+-[0-9a-z]+$/;

/**
 * Removes temporary files that a killed save left in `dir` (older than `maxAgeMs`, so a save still running in
 * another process keeps its own). Only `<own name>.tmp-…` files are touched; errors are ignored (best effort).
 */
export async function removeStaleTemps(
  fs: FileSystem,
  dir: string,
  own: RegExp,
  maxAgeMs = 10 * 60_000,
): Promise<string[]> {
  const removed: string[] = [];
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!TEMP.test(name) || !own.test(name.replace(TEMP, ''))) continue;
    const path = joinPath(dir, name);
    try {
      const st = await fs.lstat(path);
      if (st.isFile() && Date.now() - st.mtimeMs > maxAgeMs) {
        await fs.rm(path, { force: true });
        removed.push(name);
      }
    } catch {
      // gone already, or not ours to stat: leave it
    }
  }
  return removed;
}
