import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { matrix } from '../distances.js';
import { withoutGradient } from '../no-grad.js';
import { OptionReader } from '../options.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig } from '../types.js';
import { labelMasks } from './label-masks.js';

/** Options of {@link BatchSemiHardTripletLoss}. */
export interface BatchSemiHardTripletOptions {
  /** Default `euclidean`. */
  distance?: Similarity;
  /** Default 5 (sentence-transformers). */
  margin?: number;
  /** `mean` over anchor–positive pairs (default) or `sum`. */
  reduction?: 'mean' | 'sum';
}

/**
 * BatchSemiHardTripletLoss (Schroff et al. 2015, the TF-Addons / sentence-transformers formulation): for every
 * anchor–positive pair (a, p), the negative is the closest one farther than p
 * (`min { d(a,n) : d(a,n) > d(a,p) }`), or the farthest negative when none is; loss = mean over (a, p) of
 * `relu(d(a,p) − d(a,n) + margin)`. Memory is O(B³). Batch kind `labelled-embeddings`.
 * A batch with no positive pair gives 0 (sentence-transformers divides by zero there).
 */
export class BatchSemiHardTripletLoss extends BaseLoss<'labelled-embeddings'> {
  readonly type = 'batchSemiHardTriplet';
  readonly batchKind = 'labelled-embeddings' as const;
  readonly distance: Similarity;
  /** The model trained with this loss compares vectors by its distance's similarity form. */
  get similarity(): Similarity {
    return this.distance;
  }
  readonly margin: number;
  readonly reduction: 'mean' | 'sum';

  constructor(options: BatchSemiHardTripletOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.distance = o.oneOf('distance', SIMILARITIES, 'euclidean');
    this.margin = o.number('margin', 5);
    this.reduction = o.oneOf('reduction', ['mean', 'sum'], 'mean');
    o.done();
  }

  protected forward({ embeddings, labels }: CheckedBatch<'labelled-embeddings'>): tf.Scalar {
    const n = labels.shape[0];
    const d = matrix(this.distance, embeddings, embeddings); // d[i, j]
    const masks = labelMasks(labels);
    const dNeg = tf.expandDims(d, 1); // [B, 1, B]: d[i, j] for candidate negative j
    // outside[i, k, j]: j is a negative of i farther from i than k is (the semi-hard candidates).
    const outside = withoutGradient(
      (dist) =>
        tf.mul(
          tf.expandDims(masks.different, 1),
          tf.cast(tf.greater(tf.expandDims(dist, 1), tf.expandDims(dist, 2)), 'float32'),
        ),
      d,
    );
    const hasOutside = withoutGradient((o) => tf.greater(tf.sum(o, 2), 0), outside); // [B, B]
    // Masked min / max shifted by the row extreme (TF-Addons), so masked-out entries never win.
    const rowMax = tf.max(d, 1, true);
    const rowMin = tf.min(d, 1, true);
    const nearestOutside = tf.add(tf.min(tf.mul(tf.sub(dNeg, tf.expandDims(rowMax, 2)), outside), 2), rowMax);
    const farthestNeg = tf.add(tf.max(tf.mul(tf.sub(d, rowMin), masks.different), 1, true), rowMin);
    const semiHard = tf.where(hasOutside, nearestOutside, tf.broadcastTo(farthestNeg, [n, n]));
    const terms = tf.relu(tf.mul(tf.add(tf.sub(d, semiHard), this.margin), masks.positive));
    const total: tf.Scalar = tf.sum(terms);
    return this.reduction === 'sum' ? total : tf.div(total, tf.maximum(tf.sum(masks.positive), 1));
  }

  getConfig(): LossConfig {
    return { type: this.type, distance: this.distance, margin: this.margin, reduction: this.reduction };
  }
}
