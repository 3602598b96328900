// Scaffolds a package skeleton (used once per package; kept for future packages).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

const [dir, name, description, tf] = process.argv.slice(2);
const root = new URL(`../packages/${dir}/`, import.meta.url);
mkdirSync(new URL('src/', root), { recursive: true });
mkdirSync(new URL('test/', root), { recursive: true });
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  // The one repository URL of every package (see docs/releasing.md; scripts/lint-packages.mjs checks it).
  repository: {
    type: 'git',
    url: 'git+https://github.com/siamese-sdk/siamese.git',
    directory: `packages/${dir}`,
  },
  homepage: `https://github.com/siamese-sdk/siamese/tree/main/packages/${dir}#readme`,
  bugs: { url: 'https://github.com/siamese-sdk/siamese/issues' },
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20.19' },
  publishConfig: { access: 'public' },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md', 'LICENSE'],
  keywords: ['siamese', 'embeddings', 'similarity', 'sentence-similarity'],
  scripts: { build: 'tsup', test: 'vitest run', typecheck: 'tsc --noEmit' },
  dependencies: { '@siamese/core': '0.1.0' },
};
copyFileSync(new URL('../LICENSE', import.meta.url), new URL('LICENSE', root));
if (tf === 'tf') pkg.peerDependencies = { '@tensorflow/tfjs-core': '4.22.0' };
if (!existsSync(new URL('package.json', root)))
  writeFileSync(new URL('package.json', root), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  new URL('tsconfig.json', root),
  '{ "extends": "../../tsconfig.base.json", "include": ["src", "test"] }\n',
);
writeFileSync(
  new URL('tsup.config.ts', root),
  "import { defineConfig } from 'tsup';\nimport { base } from '../../tsup.base';\n\nexport default defineConfig(base);\n",
);
if (!existsSync(new URL('src/index.ts', root))) writeFileSync(new URL('src/index.ts', root), 'export {};\n');
