import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';

/** The configs tfjs-backend-wasm registered, captured before the SDK replaced them (one capture per name). */
const stock = new Map<string, KernelConfig>();
/** Kernel functions the SDK registered, so a second registration never captures one of ours as "stock". */
const ours = new WeakSet<KernelFunc>();

/** Marks a kernel function as the SDK's own. */
export function markOurs<T extends KernelFunc>(fn: T): T {
  ours.add(fn);
  return fn;
}

/** The stock wasm config of `kernelName` (captured on first call, while it is still registered). */
export function stockKernel(kernelName: string): KernelConfig {
  let config = stock.get(kernelName);
  if (!config) {
    const current = getKernel(kernelName, 'wasm');
    if (!current || ours.has(current.kernelFunc)) {
      throw new Error(`siamese wasm kernels: stock kernel '${kernelName}' is not registered for 'wasm'`);
    }
    config = current;
    stock.set(kernelName, config);
  }
  return config;
}

/** True when the kernel registered for `kernelName` on wasm is one of the SDK's. */
export function isOurs(kernelName: string): boolean {
  const current = getKernel(kernelName, 'wasm');
  return current != null && ours.has(current.kernelFunc);
}

/** Registers a kernel, replacing an existing one for the same backend (no duplicate-registration warning). */
export function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName))
    unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}
