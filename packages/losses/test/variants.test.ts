import { initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossFromConfig } from '../src/index.js';
import { cosent, cosine, type Matrix, mnrl, numericGradient } from './reference.js';

function randomMatrix(rng: Rng, n: number, dim: number): Matrix {
  return Array.from({ length: n }, () =>
    Array.from({ length: dim }, () => Math.round(rng.uniform(-1, 1) * 1e4) / 1e4),
  );
}

const value = (config: { type: string; [k: string]: unknown }, batch: Record<string, tf.Tensor>) =>
  tf.tidy(() => lossFromConfig(config).compute(batch).dataSync()[0]!);

describe.each(['cpu', 'wasm'] as const)('options and variants on %s', (backend) => {
  const tol = backend === 'cpu' ? 1e-5 : 1e-4;
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  it('triplet reductions: mean, sum, meanNonZero on exact distances', () => {
    // Euclidean distances: d(a,p) = 1, 2, 3; d(a,n) = 4, 1, 3 → hinge(margin 2) = 0, 3, 2.
    const anchor = tf.tensor2d([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const positive = tf.tensor2d([
      [1, 0],
      [0, 2],
      [3, 0],
    ]);
    const negative = tf.tensor2d([
      [0, 4],
      [1, 0],
      [0, 3],
    ]);
    const batch = { anchor, positive, negative };
    expect(value({ type: 'triplet', margin: 2 }, batch)).toBeCloseTo(5 / 3, 5);
    expect(value({ type: 'triplet', margin: 2, reduction: 'sum' }, batch)).toBeCloseTo(5, 5);
    expect(value({ type: 'triplet', margin: 2, reduction: 'meanNonZero' }, batch)).toBeCloseTo(2.5, 5);
    expect(value({ type: 'triplet', margin: 2, distance: 'manhattan' }, batch)).toBeCloseTo(5 / 3, 5);
    // dot distance −a·p with a = 0 is 0 everywhere: hinge = margin.
    expect(value({ type: 'triplet', distance: 'dot' }, batch)).toBeCloseTo(5, 5);
    tf.dispose([anchor, positive, negative]);
  });

  it('contrastive with Euclidean distance and margin 2, mean and sum', () => {
    // d = 1 (positive: 0.5·1), 3 (positive: 0.5·9), 0.5 (negative: 0.5·1.5²), 3 (negative: 0).
    const a = tf.tensor2d([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const b = tf.tensor2d([
      [1, 0],
      [0, 3],
      [0.5, 0],
      [3, 0],
    ]);
    const labels = tf.tensor1d([1, 1, 0, 0]);
    const expected = [0.5, 4.5, 1.125, 0];
    const sum = expected.reduce((s, v) => s + v, 0);
    expect(value({ type: 'contrastive', distance: 'euclidean', margin: 2 }, { a, b, labels })).toBeCloseTo(
      sum / 4,
      5,
    );
    expect(
      value({ type: 'contrastive', distance: 'euclidean', margin: 2, reduction: 'sum' }, { a, b, labels }),
    ).toBeCloseTo(sum, 5);
    tf.dispose([a, b, labels]);
  });

  it('onlineContrastive mean divides by the number of selected pairs', () => {
    // Euclidean d: positives 0.2, 0.9; negatives 0.1, 0.6. Thresholds: max P = 0.9, min N = 0.1.
    // Hard negatives: 0.1, 0.6 (< 0.9); hard positives: 0.2, 0.9 (> 0.1).
    const a = tf.tensor2d([[0], [0], [0], [0]]);
    const b = tf.tensor2d([[0.2], [0.9], [0.1], [0.6]]);
    const labels = tf.tensor1d([1, 1, 0, 0]);
    const sum = 0.2 ** 2 + 0.9 ** 2 + (1 - 0.1) ** 2 + (1 - 0.6) ** 2;
    const cfg = { type: 'onlineContrastive', distance: 'euclidean', margin: 1 };
    expect(value(cfg, { a, b, labels })).toBeCloseTo(sum, 5);
    expect(value({ ...cfg, reduction: 'mean' }, { a, b, labels })).toBeCloseTo(sum / 4, 5);
    tf.dispose([a, b, labels]);
  });

  it.each([
    { symmetric: false, negatives: 0 },
    { symmetric: true, negatives: 0 },
    { symmetric: true, negatives: 6 },
    { symmetric: false, negatives: 12 },
  ])(
    'multipleNegativesRanking symmetric=$symmetric with $negatives negatives matches the reference (value, gradient)',
    ({ symmetric, negatives }) => {
      const rng = new Rng(40 + negatives);
      const A = randomMatrix(rng, 6, 5);
      const P = randomMatrix(rng, 6, 5);
      const N = randomMatrix(rng, negatives, 5);
      const loss = lossFromConfig({ type: 'multipleNegativesRanking', symmetric, scale: 10 });
      const f = (anchor: tf.Tensor) =>
        loss.compute({
          anchor: anchor as tf.Tensor2D,
          positive: tf.tensor2d(P),
          ...(negatives > 0 ? { negative: tf.tensor2d(N) } : {}),
        });
      const got = tf.tidy(() => {
        const x = tf.tensor2d(A);
        return { v: f(x).dataSync()[0]!, g: Array.from(tf.grad(f)(x).dataSync()) };
      });
      expect(Math.abs(got.v - mnrl(A, P, N, 10, symmetric))).toBeLessThan(tol);
      const numeric = numericGradient((m) => mnrl(m, P, N, 10, symmetric), A).flat();
      expect(Math.max(...got.g.map((g, i) => Math.abs(g - numeric[i]!)))).toBeLessThan(tol);
    },
  );

  it('multipleNegativesRanking with dot similarity uses raw dot products', () => {
    const anchor = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const positive = tf.tensor2d([
      [2, 0],
      [0, 1],
    ]);
    // S = [[2, 0], [0, 1]]; loss = mean(lse(2,0) − 2, lse(0,1) − 1).
    const lse = (x: number, y: number) => Math.log(Math.exp(x) + Math.exp(y));
    const expected = (lse(2, 0) - 2 + lse(0, 1) - 1) / 2;
    expect(
      value({ type: 'multipleNegativesRanking', similarity: 'dot', scale: 1 }, { anchor, positive }),
    ).toBeCloseTo(expected, 5);
    tf.dispose([anchor, positive]);
  });

  it('coSENT matches the reference with raw 0–5 scores and ties, and only the order of scores matters', () => {
    const rng = new Rng(7);
    const A = randomMatrix(rng, 7, 4);
    const B = randomMatrix(rng, 7, 4);
    const scores = [0, 5, 2.5, 2.5, 4, 1, 3.2];
    const a = tf.tensor2d(A);
    const b = tf.tensor2d(B);
    const raw = value({ type: 'coSENT' }, { a, b, scores: tf.tensor1d(scores) });
    const squashed = value({ type: 'coSENT' }, { a, b, scores: tf.tensor1d(scores.map((s) => s / 5)) });
    expect(Math.abs(raw - cosent(A, B, scores, 20))).toBeLessThan(tol);
    expect(squashed).toBeCloseTo(raw, 5);
    expect(value({ type: 'coSENT', scale: 5 }, { a, b, scores: tf.tensor1d(scores) })).toBeCloseTo(
      cosent(A, B, scores, 5),
      4,
    );
    tf.dispose([a, b]);
  });

  it('cosineSimilarity sum reduction and int32 scores', () => {
    const a = tf.tensor2d([
      [1, 0],
      [1, 1],
    ]);
    const b = tf.tensor2d([
      [0, 1],
      [1, 1],
    ]);
    // cos = 0, 1; scores 1, 1 → (0−1)² + 0.
    expect(
      value({ type: 'cosineSimilarity', reduction: 'sum' }, { a, b, scores: tf.tensor1d([1, 1], 'int32') }),
    ).toBeCloseTo(1, 6);
    expect(cosine([1, 1], [1, 1])).toBeCloseTo(1, 12);
    tf.dispose([a, b]);
  });
});
