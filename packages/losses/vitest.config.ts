import { defineConfig } from 'vitest/config';

// Backend init (wasm compile) can be slow on a busy machine: give hooks and tests room.
export default defineConfig({
  test: {
    // Seeded fast-check properties (FC_SEED=random to explore; see the file).
    setupFiles: ['../../scripts/vitest/fast-check.ts'],
    // Mutation testing runs instrumented code on a busy machine: minutes where a test normally takes seconds.
    hookTimeout: process.env.SIAMESE_MUTATION ? 900_000 : 60_000,
    testTimeout: process.env.SIAMESE_MUTATION ? 900_000 : 60_000,
  },
});
