// `bun run src/server.ts [--model dir] [--references file.json] [--port 8787] [--hostname 127.0.0.1]`:
// the same routes as the Worker, served with Bun.serve.
import { parseArgs } from 'node:util';
import { handle } from '../../worker/src/handler.ts';
import { initService } from '../../worker/src/service.ts';

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
const state = await initService(values.model, references);
const debug = Bun.env.DEBUG === '1';

const server = Bun.serve({
  hostname: values.hostname,
  port: Number(values.port),
  fetch: (request) => handle(request, state, { debug }),
});
// The test (and process managers) read this line to find the port when --port 0 picks one.
console.log(`listening on http://${server.hostname}:${server.port}`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
