import { getGradient, type KernelConfig, registerGradient } from '@tensorflow/tfjs-core';
import { adamUpdateConfig } from './adam-update.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import {
  EMBEDDING_BAG,
  embeddingBagConfig,
  embeddingBagGradConfig,
  embeddingBagGradient,
} from './embedding-bag.js';
import { registerWasmPerformanceKernels, restoreStockWasmKernels } from './performance.js';
import { replaceKernel } from './registry.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { embeddingBag } from './embedding-bag.js';
export { ADAM_BETA_POWERS, FusedAdamOptimizer, fusedAdam } from './fused-adam.js';
export { type LstmSequenceOptions, lstmFinalState, lstmSequence } from './lstm-op.js';
export { registerWasmPerformanceKernels, restoreStockWasmKernels };

/**
 * Kernels the SDK supplies so that training runs entirely on the chosen backend, named by kernel.
 * wasm: `UnsortedSegmentSum` (gradient of gather) and `Conv2DBackpropFilter` (conv training) are missing, and
 * unless `performanceKernels` is false, the slow stock kernels are replaced ({@link registerWasmPerformanceKernels}).
 * cpu: tfjs' `UnsortedSegmentSum` is O(V·N·D) time and memory (minutes and GBs for a 20k vocabulary).
 * Both: `SiameseAdamUpdate` (behind {@link fusedAdam}) and `SiameseEmbeddingBag` + grad (behind {@link embeddingBag}).
 */
export function registerSiameseKernels(backendName: string, performanceKernels = true): string[] {
  const configs: KernelConfig[] = [
    unsortedSegmentSumConfig(backendName),
    adamUpdateConfig(backendName),
    embeddingBagConfig(backendName),
    embeddingBagGradConfig(backendName),
  ];
  if (!getGradient(EMBEDDING_BAG)) registerGradient(embeddingBagGradient);
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
