// `node scripts/parity-quality.mjs [--only=angle,matryoshka,distill,mining]`: the docs/quality.md rows of issue
// 17 (training on par with sentence-transformers), on STS-B train → dev with GloVe 50d, chosen on dev only:
// AnglE against CoSENT, Matryoshka at full and half dimension, a distilled mean-pool student against its BiLSTM
// teacher, and MNRL with mined against random negatives (retrieval MRR@10 on the dev positives). Prints JSON.
import { resolve } from 'node:path';
import { Rng } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import { fileChunks, readPairsFile } from '@siamese/pairs/node';
import {
  createModel,
  evaluate,
  fit,
  initBackend,
  mineHardNegatives,
  spearman,
  teacherVectors,
  vectorSimilarity,
} from '@siamese/runtime';
import { parseVectors } from '@siamese/tokenizer';

const root = resolve(import.meta.dirname, '..');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const want = (name) => !only || only.includes(name);
await initBackend();
const scale = { normalizeScores: { from: [0, 5] } };
const { pairs: train } = await readPairsFile(resolve(root, 'datasets/stsb/train.tsv.gz'), scale);
const { pairs: dev } = await readPairsFile(resolve(root, 'datasets/stsb/dev.tsv.gz'), scale);
const vectors = await parseVectors(fileChunks(resolve(root, 'datasets/glove/glove.6B.50d.10k.txt.gz')));
const texts = train.flatMap((p) => [p.text1, p.text2]);
const make = (preset, hidden = 128, seed = 1) => createModel({ preset, texts, vectors, hidden, seed });
const base = { epochs: 4, batchSize: 32, lr: 1e-3, seed: 42 };
const out = {};
const log = (k, v) => {
  out[k] = v;
  console.error(k, JSON.stringify(v));
};

/** Dev Spearman of the first `dim` dimensions of each vector (cosine). */
async function spearmanAt(model, dim) {
  const a = await model.embed(dev.map((p) => p.text1));
  const b = await model.embed(dev.map((p) => p.text2));
  const sims = a.map((x, i) => vectorSimilarity(x.subarray(0, dim), b[i].subarray(0, dim), 'cosine'));
  return spearman(
    sims,
    dev.map((p) => p.score),
  );
}

if (want('angle')) {
  for (const type of ['coSENT', 'angle']) {
    const model = make('meanpool');
    const before = (await evaluate(model, dev)).spearman;
    const r = await fit(model, train, { ...base, loss: lossFromConfig({ type }), dev });
    log(`angle/${type}`, { untrained: before, best: r.best, seconds: r.seconds });
    model.dispose();
  }
}

if (want('matryoshka')) {
  for (const loss of [
    { type: 'coSENT' },
    { type: 'matryoshka', loss: { type: 'coSENT' }, dims: [128, 64] },
  ]) {
    const model = make('meanpool');
    const r = await fit(model, train, { ...base, loss: lossFromConfig(loss), dev });
    log(`matryoshka/${loss.type}`, {
      full: await spearmanAt(model, 128),
      half: await spearmanAt(model, 64),
      quarter: await spearmanAt(model, 32),
      best: r.best,
    });
    model.dispose();
  }
}

if (want('distill')) {
  const teacher = make('bilstm', 64);
  const t = await fit(teacher, train, { ...base, epochs: 3, loss: lossFromConfig({ type: 'coSENT' }), dev });
  log('distill/teacher', { best: t.best, seconds: t.seconds, dim: teacher.dim });
  const allTexts = [...new Set([...texts])];
  const data = await teacherVectors(teacher, allTexts);
  const student = make('meanpool', teacher.dim);
  const before = (await evaluate(student, dev)).spearman;
  const s = await fit(student, data, {
    ...base,
    epochs: 8,
    lr: 3e-3,
    loss: lossFromConfig({ type: 'mse' }),
    dev,
  });
  log('distill/student', { untrained: before, best: s.best, seconds: s.seconds });
  // The same student trained on the labels directly, for reference.
  const direct = make('meanpool', teacher.dim);
  const d = await fit(direct, train, { ...base, loss: lossFromConfig({ type: 'coSENT' }), dev });
  log('distill/direct', { best: d.best });
}

if (want('mining')) {
  // Retrieval on dev: each positive pair's first text must find its second among every dev second text.
  const devPositives = dev.filter((p) => p.score >= 0.8);
  const corpus = [...new Set(dev.map((p) => p.text2))];
  const task = {
    queries: devPositives.map((p) => p.text1),
    corpus,
    relevant: devPositives.map((p) => [corpus.indexOf(p.text2)]),
    k: 10,
  };
  const positives = train.filter((p) => p.score >= 0.8);
  const rng = new Rng(7);
  const pool = [...new Set(texts)];
  const random = positives.map((p) => ({
    anchor: p.text1,
    positive: p.text2,
    negative: pool[rng.int(pool.length)],
  }));
  const miner = make('meanpool'); // untrained: mean GloVe through a random tanh projection
  const mined = await mineHardNegatives(miner, train, { corpus: pool, range: [3, 30] });
  log('mining/report', { ...mined.report, corpus: pool.length, triplets: mined.length });
  miner.dispose();
  for (const [name, data] of [
    ['none', positives],
    ['random', random],
    ['mined', [...mined]],
  ]) {
    const model = make('meanpool');
    const before = await evaluate(model, task);
    const r = await fit(model, data, {
      ...base,
      loss: lossFromConfig({ type: 'mnrl' }),
      dev: task,
      metric: 'mrrAtK',
    });
    log(`mining/${name}`, { untrained: before.mrrAtK, best: r.best, final: r.history.at(-1).devMetrics });
    model.dispose();
  }
}
console.log(JSON.stringify(out, null, 1));
