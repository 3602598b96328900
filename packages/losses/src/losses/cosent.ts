import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairSimilarity } from '../distances.js';
import { OptionReader } from '../options.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig } from '../types.js';

/** Pairs that must not count are pushed this far below 0 before the logsumexp (as sentence-transformers). */
const EXCLUDED = 1e12;

/** Options of {@link CoSENTLoss}. */
export interface CoSENTOptions {
  /** Multiplies the similarities; default 20. */
  scale?: number;
  /** Default `cosine`. */
  similarity?: Similarity;
}

/**
 * CoSENTLoss (Su 2022; sentence-transformers defaults): with `c_i = scale · cos(a_i, b_i)`,
 * loss = `log(1 + Σ_{scores_i < scores_j} exp(c_i − c_j))`: every pair ranked above a pair with a higher
 * score is penalised. One scalar per batch (no reduction option). Only the order of the scores matters, so
 * raw scores (e.g. 0–5) are fine. Batch kind `scored-pairs`.
 */
export class CoSENTLoss extends BaseLoss<'scored-pairs'> {
  readonly type = 'coSENT';
  readonly batchKind = 'scored-pairs' as const;
  readonly scale: number;
  readonly similarity: Similarity;

  constructor(options: CoSENTOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.scale = o.number('scale', 20, 'positive');
    this.similarity = o.oneOf('similarity', SIMILARITIES, 'cosine');
    o.done();
  }

  protected forward({ a, b, scores }: CheckedBatch<'scored-pairs'>): tf.Scalar {
    return cosentOf(tf.mul(this.scale, pairSimilarity(this.similarity, a, b)), scores);
  }

  getConfig(): LossConfig {
    return { type: this.type, scale: this.scale, similarity: this.similarity };
  }
}

/**
 * CoSENT's ranking term of scaled pair similarities `c` `[B]`: `log(1 + Σ_{scores_i < scores_j} exp(c_i − c_j))`.
 * Shared by {@link CoSENTLoss} and `AnglELoss`.
 */
export function cosentOf(c: tf.Tensor1D, scores: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const diff = tf.sub(tf.expandDims(c, 1), tf.expandDims(c, 0)); // c_i − c_j
    const s = tf.cast(scores, 'float32');
    const counts = tf.cast(tf.less(tf.expandDims(s, 1), tf.expandDims(s, 0)), 'float32');
    const masked = tf.sub(diff, tf.mul(tf.sub(1, counts), EXCLUDED));
    // The leading 0 is the "1 +" inside the log.
    return tf.logSumExp(tf.concat([tf.zeros([1]), tf.reshape(masked, [-1])]));
  });
}
