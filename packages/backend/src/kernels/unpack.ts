import { type KernelConfig, type TensorInfo, Unpack, type UnpackAttrs } from '@tensorflow/tfjs-core';
import { copyBox } from './box-copy.js';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/** `Unpack` (tf.unstack) on wasm: one box copy per output; the stock kernel copies the whole input per output. */
export function unpackConfig(): KernelConfig {
  const stock = stockKernel(Unpack);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const value = args.inputs.value as TensorInfo;
      if (value.dtype === 'string') return stock.kernelFunc(args);
      const rank = value.shape.length;
      let axis = (args.attrs as unknown as UnpackAttrs).axis;
      if (axis < 0) axis += rank;
      const count = value.shape[axis]!;
      const outShape = value.shape.filter((_, d) => d !== axis);
      const heap = new WasmHeap(args.backend);
      const outs: TensorInfo[] = [];
      for (let i = 0; i < count; i++) outs.push(heap.alloc(outShape, value.dtype));
      if (sizeOf(outShape) === 0) return outs;
      const h = heap.elements(value.dtype);
      const src = heap.offset(value);
      const begin = new Array<number>(rank).fill(0);
      const size = [...value.shape];
      size[axis] = 1;
      for (let i = 0; i < count; i++) {
        begin[axis] = i;
        copyBox(h, src, value.shape, begin, size, heap.offset(outs[i]!));
      }
      return outs;
    }),
  };
}
