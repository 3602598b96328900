import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// Code splitting: the testing entry and the worker share one copy of the index code with the main entry.
export default defineConfig({
  ...base,
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    // The worker thread of parallel training and embedding is its own module, started by URL.
    'parallel-worker': 'src/train/parallel/worker.ts',
  },
  splitting: true,
  // `import.meta.url` in the CJS build, where the worker's URL is resolved.
  shims: true,
});
