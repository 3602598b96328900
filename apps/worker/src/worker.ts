// Cloudflare Worker entry (ES module format). The model and reference set are bundled as modules; the WASM
// backend comes from @siamese/runtime's `workerd` export condition (a precompiled WebAssembly.Module import).
import { initBackend, modelFromBytes } from '@siamese/runtime';
import modelBytes from '../model/model.bin';
import references from '../model/references.json';
import { createState, handle, type ServiceState } from './handler.ts';
import { json } from './http.ts';

/** Bindings from `wrangler.toml` `[vars]`. */
export interface Env {
  /** `"1"` adds `numTensors` to `/health`. */
  DEBUG?: string;
}

// Once per isolate, not per request: every request awaits the same promise; a failed init is retried.
let ready: Promise<ServiceState> | undefined;

async function init(): Promise<ServiceState> {
  const startedAt = performance.now();
  const backend = await initBackend();
  const model = await modelFromBytes(modelBytes, 'model.bin');
  return createState(model, references, backend.name, startedAt);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!ready) {
      ready = init();
      ready.catch(() => {
        ready = undefined;
      });
    }
    let state: ServiceState;
    try {
      state = await ready;
    } catch (e) {
      // Not the caller's fault: say so, and let the next request retry the init.
      return json({ error: { code: 'E_INIT', message: `model init failed: ${(e as Error).message}` } }, 503);
    }
    return handle(request, state, { debug: env.DEBUG === '1' });
  },
};
