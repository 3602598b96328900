// `npm run test:tarballs`: the SDK as users get it. Packs every publishable package, installs the tarballs into
// a project outside the repository (its own package.json; third-party packages come from the registry), then
// runs one program there on Node (ESM and CommonJS), Deno, Bun and workerd (a Worker bundled by
// `wrangler deploy --dry-run`), and drives the CLI through `npx siamese` (and `siamese serve` over HTTP). Each trains the same seeded model and
// loads the model Node saved; the embeddings must equal Node's exactly (same WASM binary, same seed), the cpu
// backend's within a measured tolerance. Also measures the install size of each package on its own (`du` of
// node_modules) and fails if @siamese/runtime needs more than 50 MB. The programs are in scripts/tarball-consumer/.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const consumerSrc = join(import.meta.dirname, 'tarball-consumer');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const RUNTIME_BUDGET_BYTES = 50e6;
/** cpu and WASM kernels round differently; after two epochs the embeddings drift by ~1e-6 (measured, see report). */
const CPU_TOLERANCE = 1e-4;

const work = mkdtempSync(join(tmpdir(), 'siamese-tarballs-'));
const app = join(work, 'app');
const tarballs = join(work, 'tarballs');
const report = { work, packages: {}, runs: {}, cli: {}, sizes: {} };
const failures = [];
const t0 = performance.now();

function log(message) {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

function check(ok, message) {
  if (!ok) failures.push(message);
  console.log(`${ok ? '  ✓' : '  ✗'} ${message}`);
}

/** Runs a command to completion; throws with its output when it fails (unless `allowFail`). */
function run(
  command,
  args,
  { cwd = app, env = {}, allowFail = false, timeout = 600_000, encoding = 'utf8' } = {},
) {
  const r = spawnSync(command, args, {
    cwd,
    encoding,
    timeout,
    maxBuffer: 256 << 20,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
  });
  if (!allowFail && (r.status !== 0 || r.error)) {
    const out = encoding ? `${r.stdout}\n${r.stderr}` : `${r.stderr}`;
    throw new Error(
      `${basename(command)} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}`,
    );
  }
  return r;
}

/** The last line of stdout, parsed (the programs print one JSON report line). */
function jsonLine(stdout) {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`expected a JSON report line, found:\n${stdout}`);
  }
}

function maxAbsDiff(a, b) {
  if (!a || !b || a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The publishable packages: name, folder and tarball. */
function publishable() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((d) => ({
      dir: join(root, 'packages', d),
      pkg: JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')),
    }))
    .filter((p) => !p.pkg.private);
}

/** package.json of a consumer project: `deps` from tarballs, every other @siamese/* name redirected to its tarball. */
function consumerManifest(packs, direct, extra = {}) {
  const spec = (name) => `file:${join(tarballs, packs.get(name))}`;
  return {
    name: 'siamese-consumer',
    private: true,
    type: 'module',
    dependencies: { ...Object.fromEntries(direct.map((n) => [n, spec(n)])), ...extra },
    // The @siamese/* names are not on the registry yet: their dependencies on each other resolve to the tarballs.
    overrides: Object.fromEntries(
      [...packs.keys()].filter((n) => !direct.includes(n)).map((n) => [n, spec(n)]),
    ),
  };
}

function npmInstall(cwd, args = []) {
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...args], { cwd, timeout: 900_000 });
}

function duBytes(dir) {
  const r = run('du', ['-sk', dir], { cwd: work });
  return Number(r.stdout.split('\t')[0]) * 1024;
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * `siamese serve` from the installed CLI (which brings @siamese/serve from its tarball): starts it on a free port,
 * searches the probes it indexed, and stops it with SIGTERM.
 */
async function runServe(model, references, query) {
  const child = spawn(
    join(app, 'node_modules', '.bin', 'siamese'),
    ['serve', '--model', model, '--references', references, '--port', '0'],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code) => reject(new Error(`siamese serve exited ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`siamese serve did not listen within 120 s:\n${output}`)), 120_000);
  });
  try {
    const base = await url;
    const health = await (await fetch(`${base}/health`)).json();
    const res = await fetch(`${base}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, k: 1 }),
    });
    return {
      backend: health.backend,
      references: health.references,
      status: res.status,
      top: (await res.json()).results?.[0],
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Bundles the Worker with wrangler, serves it with workerd on 127.0.0.1 and returns its report. */
async function runWorker() {
  const dist = join(app, 'dist');
  const tmp = join(work, 'wrangler-home');
  const w = run(bin('wrangler'), ['deploy', '--dry-run', '--outdir', dist], {
    env: {
      XDG_CONFIG_HOME: tmp,
      WRANGLER_LOG_PATH: join(tmp, 'logs'),
      WRANGLER_SEND_METRICS: 'false',
      CI: 'true',
    },
  });
  const upload = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(
    `${w.stdout}${w.stderr}`,
  );
  report.worker = { uploadKiB: Number(upload?.[1]), gzipKiB: Number(upload?.[2]) };
  // wrangler writes the entry and every module it imports (wasm, text, data) into dist/ under the names the entry
  // imports them by; workerd gets the same list.
  const kinds = { '.js': 'esModule', '.mjs': 'esModule', '.wasm': 'wasm', '.bin': 'data', '.tsv': 'text' };
  const files = readdirSync(dist).filter((f) => kinds[extname(f)] && !f.endsWith('.map'));
  const main = files.find((f) => f === 'worker.js') ?? files.find((f) => kinds[extname(f)] === 'esModule');
  const modules = [main, ...files.filter((f) => f !== main)].map(
    (f) => `(name = "${f}", ${kinds[extname(f)]} = embed "${f}")`,
  );
  const port = await freePort();
  writeFileSync(
    join(dist, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .consumer) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const consumer :Workerd.Worker = (
  modules = [ ${modules.join(', ')} ],
  compatibilityDate = "2026-05-01",
);
`,
  );
  const child = spawn(bin('workerd'), ['serve', join(dist, 'config.capnp')], {
    cwd: dist,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(600_000) });
        const body = await res.text();
        if (!res.ok) throw new Error(`workerd answered ${res.status}:\n${body}\n${output}`);
        return JSON.parse(body);
      } catch (e) {
        if (e.cause?.code !== 'ECONNREFUSED' || child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`workerd: ${e.message}\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}

try {
  // 1. Pack every publishable package as `npm publish` would.
  const pkgs = publishable();
  mkdirSync(tarballs, { recursive: true });
  log(`npm pack: ${pkgs.map((p) => p.pkg.name).join(', ')}`);
  const packed = JSON.parse(
    run(
      'npm',
      ['pack', '--json', '--pack-destination', tarballs, ...pkgs.map((p) => `--workspace=${p.pkg.name}`)],
      {
        cwd: root,
      },
    ).stdout,
  );
  const packs = new Map(packed.map((p) => [p.name, p.filename.replace(/^@/, '').replace('/', '-')]));
  for (const p of packed) {
    const files = new Set(p.files.map((f) => f.path));
    report.packages[p.name] = {
      tarball: basename(packs.get(p.name)),
      packedBytes: p.size,
      files: p.files.length,
    };
    const missing = ['LICENSE', 'README.md', 'package.json'].filter((f) => !files.has(f));
    check(
      missing.length === 0 &&
        [...files].some((f) => f.startsWith('dist/')) &&
        ![...files].some((f) => /^(src|test)\//.test(f)),
      `${p.name}: tarball has LICENSE, README.md, package.json and dist/ (and no src/ or test/)${missing.length ? `; missing ${missing.join(', ')}` : ''}`,
    );
  }

  // 2. The consumer project: the SDK and the CLI from tarballs, tfjs-core (the peer) from the registry.
  mkdirSync(join(app, 'data'), { recursive: true });
  for (const f of readdirSync(consumerSrc)) copyFileSync(join(consumerSrc, f), join(app, f));
  const tfjs = JSON.parse(readFileSync(join(root, 'packages/runtime/package.json'), 'utf8')).peerDependencies[
    '@tensorflow/tfjs-core'
  ];
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(consumerManifest(packs, ['@siamese/sdk', '@siamese/cli'], { '@tensorflow/tfjs-core': tfjs }), null, 2)}\n`,
  );
  // A slice of STS-B: 300 training pairs and 100 dev pairs, gzipped for the file reader and plain for the Worker.
  for (const [split, n] of [
    ['train', 300],
    ['dev', 100],
  ]) {
    const lines = gunzipSync(readFileSync(join(root, 'datasets/stsb', `${split}.tsv.gz`)))
      .toString('utf8')
      .split('\n')
      .slice(0, n + 1);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(join(app, 'data', `${split}.tsv`), text);
    writeFileSync(join(app, 'data', `${split}.tsv.gz`), gzipSync(text));
  }
  log('npm install (the tarballs, and @tensorflow/tfjs-core from the registry)');
  npmInstall(app);

  // 3. The same program everywhere. Node ESM first: it saves the reference model the others load.
  const programs = [
    ['node-esm', process.execPath, ['node-esm.mjs', '--save']],
    ['node-cjs', process.execPath, ['node-cjs.cjs']],
    ['deno', bin('deno'), ['run', '--quiet', '--allow-read', '--allow-env', 'node-esm.mjs']],
    ['bun', bin('bun'), ['run', 'node-esm.mjs']],
  ];
  for (const [name, command, args] of programs) {
    log(`${name}: ${basename(command)} ${args.join(' ')}`);
    const t = performance.now();
    report.runs[name] = { ...jsonLine(run(command, args).stdout), seconds: (performance.now() - t) / 1000 };
  }
  log('workerd: wrangler deploy --dry-run --outdir dist, then workerd serve on 127.0.0.1');
  const tw = performance.now();
  report.runs.workerd = { ...(await runWorker()), seconds: (performance.now() - tw) / 1000 };

  const ref = report.runs['node-esm'];
  log(
    `Node ESM reference: backend ${ref.backend}, dev Spearman ${ref.spearman.toFixed(4)}, ${ref.trained.length} values`,
  );
  for (const [name, r] of Object.entries(report.runs)) {
    r.trainedDiff = maxAbsDiff(r.trained, ref.trained);
    r.loadedDiff = maxAbsDiff(r.loaded, ref.trained);
    check(r.backend === 'wasm', `${name}: initBackend() started ${r.backend} (expected wasm)`);
    check(r.notReady === 'E_BACKEND_NOT_READY', `${name}: the SDK before initBackend() throws ${r.notReady}`);
    check(r.trainedDiff === 0, `${name}: trained embeddings equal Node's (max |Δ| ${r.trainedDiff})`);
    check(r.loadedDiff === 0, `${name}: Node's saved model embeds the same (max |Δ| ${r.loadedDiff})`);
    check(r.spearman === ref.spearman, `${name}: dev Spearman ${r.spearman} equals Node's`);
  }

  // 4. The CLI through npx, as a user runs it in the project.
  log('CLI: npx siamese --help, train, eval, embed');
  const help = run('npx', ['--no', '--', 'siamese', '--help']);
  check(/usage: siamese <command>/.test(help.stdout), 'npx siamese --help prints the usage');
  const probes = (await import(join(app, 'logic.mjs'))).PROBES;
  writeFileSync(join(app, 'probes.txt'), `${probes.join('\n')}\n`);
  const trainArgs = [
    '--train',
    'data/train.tsv.gz',
    '--dev',
    'data/dev.tsv.gz',
    '--encoder',
    'meanpool',
    '--loss',
    'cosent',
  ];
  const recipe = ['--hidden', '32', '--seed', '7', '--epochs', '2', '--batch-size', '32', '--lr', '0.001'];
  const trained = jsonLine(
    run('npx', ['--no', '--', 'siamese', 'train', ...trainArgs, ...recipe, '--out', 'cli-model', '--json'])
      .stdout,
  );
  const evaluated = jsonLine(
    run('npx', [
      '--no',
      '--',
      'siamese',
      'eval',
      '--model',
      'cli-model',
      '--data',
      'data/dev.tsv.gz',
      '--json',
    ]).stdout,
  );
  const embed = (model) =>
    Array.from(
      new Float32Array(
        new Uint8Array(
          run(
            'npx',
            ['--no', 'siamese', 'embed', '--model', model, '--input', 'probes.txt', '--format', 'f32'],
            {
              encoding: null,
            },
          ).stdout,
        ).buffer,
      ),
    );
  report.cli = {
    backend: trained.backend,
    trainSpearman: trained.dev?.spearman,
    evalSpearman: evaluated.spearman,
    trainedDiff: maxAbsDiff(embed('cli-model'), ref.trained),
    loadedDiff: maxAbsDiff(embed('out/model.bin'), ref.trained),
  };
  check(report.cli.backend === 'wasm', `cli: trained on ${report.cli.backend}`);
  check(
    report.cli.trainSpearman === ref.spearman,
    `cli: train --json dev Spearman ${report.cli.trainSpearman} equals Node's`,
  );
  check(
    report.cli.evalSpearman === ref.spearman,
    `cli: eval --json Spearman ${report.cli.evalSpearman} equals Node's`,
  );
  check(
    report.cli.trainedDiff === 0,
    `cli: embeddings of the model it trained equal Node's (max |Δ| ${report.cli.trainedDiff})`,
  );
  check(
    report.cli.loadedDiff === 0,
    `cli: embed --model out/model.bin equals Node's (max |Δ| ${report.cli.loadedDiff})`,
  );

  log('CLI: siamese serve --model cli-model --references probes.txt --port 0');
  report.cli.serve = await runServe('cli-model', 'probes.txt', probes[0]);
  check(
    report.cli.serve.status === 200 &&
      report.cli.serve.backend === 'wasm' &&
      report.cli.serve.references === probes.length &&
      report.cli.serve.top?.text === probes[0] &&
      Math.abs(report.cli.serve.top.score - 1) < 1e-5,
    `cli: serve answers /health and /search over HTTP (top hit ${JSON.stringify(report.cli.serve.top)})`,
  );

  // 5. The documented flow type-checks against the types in the tarballs.
  const tsc = run(
    bin('tsc'),
    [
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
      'flow.mts',
    ],
    { allowFail: true },
  );
  check(
    tsc.status === 0,
    `tsc --strict: reader → fit({ dev }) → evaluate(dev).spearman, no casts${tsc.status ? `\n${tsc.stdout}` : ''}`,
  );

  // 6. The cpu backend is an optional peer: a clear error without it, the same model (within rounding) with it.
  const noCpu = run(process.execPath, [
    '--input-type=module',
    '-e',
    "import { initBackend } from '@siamese/sdk'; try { await initBackend({ backend: 'cpu' }); console.log('{}'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }",
  ]);
  const cpuError = jsonLine(noCpu.stdout);
  report.cpuMissing = cpuError;
  check(
    cpuError.code === 'E_BACKEND_INIT' &&
      cpuError.message.includes('npm install @tensorflow/tfjs-backend-cpu@'),
    `without @tensorflow/tfjs-backend-cpu, initBackend({ backend: 'cpu' }) throws ${cpuError.code}: "${cpuError.message?.slice(0, 90)}…"`,
  );

  // 7. Install size of each package on its own (its @siamese dependencies from tarballs, peers from the registry).
  for (const { pkg } of pkgs) {
    const dir = join(work, 'size', pkg.name.replace(/^@siamese\//, ''));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify(consumerManifest(packs, [pkg.name]), null, 2)}\n`,
    );
    npmInstall(dir);
    const bytes = duBytes(join(dir, 'node_modules'));
    const tfDir = join(dir, 'node_modules', '@tensorflow');
    const tf = existsSync(tfDir) ? readdirSync(tfDir) : [];
    report.sizes[pkg.name] = { bytes, tensorflow: tf };
    log(`install size ${pkg.name}: ${mb(bytes)} MB${tf.length ? ` (@tensorflow: ${tf.join(', ')})` : ''}`);
  }
  const runtime = report.sizes['@siamese/runtime'];
  check(
    runtime.bytes <= RUNTIME_BUDGET_BYTES,
    `@siamese/runtime installs in ${mb(runtime.bytes)} MB (≤ ${mb(RUNTIME_BUDGET_BYTES)} MB)`,
  );
  check(
    !runtime.tensorflow.some((n) => n.startsWith('tfjs-backend')),
    `@siamese/runtime installs no tfjs backend package (found @tensorflow: ${runtime.tensorflow.join(', ')})`,
  );

  log('cpu: npm install @tensorflow/tfjs-backend-cpu, then the same program on cpu');
  npmInstall(app, [`@tensorflow/tfjs-backend-cpu@${tfjs}`]);
  rmSync(join(app, 'out'), { recursive: true, force: true }); // the cpu run saves nothing and loads its own bytes
  const tc = performance.now();
  const cpu = jsonLine(run(process.execPath, ['node-esm.mjs', '--cpu']).stdout);
  cpu.seconds = (performance.now() - tc) / 1000;
  cpu.trainedDiff = maxAbsDiff(cpu.trained, ref.trained);
  report.runs.cpu = cpu;
  check(cpu.backend === 'cpu', `cpu: initBackend({ backend: 'cpu' }) started ${cpu.backend}`);
  check(
    cpu.trainedDiff <= CPU_TOLERANCE,
    `cpu: trained embeddings within ${CPU_TOLERANCE} of WASM's (max |Δ| ${cpu.trainedDiff.toExponential(2)})`,
  );
} catch (e) {
  failures.push(e.message);
  console.error(`\n${e.stack ?? e}`);
}

// Summary and report (without the vectors).
const table = Object.entries(report.runs).map(([name, r]) => ({
  run: name,
  backend: r.backend,
  spearman: r.spearman?.toFixed(6),
  'trained Δ': r.trainedDiff,
  'loaded Δ': r.loadedDiff ?? '–',
  seconds: r.seconds?.toFixed(1),
}));
if (table.length) console.table(table);
if (Object.keys(report.sizes).length) {
  console.table(Object.fromEntries(Object.entries(report.sizes).map(([n, s]) => [n, { MB: mb(s.bytes) }])));
}
for (const r of Object.values(report.runs)) {
  delete r.trained;
  delete r.loaded;
}
mkdirSync(join(root, '.out'), { recursive: true });
writeFileSync(join(root, '.out', 'tarballs-report.json'), `${JSON.stringify(report, null, 2)}\n`);
if (failures.length) {
  console.error(
    `\ntest:tarballs: ${failures.length} failure(s); the project is kept in ${work}\n- ${failures.join('\n- ')}`,
  );
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
log(`test:tarballs: all checks passed (report: .out/tarballs-report.json)`);
