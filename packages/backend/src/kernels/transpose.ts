import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Transpose,
  type TransposeAttrs,
} from '@tensorflow/tfjs-core';
import { simdKernels } from '../simd-kernels.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/**
 * Transpose for the SDK's own kernels: swapping the last two axes of a 4-byte tensor ([R,C] with perm [1,0],
 * [n,R,C] with [0,2,1]) runs on the SIMD module (about 10× the stock kernel); anything else on the stock kernel.
 */
export const transposeKernel: KernelFunc = (args) => {
  const x = args.inputs.x as TensorInfo;
  const perm = (args.attrs as unknown as TransposeAttrs).perm;
  const simd = simdKernels(args.backend);
  const rank = x.shape.length;
  const lastTwo =
    (rank === 2 && perm[0] === 1 && perm[1] === 0) ||
    (rank === 3 && perm[0] === 0 && perm[1] === 2 && perm[2] === 1);
  if (!simd || !lastTwo || x.dtype === 'string' || x.dtype === 'bool' || x.dtype === 'complex64') {
    return stockKernel(Transpose).kernelFunc(args);
  }
  const [n, r, c] = rank === 2 ? [1, x.shape[0]!, x.shape[1]!] : (x.shape as [number, number, number]);
  const heap = new WasmHeap(args.backend);
  const out = heap.alloc(
    perm.map((p) => x.shape[p]!),
    x.dtype,
  );
  simd.transpose_last2(heap.ptr(x), heap.ptr(out), n, r, c);
  return out;
};

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
      if (x.dtype === 'string') return stock.kernelFunc(args);
      if (!noOp) return transposeKernel(args);
      return new WasmHeap(args.backend).share(
        x,
        perm.map((p) => x.shape[p]!),
      );
    }),
  };
}
