import { existsSync, readFileSync } from 'node:fs';
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

/** The repo's data sets (`datasets/`, gzipped; see datasets/README.md). */
const dataDir = repoFolder('datasets');

/** Bytes of `datasets/<path>` (stored as `<path>.gz`). */
export function readDataBytes(path: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(new URL(`${path}.gz`, dataDir))));
}

/** Text of `datasets/<path>`. */
export function readData(path: string): string {
  return new TextDecoder().decode(readDataBytes(path));
}

/** Both sentences of every pair of a TSV split (header skipped, TAB separated, no quoting). */
export function sentences(path: string): string[] {
  return readData(path)
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .flatMap((l) => l.split('\t').slice(0, 2));
}

/** A ReadableStream that delivers `bytes` in chunks of `size` bytes (splitting UTF-8 sequences). */
export function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.subarray(at, at + size));
        at += size;
      }
    },
  });
}
