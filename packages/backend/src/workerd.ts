// Entry for Cloudflare Workers (export conditions `workerd` / `worker`): Workers forbid compiling WASM from
// bytes, so the binary arrives as an imported WebAssembly.Module (wrangler's default rule for .wasm imports).

import { type BackendInfo, type InitBackendOptions, initBackendWith } from './init.js';
import kernelsModule from './siamese-kernels.wasm';
import wasmModule from './tfjs-backend-wasm-simd.wasm';

// The names both entries share, listed once in api.ts.
export * from './api.js';

/** See the default entry: same API; the default binary is the imported module. */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return initBackendWith(
    options,
    () => wasmModule,
    () => kernelsModule,
  );
}
