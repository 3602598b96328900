// `deno run --allow-read --allow-env --allow-net=127.0.0.1 src/server.ts [--model dir] [--references file.json]
//   [--port 8787] [--hostname 127.0.0.1]`: the same routes as the Worker, served with Deno.serve.
import { parseArgs } from 'node:util';
import { handle } from '../../worker/src/handler.ts';
import { initService } from '../../worker/src/service.ts';

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
const state = await initService(values.model, references);
const debug = Deno.env.get('DEBUG') === '1';

const server = Deno.serve(
  {
    hostname: values.hostname,
    port: Number(values.port),
    // The test (and process managers) read this line to find the port when --port 0 picks one.
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  (request) => handle(request, state, { debug }),
);
Deno.addSignalListener('SIGTERM', () => void server.shutdown());
