import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// Code splitting: the testing entry shares one copy of the index code with the main entry.
export default defineConfig({
  ...base,
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  splitting: true,
});
