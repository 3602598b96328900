import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The repo's data sets (`datasets/`, each file gzipped: `stsb/train.tsv.gz`; see datasets/README.md). */
export const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../datasets');

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
