import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { cosineSimilarity } from '../distances.js';
import { OptionReader } from '../options.js';
import { reduce } from '../reduce.js';
import type { LossConfig } from '../types.js';

/** Options of {@link CosineSimilarityLoss}. */
export interface CosineSimilarityOptions {
  /** `mean` (default, as `nn.MSELoss`) or `sum` over the pairs. */
  reduction?: 'mean' | 'sum';
}

/**
 * CosineSimilarityLoss (sentence-transformers default): `(cos(a_i, b_i) − score_i)²`, mean over pairs.
 * Batch kind `scored-pairs`; scores are target similarities in [0, 1].
 */
export class CosineSimilarityLoss extends BaseLoss<'scored-pairs'> {
  readonly type = 'cosineSimilarity';
  readonly batchKind = 'scored-pairs' as const;
  readonly similarity = 'cosine' as const;
  readonly reduction: 'mean' | 'sum';

  constructor(options: CosineSimilarityOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.reduction = o.oneOf('reduction', ['mean', 'sum'], 'mean');
    o.done();
  }

  protected forward({ a, b, scores }: CheckedBatch<'scored-pairs'>): tf.Scalar {
    return reduce(tf.square(tf.sub(cosineSimilarity(a, b), tf.cast(scores, 'float32'))), this.reduction);
  }

  getConfig(): LossConfig {
    return { type: this.type, reduction: this.reduction };
  }
}
