import { type BackendInfo, type InitBackendOptions, initBackendWith } from './init.js';
import { inlineSimdKernels } from './simd-kernels-inline.js';

export * from './api.js';

/** URL of the SIMD `.wasm` binary shipped next to this module (serve it with your app in browsers). */
export const wasmUrl: URL = new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url);

/**
 * Selects and initialises a tfjs backend, registers all gradients and the kernels training needs, and resolves
 * when `tf.getBackend()` really is that backend. Never falls back silently: throws a {@link BackendError}.
 *
 * @example
 * ```ts
 * import { initBackend } from '@siamese/backend';
 * const info = await initBackend();            // WASM-SIMD, binary read next to the package
 * await initBackend({ backend: 'cpu' });       // or cpu (install @tensorflow/tfjs-backend-cpu)
 * await initBackend({ wasm: bytesOrModule });  // or your own binary
 * ```
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return initBackendWith(options, () => wasmUrl, inlineSimdKernels);
}
