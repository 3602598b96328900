import { defineConfig } from 'vitest/config';

// A real browser and in-page training: generous timeouts.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000 },
});
