import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';
// @ts-expect-error plain ESM build helper without types
import { tfjsGradientsPlugin, wasmGluePlugin, wasmModuleImportPlugin } from './build/tfjs-plugins.mjs';

const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');

export default defineConfig({
  entry: { index: 'src/index.ts', workerd: 'src/workerd.ts', internals: 'src/internals.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: false, // as tsup.base.ts
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  // tfjs-core stays external (one copy, the user's); the wasm backend's JS is bundled and patched.
  external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
  noExternal: [
    /^@tensorflow\/tfjs-backend-wasm/,
    /^@tensorflow\/tfjs-backend-cpu\/dist\/shared/,
    /^virtual:/,
  ],
  esbuildPlugins: [tfjsGradientsPlugin(), wasmGluePlugin(), wasmModuleImportPlugin()],
  esbuildOptions(o) {
    o.mainFields = ['module', 'main'];
  },
  async onSuccess() {
    copyFileSync(join(wasmDir, 'tfjs-backend-wasm-simd.wasm'), 'dist/tfjs-backend-wasm-simd.wasm');
    copyFileSync('wasm/siamese-kernels.wasm', 'dist/siamese-kernels.wasm');
  },
});
