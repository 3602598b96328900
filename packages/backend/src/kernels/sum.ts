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

/**
 * `Max` on wasm: over axes that are not innermost (the masked max over time of the CNN and of pooled LSTMs), one
 * SIMD pass without the stock kernel's transpose (about 8× for [256, 20, 128] over axis 1).
 */
export function maxConfig(): KernelConfig {
  const stock = stockKernel(Max);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      const { reductionIndices, keepDims } = args.attrs as unknown as MaxAttrs;
      const simd = simdKernels(args.backend);
      const plan = x.dtype === 'float32' && simd ? reductionPlan(x, reductionIndices, keepDims) : null;
      if (!simd || !plan || plan.inner < 4 || plan.reduce === 0) return stock.kernelFunc(args);
      const heap = new WasmHeap(args.backend);
      const out = heap.alloc(plan.outShape, 'float32');
      simd.reduce_axes(heap.ptr(x), heap.ptr(out), plan.outer, plan.reduce, plan.inner, 1);
      return out;
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
      if (x.dtype !== 'float32') return stock.kernelFunc(args);
      const simd = simdKernels(args.backend);
      const plan = simd ? reductionPlan(x, axis, keepDims) : null;
      if (simd && plan && plan.inner >= 4 && plan.reduce > 0) {
        const heap = new WasmHeap(args.backend);
        const out = heap.alloc(plan.outShape, 'float32');
        simd.reduce_axes(heap.ptr(x), heap.ptr(out), plan.outer, plan.reduce, plan.inner, 0);
        return out;
      }
      const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
      const first = axes[0];
      const last = axes[axes.length - 1];
      const contiguous = axes.every((a, i) => a === first! + i);
      if (first === undefined || last === undefined || !contiguous) return stock.kernelFunc(args);
      const outer = sizeOf(x.shape.slice(0, first));
      const reduce = sizeOf(x.shape.slice(first, last + 1));
      const inner = sizeOf(x.shape.slice(last + 1));
      // Only leading-axes reductions gain: with outer > 1 the stock transpose is cheap (mean pooling: 0.25 ms).
      if (outer !== 1 || inner < 8 || reduce === 0) return stock.kernelFunc(args);
      let outShape = x.shape.filter((_, d) => d < first || d > last);
      if (keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
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
