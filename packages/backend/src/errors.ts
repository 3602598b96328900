import { SiameseError } from '@siamese/core';

/**
 * A backend could not be selected or initialised. The SDK never falls back to another backend silently:
 * when you ask for `'wasm'` and it cannot start, you get this error, not a slow cpu run.
 * Codes: `E_BACKEND_INIT` (it failed to start), `E_BACKEND_UNKNOWN` (no such backend registered),
 * `E_WASM_LOAD` (the .wasm binary could not be read or compiled), `E_BACKEND_NOT_READY` (the SDK was used before
 * `await initBackend()`).
 */
export class BackendError extends SiameseError {}

/** Thrown by {@link tensorLeakCheck} when the number of live tensors grows across repeated calls. */
export class TensorLeakError extends SiameseError {
  constructor(label: string, before: number, after: number, iterations: number) {
    super(
      'E_TENSOR_LEAK',
      `${label}: expected the number of live tensors to stay at ${before} across ${iterations} calls, found ${after} (+${after - before})`,
      { details: { label, before, after, iterations } },
    );
  }
}
