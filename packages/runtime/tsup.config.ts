import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

export default defineConfig({
  ...base,
  // The worker thread of parallel training and embedding is its own module, started by URL.
  entry: { index: 'src/index.ts', 'parallel-worker': 'src/train/parallel/worker.ts' },
  // `import.meta.url` in the CJS build, where the worker's URL is resolved.
  shims: true,
});
