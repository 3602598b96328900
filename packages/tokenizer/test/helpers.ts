import { readFileSync } from 'node:fs';

const proc = (globalThis as { process?: { env: Record<string, string | undefined>; cwd(): string } }).process;
const shared = proc?.env.SIAMESE_SHARED;
/** The shared data folder: `$SIAMESE_SHARED/data` (relative to the cwd), else `../../../../shared/data`. */
const dataDir = shared
  ? new URL(`${shared.replace(/\/?$/, '/')}data/`, `file://${proc!.cwd()}/`)
  : new URL('../../../../shared/data/', import.meta.url);

/** Text of `shared/data/<path>`. */
export function readData(path: string): string {
  return readFileSync(new URL(path, dataDir), 'utf8');
}

/** Bytes of `shared/data/<path>`. */
export function readDataBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(path, dataDir)));
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
