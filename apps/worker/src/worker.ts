// Cloudflare Worker entry (ES module format). The model and reference set are bundled as modules; the WASM
// backend comes from @siamese/runtime's `workerd` export condition (a precompiled WebAssembly.Module import).
import modelBytes from '../model/model.bin';
import references from '../model/references.json';
import { handle, type ServiceState } from './handler.ts';
import { json } from './http.ts';
import { initService } from './service.ts';

/** Bindings from `wrangler.toml` `[vars]`. */
export interface Env {
  /** `"1"` adds `numTensors` to `/health`. */
  DEBUG?: string;
}

// Once per isolate, not per request: every request awaits the same promise; a failed init is retried.
let ready: Promise<ServiceState> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!ready) {
      // 128 MB per isolate: no folded inference tables (each can take tens of MB for a 20k vocabulary).
      ready = initService(modelBytes, references, { fold: false });
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
