import { type KernelConfig, Reverse, type ReverseAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { copyRun, stridesOf, WasmHeap } from './wasm-heap.js';

/**
 * `Reverse` on wasm (tf.reverse: backward direction of a BiLSTM) as run copies: everything after the last reversed
 * axis is one contiguous run. The stock kernel takes 8 ms on [128,20,128].
 */
export function reverseConfig(): KernelConfig {
  const stock = stockKernel(Reverse);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string' || x.shape.length === 0) return stock.kernelFunc(args);
      const axes = util.parseAxisParam((args.attrs as unknown as ReverseAttrs).dims, x.shape);
      const shape = x.shape;
      const heap = new WasmHeap(args.backend);
      const out = heap.alloc([...shape], x.dtype);
      const total = sizeOf(shape);
      if (total === 0) return out;
      const h = heap.elements(x.dtype);
      const src = heap.offset(x);
      let dst = heap.offset(out);
      const flip = shape.map((_, d) => axes.includes(d));
      const k = flip.lastIndexOf(true);
      if (k < 0) {
        copyRun(h, src, dst, total);
        return out;
      }
      const strides = stridesOf(shape);
      const run = strides[k]!;
      const count = total / (run * shape[k]!);
      // Odometer over dims 0..k-1 (output order); dim k is the inner loop, runs of `run` elements below it.
      const idx = new Array<number>(k).fill(0);
      let base = src;
      for (let d = 0; d < k; d++) if (flip[d]) base += (shape[d]! - 1) * strides[d]!;
      for (let n = 0; n < count; n++) {
        for (let i = shape[k]! - 1; i >= 0; i--, dst += run) copyRun(h, base + i * run, dst, run);
        for (let d = k - 1; d >= 0; d--) {
          const step = flip[d] ? -strides[d]! : strides[d]!;
          if (++idx[d]! < shape[d]!) {
            base += step;
            break;
          }
          base -= step * (shape[d]! - 1);
          idx[d] = 0;
        }
      }
      return out;
    }),
  };
}
