import type { Scalar, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Similarity } from './similarity.js';

/**
 * Which tensors a loss reads from a {@link LossBatch}. The trainer checks it before training, so a data set
 * that cannot feed the loss fails at once instead of mid-epoch.
 *
 * - `scored-pairs`: `a`, `b` and `scores` (a similarity per pair).
 * - `labelled-pairs`: `a`, `b` and binary `labels` (1 = similar, 0 = dissimilar).
 * - `class-pairs`: `a`, `b` and int32 class `labels` (one class of several per pair, e.g. NLI's entailment,
 *   neutral, contradiction).
 * - `triplets`: `anchor`, `positive`, `negative`.
 * - `labelled-embeddings`: `embeddings` and integer class `labels` (one per row).
 * - `anchor-positive`: `anchor`, `positive`, and optionally `negative` (hard negatives).
 * - `teacher-vectors`: `embeddings` and the `teacher`'s vectors of the same texts (distillation).
 * - `teacher-margins`: `anchor`, `positive`, `negative` and the teacher's `margins`, sim(a,p) − sim(a,n).
 */
export type BatchKind =
  | 'scored-pairs'
  | 'labelled-pairs'
  | 'class-pairs'
  | 'triplets'
  | 'labelled-embeddings'
  | 'anchor-positive'
  | 'teacher-vectors'
  | 'teacher-margins';

/**
 * The tensors of one training batch. Every embedding is a `[B, D]` float32 tensor (row i is example i); which
 * fields must be present depends on the loss's {@link BatchKind}. The loss never disposes them.
 */
export interface LossBatch {
  /** First sentence of each pair, `[B, D]`. */
  a?: Tensor2D;
  /** Second sentence of each pair, `[B, D]`. */
  b?: Tensor2D;
  /** Target similarity per pair, `[B]`: in [0, 1] for `cosineSimilarity`; any scale for `coSENT` (only order matters). */
  scores?: Tensor1D;
  /**
   * Binary pair labels `[B]` in {0, 1} (float32), or class ids `[B]` (int32) for `labelled-embeddings` and
   * `class-pairs`.
   */
  labels?: Tensor1D;
  /** Anchors, `[B, D]`. */
  anchor?: Tensor2D;
  /** Positives, `[B, D]`; row i belongs to anchor i. */
  positive?: Tensor2D;
  /** Negatives: `[B, D]` for triplets; `[N, D]` (any N, e.g. one hard negative per anchor) for ranking losses. */
  negative?: Tensor2D;
  /** Embeddings of labelled examples, `[B, D]` (batch-triplet losses mine triplets among them), or of the student. */
  embeddings?: Tensor2D;
  /** A teacher's vectors of the same texts, `[B, D]` (distillation; not differentiated). */
  teacher?: Tensor2D;
  /** A teacher's margins `sim(anchor, positive) − sim(anchor, negative)`, `[B]`. */
  margins?: Tensor1D;
}

/** The JSON-serialisable description of a loss: `{ type, ...options }`; `lossFromConfig` rebuilds it. */
export interface LossConfig {
  /** Registry key: a built-in loss (`'coSENT'`, `'triplet'`…), an alias (`'mnrl'`) or a type added with `registerLoss`. */
  type: string;
  [option: string]: unknown;
}

/**
 * The contract every loss implements (what the trainer of `@siamese/runtime` consumes).
 *
 * @example
 * ```ts
 * const loss = lossFromConfig({ type: 'contrastive', margin: 0.5 });
 * const { value, grads } = tf.variableGrads(() => loss.compute({ a: encode(x), b: encode(y), labels }));
 * ```
 */
export interface Loss {
  /** Registry key, e.g. `'cosineSimilarity'`; equals `getConfig().type`. */
  readonly type: string;
  /** Which tensors {@link Loss.compute} needs; checked by the trainer before training. */
  readonly batchKind: BatchKind;
  /**
   * How the loss compares embeddings. `fit` gives the trained model this similarity, so that search, matching
   * and evaluation compare vectors the way training did (a dot-product MNRL model is searched by dot product).
   * Omit it when the loss fixes no geometry: the model keeps its own.
   */
  readonly similarity?: Similarity;
  /**
   * The loss of one batch as a scalar. Differentiable w.r.t. every embedding tensor; callable inside
   * `tf.variableGrads` / `tf.grads`; keeps no intermediate tensors (runs in `tf.tidy`). Throws `E_LOSS_BATCH` when the batch lacks a tensor its kind needs or shapes disagree.
   */
  compute(batch: LossBatch): Scalar;
  /** Options as JSON, so `lossFromConfig(loss.getConfig())` rebuilds an equivalent loss. */
  getConfig(): LossConfig;
  /**
   * Asks the trainer to run each batch through the encoder in mini-batches of at most `miniBatchSize` texts
   * (GradCache, Gao et al. 2021): embed every mini-batch without gradient, compute the loss and its gradient
   * with respect to the embeddings on the whole batch, then re-encode each mini-batch with gradient and
   * back-propagate its slice of that gradient. Same loss and weight gradients as one pass over the batch (for
   * encoders that embed each text independently of its batch, as every built-in does), with the activation
   * memory of a mini-batch. `CachedMultipleNegativesRankingLoss` sets it; any loss may.
   */
  readonly gradCache?: GradCacheOptions;
  /**
   * The loss's own trainable weights (a classification head, as `SoftmaxLoss` has), for embeddings of width
   * `dim`: created (seeded) on the first call, the same variables on every later call. The trainer optimizes
   * them with the encoder's weights (same optimizer, same step); they are not part of the saved model.
   */
  variables?(dim: number): Variable[];
  /** Frees what {@link Loss.variables} made (a loss without weights of its own needs none). */
  dispose?(): void;
}

/** Options of {@link Loss.gradCache}. */
export interface GradCacheOptions {
  /** Texts encoded at once (with gradient, or without): a whole number ≥ 1. */
  readonly miniBatchSize: number;
}

/** How per-example terms become one scalar. `meanNonZero` divides the sum by the number of terms > 1e-16. */
export type Reduction = 'mean' | 'sum' | 'meanNonZero';
