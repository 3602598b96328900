/**
 * `@siamese/pairs/node`: thin Node adapter that reads data sets from file paths (the only module of the package
 * that touches `node:fs`). Everything else is runtime-neutral.
 */
import { createReadStream } from 'node:fs';
import type { PairRecord, PairsResult, ReadReport } from './pair-record.js';
import type { ReadPairsOptions } from './read-options.js';
import { readPairs, streamPairs } from './read-pairs.js';
import { type ReadRowsOptions, streamRows, type TableRow } from './read-rows.js';

/** Byte chunks of a file (64 KiB each), as an async iterable any reader accepts. */
export function fileChunks(path: string): AsyncIterable<Uint8Array> {
  if (typeof path !== 'string') throw new TypeError(`path: expected a string, found ${typeof path}`);
  return createReadStream(path, { highWaterMark: 64 * 1024 });
}

/** Reads all pair records of a file; `source` defaults to the path, so errors name the file. */
export function readPairsFile(path: string, options?: ReadPairsOptions): Promise<PairsResult> {
  return readPairs(fileChunks(path), { source: path, ...options });
}

/** Streams the pair records of a file; the generator returns the report. */
export function streamPairsFile(
  path: string,
  options?: ReadPairsOptions,
): AsyncGenerator<PairRecord, ReadReport> {
  return streamPairs(fileChunks(path), { source: path, ...options });
}

/** Streams the rows of a delimited file. */
export function streamRowsFile(
  path: string,
  options?: ReadRowsOptions,
): AsyncGenerator<TableRow, ReadReport> {
  return streamRows(fileChunks(path), { source: path, ...options });
}
