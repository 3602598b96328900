// Bun from npm (node_modules/.bin/bun): trains with src/train.ts, serves with src/server.ts on 127.0.0.1.
import { join } from 'node:path';
import { bin } from '../../worker/scripts/paths.mjs';
import { describeRuntimeApp } from '../../worker/test/runtime-app.ts';

const cwd = join(import.meta.dirname, '..');
const bun = bin('bun');

describeRuntimeApp({
  name: 'bun',
  cwd,
  train: (args) => [bun, 'run', 'src/train.ts', ...args],
  serve: (args) => [bun, 'run', 'src/server.ts', ...args],
});
