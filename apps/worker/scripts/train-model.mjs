// `node scripts/train-model.mjs [--out model/]`: trains the tiny demo model the Worker bundles, in Node on WASM.
// A few seconds on a slice of STS-B train (cosine loss), threshold calibrated on STS-B dev (label = score ≥ 3.5),
// written as model/model.bin (single-file format) + model/references.json (the /search and /match corpus).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, fit, initBackend, lossForName, modelToBytes } from '@siamese/runtime';
import { modelDir, sharedDir } from './paths.mjs';

/** STS-B rows `{text1, text2, score}` with the score scaled to [0, 1]. */
export function readStsb(file, limit) {
  const lines = readFileSync(join(sharedDir, 'data/stsb', file), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1);
  return lines.slice(0, limit).map((line) => {
    const [text1, text2, score] = line.split('\t');
    return { text1, text2, score: Number(score) / 5 };
  });
}

/** The reference set: distinct second sentences of the first STS-B dev pairs. */
export function referenceSet(n = 50) {
  const seen = new Set();
  for (const row of readStsb('dev.tsv', 400)) {
    if (!seen.has(row.text2)) seen.add(row.text2);
    if (seen.size === n) break;
  }
  return [...seen];
}

/** Trains, calibrates and writes the model; returns what it wrote. */
export async function trainTinyModel({ out = modelDir, pairs = 2000, epochs = 3, log = () => {} } = {}) {
  const backend = await initBackend();
  const train = readStsb('train.tsv', pairs);
  const dev = readStsb('dev.tsv', 500);
  const references = referenceSet();
  const texts = [...train.flatMap((p) => [p.text1, p.text2]), ...references];
  const model = createModel({
    preset: 'meanpool',
    texts,
    embeddingDim: 48,
    hidden: 64,
    maxLength: 32,
    seed: 7,
  });
  const t0 = performance.now();
  const result = await fit(model, train, {
    loss: lossForName('cosine'),
    epochs,
    batchSize: 32,
    lr: 0.005,
    seed: 7,
    onEpoch: (e) => log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}`),
  });
  const threshold = await model.calibrateThreshold(
    dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score >= 0.7 ? 1 : 0 })),
  );
  const bytes = await modelToBytes(model);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.bin'), bytes);
  writeFileSync(join(out, 'references.json'), `${JSON.stringify(references, null, 2)}\n`);
  const summary = {
    backend: backend.name,
    seconds: (performance.now() - t0) / 1000,
    loss: result.history.at(-1)?.loss,
    threshold,
    modelBytes: bytes.byteLength,
    vocab: model.tokenizer.vocab.size,
  };
  model.dispose();
  return summary;
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--out');
  const summary = await trainTinyModel({
    ...(i > 0 ? { out: process.argv[i + 1] } : {}),
    log: console.error,
  });
  console.log(JSON.stringify(summary));
}
