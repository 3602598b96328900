import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `shared/data` beside the repo (or `$SIAMESE_SHARED/data`). */
export const dataDir = resolve(
  process.env.SIAMESE_SHARED ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared'),
  'data',
);
if (!existsSync(dataDir)) throw new Error(`shared data not found at ${dataDir} (set SIAMESE_SHARED)`);

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
