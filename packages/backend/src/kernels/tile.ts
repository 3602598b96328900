import { type KernelConfig, type TensorInfo, Tile, type TileAttrs } from '@tensorflow/tfjs-core';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { copyRun, stridesOf, WasmHeap } from './wasm-heap.js';

/**
 * `Tile` on wasm as row copies/fills (the stock C++ kernel walks every output index: 12 ms for a [128,20,1] mask
 * tiled to [128,20,128], which `tf.where` does whenever its condition broadcasts).
 */
export function tileConfig(): KernelConfig {
  const stock = stockKernel(Tile);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string' || x.shape.length === 0) return stock.kernelFunc(args);
      const reps = (args.attrs as unknown as TileAttrs).reps;
      const rank = x.shape.length;
      const outShape = x.shape.map((d, i) => d * reps[i]!);
      const heap = new WasmHeap(args.backend);
      const out = heap.alloc(outShape, x.dtype);
      if (sizeOf(outShape) === 0) return out;
      const h = heap.elements(x.dtype);
      const xStrides = stridesOf(x.shape);
      const last = x.shape[rank - 1]!;
      const lastReps = reps[rank - 1]!;
      const rows = sizeOf(outShape) / outShape[rank - 1]!;
      const idx = new Array<number>(rank - 1).fill(0);
      const src0 = heap.offset(x);
      let src = src0;
      let dst = heap.offset(out);
      for (let r = 0; r < rows; r++) {
        if (last === 1) {
          h.fill(h[src]!, dst, dst + lastReps);
          dst += lastReps;
        } else {
          for (let k = 0; k < lastReps; k++, dst += last) copyRun(h, src, dst, last);
        }
        // Next output row: advance the odometer over the outer output dims, wrapping source coords modulo x.
        for (let d = rank - 2; d >= 0; d--) {
          idx[d]!++;
          if (idx[d]! < outShape[d]!) {
            if (idx[d]! % x.shape[d]! === 0) src -= (x.shape[d]! - 1) * xStrides[d]!;
            else src += xStrides[d]!;
            break;
          }
          idx[d] = 0;
          src -= (x.shape[d]! - 1) * xStrides[d]!;
        }
      }
      return out;
    }),
  };
}
