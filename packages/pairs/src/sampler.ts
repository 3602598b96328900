import { SiameseError } from '@siamese/core';

/**
 * A batch sampler: for each epoch, a lazy sequence of batches of example indices. Epoch `e` of a sampler built
 * with seed `s` is the same on every runtime (the stream is `Rng(epochSeed(s, e))`). Batches are `Int32Array`
 * views into one per-epoch index buffer: nothing is allocated per batch beyond the view, and a view stays
 * valid after the iterator moves on. Copy one (`Array.from(batch)`) before mutating it.
 */
export interface Sampler {
  /** Number of examples the sampler draws from. */
  readonly size: number;
  /** The batches of epoch `epoch` (a non-negative integer). Each call starts a fresh, independent iteration. */
  epoch(epoch: number): IterableIterator<Int32Array>;
}

/** Options every sampler takes. */
export interface BatchOptions {
  /** Examples per batch (a positive integer). */
  batchSize: number;
  /** Run seed; epoch `e` uses `epochSeed(seed, e)`. */
  seed: number;
  /** Drop a final batch smaller than `batchSize` (and, for grouping samplers, any short batch). Default `false`. */
  dropLast?: boolean;
}

/** Maps index batches to item batches: `for (const batch of batchItems(sampler.epoch(0), pairs)) ...`. */
export function* batchItems<T>(
  batches: Iterable<ArrayLike<number>>,
  items: readonly T[],
): Generator<T[], void, undefined> {
  for (const b of batches) {
    const out = new Array<T>(b.length);
    for (let i = 0; i < b.length; i++) out[i] = items[b[i]!]!;
    yield out;
  }
}

/** All batches of one epoch as plain arrays (for tests and small data; samplers are lazy otherwise). */
export function collectBatches(sampler: Sampler, epoch: number): number[][] {
  return Array.from(sampler.epoch(epoch), (b) => Array.from(b));
}

/** Checks the common options and returns `batchSize`. */
export function checkBatchOptions(o: BatchOptions, who: string): number {
  if (typeof o !== 'object' || o === null) throw new TypeError(`${who}: expected an options object`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${who}: batchSize must be a positive integer, found ${o.batchSize}`,
    );
  }
  if (!Number.isInteger(o.seed))
    throw new SiameseError('E_INVALID_ARGUMENT', `${who}: seed must be an integer, found ${o.seed}`);
  return o.batchSize;
}

/** Checks an epoch index. */
export function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new TypeError(`epoch: expected a non-negative integer, found ${epoch}`);
}
