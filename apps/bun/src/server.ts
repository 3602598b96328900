// `bun run src/server.ts [--model dir] [--references file.json] [--port 8787] [--hostname 127.0.0.1]`:
// the @siamese/serve handler (the Worker's routes) on Bun.serve.
import { parseArgs } from 'node:util';
import { loadModel } from '@siamese/runtime';
import { createHandler } from '@siamese/serve';

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    model: { type: 'string', default: 'model' },
    references: { type: 'string' },
    port: { type: 'string', default: '8787' },
    hostname: { type: 'string', default: '127.0.0.1' },
  },
});
const references: string[] = await Bun.file(values.references ?? `${values.model}/references.json`).json();
const handler = createHandler({
  model: () => loadModel(values.model),
  index: references,
  debug: Bun.env.DEBUG === '1',
});
await handler.ready(); // a bad model fails here, before listening

const server = Bun.serve({ hostname: values.hostname, port: Number(values.port), fetch: handler.fetch });
// The test (and process managers) read this line to find the port when --port 0 picks one.
console.log(`listening on http://${server.hostname}:${server.port}`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
