import { SiameseError } from '@siamese/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkedSize, variableFrom } from '../init.js';
import { bool, positiveInt, prefix, qualify } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';
import { lookupRows, type TokenTable } from '../token-table.js';
import type { EncoderInput } from '../types.js';

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** V, rows of the table (token ids are `0..V-1`). */
  vocabSize: number;
  /** D, width of each token vector. */
  dim: number;
  /**
   * `'normal'` (default; N(0,1), seeded, as PyTorch), `'uniform'` (U(-0.1, 0.1), seeded), or a pretrained
   * row-major `V×D` matrix (e.g. from `@siamese/tokenizer`'s vectors). A pretrained matrix is recorded as
   * `init: 'pretrained'` in the config; rebuilding from config draws normal weights, then the saved ones are
   * assigned by name.
   */
  init?: 'normal' | 'uniform' | 'pretrained' | Float32Array;
  /** Update the table while training (default true). Frozen tables are still listed in `weights()`. */
  trainable?: boolean;
  /** Token id whose row is zero and stays zero (its output is masked, so it never gets gradient). */
  paddingIdx?: number;
  /** Weight-name prefix (default `'embedding'` → `embedding.weight`). */
  name?: string;
}

/**
 * Token-id lookup `[B,T] → [B,T,D]`: `gather(table, ids)`. Weight: `<name>.weight` `[V, D]`.
 *
 * @example
 * ```ts
 * embedding({ vocabSize: 20000, dim: 128 })
 * embedding({ vocabSize: vocab.size, dim: 300, init: vectors.matrix, trainable: false, paddingIdx: 0 })
 * ```
 */
export function embedding(options: EmbeddingOptions): StepSpec {
  const vocabSize = positiveInt('embedding.vocabSize', options.vocabSize);
  const dim = positiveInt('embedding.dim', options.dim);
  const init = options.init ?? 'normal';
  const trainable = bool('embedding.trainable', options.trainable, true);
  const name = prefix('embedding.name', options.name, 'embedding');
  const paddingIdx = options.paddingIdx;
  if (
    paddingIdx !== undefined &&
    !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < vocabSize)
  ) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      'embedding.paddingIdx',
      `an integer in [0, ${vocabSize})`,
      String(paddingIdx),
    );
  }
  if (init instanceof Float32Array) {
    if (init.length !== vocabSize * dim) {
      throw SiameseError.expected(
        'E_ENCODER_CONFIG',
        'embedding.init',
        `a pretrained matrix of ${vocabSize}×${dim} = ${vocabSize * dim} values`,
        `${init.length} values`,
      );
    }
  } else if (!['normal', 'uniform', 'pretrained'].includes(init)) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      'embedding.init',
      "'normal', 'uniform' or a Float32Array",
      String(init),
    );
  }
  const config = {
    type: 'embedding',
    vocabSize,
    dim,
    init: init instanceof Float32Array ? 'pretrained' : init,
    trainable,
    ...(paddingIdx === undefined ? {} : { paddingIdx }),
    ...(options.name === undefined ? {} : { name }),
  };
  return {
    type: 'embedding',
    config,
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['tokens'], ctx);
      const shape = [vocabSize, dim];
      const n = checkedSize(shape); // within the load budget, before the table is allocated
      const values =
        init instanceof Float32Array
          ? Float32Array.from(init)
          : init === 'uniform'
            ? ctx.rng.fillUniform(new Float32Array(n), -0.1, 0.1)
            : ctx.rng.fillNormal(new Float32Array(n));
      if (paddingIdx !== undefined) values.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
      const table = variableFrom(values, shape, trainable);
      const tokenTable: TokenTable = paddingIdx === undefined ? { table } : { table, paddingIdx };
      return {
        output: { kind: 'sequence', dim },
        weights: [[qualify(name, 'weight'), table]],
        tokenTable,
        apply: (_x: Tensor | null, batch: EncoderInput) => lookupRows(tokenTable, batch.ids),
      };
    },
  };
}
