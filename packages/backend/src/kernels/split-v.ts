import {
  backend_util,
  type KernelConfig,
  SplitV,
  type SplitVAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { copyBox } from './box-copy.js';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/** `SplitV` (tf.split) on wasm: each part copies its own box; the stock kernel copies the whole input per part. */
export function splitVConfig(): KernelConfig {
  const stock = stockKernel(SplitV);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
      const ax = util.parseAxisParam(axis, x.shape)[0]!;
      // prepareSplitSize resolves a -1 entry in place: hand it a copy, never the op's attrs.
      const splits = Array.isArray(numOrSizeSplits) ? [...numOrSizeSplits] : numOrSizeSplits;
      const sizes = backend_util.prepareSplitSize(x, splits, ax);
      const heap = new WasmHeap(args.backend);
      const outs = sizes.map((s) => {
        const shape = [...x.shape];
        shape[ax] = s;
        return heap.alloc(shape, x.dtype);
      });
      const h = heap.elements(x.dtype);
      const src = heap.offset(x);
      const begin = new Array<number>(x.shape.length).fill(0);
      for (const out of outs) {
        if (sizeOf(out.shape) > 0) copyBox(h, src, x.shape, begin, out.shape, heap.offset(out));
        begin[ax]! += out.shape[ax]!;
      }
      return outs;
    }),
  };
}
