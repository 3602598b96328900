import { defineConfig } from 'vitest/config';

// Backend init (wasm compile) can be slow on a busy machine: give hooks and tests room.
export default defineConfig({
  test: {
    // Seeded fast-check properties (FC_SEED=random to explore; see the file).
    setupFiles: ['../../scripts/vitest/fast-check.ts'],
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
