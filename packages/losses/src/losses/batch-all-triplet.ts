import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { matrix } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig, Reduction } from '../types.js';
import { labelMasks } from './label-masks.js';

/** Options of {@link BatchAllTripletLoss}. */
export interface BatchAllTripletOptions {
  /** Default `euclidean`. */
  distance?: Similarity;
  /** Default 5 (sentence-transformers). */
  margin?: number;
  /**
   * `meanNonZero` (default, sentence-transformers: mean over the triplets with a positive loss), `mean` (over
   * every valid triplet) or `sum`.
   */
  reduction?: Reduction;
}

/**
 * BatchAllTripletLoss (sentence-transformers): every valid triplet (i, j, k distinct, `label_i = label_j ≠
 * label_k`) contributes `relu(d(i,j) − d(i,k) + margin)`; by default the sum is divided by the number of
 * triplets with a loss > 1e-16. Memory is O(B³). Batch kind `labelled-embeddings`.
 */
export class BatchAllTripletLoss extends BaseLoss<'labelled-embeddings'> {
  readonly type = 'batchAllTriplet';
  readonly batchKind = 'labelled-embeddings' as const;
  readonly distance: Similarity;
  /** The model trained with this loss compares vectors by its distance's similarity form. */
  get similarity(): Similarity {
    return this.distance;
  }
  readonly margin: number;
  readonly reduction: Reduction;

  constructor(options: BatchAllTripletOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.distance = o.oneOf('distance', SIMILARITIES, 'euclidean');
    this.margin = o.number('margin', 5);
    this.reduction = o.oneOf('reduction', ['meanNonZero', 'mean', 'sum'], 'meanNonZero');
    o.done();
  }

  protected forward({ embeddings, labels }: CheckedBatch<'labelled-embeddings'>): tf.Scalar {
    const d = matrix(this.distance, embeddings, embeddings);
    const masks = labelMasks(labels);
    // valid[i, j, k] = positive(i, j) · different(i, k); different(i, k) already implies k ≠ i and k ≠ j.
    const valid = tf.mul(tf.expandDims(masks.positive, 2), tf.expandDims(masks.different, 1));
    const gap = tf.add(tf.sub(tf.expandDims(d, 2), tf.expandDims(d, 1)), this.margin);
    const terms = tf.relu(tf.mul(valid, gap));
    if (this.reduction !== 'mean') return reduce(terms, this.reduction);
    return tf.div(tf.sum(terms), tf.maximum(tf.sum(valid), 1));
  }

  getConfig(): LossConfig {
    return { type: this.type, distance: this.distance, margin: this.margin, reduction: this.reduction };
  }
}
