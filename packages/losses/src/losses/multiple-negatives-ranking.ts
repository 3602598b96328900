import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairSimilarity, similarityMatrix } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { GradCacheOptions, LossConfig } from '../types.js';

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

/** The options of the ranking loss, read and checked (shared by the plain and the cached loss). */
interface Ranking {
  readonly scale: number;
  readonly similarity: Similarity;
  readonly symmetric: boolean;
  readonly reduction: 'mean' | 'sum';
}

function readRanking(o: OptionReader): Ranking {
  return {
    scale: o.number('scale', 20, 'positive'),
    similarity: o.oneOf('similarity', SIMILARITIES, 'cosine'),
    symmetric: o.boolean('symmetric', false),
    reduction: o.oneOf('reduction', ['mean', 'sum'], 'mean'),
  };
}

/** The ranking loss of a checked batch (see {@link MultipleNegativesRankingLoss}). */
function rankingLoss(r: Ranking, { anchor, positive, negative }: CheckedBatch<'anchor-positive'>): tf.Scalar {
  const candidates = negative ? tf.concat([positive, negative], 0) : positive;
  const scores = tf.mul(r.scale, similarityMatrix(r.similarity, anchor, candidates)) as tf.Tensor2D;
  const target = tf.mul(r.scale, pairSimilarity(r.similarity, anchor, positive));
  let terms = tf.sub(tf.logSumExp(scores, 1), target);
  if (r.symmetric) {
    const n = anchor.shape[0];
    const positiveScores = negative ? tf.slice(scores, [0, 0], [n, n]) : scores;
    // Column j of the anchor × positive block ranks every anchor for positive j.
    const backward = tf.sub(tf.logSumExp(positiveScores, 0), target);
    terms = tf.mul(0.5, tf.add(terms, backward));
  }
  return reduce(terms, r.reduction);
}

/**
 * What MNRL and its cached form share: the ranking options, read and checked once, the loss, the config.
 * `type` is passed in because the option reader names the loss before the subclass's fields exist.
 */
abstract class RankingLoss extends BaseLoss<'anchor-positive'> implements Ranking {
  readonly batchKind = 'anchor-positive' as const;
  readonly scale: number;
  readonly similarity: Similarity;
  readonly symmetric: boolean;
  readonly reduction: 'mean' | 'sum';

  /** `more` reads the subclass's own options before the reader checks that none is unknown. */
  protected constructor(type: string, options: object, more?: (o: OptionReader) => void) {
    super();
    const o = new OptionReader(type, options);
    ({
      scale: this.scale,
      similarity: this.similarity,
      symmetric: this.symmetric,
      reduction: this.reduction,
    } = readRanking(o));
    more?.(o);
    o.done();
  }

  protected forward(batch: CheckedBatch<'anchor-positive'>): tf.Scalar {
    return rankingLoss(this, batch);
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

/**
 * MultipleNegativesRankingLoss (InfoNCE with in-batch negatives; sentence-transformers defaults): candidates
 * `C = [positive; negative?]`, `S[i, j] = scale · cos(anchor_i, C_j)`, loss = mean over anchors of
 * `logsumexp_j S[i, j] − S[i, i]`. Every other positive and every hard negative is a negative of anchor i.
 * Batch kind `anchor-positive` (`negative` optional, `[N, D]` with any N). Stable for large scales (logsumexp
 * subtracts the row maximum).
 */
export class MultipleNegativesRankingLoss extends RankingLoss {
  readonly type = 'multipleNegativesRanking';

  constructor(options: MultipleNegativesRankingOptions = {}) {
    super('multipleNegativesRanking', options);
  }
}

/** Options of {@link CachedMultipleNegativesRankingLoss}. */
export interface CachedMultipleNegativesRankingOptions extends MultipleNegativesRankingOptions {
  /** Texts the encoder runs at once (default 32, as sentence-transformers): bounds activation memory. */
  miniBatchSize?: number;
}

/**
 * CachedMultipleNegativesRankingLoss (GradCache; Gao et al. 2021, sentence-transformers): the loss and weight
 * gradients of {@link MultipleNegativesRankingLoss} on the whole batch, while the encoder runs on at most
 * `miniBatchSize` texts at a time (see {@link Loss.gradCache}; `fit` runs the schedule). A batch of 1024 pairs
 * gets 1023 in-batch negatives per anchor with the activation memory of 32 texts, for the price of encoding
 * every text twice. `symmetric: true` is sentence-transformers' CachedMultipleNegativesSymmetricRankingLoss.
 * Outside `fit` (a plain `compute`) it is MNRL. Config `{ type: 'cachedMultipleNegativesRanking', miniBatchSize: 32 }`
 * (alias `cachedMnrl`).
 */
export class CachedMultipleNegativesRankingLoss extends RankingLoss {
  readonly type = 'cachedMultipleNegativesRanking';
  readonly gradCache: GradCacheOptions;

  constructor(options: CachedMultipleNegativesRankingOptions = {}) {
    let miniBatchSize = 32;
    super('cachedMultipleNegativesRanking', options, (o) => {
      miniBatchSize = o.integer('miniBatchSize', 32, 1);
    });
    this.gradCache = Object.freeze({ miniBatchSize });
  }

  override getConfig(): LossConfig {
    return { ...super.getConfig(), miniBatchSize: this.gradCache.miniBatchSize };
  }
}
