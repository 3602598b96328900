import { SiameseError } from '@siamese/core';
import {
  add,
  cast,
  div,
  expandDims,
  gather,
  greater,
  maximum,
  mul,
  sum,
  type Tensor,
  type Tensor3D,
} from '@tensorflow/tfjs-core';
import { checkedSize, variableFrom } from '../init.js';
import { bool, positiveInt, prefix, qualify } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';
import type { EncoderInput } from '../types.js';

/** Options of {@link hashedNgramEmbedding}. */
export interface HashedNgramEmbeddingOptions {
  /** Number of hash buckets (the tokenizer's `ngrams.buckets`); the table has `buckets + 1` rows (row 0 = pad). */
  buckets: number;
  /** D; must equal the incoming word-vector width when it follows an `embedding`. */
  dim: number;
  /** Train the table (default true). */
  trainable?: boolean;
  /** Weight-name prefix (default `'ngram_embedding'` → `ngram_embedding.weight`). */
  name?: string;
}

/**
 * fastText-style subword vectors: for each token, the mean of its character n-gram bucket vectors
 * (`input.ngramIds`, `[B,T,K]`, bucket + 1, 0 = pad and ignored). Placed after `embedding(...)` it adds that
 * mean to the word vector, so unseen words still get a meaningful vector; placed first it is the only token
 * representation. Weight: `<name>.weight` `[buckets + 1, D]`, initialised U(-1/D, 1/D) like fastText, row 0 zero.
 */
export function hashedNgramEmbedding(options: HashedNgramEmbeddingOptions): StepSpec {
  const buckets = positiveInt('hashedNgramEmbedding.buckets', options.buckets);
  const dim = positiveInt('hashedNgramEmbedding.dim', options.dim);
  const trainable = bool('hashedNgramEmbedding.trainable', options.trainable, true);
  const name = prefix('hashedNgramEmbedding.name', options.name, 'ngram_embedding');
  return {
    type: 'hashedNgramEmbedding',
    config: {
      type: 'hashedNgramEmbedding',
      buckets,
      dim,
      trainable,
      ...(options.name === undefined ? {} : { name }),
    },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['tokens', 'sequence'], ctx);
      if (input.kind === 'sequence' && input.dim !== dim) {
        throw ctx.shapeError(
          `word vectors of width ${dim} (to add the n-gram mean to)`,
          `width ${input.dim}`,
        );
      }
      const n = checkedSize([buckets + 1, dim]); // within the load budget, before the table is allocated
      const values = ctx.rng.fillUniform(new Float32Array(n), -1 / dim, 1 / dim);
      values.fill(0, 0, dim);
      const table = variableFrom(values, [buckets + 1, dim], trainable);
      return {
        output: { kind: 'sequence', dim },
        weights: [[qualify(name, 'weight'), table]],
        apply: (x: Tensor | null, batch: EncoderInput) => {
          const ids = batch.ngramIds;
          if (!ids)
            throw SiameseError.expected(
              'E_ENCODER_INPUT',
              'encoder input ngramIds',
              'int32 [B,T,K] (hashedNgramEmbedding needs it)',
              'none',
            );
          const [b, t] = batch.ids.shape;
          if (ids.rank !== 3 || ids.shape[0] !== b || ids.shape[1] !== t) {
            throw SiameseError.expected(
              'E_ENCODER_INPUT',
              'encoder input ngramIds',
              `shape [${b},${t},K]`,
              `[${ids.shape.join(',')}]`,
            );
          }
          const used = cast(greater(ids, 0), 'float32'); // [B,T,K]
          const total = sum(mul(gather(table, ids), expandDims(used, 3)), 2);
          const mean = div(total, expandDims(maximum(sum(used, 2), 1), 2)) as Tensor3D;
          return x ? add(x, mean) : mean;
        },
      };
    },
  };
}
