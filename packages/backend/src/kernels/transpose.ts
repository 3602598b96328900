import { type KernelConfig, type TensorInfo, Transpose, type TransposeAttrs } from '@tensorflow/tfjs-core';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/**
 * `Transpose` on wasm: a permutation that only moves size-1 dims (or none) is a relabel, shared without a copy.
 * tfjs' gather gradient transposes the dense [V, D] embedding gradient with the identity permutation every step,
 * and the stock kernel copies it (10 MB for 20000×128). Real permutations stay on the stock kernel.
 */
export function transposeConfig(): KernelConfig {
  const stock = stockKernel(Transpose);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      const perm = (args.attrs as unknown as TransposeAttrs).perm;
      const moved = perm.filter((p) => x.shape[p] !== 1);
      const noOp = moved.every((p, i) => i === 0 || p > moved[i - 1]!);
      if (x.dtype === 'string' || !noOp) return stock.kernelFunc(args);
      return new WasmHeap(args.backend).share(
        x,
        perm.map((p) => x.shape[p]!),
      );
    }),
  };
}
