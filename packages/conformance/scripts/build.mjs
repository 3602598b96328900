// Bundles the suite (src/all.ts) into dist/all.js. Our packages and tfjs stay external, so each runtime
// resolves the *published* builds from node_modules exactly as a user's program would.
import { build } from 'esbuild';
import { pkgDir } from './paths.mjs';

await build({
  entryPoints: { all: `${pkgDir}/src/all.ts`, 'user-extensions': `${pkgDir}/src/user-extensions.ts` },
  outdir: `${pkgDir}/dist`,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['@siamese/*', '@tensorflow/*'],
  sourcemap: true,
  logLevel: 'warning',
});
