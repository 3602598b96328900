// Cloudflare Worker entry (ES module format): the @siamese/serve handler over the bundled model. The model is one
// `.siamese` file (`siamese pack`: int8 weights, its reference index built in, vectors included) imported as a
// Data module (an ArrayBuffer); the WASM backend comes from @siamese/runtime's `workerd` export condition (a
// precompiled WebAssembly.Module import). The handler starts once per isolate, on the first request.
import { loadModel } from '@siamese/runtime';
import { createHandler, type SiameseHandler } from '@siamese/serve';
import modelBytes from '../model/model.siamese';

/** Bindings from `wrangler.toml` `[vars]`. */
export interface Env {
  /** `"1"` adds `numTensors` to `/health`. */
  DEBUG?: string;
}

let handler: SiameseHandler | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    // /search, /match: the index packed with the model (no `index` option: nothing is embedded at start).
    handler ??= createHandler({
      // 128 MB per isolate: no folded inference tables (each can take tens of MB for a 20k vocabulary).
      model: () => loadModel(modelBytes, { fold: false }),
      debug: env.DEBUG === '1',
    });
    return handler.fetch(request);
  },
};
