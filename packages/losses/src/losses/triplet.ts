import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairwise } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig, Reduction } from '../types.js';

/** Options of {@link TripletLoss}. */
export interface TripletOptions {
  /** Default `euclidean`. */
  distance?: Similarity;
  /** Default 0.5 for `cosine` (distances live in [0, 2]), 5 otherwise (sentence-transformers). */
  margin?: number;
  /** `mean` (default), `sum`, or `meanNonZero` (mean over active triplets). */
  reduction?: Reduction;
}

/** The default triplet margin of a distance: 0.5 for cosine, 5 (sentence-transformers) for the others. */
export function defaultTripletMargin(distance: Similarity): number {
  return distance === 'cosine' ? 0.5 : 5;
}

/**
 * TripletLoss: `relu(d(a_i, p_i) − d(a_i, n_i) + margin)`, mean over triplets; Euclidean with margin 5 by
 * default. This is the classic positive-distance formula: sentence-transformers 5.0–5.1.2 inverts the sign
 * for Euclidean, which is not reproduced. Batch kind `triplets`.
 */
export class TripletLoss extends BaseLoss<'triplets'> {
  readonly type = 'triplet';
  readonly batchKind = 'triplets' as const;
  readonly distance: Similarity;
  /** The model trained with this loss compares vectors by its distance's similarity form. */
  get similarity(): Similarity {
    return this.distance;
  }
  readonly margin: number;
  readonly reduction: Reduction;

  constructor(options: TripletOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.distance = o.oneOf('distance', SIMILARITIES, 'euclidean');
    this.margin = o.number('margin', defaultTripletMargin(this.distance));
    this.reduction = o.oneOf('reduction', ['mean', 'sum', 'meanNonZero'], 'mean');
    o.done();
  }

  protected forward({ anchor, positive, negative }: CheckedBatch<'triplets'>): tf.Scalar {
    const dap = pairwise(this.distance, anchor, positive);
    const dan = pairwise(this.distance, anchor, negative);
    return reduce(tf.relu(tf.add(tf.sub(dap, dan), this.margin)), this.reduction);
  }

  getConfig(): LossConfig {
    return { type: this.type, distance: this.distance, margin: this.margin, reduction: this.reduction };
  }
}
