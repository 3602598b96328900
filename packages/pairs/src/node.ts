/**
 * `@siamese/pairs/node`: thin Node adapter that reads data sets from file paths (the only module of the package
 * that touches `node:fs`). Everything else is runtime-neutral.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { datasetError } from './errors.js';
import type { PairsResult, ReadReport, RecordOf } from './pair-record.js';
import type { ReadPairsOptions } from './read-options.js';
import { readPairs, streamPairs } from './read-pairs.js';
import { type ReadRowsOptions, streamRows, type TableRow } from './read-rows.js';

/**
 * Byte chunks of a file (64 KiB each), as an async iterable any reader accepts. A path ending in `.gz` is
 * gunzipped on the fly. A file that cannot be read gives `E_DATASET_FILE`; a corrupt or truncated `.gz` gives
 * `E_DATASET_GZIP`.
 */
export function fileChunks(path: string): AsyncIterable<Uint8Array> {
  if (typeof path !== 'string') throw new TypeError(`path: expected a string, found ${typeof path}`);
  return readChunks(path);
}

async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = createReadStream(path, { highWaterMark: 64 * 1024 });
  const gzip = /\.gz$/i.test(path);
  let fileError: unknown;
  file.on('error', (e) => {
    fileError = e;
  });
  const source = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.on('error', (e) => (source as ReturnType<typeof createGunzip>).destroy(e));
  try {
    for await (const chunk of source) yield chunk as Uint8Array;
  } catch (e) {
    const where = { source: path, line: 0, column: 0 };
    if (fileError !== undefined || !gzip) {
      const code = (e as { code?: string }).code;
      const what =
        code === 'ENOENT'
          ? 'file not found'
          : code === 'EISDIR'
            ? 'expected a file, found a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : `cannot read the file: ${(e as Error).message}`;
      throw datasetError('E_DATASET_FILE', what, where);
    }
    throw datasetError(
      'E_DATASET_GZIP',
      `not a valid gzip file, or truncated: ${(e as Error).message}`,
      where,
    );
  } finally {
    file.destroy();
  }
}

/**
 * Reads all pair records of a file (`.gz` gunzipped); `source` defaults to the path, so errors name the file.
 * With `require: 'score'` the records are `ScoredPair`s, ready for `fit` and `evaluate`.
 *
 * @example
 * ```ts
 * const { pairs: dev } = await readPairsFile('datasets/stsb/dev.tsv.gz', { require: 'score' });
 * ```
 */
export function readPairsFile<O extends ReadPairsOptions>(
  path: string,
  options?: O,
): Promise<PairsResult<RecordOf<O>>> {
  return readPairs(fileChunks(path), { source: path, ...options } as O);
}

/** Streams the pair records of a file; the generator returns the report. */
export function streamPairsFile<O extends ReadPairsOptions>(
  path: string,
  options?: O,
): AsyncGenerator<RecordOf<O>, ReadReport> {
  return streamPairs(fileChunks(path), { source: path, ...options } as O);
}

/** Streams the rows of a delimited file. */
export function streamRowsFile(
  path: string,
  options?: ReadRowsOptions,
): AsyncGenerator<TableRow, ReadReport> {
  return streamRows(fileChunks(path), { source: path, ...options });
}
