import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared folder: `SIAMESE_SHARED`, else `../../../../shared` from this file (repo sibling). */
export const sharedDir =
  process.env.SIAMESE_SHARED ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared');

export function readShared(path: string): string {
  return readFileSync(resolve(sharedDir, path), 'utf8');
}

export function readSharedBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(sharedDir, path)));
}

/** Both sentences of every pair of a TSV split (header skipped, TAB separated, no quoting). */
export function sentences(path: string): string[] {
  return readShared(path)
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
