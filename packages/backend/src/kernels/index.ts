import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Registers a kernel, replacing an existing one for the same backend (no duplicate-registration warning). */
function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName))
    unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

/**
 * Kernels the SDK supplies so that training runs entirely on the chosen backend, named by kernel.
 * wasm: `UnsortedSegmentSum` (gradient of gather) and `Conv2DBackpropFilter` (conv training) are missing.
 * cpu: tfjs' `UnsortedSegmentSum` is O(V·N·D) time and memory (minutes and GBs for a 20k vocabulary).
 */
export function registerSiameseKernels(backendName: string): string[] {
  const configs: KernelConfig[] = [unsortedSegmentSumConfig(backendName)];
  if (backendName === 'wasm') configs.push(conv2DBackpropFilterConfig(backendName));
  for (const c of configs) replaceKernel(c);
  return configs.map((c) => c.kernelName);
}
