import { createHandler } from '@siamese/serve';
import { serveNode } from '@siamese/serve/node';
import { type FlagSpec, helpFor, parseArgs, usageError } from './args.js';
import { openModel } from './commands.js';
import { readLines } from './io.js';

/** The environment variable holding the bearer token that enables the write routes (never a flag: `ps` shows flags). */
export const TOKEN_ENV = 'SIAMESE_SERVE_TOKEN';

export const serveFlags: Record<string, FlagSpec> = {
  model: { type: 'string', description: 'model folder or file (from siamese train)' },
  port: { type: 'integer', min: 0, description: 'TCP port (default 8787; 0 picks a free one)' },
  host: {
    type: 'string',
    description: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for other machines)',
  },
  references: { type: 'string', description: 'texts for /search and /match, one per line (default: none)' },
  threshold: { type: 'number', description: '/match and /classify threshold (default: the model’s)' },
  backend: { type: 'string', choices: ['wasm', 'cpu'], description: 'tfjs backend (default wasm)' },
  debug: { type: 'boolean', description: 'add numTensors to /health' },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `${helpFor('usage: siamese serve --model DIR [--port 8787] [--references FILE]', serveFlags)}

Routes: GET /health, GET /openapi.json, POST /similarity, /embed, /search, /match, /classify, /index/add,
/index/remove.
Set ${TOKEN_ENV} to enable the write routes (POST /index/add and /index/remove with
"Authorization: Bearer <token>").`;

/** `siamese serve`: the `@siamese/serve` handler on node:http, until SIGINT or SIGTERM. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, serveFlags, 'serve');
  if (flags.help) {
    console.log(help);
    return 0;
  }
  if (positionals.length) throw usageError(`serve: unexpected argument "${positionals[0]}"`);
  const port = (flags.port as number | undefined) ?? 8787;
  if (port > 65535) throw usageError(`serve: --port expected 0 to 65535, found ${port}`);
  const references =
    typeof flags.references === 'string' ? await readLines(flags.references, process.stderr) : undefined;
  if (references?.length === 0) throw usageError(`serve: ${flags.references} has no lines`);
  const token = process.env[TOKEN_ENV];
  const model = await openModel(flags, 'serve');
  const handler = createHandler({
    model,
    // Without --references: the model's packed references, else an empty index for /index/add to fill.
    ...(references || !model.index ? { index: references ?? [] } : {}),
    ...(flags.threshold !== undefined ? { threshold: flags.threshold as number } : {}),
    ...(token ? { auth: { token } } : {}),
    debug: flags.debug === true,
  });
  const server = await serveNode(handler, {
    port,
    hostname: (flags.host as string | undefined) ?? '127.0.0.1',
  });
  process.stderr.write(
    `model ${model.id ?? '(unsaved)'}: ${model.dim}-d, ${references?.length ?? model.index?.size ?? 0} references, writes ${token ? 'enabled' : `disabled (set ${TOKEN_ENV})`}\n`,
  );
  // Tests and process managers read this line (with --port 0 it is the only way to learn the port).
  console.log(`listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  model.dispose();
  return 0;
}
