// The public names both entry points export (besides initBackend, whose default wasm source differs). Kernels,
// ops, gradients, the readiness check and the wasm loader are internals: see `./internals.ts`
// (`@siamese/backend/internals`).
export type { BackendErrorCode } from './errors.js';
export type { BackendInfo, InitBackendOptions } from './init.js';
export { FusedAdamOptimizer, fusedAdam } from './kernels/fused-adam.js';
export { type LeakCheckResult, tensorLeakCheck } from './leak-check.js';
export type { WasmSource } from './wasm-source.js';
