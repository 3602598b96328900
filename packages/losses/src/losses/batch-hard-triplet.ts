import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { matrix } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig, Reduction } from '../types.js';
import { labelMasks } from './label-masks.js';

/** Options of {@link BatchHardTripletLoss}. */
export interface BatchHardTripletOptions {
  /** Default `euclidean`. */
  distance?: Similarity;
  /** Default 5 (sentence-transformers). Ignored with `softMargin`. */
  margin?: number;
  /** Use `log(1 + exp(d_pos − d_neg))` instead of the hinge (BatchHardSoftMarginTripletLoss). Default false. */
  softMargin?: boolean;
  /** `mean` over anchors (default), `sum`, or `meanNonZero`. */
  reduction?: Reduction;
}

/**
 * BatchHardTripletLoss (Hermans et al. 2017; sentence-transformers): for each anchor, its farthest positive
 * and closest negative in the batch: `relu(max_p d(a,p) − min_n d(a,n) + margin)`, mean over anchors. An anchor
 * without positives uses 0 as its hardest-positive distance, as in sentence-transformers. Batch kind
 * `labelled-embeddings` (int32 class labels).
 */
export class BatchHardTripletLoss extends BaseLoss<'labelled-embeddings'> {
  readonly type = 'batchHardTriplet';
  readonly batchKind = 'labelled-embeddings' as const;
  readonly distance: Similarity;
  /** The model trained with this loss compares vectors by its distance's similarity form. */
  get similarity(): Similarity {
    return this.distance;
  }
  readonly margin: number;
  readonly softMargin: boolean;
  readonly reduction: Reduction;

  constructor(options: BatchHardTripletOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.distance = o.oneOf('distance', SIMILARITIES, 'euclidean');
    this.margin = o.number('margin', 5);
    this.softMargin = o.boolean('softMargin', false);
    this.reduction = o.oneOf('reduction', ['mean', 'sum', 'meanNonZero'], 'mean');
    o.done();
  }

  protected forward({ embeddings, labels }: CheckedBatch<'labelled-embeddings'>): tf.Scalar {
    const d = matrix(this.distance, embeddings, embeddings);
    const masks = labelMasks(labels);
    const hardestPos = tf.max(tf.mul(masks.positive, d), 1);
    // Same-label entries are lifted by the row maximum so the min picks a real negative.
    const rowMax = tf.max(d, 1, true);
    const hardestNeg = tf.min(tf.add(d, tf.mul(rowMax, masks.same)), 1);
    const gap = tf.sub(hardestPos, hardestNeg);
    const terms = this.softMargin ? tf.softplus(gap) : tf.relu(tf.add(gap, this.margin));
    return reduce(terms, this.reduction);
  }

  getConfig(): LossConfig {
    return {
      type: this.type,
      distance: this.distance,
      margin: this.margin,
      softMargin: this.softMargin,
      reduction: this.reduction,
    };
  }
}
