import {
  type KernelConfig,
  Slice,
  type SliceAttrs,
  slice_util,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { copyBox } from './box-copy.js';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/** `Slice` on wasm: copies only the requested box (the stock kernel `readSync`s the whole input first). */
export function sliceConfig(): KernelConfig {
  const stock = stockKernel(Slice);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      const { begin, size } = args.attrs as unknown as SliceAttrs;
      const [begin_, size_] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
      const heap = new WasmHeap(args.backend);
      const out = heap.alloc(size_, x.dtype);
      if (sizeOf(size_) > 0) {
        copyBox(heap.elements(x.dtype), heap.offset(x), x.shape, begin_, size_, heap.offset(out));
      }
      return out;
    }),
  };
}
