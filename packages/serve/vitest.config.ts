import { defineConfig } from 'vitest/config';

// Generous timeouts: CI runs every package's tests on 2 shared cores; speed is measured in apps/bench, not here.
export default defineConfig({
  test: {
    // Seeded fast-check properties (FC_SEED=random to explore; see the file).
    setupFiles: ['../../scripts/vitest/fast-check.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
