import {
  cast,
  expandDims,
  gather,
  mul,
  notEqual,
  type Tensor,
  type Tensor2D,
  tensor2d,
  type Variable,
} from '@tensorflow/tfjs-core';

/**
 * What an embedding step offers the step after it: its table, so that step can read token rows itself
 * (only the real tokens, or a table with its own first layer folded in) instead of receiving `[B,T,D]`.
 */
export interface TokenTable {
  /** float32 `[V, D]`. */
  readonly table: Variable;
  /** Token id whose vector reads as zero (see `embedding({ paddingIdx })`). */
  readonly paddingIdx?: number;
}

/** Looks up `ids` (any shape) → `[...ids.shape, D]`, with the padding id's rows reading as zero. */
export function lookupRows(source: TokenTable, ids: Tensor): Tensor {
  const x = gather(source.table, ids);
  if (source.paddingIdx === undefined) return x;
  return mul(x, expandDims(cast(notEqual(ids, source.paddingIdx), 'float32'), -1));
}

/** The whole table as the lookup sees it: `[V, D]` with the padding id's row zeroed (for folding). */
export function tableRows(source: TokenTable): Tensor2D {
  const { table, paddingIdx } = source;
  if (paddingIdx === undefined) return table as Tensor2D;
  const keepRow = new Float32Array(table.shape[0]).fill(1);
  keepRow[paddingIdx] = 0;
  return mul(table, tensor2d(keepRow, [table.shape[0], 1])) as Tensor2D;
}
