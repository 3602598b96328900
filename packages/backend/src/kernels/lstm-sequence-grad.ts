import {
  BatchMatMul,
  engine,
  type GradConfig,
  getKernel,
  type KernelConfig,
  type NamedAttrMap,
  reshape,
  type Tensor,
  type TensorInfo,
  unsortedSegmentSum,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { type SimdKernels, simdKernels } from '../simd-kernels.js';
import {
  activeRows,
  LSTM_SEQUENCE,
  LSTM_SEQUENCE_TABLE,
  type LstmSequenceAttrs,
  lstmDims,
  zeroFill,
} from './lstm-sequence.js';
import { transposeKernel } from './transpose.js';
import { relabel, WasmHeap } from './wasm-heap.js';
import { matMulInto } from './xnn-matmul.js';

/** Kernel name of the fused LSTM layer's backward pass. */
export const LSTM_SEQUENCE_GRAD = 'SiameseLstmSequenceGrad';

/**
 * Backward pass of {@link LSTM_SEQUENCE}: from dhs (and dcs) [B, T, H] to dxp [B, T, 4H] and dU [H, 4H]. Walks
 * the steps backwards in JS from the saved activations; dh_prev += dG·Uᵀ runs on XNNPACK per step (Uᵀ packed
 * once), and dU = Σ_t h_{t-1}ᵀ·dG_t is ONE [H, B·T]·[B·T, 4H] product at the end.
 */
export function lstmSequenceGradConfig(): KernelConfig {
  return {
    kernelName: LSTM_SEQUENCE_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { dhs, dcs, U: u, mask, hs, cs, acts } = inputs as Record<string, TensorInfo>;
      const reverse = (attrs as unknown as LstmSequenceAttrs).reverse === true;
      const H = u!.shape[0]!;
      const { batch: B, steps: T } = lstmDims(relabel(hs!, [hs!.shape[0]!, hs!.shape[1]!, 4 * H]), u!, mask!);
      const G = 4 * H;
      const heap = new WasmHeap(backend);
      const simd = simdKernels(backend);
      const dxp = heap.alloc([B, T, G], 'float32');
      // Valid (b, t) rows only, in processing order: h before the step, and dG — for one dU product.
      const hPrevV = heap.alloc([B * T, H], 'float32');
      const dGV = heap.alloc([B * T, G], 'float32');
      const dhRec = heap.alloc([B, H], 'float32');
      const uT = transposeKernel({
        inputs: { x: u! },
        attrs: { perm: [1, 0] },
        backend,
      }) as TensorInfo;
      const dhCarry = new Float32Array(B * H);
      const dcCarry = new Float32Array(B * H);
      const active = new Int32Array(B);
      let dU: TensorInfo;
      try {
        let f = heap.floats();
        let rows = 0;
        if (simd) {
          const ins = { dhs: dhs!, dcs: dcs!, mask: mask!, hs: hs!, cs: cs!, acts: acts! };
          rows = backwardSimd(simd, heap, ins, { dxp, hPrevV, dGV, dhRec, uT }, B, T, H, reverse);
        }
        for (let s = simd ? -1 : T - 1; s >= 0; s--) {
          const t = reverse ? T - 1 - s : s;
          const tp = s === 0 ? -1 : reverse ? t + 1 : t - 1;
          const n = activeRows(f, heap.offset(mask!), B, T, t, active);
          const [dh0, dc0, cs0, a0, hs0] = [dhs, dcs, cs, acts, hs].map((x) => heap.offset(x!)) as number[];
          const dx0 = heap.offset(dxp);
          const hv0 = heap.offset(hPrevV);
          const gv0 = heap.offset(dGV);
          const first = rows;
          for (let b = 0, r = 0; b < B; b++) {
            const row = (b * T + t) * H;
            const carry = b * H;
            const dxr = dx0 + (b * T + t) * G;
            if (!(r < n && active[r] === b)) {
              // Padded step: h and c were carried over, so their gradients pass straight through.
              for (let k = 0; k < H; k++) {
                dhCarry[carry + k]! += f[dh0! + row + k]!;
                dcCarry[carry + k]! += f[dc0! + row + k]!;
              }
              f.fill(0, dxr, dxr + G);
              continue;
            }
            r++;
            const gr = gv0 + rows * G;
            if (tp < 0) f.fill(0, hv0 + rows * H, hv0 + (rows + 1) * H);
            else f.copyWithin(hv0 + rows * H, hs0! + (b * T + tp) * H, hs0! + (b * T + tp + 1) * H);
            rows++;
            const ar = a0! + (b * T + t) * 5 * H;
            const cp = tp < 0 ? -1 : cs0! + (b * T + tp) * H;
            for (let k = 0; k < H; k++) {
              const dh = f[dh0! + row + k]! + dhCarry[carry + k]!;
              const dc = f[dc0! + row + k]! + dcCarry[carry + k]!;
              const i = f[ar + k]!;
              const fg = f[ar + H + k]!;
              const g = f[ar + 2 * H + k]!;
              const o = f[ar + 3 * H + k]!;
              const tc = f[ar + 4 * H + k]!;
              const cPrev = cp < 0 ? 0 : f[cp + k]!;
              const dcNew = dc + dh * o * (1 - tc * tc);
              f[gr + k] = dcNew * g * i * (1 - i);
              f[gr + H + k] = dcNew * cPrev * fg * (1 - fg);
              f[gr + 2 * H + k] = dcNew * i * (1 - g * g);
              f[gr + 3 * H + k] = dh * tc * o * (1 - o);
              dcCarry[carry + k] = dcNew * fg;
              dhCarry[carry + k] = 0;
            }
            f.copyWithin(dxr, gr, gr + G);
          }
          if (s === 0 || n === 0) continue;
          // dh_prev of the active rows = their dG · Uᵀ (the rows just appended to dGV, contiguous).
          const dGStep = heap.view(dGV, first * G, [n, G]);
          try {
            matMulInto(heap, dGStep, uT, dhRec, n, G, H);
          } finally {
            heap.releaseView(dGStep);
          }
          f = heap.floats();
          const r0 = heap.offset(dhRec);
          for (let r = 0; r < n; r++) {
            const carry = active[r]! * H;
            for (let k = 0; k < H; k++) dhCarry[carry + k]! += f[r0 + r * H + k]!;
          }
        }
        if (rows === 0) {
          const zeros = heap.alloc([H, G], 'float32');
          heap.floats().fill(0, heap.offset(zeros), heap.offset(zeros) + H * G);
          dU = zeros;
        } else {
          const matMul = getKernel(BatchMatMul, 'wasm')!.kernelFunc;
          const product = matMul({
            inputs: { a: relabel(hPrevV, [1, rows, H]), b: relabel(dGV, [1, rows, G]) },
            attrs: { transposeA: true, transposeB: false },
            backend,
          }) as TensorInfo;
          dU = { dataId: product.dataId, shape: [H, G], dtype: 'float32' };
        }
      } catch (e) {
        heap.free(dxp);
        throw e;
      } finally {
        for (const x of [hPrevV, dGV, dhRec, uT]) heap.free(x);
      }
      return [dxp, dU];
    },
  };
}

/**
 * The backward recurrence on the SIMD kernels (same order of operations as the JS loop): one call per step for the
 * gate gradients, one XNNPACK dG·Uᵀ, one call to add it into the dh carries. Returns the number of dG rows.
 */
function backwardSimd(
  simd: SimdKernels,
  heap: WasmHeap,
  ins: Record<'dhs' | 'dcs' | 'mask' | 'hs' | 'cs' | 'acts', TensorInfo>,
  work: Record<'dxp' | 'hPrevV' | 'dGV' | 'dhRec' | 'uT', TensorInfo>,
  B: number,
  T: number,
  H: number,
  reverse: boolean,
): number {
  const G = 4 * H;
  const dhCarry = heap.alloc([B, H], 'float32');
  const dcCarry = heap.alloc([B, H], 'float32');
  const active = heap.alloc([B], 'int32');
  try {
    zeroFill(heap, dhCarry, B * H);
    zeroFill(heap, dcCarry, B * H);
    const p = (t: TensorInfo) => heap.ptr(t);
    let rows = 0;
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      const tp = s === 0 ? -1 : reverse ? t + 1 : t - 1;
      const n = simd.active_rows(p(ins.mask), B, T, t, p(active));
      const first = rows;
      rows = simd.lstm_backward_step(
        // spread-ok: a fixed tuple of kernel arguments
        ...([
          ins.dhs,
          ins.dcs,
          ins.acts,
          ins.cs,
          ins.hs,
          work.dxp,
          work.hPrevV,
          work.dGV,
          dhCarry,
          dcCarry,
          active,
        ].map(p) as [number, number, number, number, number, number, number, number, number, number, number]),
        n,
        B,
        T,
        t,
        tp,
        rows,
        H,
      );
      if (s === 0 || n === 0) continue;
      const dGStep = heap.view(work.dGV, first * G, [n, G]);
      try {
        matMulInto(heap, dGStep, work.uT, work.dhRec, n, G, H);
      } finally {
        heap.releaseView(dGStep);
      }
      simd.add_rows(p(dhCarry), p(work.dhRec), p(active), n, H);
    }
    return rows;
  } finally {
    for (const x of [dhCarry, dcCarry, active]) heap.free(x);
  }
}

/** Gradient of {@link LSTM_SEQUENCE} w.r.t. xp and U (the mask gets zeros; `acts` is internal, not differentiable). */
export const lstmSequenceGradient: GradConfig = {
  kernelName: LSTM_SEQUENCE,
  inputsToSave: ['U', 'mask'],
  outputsToSave: [true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [u, mask, hs, cs, acts] = saved as Tensor[];
    const [dxp, dU] = backward(dy as Tensor[], [u!, mask!, hs!, cs!, acts!], attrs);
    return { xp: () => dxp, U: () => dU, mask: () => zerosLike(mask!) };
  },
};

/** Gradient of {@link LSTM_SEQUENCE_TABLE}: the table's gradient scatters the per-position rows back by id. */
export const lstmSequenceTableGradient: GradConfig = {
  kernelName: LSTM_SEQUENCE_TABLE,
  inputsToSave: ['U', 'mask', 'xp', 'ids'],
  outputsToSave: [true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [u, mask, table, ids, hs, cs, acts] = saved as Tensor[];
    const [dxp, dU] = backward(dy as Tensor[], [u!, mask!, hs!, cs!, acts!], attrs);
    const [b, t] = ids!.shape as [number, number];
    const [v, g] = table!.shape as [number, number];
    return {
      xp: () => unsortedSegmentSum(reshape(dxp, [b * t, g]), reshape(ids!, [b * t]), v),
      U: () => dU,
      mask: () => zerosLike(mask!),
      ids: () => zerosLike(ids!),
    };
  },
};

function backward(dy: Tensor[], saved: Tensor[], attrs: unknown): [Tensor, Tensor] {
  const [dhs, dcs] = dy;
  const [u, mask, hs, cs, acts] = saved;
  return engine().runKernel(
    LSTM_SEQUENCE_GRAD,
    { dhs: dhs!, dcs: dcs!, U: u!, mask: mask!, hs: hs!, cs: cs!, acts: acts! },
    attrs as NamedAttrMap,
  ) as [Tensor, Tensor];
}
