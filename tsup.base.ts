import type { Options } from 'tsup';

/** Shared tsup settings: ESM + CJS, declarations, no minification (consumers bundle). */
export const base: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: false,
  treeshake: true,
};
