import { broadcast_util } from '@tensorflow/tfjs-core';

/** How two operands map onto their broadcast output, with runs of same-pattern dims merged. */
export interface BroadcastPlan {
  outShape: number[];
  /** Merged output dims (at least one). */
  dims: number[];
  /** Element strides of each operand per merged dim (0 where that operand is broadcast). */
  aStrides: number[];
  bStrides: number[];
}

/** Plans an element-wise loop over `broadcast(aShape, bShape)` (throws tfjs' error on incompatible shapes). */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan {
  const outShape = broadcast_util.assertAndGetBroadcastShape(aShape as number[], bShape as number[]);
  const r = outShape.length;
  const dims: number[] = [];
  const aFull: boolean[] = [];
  const bFull: boolean[] = [];
  for (let d = 0; d < r; d++) {
    const n = outShape[d]!;
    if (n === 1) continue;
    const af = (aShape[d - (r - aShape.length)] ?? 1) !== 1;
    const bf = (bShape[d - (r - bShape.length)] ?? 1) !== 1;
    const last = dims.length - 1;
    if (last >= 0 && aFull[last] === af && bFull[last] === bf) dims[last]! *= n;
    else {
      dims.push(n);
      aFull.push(af);
      bFull.push(bf);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    aFull.push(false);
    bFull.push(false);
  }
  const strides = (full: boolean[]) => {
    const s = new Array<number>(dims.length);
    let acc = 1;
    for (let d = dims.length - 1; d >= 0; d--) {
      s[d] = full[d] ? acc : 0;
      if (full[d]) acc *= dims[d]!;
    }
    return s;
  };
  return { outShape, dims, aStrides: strides(aFull), bStrides: strides(bFull) };
}

/**
 * Calls `inner(aOffset, bOffset, outOffset, n)` for each innermost run of the plan (offsets relative to the
 * operands' first elements; the output is dense).
 */
export function forEachRun(
  plan: BroadcastPlan,
  inner: (aOff: number, bOff: number, oOff: number, n: number) => void,
): void {
  const { dims, aStrides, bStrides } = plan;
  const k = dims.length - 1;
  const n = dims[k]!;
  let count = 1;
  for (let d = 0; d < k; d++) count *= dims[d]!;
  const idx = new Array<number>(k).fill(0);
  let ao = 0;
  let bo = 0;
  for (let c = 0, o = 0; c < count; c++, o += n) {
    inner(ao, bo, o, n);
    for (let d = k - 1; d >= 0; d--) {
      ao += aStrides[d]!;
      bo += bStrides[d]!;
      if (++idx[d]! < dims[d]!) break;
      ao -= aStrides[d]! * dims[d]!;
      bo -= bStrides[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}
