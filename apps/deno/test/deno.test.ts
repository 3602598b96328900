// Deno from npm (node_modules/.bin/deno): trains with src/train.ts, serves with src/server.ts on 127.0.0.1.
import { join } from 'node:path';
import { bin } from '../../worker/scripts/paths.mjs';
import { describeRuntimeApp } from '../../worker/test/runtime-app.ts';

const cwd = join(import.meta.dirname, '..');
const deno = bin('deno');

describeRuntimeApp({
  name: 'deno',
  cwd,
  train: (args) => [
    deno,
    'run',
    '--quiet',
    '--allow-read',
    '--allow-write',
    '--allow-env',
    'src/train.ts',
    ...args,
  ],
  serve: (args) => [
    deno,
    'run',
    '--quiet',
    '--allow-read',
    '--allow-env',
    '--allow-net=127.0.0.1',
    'src/server.ts',
    ...args,
  ],
});
