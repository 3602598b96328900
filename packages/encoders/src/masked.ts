import {
  add,
  div,
  expandDims,
  max,
  maximum,
  minimum,
  mul,
  reshape,
  slice,
  sub,
  sum,
  type Tensor2D,
  type Tensor3D,
} from '@tensorflow/tfjs-core';

/** Added to pad positions before a max: large enough to lose to any real activation, finite so 0·x stays 0. */
export const PAD_PENALTY = 1e9;

/** Mean over the real tokens: `sum_t mask·x / sum_t mask` (divides by the true length, not T). */
export function maskedMean(x: Tensor3D, mask: Tensor2D): Tensor2D {
  const total = sum(mul(x, expandDims(mask, 2)), 1);
  return div(total, maximum(sum(mask, 1, true), 1)) as Tensor2D;
}

/**
 * Max over the real tokens: pads are pushed to -1e9 first (acts as -inf for any sane activation). A sentence
 * without tokens (length 0) gets a zero vector rather than -1e9.
 */
export function maskedMax(x: Tensor3D, mask: Tensor2D): Tensor2D {
  const penalty = mul(sub(expandDims(mask, 2), 1), PAD_PENALTY);
  const best = max(add(x, penalty), 1);
  return mul(best, minimum(sum(mask, 1, true), 1)) as Tensor2D;
}

/** The first token's vector (e.g. a [CLS]-style token). */
export function firstToken(x: Tensor3D): Tensor2D {
  const [b, , d] = x.shape;
  return reshape(slice(x, [0, 0, 0], [b, 1, d]), [b, d]);
}

/** Zeroes the pad positions of a sequence. */
export function zeroPads(x: Tensor3D, mask: Tensor2D): Tensor3D {
  return mul(x, expandDims(mask, 2));
}
