import { defineConfig } from 'vitest/config';

// Generous timeouts: CI runs every package's tests on 2 shared cores; speed is measured in apps/bench, not here.
export default defineConfig({
  test: {
    // Seeded fast-check properties (FC_SEED=random to explore; see the file).
    setupFiles: ['../../scripts/vitest/fast-check.ts'],
    // Mutation testing runs instrumented code on a busy machine: minutes where a test normally takes seconds.
    testTimeout: process.env.SIAMESE_MUTATION ? 900_000 : 120_000,
    hookTimeout: process.env.SIAMESE_MUTATION ? 900_000 : 120_000,
  },
});
