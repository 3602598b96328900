import {
  backend_util,
  type KernelConfig,
  Sum,
  type SumAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/**
 * `Sum` over leading axes on wasm, accumulated row by row in place. The stock kernel first
 * transposes the reduced axes innermost: 4–10 ms for the bias gradient of a [2560, 512] input projection.
 * Sums over the innermost axes (already fast) and non-float32 inputs stay on the stock kernel.
 */
export function sumConfig(): KernelConfig {
  const stock = stockKernel(Sum);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      if (x.dtype !== 'float32') return stock.kernelFunc(args);
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
