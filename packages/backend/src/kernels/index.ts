import type { KernelConfig } from '@tensorflow/tfjs-core';
import { adamUpdateConfig } from './adam-update.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { registerWasmPerformanceKernels, restoreStockWasmKernels } from './performance.js';
import { replaceKernel } from './registry.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { FusedAdamOptimizer, fusedAdam } from './fused-adam.js';
export { type LstmSequenceOptions, lstmSequence } from './lstm-op.js';
export { registerWasmPerformanceKernels, restoreStockWasmKernels };

/**
 * Kernels the SDK supplies so that training runs entirely on the chosen backend, named by kernel.
 * wasm: `UnsortedSegmentSum` (gradient of gather) and `Conv2DBackpropFilter` (conv training) are missing, and
 * unless `performanceKernels` is false, the slow stock kernels are replaced ({@link registerWasmPerformanceKernels}).
 * cpu: tfjs' `UnsortedSegmentSum` is O(V·N·D) time and memory (minutes and GBs for a 20k vocabulary).
 * Both: `SiameseAdamUpdate`, the fused step behind {@link fusedAdam}.
 */
export function registerSiameseKernels(backendName: string, performanceKernels = true): string[] {
  const configs: KernelConfig[] = [unsortedSegmentSumConfig(backendName), adamUpdateConfig(backendName)];
  if (backendName === 'wasm') configs.push(conv2DBackpropFilterConfig(backendName));
  for (const c of configs) replaceKernel(c);
  const names = configs.map((c) => c.kernelName);
  if (backendName !== 'wasm') return names;
  if (!performanceKernels) {
    restoreStockWasmKernels();
    return names;
  }
  return [...names, ...registerWasmPerformanceKernels()];
}
