// SoftmaxLoss trained by fit() on SICK's 3-class entailment labels (WASM): fit trains the loss's own head with
// the encoder, the dev accuracy of the head's predictions beats the majority class, and the run repeats.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SiameseError } from '@siamese/core';
import { SoftmaxLoss } from '@siamese/losses';
import { parseVectorsSync } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fit, initBackend, type SiameseModel } from '../src/index.js';
import { dataDir } from './helpers.js';

const CLASSES = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];

/** SICK pairs with their entailment class id (sentence1, sentence2, score, entailment). */
function sick(file: string, n: number): { text1: string; text2: string; label: number }[] {
  return gunzipSync(readFileSync(resolve(dataDir, `sick/${file}.gz`)))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1, n + 1)
    .map((line) => {
      const [text1, text2, , entailment] = line.split('\t');
      return { text1: text1!, text2: text2!, label: CLASSES.indexOf(entailment!) };
    });
}

const train = sick('train.tsv', 1200);
const dev = sick('dev.tsv', 500);
const glove = parseVectorsSync(
  gunzipSync(readFileSync(resolve(dataDir, 'glove/glove.6B.50d.10k.txt.gz'))).toString('utf8'),
);
const make = () =>
  createModel({
    preset: 'meanpool',
    texts: train.flatMap((p) => [p.text1, p.text2]),
    vectors: glove,
    hidden: 64,
    seed: 3,
  });

/** Accuracy of the head's argmax on dev. */
async function accuracy(model: SiameseModel, loss: SoftmaxLoss): Promise<number> {
  const a = await model.embedMatrix(dev.map((p) => p.text1));
  const b = await model.embedMatrix(dev.map((p) => p.text2));
  const predicted = tf.tidy(() => {
    const d = a.length / dev.length;
    const probs = loss.predict(tf.tensor2d(a, [dev.length, d]), tf.tensor2d(b, [dev.length, d]));
    return Array.from(tf.argMax(probs, 1).dataSync());
  });
  return predicted.filter((y, i) => y === dev[i]!.label).length / dev.length;
}

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

describe('fit() with softmax (SICK entailment, 3 classes)', () => {
  it('trains the head with the encoder; dev accuracy beats the majority class; the run repeats', async () => {
    const counts = CLASSES.map((_, c) => dev.filter((p) => p.label === c).length);
    const majority = Math.max(...counts) / dev.length; // NEUTRAL: 282 of 500
    expect(majority).toBeCloseTo(0.564, 3);
    const run = async () => {
      const model = make();
      const loss = new SoftmaxLoss({ seed: 5 });
      const head = () => loss.variables(model.dim).map((v) => Array.from(v.dataSync()));
      const initial = head();
      const before = await accuracy(model, loss);
      const r = await fit(model, train, { loss, epochs: 4, batchSize: 32, lr: 3e-3, seed: 2 });
      const after = await accuracy(model, loss);
      const trained = head();
      const out = {
        losses: r.history.map((h) => h.loss),
        before,
        after,
        moved: trained.map((w, k) => Math.max(...w.map((x, j) => Math.abs(x - initial[k]![j]!)))),
        trained,
        saved: model.loss,
      };
      model.dispose();
      loss.dispose();
      return out;
    };
    const first = await run();
    console.log(
      `softmax on SICK: dev accuracy ${first.before.toFixed(3)} -> ${first.after.toFixed(3)} (majority ${majority.toFixed(3)}), losses ${first.losses.map((l) => l.toFixed(3)).join(' ')}`,
    );
    expect(first.moved.every((m) => m > 1e-3)).toBe(true); // fit stepped the head (weight and bias)
    expect(first.losses[3]!).toBeLessThan(first.losses[0]!);
    expect(first.after).toBeGreaterThan(majority + 0.05);
    expect(first.saved).toEqual(new SoftmaxLoss({ seed: 5 }).getConfig()); // the config, not the head
    const second = await run();
    expect(second.losses).toEqual(first.losses);
    expect(second.trained).toEqual(first.trained);
  });

  it('refuses checkpoints (they would not hold the head) and labels that are not class ids', async () => {
    const model = make();
    const loss = new SoftmaxLoss();
    const error = await fit(model, train.slice(0, 64), {
      loss,
      checkpoints: { save: async () => {}, load: async () => null },
    }).catch((e: unknown) => e);
    expect(SiameseError.is(error) && error.code).toBe('E_INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/not the softmax loss's own weights/);
    const bad = [...train.slice(0, 8), { text1: 'a', text2: 'b', label: 0.5 }];
    const labelError = await fit(model, bad, { loss }).catch((e: unknown) => e);
    expect(SiameseError.is(labelError) && labelError.code).toBe('E_INVALID_ARGUMENT');
    expect((labelError as Error).message).toMatch(/example 8 needs a class label, a whole number ≥ 0/);
    const tooHigh = await fit(model, [{ text1: 'a', text2: 'b', label: 3 }], { loss }).catch(
      (e: unknown) => e,
    );
    expect(SiameseError.is(tooHigh) && tooHigh.code).toBe('E_LOSS_BATCH');
    model.dispose();
    loss.dispose();
  });
});
