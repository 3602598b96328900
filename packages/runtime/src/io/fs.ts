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
