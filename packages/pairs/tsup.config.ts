import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// Code splitting: the node entry shares one copy of the readers (and of the data set errors) with the main entry.
// `node:fs` and `node:zlib` stay external import with its prefix (Deno and Bun resolve it; the main entry never loads it).
export default defineConfig({
  ...base,
  entry: ['src/index.ts', 'src/node.ts'],
  splitting: true,
  removeNodeProtocol: false,
  external: ['node:fs', 'node:zlib'],
});
