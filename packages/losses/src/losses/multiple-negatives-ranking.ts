import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairSimilarity, similarityMatrix } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig } from '../types.js';

/** Options of {@link MultipleNegativesRankingLoss}. */
export interface MultipleNegativesRankingOptions {
  /** Multiplies the similarities before the softmax (inverse temperature); default 20. */
  scale?: number;
  /** Default `cosine`. */
  similarity?: Similarity;
  /**
   * Also rank anchors for each positive and average both directions
   * (MultipleNegativesSymmetricRankingLoss); hard negatives only enter the anchor → candidate direction.
   */
  symmetric?: boolean;
  /** `mean` over anchors (default) or `sum`. */
  reduction?: 'mean' | 'sum';
}

/**
 * MultipleNegativesRankingLoss (InfoNCE with in-batch negatives; sentence-transformers defaults): candidates
 * `C = [positive; negative?]`, `S[i, j] = scale · cos(anchor_i, C_j)`, loss = mean over anchors of
 * `logsumexp_j S[i, j] − S[i, i]`. Every other positive and every hard negative is a negative of anchor i.
 * Batch kind `anchor-positive` (`negative` optional, `[N, D]` with any N). Stable for large scales (logsumexp
 * subtracts the row maximum).
 */
export class MultipleNegativesRankingLoss extends BaseLoss<'anchor-positive'> {
  readonly type = 'multipleNegativesRanking';
  readonly batchKind = 'anchor-positive' as const;
  readonly scale: number;
  readonly similarity: Similarity;
  readonly symmetric: boolean;
  readonly reduction: 'mean' | 'sum';

  constructor(options: MultipleNegativesRankingOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.scale = o.number('scale', 20, 'positive');
    this.similarity = o.oneOf('similarity', SIMILARITIES, 'cosine');
    this.symmetric = o.boolean('symmetric', false);
    this.reduction = o.oneOf('reduction', ['mean', 'sum'], 'mean');
    o.done();
  }

  protected forward({ anchor, positive, negative }: CheckedBatch<'anchor-positive'>): tf.Scalar {
    const candidates = negative ? tf.concat([positive, negative], 0) : positive;
    const scores = tf.mul(this.scale, similarityMatrix(this.similarity, anchor, candidates)) as tf.Tensor2D;
    const target = tf.mul(this.scale, pairSimilarity(this.similarity, anchor, positive));
    let terms = tf.sub(tf.logSumExp(scores, 1), target);
    if (this.symmetric) {
      const n = anchor.shape[0];
      const positiveScores = negative ? tf.slice(scores, [0, 0], [n, n]) : scores;
      // Column j of the anchor × positive block ranks every anchor for positive j.
      const backward = tf.sub(tf.logSumExp(positiveScores, 0), target);
      terms = tf.mul(0.5, tf.add(terms, backward));
    }
    return reduce(terms, this.reduction);
  }

  getConfig(): LossConfig {
    return {
      type: this.type,
      scale: this.scale,
      similarity: this.similarity,
      symmetric: this.symmetric,
      reduction: this.reduction,
    };
  }
}
