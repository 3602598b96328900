import { embeddingBag } from '@siamese/backend/internals';
import {
  cast,
  div,
  maximum,
  mul,
  notEqual,
  sum,
  type Tensor,
  type Tensor2D,
  type Tensor3D,
} from '@tensorflow/tfjs-core';
import { firstToken, maskedMax, maskedMean } from '../masked.js';
import { oneOf } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';
import { lookupRows, type TokenTable } from '../token-table.js';
import type { EncoderInput } from '../types.js';

/** Pooling modes: masked mean (divides by the true length), masked max, or the first token. */
export type PoolingMode = 'mean' | 'max' | 'first';

/** Options of {@link pooling}. */
export interface PoolingOptions {
  /** Default `'mean'`. */
  mode?: PoolingMode;
}

/** Pools a sequence `[B,T,D]` into one vector per sentence `[B,D]`, ignoring pads. */
export function pooling(options: PoolingOptions = {}): StepSpec {
  const mode = oneOf('pooling.mode', options.mode ?? 'mean', ['mean', 'max', 'first'] as const);
  return {
    type: 'pooling',
    config: { type: 'pooling', mode },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['sequence'], ctx);
      return {
        output: { kind: 'vector', dim: input.dim },
        weights: [],
        apply: (x: Tensor | null, batch: EncoderInput) => pool(x as Tensor3D, batch.mask, mode),
        applyFromTable: (table: TokenTable, batch: EncoderInput) =>
          mode === 'mean'
            ? meanOfTable(table, batch)
            : pool(lookupRows(table, batch.ids) as Tensor3D, batch.mask, mode),
      };
    },
  };
}

/** Applies a pooling mode. */
export function pool(x: Tensor3D, mask: Tensor2D, mode: PoolingMode): Tensor2D {
  if (mode === 'max') return maskedMax(x, mask);
  if (mode === 'first') return firstToken(x);
  return maskedMean(x, mask);
}

/**
 * Masked mean straight from an embedding table: one `embeddingBag` (lookup and weighted sum in one kernel, no
 * `[B,T,D]` tensor, forward or backward) with weights `mask / max(length, 1)`; the padding id weighs 0.
 */
function meanOfTable(source: TokenTable, batch: EncoderInput): Tensor2D {
  const { ids, mask } = batch;
  const counts = maximum(sum(mask, 1, true), 1);
  const used =
    source.paddingIdx === undefined ? mask : mul(mask, cast(notEqual(ids, source.paddingIdx), 'float32'));
  return embeddingBag(source.table as Tensor2D, ids, div(used, counts) as Tensor2D);
}
