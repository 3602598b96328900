import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Similarity } from '../similarity.js';
import type { BatchKind, GradCacheOptions, Loss, LossBatch, LossConfig } from '../types.js';

/** Options of {@link MatryoshkaLoss}. */
export interface MatryoshkaOptions {
  /** The loss applied at every dimension. */
  loss: Loss;
  /** Leading dimensions to train, e.g. `[128, 64, 32]` (each ≤ the embedding size). */
  dims: readonly number[];
  /** Weight of each dimension's loss; default 1 each. */
  weights?: readonly number[];
}

const EMBEDDING_FIELDS = ['a', 'b', 'anchor', 'positive', 'negative', 'embeddings'] as const;

/**
 * MatryoshkaLoss (Kusupati et al. 2022; sentence-transformers): wraps any loss and applies it to the
 * embeddings truncated to each of `dims` leading dimensions, `Σ_k weight_k · loss(x[:, :dims_k])`, so that a
 * prefix of the vector is itself a good embedding (`embed(texts, { truncateDim })` uses one). Same batch kind
 * and similarity as the wrapped loss. Config: `{ type: 'matryoshka', loss: { type: 'coSENT' }, dims: [64, 32] }`.
 */
export class MatryoshkaLoss implements Loss {
  readonly type = 'matryoshka';
  readonly batchKind: BatchKind;
  readonly similarity?: Similarity;
  /** The wrapped loss's (a cached MNRL stays cached: GradCache holds for any loss of the embeddings). */
  readonly gradCache?: GradCacheOptions;
  readonly inner: Loss;
  readonly dims: readonly number[];
  readonly weights: readonly number[];

  constructor(options: MatryoshkaOptions) {
    const fail = (message: string, details: Record<string, unknown>) =>
      new SiameseError('E_LOSS_CONFIG', `matryoshka: ${message}`, {
        details: { loss: 'matryoshka', ...details },
      });
    const { loss, dims, weights, ...rest } = options ?? ({} as MatryoshkaOptions);
    const unknown = Object.keys(rest).filter((k) => k !== 'type');
    if (unknown.length)
      throw fail(`unknown option ${unknown.join(', ')} (known: loss, dims, weights)`, { unknown });
    if (!loss || typeof loss.compute !== 'function')
      throw fail('option loss must be a loss (or a loss config in a config)', { option: 'loss' });
    if (!Array.isArray(dims) || !dims.length || dims.some((d) => !Number.isInteger(d) || d < 1))
      throw fail(
        `option dims must be a non-empty array of positive integers, found ${JSON.stringify(dims)}`,
        { option: 'dims' },
      );
    const w = weights ?? dims.map(() => 1);
    if (
      !Array.isArray(w) ||
      w.length !== dims.length ||
      w.some((x) => typeof x !== 'number' || !Number.isFinite(x))
    )
      throw fail(
        `option weights must be ${dims.length} finite numbers (one per dim), found ${JSON.stringify(weights)}`,
        {
          option: 'weights',
        },
      );
    this.inner = loss;
    this.batchKind = loss.batchKind;
    if (loss.similarity !== undefined) this.similarity = loss.similarity;
    if (loss.gradCache !== undefined) this.gradCache = loss.gradCache;
    if (loss.variables) {
      throw fail(`cannot wrap ${loss.type}: a loss with its own weights sees one width`, { option: 'loss' });
    }
    this.dims = [...dims];
    this.weights = [...w];
  }

  compute(batch: LossBatch): tf.Scalar {
    const width = (batch.embeddings ?? batch.a ?? batch.anchor)?.shape[1];
    const tooWide = this.dims.find((d) => width !== undefined && d > width);
    if (tooWide !== undefined) {
      throw new SiameseError(
        'E_LOSS_BATCH',
        `matryoshka: dims must be at most the embedding size ${width}, found ${tooWide}`,
        { details: { loss: 'matryoshka', dims: this.dims, found: width } },
      );
    }
    return tf.tidy(
      () =>
        tf.addN(
          this.dims.map((d, k) => tf.mul(this.weights[k]!, this.inner.compute(truncated(batch, d)))),
        ) as tf.Scalar,
    );
  }

  getConfig(): LossConfig {
    return {
      type: this.type,
      loss: this.inner.getConfig(),
      dims: [...this.dims],
      weights: [...this.weights],
    };
  }
}

/** The batch with every embedding cut to its first `dim` columns (targets unchanged). */
function truncated(batch: LossBatch, dim: number): LossBatch {
  const out: LossBatch = { ...batch };
  for (const f of EMBEDDING_FIELDS) {
    const t = batch[f];
    if (t && t.shape[1] !== dim) out[f] = tf.slice(t, [0, 0], [-1, dim]);
  }
  return out;
}
