import { permutation, SiameseError } from '@siamese/core';
import { type BatchOptions, checkBatchOptions, checkEpoch, type Sampler } from './sampler.js';
import { epochRng } from './seed.js';

/** Options of {@link RandomSampler}. */
export interface RandomSamplerOptions extends BatchOptions {
  /** Number of examples. */
  size: number;
  /** Shuffle each epoch (default `true`); `false` gives batches in index order. */
  shuffle?: boolean;
}

/** Plain shuffled batches: one seeded permutation per epoch, cut into consecutive slices. */
export class RandomSampler implements Sampler {
  readonly size: number;
  private readonly o: RandomSamplerOptions;

  constructor(options: RandomSamplerOptions) {
    checkBatchOptions(options, 'RandomSampler');
    if (!Number.isInteger(options.size) || options.size < 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `RandomSampler: size must be a non-negative integer, found ${options.size}`,
      );
    }
    this.size = options.size;
    this.o = { ...options };
  }

  /** Batches per epoch. */
  get batchCount(): number {
    const { batchSize, dropLast } = this.o;
    return dropLast ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
  }

  *epoch(epoch: number): IterableIterator<Int32Array> {
    checkEpoch(epoch);
    const order = indexOrder(this.size, this.o.shuffle === false ? undefined : epochRng(this.o.seed, epoch));
    yield* slices(order, this.o.batchSize, this.o.dropLast === true);
  }
}

/** `0..n-1`, shuffled when an rng is given. */
export function indexOrder(n: number, rng: import('@siamese/core').Rng | undefined): Int32Array {
  if (rng) return permutation(n, rng);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** Consecutive `size`-long views of `order`. */
export function* slices(
  order: Int32Array,
  size: number,
  dropLast: boolean,
): Generator<Int32Array, void, undefined> {
  for (let i = 0; i < order.length; i += size) {
    const end = Math.min(order.length, i + size);
    if (dropLast && end - i < size) return;
    yield order.subarray(i, end);
  }
}
