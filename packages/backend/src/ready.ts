import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Throws `E_BACKEND_NOT_READY` naming `what` when tfjs has no backend to run on: the SDK was used before
 * `await initBackend()`. Without this check tfjs throws its bare `No backend found in registry.`
 */
export function assertBackendReady(what: string): void {
  if (tf.engine().backendNames().length > 0) return;
  throw new SiameseError(
    'E_BACKEND_NOT_READY',
    `${what}: expected a ready tfjs backend, found none: call \`await initBackend()\` once before using the SDK (import it from '@siamese/sdk', '@siamese/runtime' or '@siamese/backend'; it starts WASM-SIMD)`,
  );
}
