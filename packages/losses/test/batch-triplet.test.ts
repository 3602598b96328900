import { initBackend, tensorLeakCheck } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossFromConfig } from '../src/index.js';
import { batchAll, batchHard, batchSemiHard, type Matrix, numericGradient } from './reference.js';

// Values: the goldens' rule (1e-5 cpu, 1e-4 wasm). Gradients against central differences in float64: measured
// worst 1.75e-6 (cpu) and 2.5e-6 (wasm) over every scenario, so 1e-5 / 2e-5 leave room without hiding a bug.
const TOL = { cpu: { value: 1e-5, grad: 1e-5 }, wasm: { value: 1e-4, grad: 2e-5 } } as const;

interface Scenario {
  label: string;
  seed: number;
  n: number;
  dim: number;
  labels: number[];
}

const scenarios: Scenario[] = [
  { label: '3 classes', seed: 1, n: 9, dim: 5, labels: [0, 1, 2, 0, 1, 2, 0, 1, 2] },
  {
    label: 'a singleton class (anchor without positive)',
    seed: 2,
    n: 8,
    dim: 4,
    labels: [3, 3, 7, 7, 7, 1, 3, 7],
  },
  { label: 'two classes, D=16', seed: 3, n: 10, dim: 16, labels: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1] },
];

function randomMatrix(seed: number, n: number, dim: number): Matrix {
  const rng = new Rng(seed);
  // Rounded like the golden inputs, so float32 holds them (almost) exactly.
  return Array.from({ length: n }, () =>
    Array.from({ length: dim }, () => Math.round(rng.uniform(-1, 1) * 1e4) / 1e4),
  );
}

type Ref = (x: Matrix, labels: number[]) => number;

const variants: { config: { type: string; [k: string]: unknown }; ref: Ref }[] = [
  {
    config: { type: 'batchHardTriplet' },
    ref: (x, l) => batchHard(x, l, { distance: 'euclidean', margin: 5 }),
  },
  {
    config: { type: 'batchHardTriplet', margin: 0.3 },
    ref: (x, l) => batchHard(x, l, { distance: 'euclidean', margin: 0.3 }),
  },
  {
    config: { type: 'batchHardTriplet', distance: 'cosine', margin: 0.2 },
    ref: (x, l) => batchHard(x, l, { distance: 'cosine', margin: 0.2 }),
  },
  {
    config: { type: 'batchHardTriplet', softMargin: true },
    ref: (x, l) => batchHard(x, l, { distance: 'euclidean', margin: 5, softMargin: true }),
  },
  {
    // 'dot' distance: the diagonal is not 0 and rows have their own extremes (the masked min/max shifts matter).
    config: { type: 'batchHardTriplet', distance: 'dot', margin: 1, reduction: 'sum' },
    ref: (x, l) => batchHard(x, l, { distance: 'dot', margin: 1, reduction: 'sum' }),
  },
  {
    config: { type: 'batchHardTriplet', margin: 0.3, reduction: 'meanNonZero' },
    ref: (x, l) => batchHard(x, l, { distance: 'euclidean', margin: 0.3, reduction: 'meanNonZero' }),
  },
  {
    config: { type: 'batchSemiHardTriplet' },
    ref: (x, l) => batchSemiHard(x, l, { distance: 'euclidean', margin: 5 }),
  },
  {
    config: { type: 'batchSemiHardTriplet', margin: 0.4 },
    ref: (x, l) => batchSemiHard(x, l, { distance: 'euclidean', margin: 0.4 }),
  },
  {
    config: { type: 'batchSemiHardTriplet', distance: 'cosine', margin: 0.1 },
    ref: (x, l) => batchSemiHard(x, l, { distance: 'cosine', margin: 0.1 }),
  },
  {
    config: { type: 'batchSemiHardTriplet', distance: 'dot', margin: 1, reduction: 'sum' },
    ref: (x, l) => batchSemiHard(x, l, { distance: 'dot', margin: 1, reduction: 'sum' }),
  },
  {
    config: { type: 'batchAllTriplet' },
    ref: (x, l) => batchAll(x, l, { distance: 'euclidean', margin: 5, reduction: 'meanNonZero' }),
  },
  {
    config: { type: 'batchAllTriplet', margin: 0.5 },
    ref: (x, l) => batchAll(x, l, { distance: 'euclidean', margin: 0.5, reduction: 'meanNonZero' }),
  },
  {
    config: { type: 'batchAllTriplet', margin: 0.5, reduction: 'mean' },
    ref: (x, l) => batchAll(x, l, { distance: 'euclidean', margin: 0.5, reduction: 'mean' }),
  },
  {
    config: { type: 'batchAllTriplet', distance: 'cosine', margin: 0.3, reduction: 'sum' },
    ref: (x, l) => batchAll(x, l, { distance: 'cosine', margin: 0.3, reduction: 'sum' }),
  },
];

const table = variants.flatMap((v) =>
  scenarios.map((s) => ({ ...v, s, title: `${JSON.stringify(v.config)} — ${s.label}` })),
);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(['cpu', 'wasm'] as const)('batch-triplet losses match a loop reference on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  it.each(table)('$title', async ({ config, ref, s }) => {
    expect(tf.getBackend()).toBe(backend);
    const x = randomMatrix(s.seed, s.n, s.dim);
    const loss = lossFromConfig(config);
    const embeddings = tf.tensor2d(x);
    const labels = tf.tensor1d(s.labels, 'int32');
    const f = (e: tf.Tensor) => loss.compute({ embeddings: e as tf.Tensor2D, labels });
    const value = tf.tidy(() => f(embeddings).dataSync()[0]!);
    const grad = tf.tidy(() => tf.grad(f)(embeddings).dataSync());
    const expected = ref(x, s.labels);
    expect(Math.abs(value - expected), `value ${value} vs ${expected}`).toBeLessThanOrEqual(
      TOL[backend].value * Math.max(1, Math.abs(expected)),
    );
    const numeric = numericGradient((m) => ref(m, s.labels), x).flat();
    expect(maxAbsDiff(grad, numeric)).toBeLessThanOrEqual(TOL[backend].grad);
    await tensorLeakCheck(() => tf.dispose(tf.valueAndGrad(f)(embeddings) as never), {
      label: `${config.type} value + grad`,
      iterations: 2,
    });
    tf.dispose([embeddings, labels]);
  });

  it('batch-hard lifts same-label entries by their own row’s maximum (cosine has no triangle inequality)', () => {
    // Angles 0°, 60°, 120°: cosine distances 0.5, 0.5 and 1.5. The anchor at 0° has one negative (1.5 away); its
    // same-label neighbour's row maximum (0.5) would not lift it above that negative.
    const x = [0, 60, 120].map((deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);
    const labels = [0, 0, 1];
    const loss = lossFromConfig({ type: 'batchHardTriplet', distance: 'cosine', margin: 1 });
    const value = tf.tidy(
      () => loss.compute({ embeddings: tf.tensor2d(x), labels: tf.tensor1d(labels, 'int32') }).dataSync()[0]!,
    );
    // Anchor 0°: relu(0.5 − 1.5 + 1) = 0 (lifting by the neighbour's row would give 0.5); 60°: relu(0.5 − 0.5 + 1) = 1;
    // 120° has no positive: relu(0 − 0.5 + 1) = 0.5. Mean 0.5.
    expect(value).toBeCloseTo(batchHard(x, labels, { distance: 'cosine', margin: 1 }), 5);
    expect(value).toBeCloseTo(0.5, 5);
  });

  it('batch-hard with a single class (no negatives) and float labels stays finite', () => {
    const loss = lossFromConfig({ type: 'batchHardTriplet' });
    const x = randomMatrix(9, 4, 3);
    const value = tf.tidy(
      () =>
        loss
          .compute({ embeddings: tf.tensor2d(x), labels: tf.tensor1d([1, 1, 1, 1], 'float32') })
          .dataSync()[0]!,
    );
    expect(value).toBeCloseTo(batchHard(x, [1, 1, 1, 1], { distance: 'euclidean', margin: 5 }), 4);
  });

  it('semi-hard and batch-all give 0 (not NaN) when no anchor has a positive', () => {
    for (const name of ['batchSemiHardTriplet', 'batchAllTriplet']) {
      const loss = lossFromConfig({ type: name });
      const v = tf.tidy(
        () =>
          loss
            .compute({
              embeddings: tf.tensor2d(randomMatrix(4, 3, 3)),
              labels: tf.tensor1d([0, 1, 2], 'int32'),
            })
            .dataSync()[0]!,
      );
      expect(v).toBe(0);
    }
  });
});
