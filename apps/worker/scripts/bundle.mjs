// Bundles the Worker the way wrangler does (esbuild, `workerd`/`worker`/`browser` conditions, minified), keeping
// the .wasm and the model as separate modules (CompiledWasm and Data), and runs it in the real workerd binary.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { appDir, bin, modelDir } from './paths.mjs';
import { spawnServer } from './serve.mjs';

/** Compressed upload budget for JS + wasm + model (gzip each): 3 MB. */
export const BUDGET_BYTES = 3_000_000;

/**
 * Bundles `src/worker.ts` into `outDir`: `worker.mjs`, the `.wasm` modules and `model.siamese` next to it. The model
 * comes from `model` (default `model/`). Returns the module list `[{name, type: 'esModule'|'wasm'|'data'}]`.
 */
export async function bundleWorker(outDir, model = modelDir) {
  mkdirSync(outDir, { recursive: true });
  const assets = new Map(); // module name -> { src, type }
  await build({
    entryPoints: [join(appDir, 'src/worker.ts')],
    outfile: join(outDir, 'worker.mjs'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    plugins: [
      {
        // Workers compile no wasm from bytes, and a model is best left out of the JS: both stay module imports.
        name: 'module-assets',
        setup(b) {
          b.onResolve({ filter: /\.(wasm|siamese)$/ }, (args) => {
            const name = basename(args.path);
            const src = name === 'model.siamese' ? join(model, name) : join(args.resolveDir, args.path);
            assets.set(name, { src, type: name.endsWith('.wasm') ? 'wasm' : 'data' });
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  for (const [name, { src }] of assets) copyFileSync(src, join(outDir, name));
  return [
    { name: 'worker.mjs', type: 'esModule' },
    ...[...assets].map(([name, { type }]) => ({ name, type })),
  ];
}

/**
 * Raw and gzip sizes of the bundled modules (the JS, every `.wasm`: tfjs's and the SIMD kernels', and the model),
 * and the total against {@link BUDGET_BYTES}.
 */
export function sizeReport(outDir, modules) {
  const size = (name) => {
    const data = readFileSync(join(outDir, name));
    return { bytes: data.byteLength, gzip: gzipSync(data, { level: 9 }).byteLength };
  };
  const sum = (type) =>
    modules
      .filter((m) => m.type === type)
      .map((m) => size(m.name))
      .reduce((a, b) => ({ bytes: a.bytes + b.bytes, gzip: a.gzip + b.gzip }), { bytes: 0, gzip: 0 });
  const js = sum('esModule');
  const wasm = sum('wasm');
  const model = sum('data');
  return {
    jsBytes: js.bytes,
    jsGzip: js.gzip,
    wasmBytes: wasm.bytes,
    wasmGzip: wasm.gzip,
    modelBytes: model.bytes,
    modelGzip: model.gzip,
    totalGzip: js.gzip + wasm.gzip + model.gzip,
    budgetBytes: BUDGET_BYTES,
  };
}

/** Writes a workerd config serving the bundle on 127.0.0.1:`port` (with `DEBUG` set when asked). */
export function writeConfig(outDir, modules, port, { debug = false } = {}) {
  const list = modules.map((m) => `(name = "${m.name}", ${m.type} = embed "${m.name}")`).join(',\n    ');
  const file = join(outDir, 'config.capnp');
  writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .siameseWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const siameseWorker :Workerd.Worker = (
  modules = [
    ${list}
  ],
  bindings = [ (name = "DEBUG", text = "${debug ? '1' : '0'}") ],
  compatibilityDate = "2026-05-01",
);
`,
  );
  return file;
}

/** Starts `workerd serve` on the config and resolves once it answers `GET /health` (see {@link spawnServer}). */
export function startWorkerd(configFile, port) {
  return spawnServer(bin('workerd'), ['serve', configFile], { url: `http://127.0.0.1:${port}` });
}
