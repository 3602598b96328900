// `node scripts/train-model.mjs [--out model/]`: the model the Worker bundles, model/model.siamese: the default
// recipe trained with the CLI, calibrated on STS-B dev and packed in int8 with its reference set (trainDemoModel).
// `--tiny`: the tiny mean-pool model of src/tiny-model.ts instead (seconds; the Deno and Bun apps train it too),
// written as model/model.bin + model/references.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { calibrateThreshold, initBackend, loadModel, modelToBytes, saveModel } from '@siamese/runtime';
import { build } from 'esbuild';
import { appDir, dataDir, modelDir, rootDir } from './paths.mjs';

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

/** Runs the built CLI (`siamese …`); throws with its output when it fails. Returns the last stdout line, parsed. */
function siamese(args) {
  const cli = join(rootDir, 'packages/cli/dist/cli.js');
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`siamese ${args[0]} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/**
 * The Worker's model: the default recipe of `npm run demo` (CNN + CoSENT on STS-B train with GloVe 50d), trained
 * with the CLI, then `siamese pack` in int8 with its reference set built in (vectors included: a cold start embeds
 * nothing). Writes `model/model.siamese`; returns the training and packing reports. `epochs` trades quality for time.
 */
export async function trainDemoModel({ out = modelDir, epochs = 5 } = {}) {
  const work = join(appDir, '.out', `demo-${process.pid}`);
  mkdirSync(work, { recursive: true });
  mkdirSync(out, { recursive: true });
  try {
    const read = (file) => gunzipSync(readFileSync(join(dataDir, 'stsb', `${file}.gz`))).toString('utf8');
    const { parseStsb, referenceSet } = await loadTinyModel();
    const references = referenceSet(parseStsb(read('dev.tsv'), 500));
    writeFileSync(join(work, 'references.txt'), `${references.join('\n')}\n`);
    const training = siamese([
      'train',
      ...['--train', join(dataDir, 'stsb/train.tsv.gz'), '--dev', join(dataDir, 'stsb/dev.tsv.gz')],
      ...['--vectors', join(dataDir, 'glove/glove.6B.50d.10k.txt.gz')],
      ...['--epochs', String(epochs), '--batch-size', '32', '--lr', '0.001', '--patience', '2'],
      ...['--out', join(work, 'model'), '--json'],
    ]);
    // STS-B dev is scored, so `siamese train` calibrates no threshold: calibrate the /match and /classify one here
    // (a pair matches at a gold score ≥ 3.5 of 5), as the tiny model does.
    await initBackend();
    const model = await loadModel(join(work, 'model'));
    const dev = parseStsb(read('dev.tsv'));
    const threshold = await calibrateThreshold(
      model,
      dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score >= 0.7 ? 1 : 0 })),
    );
    await saveModel(model, join(work, 'model'));
    model.dispose();
    const packed = siamese([
      'pack',
      join(work, 'model'),
      ...['--weights', 'int8', '--references', join(work, 'references.txt')],
      ...['--out', join(out, 'model.siamese'), '--json'],
    ]);
    return { training, threshold, packed, references: references.length };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? { out: process.argv[i + 1] } : {};
  // --tiny: the few-second mean-pool model the Deno and Bun apps train; default: the Worker's packed demo model.
  const summary = process.argv.includes('--tiny')
    ? await trainTinyModel({ ...out, log: console.error })
    : await trainDemoModel(out);
  console.log(JSON.stringify(summary));
}
