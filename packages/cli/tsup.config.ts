import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// The CLI is a Node program: ESM only, no declarations (nothing imports it); bin/siamese.js loads dist/cli.js.
export default defineConfig({
  ...base,
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  dts: false,
});
