// Saves models built from "user code" (src/user-extensions.ts: a custom step, a custom encoder, a custom loss)
// in this Node process, to `.out/saved/user-extensions.json`. The `extensions` suite then loads them in a fresh
// process on each runtime, after registering the same extensions, as a server would.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, modelToBytes } from '@siamese/runtime';
import { PROBE, registerUserExtensions, trainUserModels } from '../dist/user-extensions.js';
import { savedDir } from './paths.mjs';

await initBackend();
registerUserExtensions();
const models = await trainUserModels();
const out = {};
for (const [name, model] of Object.entries(models)) {
  out[name] = {
    bytes: Buffer.from(await modelToBytes(model)).toString('base64'),
    embeddings: (await model.embed(PROBE)).map((v) => Array.from(v)),
    loss: model.loss,
    similarity: model.similarity,
  };
  model.dispose();
}
mkdirSync(savedDir, { recursive: true });
writeFileSync(join(savedDir, 'user-extensions.json'), JSON.stringify(out));
console.log(`saved ${Object.keys(out).join(', ')} (custom step, encoder and loss) to ${savedDir}`);
