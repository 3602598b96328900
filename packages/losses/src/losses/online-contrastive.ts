import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairwise } from '../distances.js';
import { withoutGradient } from '../no-grad.js';
import { OptionReader } from '../options.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig } from '../types.js';

/** Options of {@link OnlineContrastiveLoss}. */
export interface OnlineContrastiveOptions {
  /** Pair distance; default `cosine` (d = 1 − cos). */
  distance?: Similarity;
  /** Default 0.5. */
  margin?: number;
  /** `sum` over the selected pairs (default, as sentence-transformers) or `mean` over them. */
  reduction?: 'sum' | 'mean';
}

/**
 * OnlineContrastiveLoss (sentence-transformers): contrastive loss on the hard pairs of the batch only.
 * With P / N the distances of positive / negative pairs:
 * hard negatives are `d ∈ N` with `d < (|P| > 1 ? max P : mean N)`, hard positives are `d ∈ P` with
 * `d > (|N| > 1 ? min N : mean P)`; loss = `Σ hard positives d² + Σ hard negatives relu(margin − d)²` (no 0.5
 * factor). The thresholds select pairs and get no gradient. Batch kind `labelled-pairs`.
 */
export class OnlineContrastiveLoss extends BaseLoss<'labelled-pairs'> {
  readonly type = 'onlineContrastive';
  readonly batchKind = 'labelled-pairs' as const;
  readonly distance: Similarity;
  /** The model trained with this loss compares vectors by its distance's similarity form. */
  get similarity(): Similarity {
    return this.distance;
  }
  readonly margin: number;
  readonly reduction: 'sum' | 'mean';

  constructor(options: OnlineContrastiveOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.distance = o.oneOf('distance', SIMILARITIES, 'cosine');
    this.margin = o.number('margin', 0.5);
    this.reduction = o.oneOf('reduction', ['sum', 'mean'], 'sum');
    o.done();
  }

  protected forward({ a, b, labels }: CheckedBatch<'labelled-pairs'>): tf.Scalar {
    const d = pairwise(this.distance, a, b);
    const isPos = tf.greater(tf.cast(labels, 'float32'), 0.5) as tf.Tensor1D;
    // [2, B]: row 0 selects hard positives, row 1 hard negatives.
    const selected = withoutGradient((dist) => selectHardPairs(dist as tf.Tensor1D, isPos), d);
    const [hardPos, hardNeg] = tf.unstack(selected) as [tf.Tensor1D, tf.Tensor1D];
    const total = tf.add(
      tf.sum(tf.mul(hardPos, tf.square(d))),
      tf.sum(tf.mul(hardNeg, tf.square(tf.relu(tf.sub(this.margin, d))))),
    ) as tf.Scalar;
    if (this.reduction === 'sum') return total;
    return tf.div(total, tf.maximum(tf.add(tf.sum(hardPos), tf.sum(hardNeg)), 1));
  }

  getConfig(): LossConfig {
    return { type: this.type, distance: this.distance, margin: this.margin, reduction: this.reduction };
  }
}

/** The hard-pair masks `[2, B]` (float 0/1) of OnlineContrastiveLoss; thresholds compare strictly. */
function selectHardPairs(d: tf.Tensor1D, isPos: tf.Tensor1D): tf.Tensor2D {
  const isNeg = tf.logicalNot(isPos);
  const pos = tf.cast(isPos, 'float32');
  const neg = tf.cast(isNeg, 'float32');
  const nPos = tf.sum(pos);
  const nNeg = tf.sum(neg);
  // Empty sides give -inf / +inf extremes or 0/0 means: comparisons with them are false, as in PyTorch.
  const maxPos = tf.max(tf.where(isPos, d, tf.fill(d.shape, Number.NEGATIVE_INFINITY)));
  const minNeg = tf.min(tf.where(isNeg, d, tf.fill(d.shape, Number.POSITIVE_INFINITY)));
  const meanPos = tf.div(tf.sum(tf.mul(pos, d)), nPos);
  const meanNeg = tf.div(tf.sum(tf.mul(neg, d)), nNeg);
  const negThreshold = tf.where(tf.greater(nPos, 1), maxPos, meanNeg);
  const posThreshold = tf.where(tf.greater(nNeg, 1), minNeg, meanPos);
  const hardNeg = tf.logicalAnd(isNeg, tf.less(d, negThreshold));
  const hardPos = tf.logicalAnd(isPos, tf.greater(d, posThreshold));
  return tf.cast(tf.stack([hardPos, hardNeg]), 'float32') as tf.Tensor2D;
}
