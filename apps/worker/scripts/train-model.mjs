// `node scripts/train-model.mjs [--out model/]`: trains the tiny model the Worker bundles, in Node on WASM
// (src/tiny-model.ts: a few seconds on STS-B train, threshold calibrated on STS-B dev), and writes
// model/model.bin (single-file format) + model/references.json (the /search and /match corpus).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { initBackend, loadModel, modelToBytes } from '@siamese/runtime';
import { build } from 'esbuild';
import { appDir, dataDir, modelDir } from './paths.mjs';

/** Node 20 runs no TypeScript: compile the shared module (dependencies stay imports) to a per-process file. */
async function loadTinyModel() {
  const outfile = join(appDir, `.out/tiny-model-${process.pid}.mjs`);
  await build({
    entryPoints: [join(appDir, 'src/tiny-model.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

/** Trains, calibrates and writes the model; returns a summary. */
export async function trainTinyModel({ out = modelDir, pairs = 2000, log = () => {} } = {}) {
  const { parseStsb, referenceSet, trainTinyModel: train } = await loadTinyModel();
  const backend = await initBackend();
  const read = (file) => gunzipSync(readFileSync(join(dataDir, 'stsb', `${file}.gz`))).toString('utf8');
  const dev = parseStsb(read('dev.tsv'), 500);
  const references = referenceSet(dev);
  const run = await train({
    train: parseStsb(read('train.tsv'), pairs),
    dev,
    references,
    onEpoch: (epoch, loss) => log(`epoch ${epoch}: loss ${loss.toFixed(4)}`),
  });
  const bytes = await modelToBytes(run.model);
  const id = (await loadModel(bytes)).id;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.bin'), bytes);
  writeFileSync(join(out, 'references.json'), `${JSON.stringify(references, null, 2)}\n`);
  run.model.dispose();
  return {
    backend: backend.name,
    id,
    seconds: Math.round(run.seconds * 100) / 100,
    losses: run.losses,
    threshold: run.threshold,
    devSpearman: run.devSpearman,
    modelBytes: bytes.byteLength,
  };
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--out');
  const summary = await trainTinyModel({
    ...(i > 0 ? { out: process.argv[i + 1] } : {}),
    log: console.error,
  });
  console.log(JSON.stringify(summary));
}
