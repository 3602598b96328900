import { defineConfig } from 'vite';

// Relative base: dist/ works from any path (a CDN folder, GitHub Pages, a static server).
export default defineConfig({
  base: './',
  build: { target: 'es2022', chunkSizeWarningLimit: 1500 },
  // The trainer (src/train-worker.ts) is an ES module worker, and so are the threads it starts.
  worker: { format: 'es' },
});
