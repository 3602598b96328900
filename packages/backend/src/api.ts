// Everything both entry points export, except initBackend (whose default wasm source differs).
export { BackendError, TensorLeakError } from './errors.js';
export { gradientTapeOn } from './gradient-tape.js';
export { registerAllGradients } from './gradients.js';
export type { BackendInfo, InitBackendOptions } from './init.js';
export {
  embeddingBag,
  FusedAdamOptimizer,
  fusedAdam,
  type LstmSequenceOptions,
  lstmFinalState,
  lstmSequence,
  registerSiameseKernels,
} from './kernels/index.js';
export { type LeakCheckResult, tensorLeakCheck } from './leak-check.js';
export { assertBackendReady } from './ready.js';
export { loadWasmBinary, type WasmBinary, type WasmSource } from './wasm-source.js';
