// The worked example of docs/custom-loss.md: a loss written OUTSIDE @siamese/losses, using only its public API.
import { initBackend } from '@siamese/backend';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  BaseLoss,
  type CheckedBatch,
  checkBatch,
  distances,
  type Loss,
  type LossBatch,
  type LossConfig,
  lossFromConfig,
  OptionReader,
  registerLoss,
} from '../src/index.js';
import { runLossContract } from '../src/testing.js';

/**
 * Margin-MSE on triplets: pushes cos(anchor, positive) − cos(anchor, negative) towards a target margin,
 * `mean((cos(a,p) − cos(a,n) − margin)²)`. (With a teacher model, the margin would come from its scores.)
 */
class MarginMseLoss implements Loss {
  readonly type = 'marginMse';
  readonly batchKind = 'triplets' as const;
  readonly similarity = 'cosine' as const;
  readonly margin: number;

  constructor(options: { margin?: number } = {}) {
    const o = new OptionReader(this.type, options); // typed options, rejects unknown keys
    this.margin = o.number('margin', 0.5);
    o.done();
  }

  compute(batch: LossBatch): tf.Scalar {
    // Throws E_LOSS_BATCH naming what is missing, and checks the shapes.
    const { anchor, positive, negative } = checkBatch(this.type, this.batchKind, batch);
    return tf.tidy(() => {
      const gap = tf.sub(
        distances.cosineSimilarity(anchor, positive),
        distances.cosineSimilarity(anchor, negative),
      );
      return tf.mean(tf.square(tf.sub(gap, this.margin)));
    });
  }

  getConfig(): LossConfig {
    return { type: this.type, margin: this.margin };
  }
}

registerLoss('marginMse', ({ type: _type, ...options }) => new MarginMseLoss(options));

it('the custom loss honours the Loss contract (the kit of @siamese/losses/testing)', async () => {
  await initBackend();
  const report = runLossContract({ newLoss: () => new MarginMseLoss({ margin: 0.8 }) });
  expect(report.checks).toContain('getConfig round trip: same value');
});

it('a custom margin-MSE loss trains two variables with Adam on wasm, and the loss goes down', async () => {
  await initBackend(); // WASM-SIMD, gradients registered
  expect(tf.getBackend()).toBe('wasm');

  const loss = lossFromConfig({ type: 'marginMse', margin: 0.8 });
  expect(loss.getConfig()).toEqual({ type: 'marginMse', margin: 0.8 });

  // A toy encoder: six items embedded in a table, then projected. Rows 0–1 are anchors, 2–3 positives, 4–5 negatives.
  const table = tf.variable(
    tf.tensor2d(
      [
        0.3, -0.1, 0.2, 0.5, -0.4, 0.1, 0.05, 0.2, 0.1, 0.4, -0.3, 0.2, -0.2, 0.3, 0.4, -0.1, 0.25, -0.35,
        0.1, 0.3, -0.1, 0.15, 0.45, -0.2,
      ],
      [6, 4],
    ),
  );
  const proj = tf.variable(tf.tensor2d([1, 0, 0.2, 0, 1, -0.1, 0.3, 0, 1, 0, 0.2, 0.5], [4, 3]));
  const rows = (start: number): tf.Tensor2D => tf.matMul(tf.slice(table, [start, 0], [2, 4]), proj);
  const step = () => loss.compute({ anchor: rows(0), positive: rows(2), negative: rows(4) });

  const optimizer = tf.train.adam(0.05);
  const history: number[] = [];
  for (let i = 0; i < 15; i++) {
    const value = optimizer.minimize(step, true, [table, proj])!;
    history.push(value.dataSync()[0]!);
    value.dispose();
  }
  expect(history[history.length - 1]!).toBeLessThan(history[0]! * 0.5);
  expect(history.every(Number.isFinite)).toBe(true);

  // A batch of the wrong kind is refused before any maths.
  expect(() => loss.compute({ a: rows(0), b: rows(2) })).toThrow(
    "marginMse: a 'triplets' batch needs anchor, positive, negative; missing anchor, positive, negative (given: a, b)",
  );
  optimizer.dispose();
  tf.dispose([table, proj]);
});

/** The BaseLoss example of docs/custom-loss.md. */
class AngleGapLoss extends BaseLoss<'labelled-pairs'> {
  readonly type = 'angleGap';
  readonly batchKind = 'labelled-pairs' as const;
  protected forward({ a, b, labels }: CheckedBatch<'labelled-pairs'>): tf.Scalar {
    const angle = tf.acos(tf.clipByValue(distances.cosineSimilarity(a, b), -0.999999, 0.999999));
    // similar pairs: small angle; dissimilar pairs: at least π/2
    const y = tf.cast(labels, 'float32');
    return tf.mean(tf.add(tf.mul(y, angle), tf.mul(tf.sub(1, y), tf.relu(tf.sub(Math.PI / 2, angle)))));
  }
  getConfig() {
    return { type: this.type };
  }
}

it('a BaseLoss subclass gets batch checks and tidy for free', async () => {
  await initBackend();
  const loss = new AngleGapLoss();
  // Angles: 0 (similar, cost 0), π/4 (dissimilar, cost π/4), π/2 (similar, cost π/2) → mean π/4.
  const a = tf.tensor2d([
    [1, 0],
    [1, 0],
    [1, 0],
  ]);
  const b = tf.tensor2d([
    [2, 0],
    [1, 1],
    [0, 3],
  ]);
  const labels = tf.tensor1d([1, 0, 1]);
  const before = tf.memory().numTensors;
  const value = loss.compute({ a, b, labels });
  expect(value.dataSync()[0]!).toBeCloseTo(Math.PI / 4, 3);
  value.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(() => loss.compute({ a, b })).toThrow(
    "angleGap: a 'labelled-pairs' batch needs a, b, labels; missing labels",
  );
  tf.dispose([a, b, labels]);
});
