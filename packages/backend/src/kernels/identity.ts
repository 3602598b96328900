import { Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

/**
 * `Identity` on wasm as a new reference to the same (immutable) data, as the cpu backend does. The engine runs it
 * for every tensor a gradient saves, and the stock kernel copies each one.
 */
export function identityConfig(): KernelConfig {
  const stock = stockKernel(Identity);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      return new WasmHeap(args.backend).share(x, [...x.shape]);
    }),
  };
}
