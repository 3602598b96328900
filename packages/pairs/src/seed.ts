import { Rng } from '@siamese/core';

/**
 * The seed of epoch `epoch` of a run seeded with `seed`: a 32-bit integer hash of both (murmur3 finaliser),
 * so each epoch has its own stream, different epochs do not overlap, and the value is the same everywhere.
 */
export function epochSeed(seed: number, epoch: number): number {
  if (!Number.isInteger(seed)) throw new TypeError(`seed: expected an integer, found ${seed}`);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new TypeError(`epoch: expected a non-negative integer, found ${epoch}`);
  return fmix32((seed >>> 0) ^ fmix32((epoch + 0x632be5ab) >>> 0));
}

/** A fresh {@link Rng} for epoch `epoch` of a run seeded with `seed`. */
export function epochRng(seed: number, epoch: number): Rng {
  return new Rng(epochSeed(seed, epoch));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
