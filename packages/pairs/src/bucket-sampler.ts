import { permutation, SiameseError } from '@siamese/core';
import { type PaddingStats, paddingStats } from './padding.js';
import { RandomSampler } from './random-sampler.js';
import { type BatchOptions, checkBatchOptions, checkEpoch, type Sampler } from './sampler.js';
import { epochRng } from './seed.js';

/** Options of {@link BucketSampler}. */
export interface BucketSamplerOptions extends BatchOptions {
  /** Length of each example (tokens, characters…); or a function computed once per example at construction. */
  lengths: ArrayLike<number> | ((index: number) => number);
  /** Number of examples; needed only when `lengths` is a function. */
  size?: number;
  /** A bucket holds `bucketSize × batchSize` shuffled examples that are sorted by length. Default 50. */
  bucketSize?: number;
}

/** Padding of bucketed versus plain random batches for one epoch (see {@link BucketSampler.paddingReport}). */
export interface PaddingReport {
  bucketed: PaddingStats;
  random: PaddingStats;
  /** `random.paddingRatio − bucketed.paddingRatio`: the share of padded positions bucketing saves. */
  saved: number;
}

/**
 * Length-bucketed batches: each epoch the examples are shuffled, cut into buckets of `bucketSize × batchSize`,
 * each bucket is sorted by length and cut into batches, and the batches of a bucket are yielded in random order.
 * Batches then hold similar lengths, which cuts padding, while the shuffle keeps epochs different.
 */
export class BucketSampler implements Sampler {
  readonly size: number;
  private readonly lengths: Float64Array;
  private readonly o: BucketSamplerOptions;
  private readonly bucket: number;

  constructor(options: BucketSamplerOptions) {
    const bs = checkBatchOptions(options, 'BucketSampler');
    const l = options.lengths;
    if (typeof l === 'function') {
      const n = options.size;
      if (!Number.isInteger(n) || (n as number) < 0) {
        throw new SiameseError(
          'E_INVALID_ARGUMENT',
          `BucketSampler: size must be a non-negative integer when lengths is a function, found ${n}`,
        );
      }
      this.lengths = Float64Array.from({ length: n as number }, (_, i) => l(i));
    } else {
      this.lengths = Float64Array.from(l);
    }
    const bucketSize = options.bucketSize ?? 50;
    if (!Number.isInteger(bucketSize) || bucketSize < 1) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `BucketSampler: bucketSize must be a positive integer, found ${bucketSize}`,
      );
    }
    this.size = this.lengths.length;
    this.bucket = bucketSize * bs;
    this.o = { ...options };
  }

  *epoch(epoch: number): IterableIterator<Int32Array> {
    checkEpoch(epoch);
    const rng = epochRng(this.o.seed, epoch);
    const order = permutation(this.size, rng);
    const len = this.lengths;
    const bs = this.o.batchSize;
    for (let b0 = 0; b0 < order.length; b0 += this.bucket) {
      const bucket = order.subarray(b0, Math.min(order.length, b0 + this.bucket));
      bucket.sort((x, y) => len[x]! - len[y]! || x - y);
      const nb = Math.ceil(bucket.length / bs);
      for (const j of permutation(nb, rng)) {
        const batch = bucket.subarray(j * bs, Math.min(bucket.length, (j + 1) * bs));
        if (this.o.dropLast && batch.length < bs) continue;
        yield batch;
      }
    }
  }

  /** Padding of epoch `epoch` with bucketing, and with a {@link RandomSampler} of the same seed and batch size. */
  paddingReport(epoch = 0): PaddingReport {
    const bucketed = paddingStats(this.epoch(epoch), this.lengths);
    const plain = new RandomSampler({ ...this.o, size: this.size });
    const random = paddingStats(plain.epoch(epoch), this.lengths);
    return { bucketed, random, saved: random.paddingRatio - bucketed.paddingRatio };
  }
}
