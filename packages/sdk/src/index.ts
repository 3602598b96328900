/**
 * siamese: build, train and serve Siamese (bi-encoder) text-similarity models in TypeScript.
 * One import for everything; the `siamese` command line comes with this package.
 */

export { Rng, SiameseError } from '@siamese/core';
export * as encoders from '@siamese/encoders';
export * as losses from '@siamese/losses';
export * as pairs from '@siamese/pairs';
export * from '@siamese/runtime';
export * as tokenizer from '@siamese/tokenizer';
