// Bundles the suite into a Worker and runs it inside a real workerd (from npm) listening on 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bin, dataDir, fixturesDir, goldenDir, pkgDir, savedDir } from './paths.mjs';
import { ensureReference } from './reference.mjs';

// Models using custom extensions are saved by a Node process first: the Worker loads them fresh.
const saved = spawnSync(process.execPath, [join(pkgDir, 'scripts/save-extensions.mjs')], {
  stdio: 'inherit',
  cwd: pkgDir,
});
if (saved.status !== 0) {
  console.error('conformance(workerd): saving the extension models failed');
  process.exit(1);
}
const out = join(pkgDir, '.out', 'workerd');
let reference;
try {
  reference = ensureReference().values;
} catch (e) {
  console.error(`conformance(workerd): no Node reference: ${e.message}`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const wasmModules = new Map(); // module name -> source path
await build({
  entryPoints: [join(pkgDir, 'scripts/entry-workerd.mjs')],
  outfile: join(out, 'worker.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  plugins: [
    {
      name: 'fixture-files',
      setup(b) {
        b.onResolve({ filter: /^conformance:fixture-files$/ }, () => ({
          path: 'fixtures',
          namespace: 'fixture-files',
        }));
        b.onLoad({ filter: /.*/, namespace: 'fixture-files' }, () => {
          // Keys as the suite asks for them: `golden/<name>.json`, `data/<set>/<file>` (gunzipped here),
          // `fixture/<path>` (base64).
          const files = {};
          for (const p of walk(goldenDir)) {
            if (p.endsWith('.json')) files[`golden/${relative(goldenDir, p)}`] = readFileSync(p, 'utf8');
          }
          // Interop fixtures and the seed model are binary (safetensors): bundled as base64.
          for (const dir of ['interop', 'golden/seed_model']) {
            for (const p of walk(join(fixturesDir, dir))) {
              if (!p.endsWith('.py'))
                files[`fixture/${relative(fixturesDir, p)}`] = readFileSync(p).toString('base64');
            }
          }
          for (const p of walk(savedDir)) files[`saved/${relative(savedDir, p)}`] = readFileSync(p, 'utf8');
          for (const p of walk(dataDir)) {
            if (/\.(tsv|txt)\.gz$/.test(p)) {
              files[`data/${relative(dataDir, p).replace(/\.gz$/, '')}`] = gunzipSync(
                readFileSync(p),
              ).toString('utf8');
            }
          }
          // Node's cross-runtime values for this build.
          files.reference = JSON.stringify(reference);
          return { contents: `export default ${JSON.stringify(files)};`, loader: 'js' };
        });
      },
    },
    {
      // Workers cannot compile wasm from bytes: .wasm imports stay module imports, embedded by the config.
      name: 'wasm-modules',
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          const src = join(args.resolveDir, args.path);
          const name = basename(args.path);
          wasmModules.set(name, src);
          return { path: `./${name}`, external: true };
        });
      },
    },
  ],
});
for (const [name, src] of wasmModules) copyFileSync(src, join(out, name));

const port = await new Promise((res, rej) => {
  const s = createServer();
  s.on('error', rej);
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
const modules = [
  '(name = "worker.mjs", esModule = embed "worker.mjs")',
  ...[...wasmModules.keys()].map((n) => `(name = "${n}", wasm = embed "${n}")`),
];
writeFileSync(
  join(out, 'config.capnp'),
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .conformanceWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const conformanceWorker :Workerd.Worker = (
  modules = [ ${modules.join(', ')} ],
  compatibilityDate = "2026-11-01",
);
`,
);

const child = spawn(bin('workerd'), ['serve', join(out, 'config.capnp'), '--verbose'], {
  cwd: out,
  stdio: ['ignore', 'inherit', 'pipe'],
});
let stderr = '';
child.stderr.on('data', (d) => {
  stderr += d;
});
const stop = () => child.kill('SIGTERM');
process.on('exit', stop);

let exitCode = 1;
try {
  const deadline = Date.now() + 30_000;
  let res;
  for (;;) {
    try {
      res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(600_000) });
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`workerd did not start: ${e.message}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const body = await res.text();
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`workerd answered ${res.status} with a non-JSON body:\n${body}\n${stderr}`);
  }
  console.log(json.report);
  exitCode = json.total > 0 && json.failed === 0 ? 0 : 1;
} catch (e) {
  console.error(`conformance(workerd): ${e.message}`);
} finally {
  stop();
}
process.exit(exitCode);
