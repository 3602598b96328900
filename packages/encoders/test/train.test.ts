import { initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Encoder, PRESETS } from '../src/index.js';
import { batch, disposeBatch } from './helpers.js';

const base = { vocabSize: 40, embeddingDim: 8, seed: 3 };
const MAKERS: [string, () => Encoder][] = [
  ['lstm', () => PRESETS.lstm.build({ ...base, hidden: 8 })],
  ['bilstm', () => PRESETS.bilstm.build({ ...base, hidden: 8, layers: 2, dropout: 0.1 })],
  ['cnn', () => PRESETS.cnn.build({ ...base, hidden: 6 })],
  ['meanpool', () => PRESETS.meanpool.build({ ...base, ngramBuckets: 30, hidden: 8 })],
];

function sentences(rng: Rng, n: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: 2 + rng.int(6) }, () => 1 + rng.int(39)));
}

function cosine(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
  const dot = tf.sum(tf.mul(u, v), 1);
  return tf.div(dot, tf.maximum(tf.mul(tf.norm(u, 'euclidean', 1), tf.norm(v, 'euclidean', 1)), 1e-8));
}

beforeAll(async () => {
  await initBackend();
});

describe('every preset trains on WASM (Adam, cosine-MSE)', () => {
  it.each(MAKERS)(
    '%s: the loss goes down over 12 steps',
    (_name, make) => {
      expect(tf.getBackend()).toBe('wasm');
      const rng = new Rng(11);
      const a = batch(sentences(rng, 8));
      const b = batch(sentences(rng, 8));
      for (const x of [a, b]) {
        const [B, T] = x.ids.shape;
        x.ngramIds = tf.tensor3d(
          Array.from({ length: B * T * 3 }, () => rng.int(31)),
          [B, T, 3],
          'int32',
        );
      }
      const labels = tf.tensor1d([1, 0, 1, 0, 0.5, 1, 0, 0.25]);
      const enc = make();
      const initial = new Map([...enc.weights()].map(([n, v]) => [n, v.dataSync().slice()] as const));
      const optimizer = tf.train.adam(0.02, 0.9, 0.999, 1e-8);
      const losses: number[] = [];
      for (let step = 0; step < 12; step++) {
        const loss = optimizer.minimize(
          () =>
            tf.mean(
              tf.square(
                tf.sub(cosine(enc.encode(a, { training: true }), enc.encode(b, { training: true })), labels),
              ),
            ) as tf.Scalar,
          true,
          enc.trainableVariables(),
        )!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      expect(tf.getBackend()).toBe('wasm');
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
      // Every trainable weight took part (a step that left some variables out would still lower the loss).
      for (const [name, v] of enc.weights()) {
        if (!v.trainable) continue;
        const before = initial.get(name)!;
        const moved = Array.from(v.dataSync()).reduce((m, x, i) => Math.max(m, Math.abs(x - before[i]!)), 0);
        expect(moved, `${name} moved`).toBeGreaterThan(1e-3);
      }
      enc.dispose();
      optimizer.dispose();
      labels.dispose();
      disposeBatch(a);
      disposeBatch(b);
    },
    60_000,
  );
});
