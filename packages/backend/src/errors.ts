/**
 * The codes `@siamese/backend` throws (always as a `SiameseError` from `@siamese/core`). The SDK never falls
 * back to another backend silently: when you ask for `'wasm'` and it cannot start, you get an error, not a
 * slow cpu run.
 * - `E_BACKEND_INIT`: the backend failed to start.
 * - `E_BACKEND_UNKNOWN`: no tfjs backend of that name is registered.
 * - `E_BACKEND_NOT_READY`: the SDK was used before `await initBackend()`.
 * - `E_WASM_LOAD`: a `.wasm` binary could not be read or compiled.
 * - `E_TENSOR_LEAK`: `tensorLeakCheck` saw the number of live tensors grow.
 */
export type BackendErrorCode =
  | 'E_BACKEND_INIT'
  | 'E_BACKEND_UNKNOWN'
  | 'E_BACKEND_NOT_READY'
  | 'E_WASM_LOAD'
  | 'E_TENSOR_LEAK';
