import { initBackend } from '@siamese/backend';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { distances, lossFromConfig, SIMILARITIES, type Similarity } from '../src/index.js';

const x = [
  [3, 4],
  [0, 0],
  [1, -1],
];
const y = [
  [0, 4],
  [1, 1],
  [1, -1],
];

describe.each(['cpu', 'wasm'] as const)('distances on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  it('pairwise distances have exact small values (zero row: cos 0; equal rows: distance 0)', () => {
    const get = (d: Similarity) =>
      Array.from(tf.tidy(() => distances.pairwise(d, tf.tensor2d(x), tf.tensor2d(y)).dataSync()));
    const [e0, e1, e2] = get('euclidean');
    expect(e0).toBeCloseTo(3, 5);
    expect(e1).toBeCloseTo(Math.SQRT2, 5);
    expect(e2).toBeCloseTo(0, 5); // sqrt(1e-12): the epsilon that keeps the gradient finite
    expect(get('manhattan')).toEqual([3, 2, 0]);
    expect(get('dot')).toEqual([-16, -0, -2]);
    expect(get('cosine').map((v) => +v.toFixed(6))).toEqual([0.2, 1, 0]);
  });

  it('the similarity form is cos, a·b, or the negated distance, and its matrix matches it', () => {
    const [a, b] = [tf.tensor2d(x), tf.tensor2d(y)];
    for (const s of SIMILARITIES) {
      const sim = tf.tidy(() => Array.from(distances.pairSimilarity(s, a, b).dataSync()));
      const dist = tf.tidy(() => Array.from(distances.pairwise(s, a, b).dataSync()));
      const expected = s === 'cosine' ? dist.map((d) => 1 - d) : dist.map((d) => -d);
      for (const [i, v] of sim.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
      const m = tf.tidy(() => distances.similarityMatrix(s, a, b).arraySync());
      for (let i = 0; i < 3; i++) expect(m[i]![i]!).toBeCloseTo(sim[i]!, 4);
    }
    tf.dispose([a, b]);
  });

  it('matrix(d, x, y) and pairwise(d, x, y) agree with a float64 loop everywhere', () => {
    // Independent reference: the definitions, in float64 (cosine distance 1 − cos, 0 for a zero row).
    const dot = (u: number[], v: number[]) => u.reduce((s, a, k) => s + a * v[k]!, 0);
    const ref: Record<Similarity, (u: number[], v: number[]) => number> = {
      euclidean: (u, v) => Math.sqrt(u.reduce((s, a, k) => s + (a - v[k]!) ** 2, 0)),
      manhattan: (u, v) => u.reduce((s, a, k) => s + Math.abs(a - v[k]!), 0),
      dot: (u, v) => -dot(u, v),
      cosine: (u, v) => {
        const n = Math.sqrt(dot(u, u)) * Math.sqrt(dot(v, v));
        return 1 - (n > 0 ? dot(u, v) / n : 0);
      },
    };
    const rng = (k: number) => Math.sin(k * 12.9898) * 43.758;
    const xs = [...x, [0.5, -2], ...Array.from({ length: 3 }, (_, i) => [rng(i), rng(i + 7)])];
    const ys = [...y, [-3, 0.25], ...Array.from({ length: 3 }, (_, i) => [rng(i + 3), rng(i + 11)])];
    for (const d of SIMILARITIES) {
      const m = tf.tidy(() => distances.matrix(d, tf.tensor2d(xs), tf.tensor2d(ys)).arraySync());
      const p = tf.tidy(() => Array.from(distances.pairwise(d, tf.tensor2d(xs), tf.tensor2d(ys)).dataSync()));
      for (let i = 0; i < xs.length; i++) {
        // 1e-3 absolute on values up to ~100 (float32), and the euclidean epsilon (sqrt(1e-12)) at 0.
        expect(p[i]!, `${d} pairwise ${i}`).toBeCloseTo(ref[d](xs[i]!, ys[i]!), 3);
        for (let j = 0; j < ys.length; j++) {
          expect(m[i]![j]!, `${d} matrix ${i},${j}`).toBeCloseTo(ref[d](xs[i]!, ys[j]!), 3);
        }
      }
    }
  });

  it("matrix('dot') = −x·yᵀ with the same gradients as an explicit matMul", () => {
    const a = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tf.tensor2d([
      [1, 0, -1],
      [2, 1, 0],
      [0, 0, 1],
      [1, 1, 1],
    ]);
    const w = tf.tensor2d([
      [1, 2, 3, 4],
      [-1, 0.5, 2, 0],
    ]);
    const f1 = (p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(tf.neg(distances.matrix('dot', p as tf.Tensor2D, q as tf.Tensor2D)), w));
    const f2 = (p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, tf.transpose(q as tf.Tensor2D)), w));
    const [g1, g2] = tf.tidy(() =>
      [tf.grads(f1)([a, b]), tf.grads(f2)([a, b])].map((gs) => gs.map((g) => Array.from(g.dataSync()))),
    );
    expect(tf.tidy(() => Array.from(distances.matrix('dot', a, b).dataSync()))).toEqual([
      2, -4, -3, -6, 2, -13, -6, -15,
    ]);
    expect(g1).toEqual(g2);
    tf.dispose([a, b, w]);
  });

  it('the Euclidean gradient at identical vectors is 0, not NaN', () => {
    const g = tf.tidy(() => {
      const v = tf.tensor2d([[0.5, -0.5]]);
      return Array.from(
        tf
          .grad((a: tf.Tensor) => tf.sum(distances.pairwise('euclidean', a as tf.Tensor2D, v)))(v)
          .dataSync(),
      );
    });
    expect(g).toEqual([0, 0]);
  });
});

describe('properties (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  const matrix = (rows: number, dim: number) =>
    fc.array(
      fc.array(
        fc.integer({ min: -100, max: 100 }).map((v) => v / 50),
        { minLength: dim, maxLength: dim },
      ),
      {
        minLength: rows,
        maxLength: rows,
      },
    );

  it('cosine-based losses do not change when a row is scaled by a positive factor', () => {
    fc.assert(
      fc.property(
        matrix(4, 3),
        matrix(4, 3),
        fc.integer({ min: 1, max: 100 }).map((v) => v / 10),
        (a, b, s) => {
          const norm = (m: number[][]) => m.every((r) => Math.hypot(...r) > 1e-2);
          fc.pre(norm(a) && norm(b));
          for (const name of ['cosineSimilarity', 'coSENT', 'multipleNegativesRanking']) {
            const loss = lossFromConfig({ type: name });
            const run = (m: number[][]) =>
              tf.tidy(
                () =>
                  loss
                    .compute({
                      a: tf.tensor2d(m),
                      b: tf.tensor2d(b),
                      anchor: tf.tensor2d(m),
                      positive: tf.tensor2d(b),
                      scores: tf.tensor1d([0.1, 0.9, 0.4, 0.6]),
                    })
                    .dataSync()[0]!,
              );
            const scaled = a.map((r, i) => (i === 1 ? r.map((v) => v * s) : r));
            expect(Math.abs(run(a) - run(scaled))).toBeLessThan(1e-3 * Math.max(1, Math.abs(run(a))));
          }
        },
      ),
      { numRuns: 30, seed: 42 },
    );
  });

  it('coSENT depends only on the order of the scores', () => {
    fc.assert(
      fc.property(
        matrix(5, 3),
        matrix(5, 3),
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 5, maxLength: 5 }),
        (a, b, s) => {
          const loss = lossFromConfig({ type: 'coSENT' });
          const run = (scores: number[]) =>
            tf.tidy(
              () =>
                loss
                  .compute({ a: tf.tensor2d(a), b: tf.tensor2d(b), scores: tf.tensor1d(scores) })
                  .dataSync()[0]!,
            );
          const v = run(s);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(run(s.map((t) => Math.exp(t / 10) - 3))).toBeCloseTo(v, 4);
        },
      ),
      { numRuns: 30, seed: 7 },
    );
  });

  it('triplet and batch-triplet losses are never negative', () => {
    fc.assert(
      fc.property(
        matrix(6, 3),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
        (e, labels) => {
          for (const name of ['batchHardTriplet', 'batchSemiHardTriplet', 'batchAllTriplet']) {
            const v = tf.tidy(
              () =>
                lossFromConfig({ type: name, margin: 0.5 })
                  .compute({ embeddings: tf.tensor2d(e), labels: tf.tensor1d(labels, 'int32') })
                  .dataSync()[0]!,
            );
            expect(v).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(v)).toBe(true);
          }
        },
      ),
      { numRuns: 30, seed: 3 },
    );
  });
});
