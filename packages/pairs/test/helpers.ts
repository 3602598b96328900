import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * `<name>/` in the nearest folder above this file that has one: the repo root, also when the tests run from a
 * copy nested deeper (Stryker's sandbox).
 */
function repoFolder(name: string): URL {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const candidate = new URL(`${name}/`, dir);
    if (existsSync(candidate)) return candidate;
    if (dir.pathname === '/') throw new Error(`no ${name}/ folder above ${import.meta.url}`);
  }
}

/** The repo's data sets (`datasets/`, each file gzipped: `stsb/train.tsv.gz`; see datasets/README.md). */
export const dataDir = fileURLToPath(repoFolder('datasets'));

/** Uncompressed bytes of `datasets/<path>` (stored as `<path>.gz`). */
export function readDataBytes(path: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(resolve(dataDir, `${path}.gz`))));
}

/** Splits bytes into chunks of `size` (to exercise chunk boundaries). */
export function* byteChunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** A web ReadableStream over `bytes` in chunks of `size`. */
export function byteStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  const it = byteChunks(bytes, size);
  return new ReadableStream({
    pull(controller) {
      const r = it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
  });
}
