import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

export default defineConfig([
  base,
  {
    // The CLI is a Node program (ESM only, with a shebang).
    ...base,
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    platform: 'node',
    dts: false,
    clean: false,
  },
]);
