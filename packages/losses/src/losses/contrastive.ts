import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairwise } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig, Reduction } from '../types.js';

/** Options of {@link ContrastiveLoss}. */
export interface ContrastiveOptions {
  /** Pair distance; default `cosine` (d = 1 − cos). */
  distance?: Similarity;
  /** Negatives closer than this are pushed apart; default 0.5. */
  margin?: number;
  /** `mean` (default, sentence-transformers `size_average=True`), `sum` or `meanNonZero`. */
  reduction?: Reduction;
}

/**
 * ContrastiveLoss (Hadsell et al. 2006; sentence-transformers defaults): `0.5·(y·d² + (1−y)·relu(margin − d)²)`
 * with cosine distance and margin 0.5, mean over pairs. Batch kind `labelled-pairs` (y = 1 similar, 0 not).
 */
export class ContrastiveLoss extends BaseLoss<'labelled-pairs'> {
  readonly type = 'contrastive';
  readonly batchKind = 'labelled-pairs' as const;
  readonly distance: Similarity;
  /** The model trained with this loss compares vectors by its distance's similarity form. */
  get similarity(): Similarity {
    return this.distance;
  }
  readonly margin: number;
  readonly reduction: Reduction;

  constructor(options: ContrastiveOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.distance = o.oneOf('distance', SIMILARITIES, 'cosine');
    this.margin = o.number('margin', 0.5);
    this.reduction = o.oneOf('reduction', ['mean', 'sum', 'meanNonZero'], 'mean');
    o.done();
  }

  protected forward({ a, b, labels }: CheckedBatch<'labelled-pairs'>): tf.Scalar {
    const d = pairwise(this.distance, a, b);
    const y = tf.cast(labels, 'float32');
    const pos = tf.mul(y, tf.square(d));
    const neg = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(this.margin, d))));
    return reduce(tf.mul(0.5, tf.add(pos, neg)), this.reduction);
  }

  getConfig(): LossConfig {
    return { type: this.type, distance: this.distance, margin: this.margin, reduction: this.reduction };
  }
}
