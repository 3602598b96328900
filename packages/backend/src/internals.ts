/**
 * `@siamese/backend/internals`: the SDK's own building blocks (custom ops with hand-written gradients, kernel and
 * gradient registration, the gradient-tape probe, the wasm loader). `@siamese/encoders` and the benchmarks use
 * them; applications should not need them, and they may change in any release.
 *
 * @packageDocumentation
 */
export { gradientTapeOn } from './gradient-tape.js';
export { registerAllGradients } from './gradients.js';
export { ADAM_BETA_POWERS } from './kernels/fused-adam.js';
export {
  embeddingBag,
  type LstmSequenceOptions,
  lstmFinalState,
  lstmSequence,
  registerSiameseKernels,
} from './kernels/index.js';
export { assertBackendReady } from './ready.js';
export { loadWasmBinary, type WasmBinary } from './wasm-source.js';
