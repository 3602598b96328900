// Starting the service: the WASM backend, the model and the reference index, once per process or isolate.
import { initBackend, type LoadModelOptions, loadModel, type ModelSource } from '@siamese/runtime';
import { createState, type ServiceState } from './handler.ts';

/**
 * Initialises the backend (WASM-SIMD), loads the model (a path on Node/Deno/Bun; bytes on Workers) and indexes the
 * references. Call it once and share the state across requests. `options.fold` trades memory for inference speed
 * (see `loadModel`).
 */
export async function initService(
  model: ModelSource,
  references: readonly string[],
  options: LoadModelOptions = {},
): Promise<ServiceState> {
  const startedAt = performance.now();
  const backend = await initBackend();
  return createState(await loadModel(model, options), references, backend.name, startedAt);
}
