import type { Options } from 'tsup';

/** Shared tsup settings: ESM + CJS, declarations, no minification (consumers bundle). */
export const base: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // No source maps: the published JS is unminified and readable, and maps (with their sources) were a third of
  // every dist (the runtime's install budget is 50 MB, most of it tfjs-core).
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  splitting: false,
  treeshake: true,
};
