import {
  backend_util,
  type KernelConfig,
  Max,
  type MaxAttrs,
  Sum,
  type SumAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { simdKernels } from '../simd-kernels.js';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/** [outer, reduce, inner] of a reduction over contiguous axes, and the output shape; null otherwise. */
function reductionPlan(
  x: TensorInfo,
  axis: number | number[],
  keepDims: boolean,
): { outer: number; reduce: number; inner: number; outShape: number[] } | null {
  const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (first === undefined || last === undefined || !axes.every((a, i) => a === first + i)) return null;
  let outShape = x.shape.filter((_, d) => d < first || d > last);
  if (keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
  return {
    outer: sizeOf(x.shape.slice(0, first)),
    reduce: sizeOf(x.shape.slice(first, last + 1)),
    inner: sizeOf(x.shape.slice(last + 1)),
    outShape,
  };
}

/** The reduction on the SIMD module (op 0 sum, 1 max); null where it does not apply (innermost axes, no module). */
function reduceOnSimd(
  backend: object,
  x: TensorInfo,
  axis: number | number[],
  keepDims: boolean,
  op: 0 | 1,
): TensorInfo | null {
  const simd = simdKernels(backend);
  const plan = simd && x.dtype === 'float32' ? reductionPlan(x, axis, keepDims) : null;
  if (!simd || !plan || plan.inner < 4 || plan.reduce === 0) return null;
  const heap = new WasmHeap(backend);
  const out = heap.alloc(plan.outShape, 'float32');
  simd.reduce_axes(heap.ptr(x), heap.ptr(out), plan.outer, plan.reduce, plan.inner, op);
  return out;
}

/**
 * `Max` on wasm: over axes that are not innermost (the masked max over time of the CNN and of pooled LSTMs), one
 * SIMD pass without the stock kernel's transpose (about 15× for [128, 20, 128] over axis 1).
 */
export function maxConfig(): KernelConfig {
  const stock = stockKernel(Max);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const { reductionIndices, keepDims } = args.attrs as unknown as MaxAttrs;
      const x = args.inputs.x as TensorInfo;
      return reduceOnSimd(args.backend, x, reductionIndices, keepDims, 1) ?? stock.kernelFunc(args);
    }),
  };
}

/**
 * `Sum` over contiguous axes that are not innermost, on wasm: with the SIMD kernels one vector pass, otherwise
 * (leading axes only) accumulated row by row in JS. The stock kernel first transposes the reduced axes innermost:
 * 4–10 ms for the bias gradient of a [2560, 512] input projection. Sums over the innermost axes (already fast)
 * and non-float32 inputs stay on the stock kernel.
 */
export function sumConfig(): KernelConfig {
  const stock = stockKernel(Sum);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const fast = reduceOnSimd(args.backend, x, axis, keepDims, 0);
      if (fast) return fast;
      const plan = x.dtype === 'float32' ? reductionPlan(x, axis, keepDims) : null;
      // Without SIMD only leading-axes reductions gain: with outer > 1 the stock transpose is cheap.
      if (plan?.outer !== 1 || plan.inner < 8 || plan.reduce === 0) return stock.kernelFunc(args);
      const { outer, reduce, inner, outShape } = plan;
      const heap = new WasmHeap(args.backend);
      const out = heap.alloc(outShape, 'float32');
      const f = heap.floats();
      const x0 = heap.offset(x);
      const o0 = heap.offset(out);
      for (let o = 0; o < outer; o++) {
        const dst = o0 + o * inner;
        const src = x0 + o * reduce * inner;
        f.copyWithin(dst, src, src + inner);
        let r = 1;
        // Four rows per pass: fewer read-modify-writes of the output row, pairwise-added.
        for (; r + 4 <= reduce; r += 4) {
          const a = src + r * inner;
          const b = a + inner;
          const c = b + inner;
          const d = c + inner;
          for (let i = 0; i < inner; i++) f[dst + i]! += f[a + i]! + f[b + i]! + (f[c + i]! + f[d + i]!);
        }
        for (; r < reduce; r++) {
          const a = src + r * inner;
          for (let i = 0; i < inner; i++) f[dst + i]! += f[a + i]!;
        }
      }
      return out;
    }),
  };
}
