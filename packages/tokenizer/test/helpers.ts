import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The repo's data sets (`datasets/`, gzipped; see datasets/README.md). */
const dataDir = new URL('../../../datasets/', import.meta.url);

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
