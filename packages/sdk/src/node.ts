/**
 * `@siamese/sdk/node`: reading data sets from file paths (`.gz` too) on Node, Deno and Bun.
 *
 * @packageDocumentation
 */
export { fileChunks, readPairsFile, streamPairsFile } from '@siamese/pairs/node';
