import { type KernelConfig, Sigmoid, Tanh, type TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernels } from '../simd-kernels.js';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/** Below this size the extra passes cost more than they save. */
const MIN_SIZE = 256;
/** Below this |x| the odd Taylor polynomial is exact to ~1e-13; above it 2σ(2x)−1 has no cancellation issue. */
const SMALL = 0.05;

/**
 * `Tanh` on wasm: with the SIMD kernels module, one vectorised pass (`tanh_` in csrc/kernels.c). Without it,
 * 2·σ(2x) − 1 on the stock (XNNPACK, vectorised) `Sigmoid`, which is about 7× faster than the
 * stock scalar tanh (0.34 ms against 0.05 ms for [128,128]); an LSTM calls it twice per step. Small |x| use the
 * Taylor polynomial, so the relative error stays below ~3e-6 everywhere.
 */
export function tanhConfig(): KernelConfig {
  const stock = stockKernel(Tanh);
  const sigmoid = stockKernel(Sigmoid).kernelFunc;
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      const n = sizeOf(x.shape);
      if (x.dtype !== 'float32') return stock.kernelFunc(args);
      const backend = args.backend;
      const heap = new WasmHeap(backend);
      const simd = simdKernels(backend);
      if (simd) {
        const y = heap.alloc([...x.shape], 'float32');
        simd.tanh_(heap.ptr(x), heap.ptr(y), n);
        return y;
      }
      if (n < MIN_SIZE) return stock.kernelFunc(args);
      const twice = heap.alloc([...x.shape], 'float32');
      let f = heap.floats();
      const x0 = heap.offset(x);
      const t0 = heap.offset(twice);
      for (let i = 0; i < n; i++) f[t0 + i] = 2 * f[x0 + i]!;
      const s = sigmoid({ inputs: { x: twice }, attrs: {}, backend }) as TensorInfo;
      heap.free(twice);
      f = heap.floats();
      const s0 = heap.offset(s);
      for (let i = 0; i < n; i++) f[s0 + i] = tanhFromSigmoid(f[x0 + i]!, f[s0 + i]!);
      return s;
    }),
  };
}

/** tanh(v) from s = σ(2v): 2s − 1, or the Taylor polynomial where that would cancel (|v| < 0.05). */
export function tanhFromSigmoid(v: number, s: number): number {
  if (v > -SMALL && v < SMALL) {
    const v2 = v * v;
    return v * (1 + v2 * (-1 / 3 + v2 * (2 / 15 - (17 / 315) * v2)));
  }
  return 2 * s - 1;
}
