// `deno run --allow-read --allow-env --allow-net=127.0.0.1 src/server.ts [--model dir] [--references file.json]
//   [--port 8787] [--hostname 127.0.0.1]`: the @siamese/serve handler (the Worker's routes) on Deno.serve.
import { parseArgs } from 'node:util';
import { loadModel } from '@siamese/runtime';
import { createHandler } from '@siamese/serve';

const { values } = parseArgs({
  args: Deno.args,
  options: {
    model: { type: 'string', default: 'model' },
    references: { type: 'string' },
    port: { type: 'string', default: '8787' },
    hostname: { type: 'string', default: '127.0.0.1' },
  },
});
const references: string[] = JSON.parse(
  await Deno.readTextFile(values.references ?? `${values.model}/references.json`),
);
const handler = createHandler({
  model: () => loadModel(values.model),
  index: references,
  debug: Deno.env.get('DEBUG') === '1',
});
await handler.ready(); // a bad model fails here, before listening

const server = Deno.serve(
  {
    hostname: values.hostname,
    port: Number(values.port),
    // The test (and process managers) read this line to find the port when --port 0 picks one.
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  handler.fetch,
);
Deno.addSignalListener('SIGTERM', () => void server.shutdown());
