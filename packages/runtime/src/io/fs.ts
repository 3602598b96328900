// File access for Node, Deno and Bun without a static `node:` import, so this package stays loadable on Workers
// and in browsers (which load models from URLs or bytes instead).
import { SiameseError } from '@siamese/core';

export interface FsLike {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rm(path: string, options?: { force?: boolean; recursive?: boolean }): Promise<void>;
  stat(path: string): Promise<{ isDirectory(): boolean }>;
}

/** The runtime's `fs/promises` (Node, Bun and Deno all provide it), or a typed error on Workers/browsers. */
export async function getFs(): Promise<FsLike> {
  const g = globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } };
  const fromBuiltin = g.process?.getBuiltinModule?.('fs/promises') as FsLike | undefined;
  if (fromBuiltin) return fromBuiltin;
  try {
    const name = 'node:fs/promises';
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as FsLike;
  } catch (e) {
    throw new SiameseError(
      'E_NO_FILESYSTEM',
      'file paths need a runtime with a file system (Node, Deno, Bun); on Workers and in browsers pass bytes or a URL',
      { cause: e },
    );
  }
}

/** Joins path segments with '/', keeping it simple and runtime-neutral. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * Writes a file atomically: to a temporary sibling first, then `rename` over the target. A crash mid-write
 * leaves the previous file intact.
 */
export async function writeFileAtomic(fs: FsLike, path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}
