import { type BackendInfo, type InitBackendOptions, initBackendWith } from './init.js';
import { inlineSimdKernels } from './simd-kernels-inline.js';

// The names both entries share, listed once in api.ts.
export * from './api.js';

// The tfjs SIMD binary shipped next to this module: read from disk on Node/Deno/Bun, fetched in browsers (serve
// `@siamese/backend/tfjs-backend-wasm-simd.wasm` with your app, or pass `initBackend({ wasm })`).
const defaultWasm = (): URL => new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url);

/**
 * Selects and initialises a tfjs backend, registers all gradients and the kernels training needs, and resolves
 * when `tf.getBackend()` really is that backend. Never falls back silently: throws a `SiameseError` (`E_BACKEND_UNKNOWN`, `E_BACKEND_INIT`, `E_WASM_LOAD`).
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
  return initBackendWith(options, defaultWasm, inlineSimdKernels);
}
