/**
 * `@siamese/sdk/node`: reading data sets from file paths on Node, Deno and Bun (`.gz` is gunzipped on the fly).
 * The main entry stays free of `node:` imports, so it also bundles for Workers and browsers.
 *
 * @example
 * ```ts
 * import { readPairsFile } from '@siamese/sdk/node';
 * const { pairs: dev } = await readPairsFile('stsb/dev.tsv.gz', { require: 'score' });
 * ```
 */
export { fileChunks, readPairsFile, streamPairsFile, streamRowsFile } from '@siamese/pairs/node';
