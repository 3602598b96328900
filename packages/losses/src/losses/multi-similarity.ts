import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { cosineSimilarityMatrix } from '../distances.js';
import { OptionReader } from '../options.js';
import type { LossConfig } from '../types.js';
import { labelMasks } from './label-masks.js';

/** Options of {@link MultiSimilarityLoss}. */
export interface MultiSimilarityOptions {
  /** Weight of the positive term; default 2 (pytorch-metric-learning). */
  alpha?: number;
  /** Weight of the negative term; default 50. */
  beta?: number;
  /** The similarity the positives are pulled above and the negatives pushed below; default 0.5. */
  base?: number;
}

/**
 * MultiSimilarityLoss (Wang et al. 2019; pytorch-metric-learning defaults), for `{text, label}` data: with
 * `S` the cosine similarity matrix of the batch, each anchor i contributes
 * `1/α · log(1 + Σ_{p∈P_i} exp(−α(S_ip − base))) + 1/β · log(1 + Σ_{n∈N_i} exp(β(S_in − base)))`
 * (P_i: the other rows of its class; N_i: rows of other classes); the loss is the mean over anchors. Every
 * positive and negative of the batch weighs in, the hardest most. Batch kind `labelled-embeddings`.
 */
export class MultiSimilarityLoss extends BaseLoss<'labelled-embeddings'> {
  readonly type = 'multiSimilarity';
  readonly batchKind = 'labelled-embeddings' as const;
  readonly similarity = 'cosine' as const;
  readonly alpha: number;
  readonly beta: number;
  readonly base: number;

  constructor(options: MultiSimilarityOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.alpha = o.number('alpha', 2, 'positive');
    this.beta = o.number('beta', 50, 'positive');
    this.base = o.number('base', 0.5);
    o.done();
  }

  protected forward({ embeddings, labels }: CheckedBatch<'labelled-embeddings'>): tf.Scalar {
    const s = cosineSimilarityMatrix(embeddings, embeddings);
    const masks = labelMasks(labels);
    const pos = logOnePlusSumExp(tf.mul(-this.alpha, tf.sub(s, this.base)), masks.positive);
    const neg = logOnePlusSumExp(tf.mul(this.beta, tf.sub(s, this.base)), masks.different);
    return tf.mean(tf.add(tf.div(pos, this.alpha), tf.div(neg, this.beta)));
  }

  getConfig(): LossConfig {
    return { type: this.type, alpha: this.alpha, beta: this.beta, base: this.base };
  }
}

/**
 * Row-wise `log(1 + Σ_{j: mask_ij} exp(x_ij))`, stable: the "1" is a zero column, and masked entries are
 * pushed far below it so they add nothing (a row with no entry gives 0).
 */
function logOnePlusSumExp(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const masked = tf.sub(tf.mul(x, mask), tf.mul(tf.sub(1, mask), 1e12));
  return tf.logSumExp(tf.concat([masked, tf.zeros([x.shape[0], 1])], 1), 1) as tf.Tensor1D;
}
