import type { Rng } from '@siamese/core';
import type { Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import type { FoldOptions } from './fold-cache.js';

/**
 * One padded batch of sentences, as produced by `@siamese/tokenizer` and consumed by every {@link Encoder}.
 * Sentences are right-padded with id 0; `mask` and `lengths` describe the same real-token spans.
 */
export interface EncoderInput {
  /** int32 `[B, T]` token ids, right-padded with 0. */
  ids: Tensor2D;
  /** float32 `[B, T]`: 1 for real tokens, 0 for pads. */
  mask: Tensor2D;
  /** Host copy of the true lengths (B entries), so encoders can plan without reading the device. */
  lengths: Int32Array;
  /** int32 `[B, T, K]` hashed char n-gram bucket ids + 1 (0 = pad); needed by `hashedNgramEmbedding`. */
  ngramIds?: Tensor3D;
}

/** Options of {@link Encoder.encode}: choices of one call, never part of a config. */
export interface EncodeOptions {
  /** Enables dropout (default false). */
  training?: boolean;
  /** Random source for dropout masks; defaults to the encoder's own seeded stream. */
  rng?: Rng;
  /**
   * Inference folding (default on, at most 128 MiB of folded tables per layer): when an embedding feeds an LSTM
   * or CNN directly, plain inference reads precomputed per-token tables instead of looking up and multiplying.
   * Outputs are the same to float rounding; it only trades memory for speed. `false` turns it off, `{ maxBytes }`
   * changes the cap (keep it small on Workers, 128 MB per isolate). Never used while training or under a
   * gradient tape. Encoders without such layers ignore it.
   */
  fold?: boolean | FoldOptions;
}

/**
 * JSON-serialisable description of an encoder: `{ type, ...options }`. `encoderFromConfig(config)` rebuilds it
 * with fresh seeded weights; saved weights are then assigned by name (see {@link Encoder.weights}).
 */
export interface EncoderConfig {
  /** Registry key: `'sequential'`, or a type added with `registerEncoder`. */
  type: string;
  [option: string]: unknown;
}

/**
 * A sentence encoder: maps a padded batch to one vector per sentence. This is the contract `@siamese/runtime`
 * consumes; implement it, `registerEncoder` its type, and check it with `runEncoderContract` from
 * `@siamese/encoders/testing` (see docs/custom-encoder.md).
 */
export interface Encoder {
  /** Registry key, e.g. `'sequential'`; `getConfig().type` has the same value. */
  readonly type: string;
  /** D, the width of the output vectors. */
  readonly outputDim: number;
  /**
   * Encodes a batch: returns float32 `[B, D]`. Pure tfjs ops on the encoder's variables, so it can run inside
   * `tf.variableGrads` / `optimizer.minimize`. The caller owns (disposes) the result.
   */
  encode(input: EncoderInput, options?: EncodeOptions): Tensor2D;
  /** All weights, frozen ones included, under stable unique names (PyTorch-style names and layouts). */
  weights(): Map<string, Variable>;
  /** The weights an optimizer should update (excludes frozen ones, e.g. `embedding({trainable: false})`). */
  trainableVariables(): Variable[];
  /** `{ type, ...options }`, JSON-serialisable; nested for `sequential`. */
  getConfig(): EncoderConfig;
  /** Releases every variable. The encoder is unusable afterwards. */
  dispose(): void;
}
