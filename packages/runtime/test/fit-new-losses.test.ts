// The losses added for parity, trained through fit() end to end on small data on the WASM backend: each loss
// falls, the dev metric rises above the untrained model's, and the run repeats exactly for its seed. Plus
// distillation: a teacher's vectors (MSE) or margins (MarginMSE), from a model or any function.
import { angleSimilarity, lossFromConfig } from '@siamese/losses';
import { tripletsFromLabels } from '@siamese/pairs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  evaluate,
  type FitOptions,
  fit,
  initBackend,
  type SiameseModel,
  spearman,
  teacherMargins,
  teacherVectors,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 256);
const dev = tsvPairs('stsb/dev.tsv', 96);
const texts = train.flatMap((p) => [p.text1, p.text2]);
const make = (seed = 2, embeddingDim = 16) =>
  createModel({ preset: 'meanpool', texts, hidden: embeddingDim, embeddingDim, seed });
const weightsOf = (model: SiameseModel) =>
  [...model.encoder.weights().values()].map((v) => Array.from(v.dataSync()));

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

/** Trains twice with the same seed; returns the first run's history and the dev Spearman before and after. */
async function trainTwice(data: Parameters<typeof fit>[1], options: FitOptions) {
  const model = make();
  const before = (await evaluate(model, dev)).spearman;
  const r = await fit(model, data, { ...options, dev });
  const again = make();
  const r2 = await fit(again, data, { ...options, dev });
  expect(r2.history.map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
  expect(weightsOf(again)).toEqual(weightsOf(model));
  const after = (await evaluate(model, dev)).spearman;
  model.dispose();
  again.dispose();
  return { r, before, after };
}

describe('fit() with the new losses', () => {
  // Measured (96 dev pairs, Spearman): untrained 0.276 → matryoshka(coSENT) 0.484, matryoshka(mnrl) 0.467.
  it('angle: the loss falls, the training pairs rank better by the angle similarity it optimises, the run repeats', async () => {
    const pairs = train.slice(0, 128);
    const angleSpearman = async (model: SiameseModel) => {
      const a = await model.embedMatrix(pairs.map((p) => p.text1));
      const b = await model.embedMatrix(pairs.map((p) => p.text2));
      const d = a.length / pairs.length;
      const sims = tf.tidy(() =>
        Array.from(
          angleSimilarity(tf.tensor2d(a, [pairs.length, d]), tf.tensor2d(b, [pairs.length, d])).dataSync(),
        ),
      );
      return spearman(
        sims,
        pairs.map((p) => p.score),
      );
    };
    const options: FitOptions = {
      loss: lossFromConfig({ type: 'angle' }),
      epochs: 4,
      batchSize: 32,
      lr: 1e-2,
      seed: 3,
    };
    const model = make();
    const before = await angleSpearman(model);
    const r = await fit(model, train, options);
    const after = await angleSpearman(model);
    expect(r.history[3]!.loss).toBeLessThan(r.history[0]!.loss);
    // Measured: 0.111 → 0.324 on these training pairs. On dev this 16-d model from a random start does not improve (cosine Spearman 0.276 →
    // 0.203, angle 0.197 → 0.149, where coSENT reaches 0.480): docs/quality.md compares them from GloVe.
    expect(after).toBeGreaterThan(before + 0.1);
    const again = make();
    const r2 = await fit(again, train, options);
    expect(r2.history.map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
    model.dispose();
    again.dispose();
  });

  it.each([
    { type: 'matryoshka', loss: { type: 'coSENT' }, dims: [16, 8] },
    { type: 'matryoshka', loss: { type: 'mnrl' }, dims: [16, 8] },
  ])('$type $loss: the loss falls, dev Spearman rises, the run repeats', async (config) => {
    const { r, before, after } = await trainTwice(train, {
      loss: lossFromConfig(config),
      epochs: 4,
      batchSize: 32,
      lr: 1e-2,
      seed: 3,
    });
    expect(r.history[3]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(after).toBeGreaterThan(before + 0.05);
  });

  it('multiSimilarity on {text, label} rows (mPerClass batches): dev triplet accuracy rises', async () => {
    // Class = the STS-B pair: both texts of a pair with score ≥ 0.8 share a label.
    const rows = train
      .filter((p) => p.score >= 0.8)
      .flatMap((p, i) => [
        { text: p.text1, label: i },
        { text: p.text2, label: i },
      ]);
    const devTriplets = tripletsFromLabels(
      dev
        .filter((p) => p.score >= 0.8)
        .flatMap((p, i) => [
          { text: p.text1, label: i },
          { text: p.text2, label: i },
        ]),
      { seed: 1 },
    );
    const model = make();
    const before = (await evaluate(model, devTriplets)).accuracy;
    const r = await fit(model, rows, {
      loss: lossFromConfig({ type: 'multiSimilarity' }),
      epochs: 4,
      batchSize: 16,
      lr: 1e-2,
      sampler: { type: 'mPerClass', m: 2 },
    });
    const after = (await evaluate(model, devTriplets)).accuracy;
    expect(r.history[3]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(after).toBeGreaterThan(before);
    model.dispose();
  });
});

describe('distillation', () => {
  it("mse: a student learns a trained teacher's vectors; its dev Spearman moves toward the teacher's", async () => {
    const teacher = make(9);
    await fit(teacher, train, { loss: lossFromConfig({ type: 'cosine' }), epochs: 4, lr: 1e-2, seed: 1 });
    const teacherSpearman = (await evaluate(teacher, dev)).spearman;
    const data = await teacherVectors(teacher, texts);
    expect(data[0]!.teacher.length).toBe(16);
    const { r, before, after } = await trainTwice(data, {
      loss: lossFromConfig({ type: 'mse' }),
      epochs: 4,
      batchSize: 32,
      lr: 1e-2,
      seed: 3,
    });
    expect(r.history[3]!.loss).toBeLessThan(r.history[0]!.loss / 2);
    expect(Math.abs(teacherSpearman - after)).toBeLessThan(Math.abs(teacherSpearman - before));
    teacher.dispose();
  });

  it("marginMse: triplets with a function teacher's margins train; bad teachers and vectors are E_INVALID_ARGUMENT", async () => {
    const teacher = make(9);
    await fit(teacher, train, { loss: lossFromConfig({ type: 'cosine' }), epochs: 4, lr: 1e-2, seed: 1 });
    const fn = (batch: string[]) => teacher.embed(batch, { normalize: true });
    const triplets = train
      .filter((p) => p.score >= 0.6)
      .map((p, i, all) => ({
        anchor: p.text1,
        positive: p.text2,
        negative: all[(i + 7) % all.length]!.text2,
      }));
    const data = await teacherMargins(fn, triplets);
    expect(data.length).toBe(triplets.length);
    const model = make();
    const r = await fit(model, data, { loss: lossFromConfig({ type: 'marginMse' }), epochs: 3, lr: 1e-2 });
    expect(r.history[2]!.loss).toBeLessThan(r.history[0]!.loss);
    await expect(teacherVectors(() => [[1, 2]], ['a', 'b'])).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: 'teacher: expected 2 vectors for texts 0–1, found 1',
    });
    await expect(
      fit(
        model,
        [
          { text: 'a', teacher: [1, 2] },
          { text: 'b', teacher: [1] },
        ],
        { loss: lossFromConfig({ type: 'mse' }) },
      ),
    ).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: "fit: example 1's teacher vector has 1 dimensions, expected 2",
    });
    await expect(fit(model, train, { loss: lossFromConfig({ type: 'mse' }) })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
    });
    model.dispose();
    teacher.dispose();
  });
});

describe('embed({ truncateDim })', () => {
  it('keeps the leading dimensions, normalises after cutting, and rejects widths the model lacks', async () => {
    const model = make();
    const full = await model.embed(['a man is playing a guitar', 'a dog runs']);
    const cut = await model.embed(['a man is playing a guitar', 'a dog runs'], { truncateDim: 6 });
    expect(cut[1]).toEqual(full[1]!.slice(0, 6));
    const unit = await model.embedMatrix(['a dog runs'], { truncateDim: 6, normalize: true });
    expect(Math.hypot(...unit)).toBeCloseTo(1, 5);
    await expect(model.embed(['x'], { truncateDim: 17 })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: "embed: truncateDim must be a whole number from 1 to the model's 16 dimensions, found 17",
    });
    model.dispose();
  });
});
