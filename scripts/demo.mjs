// `npm run demo`: trains the default model on the built-in data. The main-job issue lands it; until then,
// say so clearly instead of pretending.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const cli = resolve(import.meta.dirname, '../packages/siamese/dist/cli.js');
if (!existsSync(cli)) {
  console.error(
    'npm run demo: the training demo is not available yet (it arrives with the `siamese` CLI: train, eval, search).\n' +
      'Run `npm test` to see the foundation work: the WASM backend trains the golden Siamese LSTM on Node, Deno, Bun and workerd.',
  );
  process.exit(1);
}
await import('./demo-run.mjs');
