import { type KernelConfig, Sigmoid, type TensorInfo } from '@tensorflow/tfjs-core';
import { type SimdKernels, simdKernels } from '../simd-kernels.js';
import { stockKernel } from './registry.js';
import { tanhFromSigmoid } from './tanh.js';
import { WasmHeap } from './wasm-heap.js';
import { matMulInto } from './xnn-matmul.js';

/** Kernel name of the fused LSTM layer (wasm only; see {@link lstmSequence} for the op). */
export const LSTM_SEQUENCE = 'SiameseLstmSequence';
/** The same kernel with an `ids` input: `xp` is a [V, 4H] table read by token id (own name, own gradient). */
export const LSTM_SEQUENCE_TABLE = 'SiameseLstmSequenceTable';

/** Attributes of {@link LSTM_SEQUENCE}. */
export interface LstmSequenceAttrs {
  /** Run from the last time step to the first (the backward direction of a BiLSTM on right-padded input). */
  reverse: boolean;
  /**
   * False when no gradient will be taken (the op passes it when the tape is off): with the SIMD kernels, `cs`
   * and `acts` then come back empty ([0]) and are never written.
   */
  keepForGradient?: boolean;
  /**
   * With the SIMD kernels and `keepForGradient: false` only: the first output is each row's final state [B, H]
   * (after the last step read) instead of hs [B, T, H]. See {@link lstmFinalState}.
   */
  finalOnly?: boolean;
}

/** Shapes of an LSTM layer call, checked once. */
export interface LstmDims {
  batch: number;
  steps: number;
  hidden: number;
}

/** Checks xp [B, T, 4H], U [H, 4H], mask [B, T] and returns B, T, H. */
export function lstmDims(xp: TensorInfo, u: TensorInfo, mask: TensorInfo): LstmDims {
  const [batch, steps, g] = xp.shape;
  const hidden = u.shape[0];
  if (
    xp.shape.length !== 3 ||
    u.shape.length !== 2 ||
    hidden === undefined ||
    g !== 4 * hidden ||
    u.shape[1] !== g ||
    mask.shape.length !== 2 ||
    mask.shape[0] !== batch ||
    mask.shape[1] !== steps
  ) {
    throw new Error(
      `${LSTM_SEQUENCE}: expected xp [B, T, 4H], U [H, 4H], mask [B, T], found xp [${xp.shape}], U [${u.shape}], mask [${mask.shape}]`,
    );
  }
  for (const t of [xp, u, mask]) {
    if (t.dtype !== 'float32') throw new Error(`${LSTM_SEQUENCE}: expected float32 inputs, found ${t.dtype}`);
  }
  return { batch: batch!, steps: steps!, hidden };
}

/** Runs the stock (XNNPACK) sigmoid over the first `n` values of `t` in place (re-fetch heap views afterwards). */
export function sigmoidInPlace(heap: WasmHeap, backend: object, t: TensorInfo, n: number): void {
  // A view, not a relabel: the C++ kernel takes the element count from the registered tensor.
  const head = heap.view(t, 0, [n]);
  let s: TensorInfo;
  try {
    s = stockKernel(Sigmoid).kernelFunc({ inputs: { x: head }, attrs: {}, backend }) as TensorInfo;
  } finally {
    heap.releaseView(head);
  }
  const f = heap.floats();
  const so = heap.offset(s);
  f.copyWithin(heap.offset(t), so, so + n);
  heap.free(s);
}

/**
 * The whole LSTM recurrence in one wasm kernel (gate order i, f, g, o as in PyTorch). Inputs: xp [B, T, 4H]
 * (x·W + b, precomputed as one matmul), U [H, 4H], mask [B, T] (> 0.5 = token; a padded step carries h and c
 * over unchanged). Outputs: hs [B, T, H] (h after each step, so hs[:, T-1] is each sequence's last state),
 * cs [B, T, H] and acts [B, T, 5H] (i, f, g, o, tanh c: kept for the gradient). Per step: h·U on XNNPACK into a
 * reused buffer, then the gates and states in one SIMD kernel call (without the SIMD module: JS loops with the
 * sigmoids on XNNPACK). Optional input `ids` [B, T]: `xp` is then a [V, 4H] table read by token id.
 */
export function lstmSequenceConfig(kernelName = LSTM_SEQUENCE): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const {
        xp: xpIn,
        U: u,
        mask,
        ids,
      } = inputs as Record<'xp' | 'U' | 'mask', TensorInfo> & { ids?: TensorInfo };
      const { reverse, keepForGradient, finalOnly } = attrs as unknown as LstmSequenceAttrs;
      const heap = new WasmHeap(backend);
      const simd = simdKernels(backend);
      const xp = ids ? projectionTableInput(heap, xpIn, ids, mask, simd) : xpIn;
      const { batch: B, steps: T, hidden: H } = lstmDims(xp, u, mask);
      const G = 4 * H;
      if (simd) {
        const dims = { batch: B, steps: T, hidden: H };
        const keep = keepForGradient !== false;
        return forwardSimd(
          simd,
          heap,
          xpIn,
          ids,
          u,
          mask,
          dims,
          reverse === true,
          keep,
          !keep && finalOnly === true,
        );
      }
      const hs = heap.alloc([B, T, H], 'float32');
      const cs = heap.alloc([B, T, H], 'float32');
      const acts = heap.alloc([B, T, 5 * H], 'float32');
      const hPrev = heap.alloc([B, H], 'float32');
      const hAct = heap.alloc([B, H], 'float32');
      const z = heap.alloc([B, G], 'float32');
      const c2 = heap.alloc([B, H], 'float32');
      const cPrev = new Float32Array(B * H);
      const active = new Int32Array(B);
      try {
        let f = heap.floats();
        f.fill(0, heap.offset(hPrev), heap.offset(hPrev) + B * H);
        for (let s = 0; s < T; s++) {
          const t = reverse ? T - 1 - s : s;
          // Only rows with a token at t are computed: padded rows (and their matmul FLOPs) are skipped.
          const n = activeRows(f, heap.offset(mask), B, T, t, active);
          if (n > 0) {
            if (s === 0) f.fill(0, heap.offset(z), heap.offset(z) + n * G);
            else {
              const src = n === B ? hPrev : hAct;
              if (n < B) gatherRows(f, heap.offset(hPrev), heap.offset(hAct), active, n, H);
              matMulInto(heap, src, u, z, n, H, G);
            }
            f = heap.floats();
            // Pre-activations; the g block is doubled so that one sigmoid also yields tanh(g) = 2σ(2g) − 1.
            const z0 = heap.offset(z);
            const x0 = heap.offset(xp);
            for (let r = 0; r < n; r++) {
              const zr = z0 + r * G;
              const xr = x0 + (active[r]! * T + t) * G;
              for (let j = 0; j < 2 * H; j++) f[zr + j]! += f[xr + j]!;
              for (let j = 2 * H; j < 3 * H; j++) f[zr + j] = 2 * (f[zr + j]! + f[xr + j]!);
              for (let j = 3 * H; j < G; j++) f[zr + j]! += f[xr + j]!;
            }
            sigmoidInPlace(heap, backend, z, n * G);
            f = heap.floats();
            const zs = heap.offset(z);
            const a0 = heap.offset(acts);
            const cc = heap.offset(c2);
            for (let r = 0; r < n; r++) {
              const b = active[r]!;
              const zr = zs + r * G;
              const ar = a0 + (b * T + t) * 5 * H;
              f.copyWithin(ar, zr, zr + G); // i, f, σ(2g), o
              for (let k = 0; k < H; k++) {
                const g = 2 * f[ar + 2 * H + k]! - 1;
                f[ar + 2 * H + k] = g;
                const c = f[ar + H + k]! * cPrev[b * H + k]! + f[ar + k]! * g;
                cPrev[b * H + k] = c;
                f[cc + r * H + k] = 2 * c;
              }
            }
            sigmoidInPlace(heap, backend, c2, n * H);
            f = heap.floats();
            const hp = heap.offset(hPrev);
            const a1 = heap.offset(acts);
            const c1 = heap.offset(c2);
            for (let r = 0; r < n; r++) {
              const b = active[r]!;
              const ar = a1 + (b * T + t) * 5 * H;
              for (let k = 0; k < H; k++) {
                const tc = tanhFromSigmoid(cPrev[b * H + k]!, f[c1 + r * H + k]!);
                f[ar + 4 * H + k] = tc;
                f[hp + b * H + k] = f[ar + 3 * H + k]! * tc;
              }
            }
          }
          // Every row records its state after step t (carried over unchanged on padding).
          const h0 = heap.offset(hs);
          const cs0 = heap.offset(cs);
          const hp = heap.offset(hPrev);
          const a2 = heap.offset(acts);
          for (let b = 0, r = 0; b < B; b++) {
            const row = (b * T + t) * H;
            if (r < n && active[r] === b) r++;
            else f.fill(0, a2 + row * 5, a2 + row * 5 + 5 * H);
            f.copyWithin(h0 + row, hp + b * H, hp + (b + 1) * H);
            f.set(cPrev.subarray(b * H, (b + 1) * H), cs0 + row);
          }
        }
      } catch (e) {
        for (const x of [hs, cs, acts]) heap.free(x);
        throw e;
      } finally {
        for (const x of [hPrev, hAct, z, c2]) heap.free(x);
      }
      return [hs, cs, acts];
    },
  };
}

/**
 * With `ids` [B, T] the kernel's `xp` input is a [V, 4H] table of token projections (read by id, no [B, T, 4H]
 * gather). Checks the pair and returns a stand-in xp [B, T, 4H] for the shape checks. The SIMD kernels only:
 * {@link lstmSequence} gathers first otherwise.
 */
function projectionTableInput(
  heap: WasmHeap,
  table: TensorInfo,
  ids: TensorInfo,
  mask: TensorInfo,
  simd: SimdKernels | undefined,
): TensorInfo {
  const [b, t] = ids.shape;
  if (!simd || table.shape.length !== 2 || ids.shape.length !== 2 || ids.dtype !== 'int32') {
    throw new Error(
      `${LSTM_SEQUENCE}: expected a [V, 4H] table with int32 ids [B, T] on the SIMD kernels, found table [${table.shape}], ids ${ids.dtype} [${ids.shape}]`,
    );
  }
  // Token positions must name a table row (pads are never read).
  const v = table.shape[0]!;
  const n = b! * t!;
  if (mask.shape[0] === b && mask.shape[1] === t) {
    const f = heap.floats();
    const i32 = heap.elements('int32');
    const [i0, m0] = [heap.offset(ids), heap.offset(mask)];
    for (let i = 0; i < n; i++) {
      const id = i32[i0 + i]!;
      if (f[m0 + i]! > 0.5 && !(id >= 0 && id < v))
        throw new Error(
          `${LSTM_SEQUENCE}: id ${id} at [${Math.floor(i / t!)}, ${i % t!}] is not in [0, ${v - 1}]`,
        );
    }
  }
  return { dataId: table.dataId, shape: [b!, t!, table.shape[1]!], dtype: table.dtype };
}

/** Zeroes a heap tensor. */
export function zeroFill(heap: WasmHeap, t: TensorInfo, n: number): void {
  const o = heap.offset(t);
  heap.floats().fill(0, o, o + n);
}

/** The forward recurrence on the SIMD kernels: per step one XNNPACK h·U and one call for the gates and states. */
function forwardSimd(
  simd: SimdKernels,
  heap: WasmHeap,
  xp: TensorInfo,
  ids: TensorInfo | undefined,
  u: TensorInfo,
  mask: TensorInfo,
  { batch: B, steps: T, hidden: H }: LstmDims,
  reverse: boolean,
  keep: boolean,
  finalOnly: boolean,
): TensorInfo[] {
  const G = 4 * H;
  const outs = [
    heap.alloc(finalOnly ? [B, H] : [B, T, H], 'float32'),
    heap.alloc(keep ? [B, T, H] : [0], 'float32'),
    heap.alloc(keep ? [B, T, 5 * H] : [0], 'float32'),
  ];
  const [hs, cs, acts] = outs as [TensorInfo, TensorInfo, TensorInfo];
  // Final states only: the h carry IS the output, and no per-step states are written.
  const hCarry = finalOnly ? hs : heap.alloc([B, H], 'float32');
  const cCarry = heap.alloc([B, H], 'float32');
  const hAct = heap.alloc([B, H], 'float32');
  const z = heap.alloc([B, G], 'float32');
  const active = heap.alloc([B], 'int32');
  try {
    zeroFill(heap, hCarry, B * H);
    zeroFill(heap, cCarry, B * H);
    const p = (t: TensorInfo) => heap.ptr(t);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const n = simd.active_rows(p(mask), B, T, t, p(active));
      if (n > 0) {
        if (s === 0) zeroFill(heap, z, n * G);
        else {
          if (n < B) simd.gather_rows(p(hCarry), p(hAct), p(active), n, H);
          matMulInto(heap, n === B ? hCarry : hAct, u, z, n, H, G);
        }
      }
      const [pa, pc] = keep ? [p(acts), p(cs)] : [0, 0];
      const pi = ids ? p(ids) : 0;
      const ph = finalOnly ? 0 : p(hs);
      simd.lstm_forward_step(p(z), p(xp), pi, pa, p(cCarry), p(hCarry), ph, pc, p(active), n, B, T, t, H);
    }
  } catch (e) {
    for (const x of outs) heap.free(x);
    throw e;
  } finally {
    for (const x of [cCarry, hAct, z, active]) heap.free(x);
    if (!finalOnly) heap.free(hCarry);
  }
  return outs;
}

/** Fills `out` with the rows b whose mask at step t is set (ascending) and returns how many there are. */
export function activeRows(
  f: Float32Array,
  mask0: number,
  B: number,
  T: number,
  t: number,
  out: Int32Array,
): number {
  let n = 0;
  for (let b = 0; b < B; b++) if (f[mask0 + b * T + t]! > 0.5) out[n++] = b;
  return n;
}

/** Copies rows `rows[0..n)` of a [B, width] block at `src` densely to `dst`. */
export function gatherRows(
  f: Float32Array,
  src: number,
  dst: number,
  rows: Int32Array,
  n: number,
  width: number,
): void {
  for (let r = 0; r < n; r++) {
    const from = src + rows[r]! * width;
    f.copyWithin(dst + r * width, from, from + width);
  }
}
