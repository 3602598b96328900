import { initBackend, tensorLeakCheck } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LossBatch, type LossConfig, lossFromConfig } from '../src/index.js';

const CONFIGS: LossConfig[] = [
  { type: 'cosineSimilarity' },
  { type: 'contrastive' },
  { type: 'contrastive', distance: 'euclidean', margin: 1 },
  { type: 'onlineContrastive' },
  { type: 'onlineContrastive', distance: 'manhattan' },
  { type: 'triplet' },
  { type: 'triplet', distance: 'cosine' },
  { type: 'triplet', distance: 'manhattan' },
  { type: 'triplet', distance: 'dot' },
  { type: 'batchHardTriplet' },
  { type: 'batchHardTriplet', softMargin: true },
  { type: 'batchHardTriplet', distance: 'cosine' },
  { type: 'batchSemiHardTriplet' },
  { type: 'batchSemiHardTriplet', distance: 'manhattan' },
  { type: 'batchAllTriplet' },
  { type: 'batchAllTriplet', distance: 'dot' },
  { type: 'multipleNegativesRanking' },
  { type: 'multipleNegativesRanking', symmetric: true, scale: 1e4 },
  { type: 'multipleNegativesRanking', similarity: 'dot', scale: 1e3 },
  { type: 'coSENT' },
  { type: 'coSENT', scale: 1e4 },
  { type: 'coSENT', similarity: 'dot', scale: 1e3 },
];

let variableCount = 0;
const B = 4;
const D = 3;

/** Inputs where naive implementations produce NaN or Infinity. */
const INPUTS: Record<string, () => Float32Array[]> = {
  // Every embedding the same vector: distances 0, cosines 1.
  identical: () =>
    Array.from({ length: 3 }, () => Float32Array.from({ length: B * D }, (_, i) => [0.3, -0.2, 0.5][i % D]!)),
  zeros: () => Array.from({ length: 3 }, () => new Float32Array(B * D)),
  // Large magnitudes (1e3) with some zero rows and duplicated rows.
  'large, zero and duplicated rows': () => {
    const rng = new Rng(5);
    return Array.from({ length: 3 }, (_, t) => {
      const x = rng.fillUniform(new Float32Array(B * D), -1e3, 1e3);
      x.fill(0, 0, D); // row 0 is zero
      x.copyWithin(2 * D, D, 2 * D); // row 2 = row 1
      if (t === 1) x.copyWithin(3 * D, 0, D); // and one more zero row in the second tensor
      return x;
    });
  },
};

/** How many embedding tensors a batch kind holds. */
const EMBEDDINGS: Record<string, number> = {
  'scored-pairs': 2,
  'labelled-pairs': 2,
  triplets: 3,
  'labelled-embeddings': 1,
  'anchor-positive': 3,
};

/** A batch of the loss's kind, with its embeddings bound to `e` (in field order). */
function batchFor(kind: string, e: tf.Tensor2D[]): LossBatch {
  const [x, y, z] = e as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  switch (kind) {
    case 'scored-pairs':
      return { a: x, b: y, scores: tf.tensor1d([0.9, 0.1, 0.5, 0.5]) };
    case 'labelled-pairs':
      return { a: x, b: y, labels: tf.tensor1d([1, 0, 1, 0]) };
    case 'labelled-embeddings':
      return { embeddings: x, labels: tf.tensor1d([0, 0, 1, 1], 'int32') };
    default:
      return { anchor: x, positive: y, negative: z };
  }
}

describe.each(['cpu', 'wasm'] as const)('numerical stability and leaks on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  const table = CONFIGS.flatMap((config) =>
    Object.keys(INPUTS).map((input) => ({ config, input, title: `${JSON.stringify(config)} — ${input}` })),
  );

  it.each(table)('$title: finite value and gradients', ({ config, input }) => {
    const loss = lossFromConfig(config);
    const data = INPUTS[input]!();
    const result = tf.tidy(() => {
      const xs = data.slice(0, EMBEDDINGS[loss.batchKind]).map((d) => tf.tensor2d(d, [B, D]));
      const f = (...e: tf.Tensor[]) => loss.compute(batchFor(loss.batchKind, e as tf.Tensor2D[]));
      const { value, grads } = tf.valueAndGrads(f)(xs);
      return { value: value.dataSync()[0]!, grads: grads.flatMap((g) => Array.from(g.dataSync())) };
    });
    expect(Number.isFinite(result.value), `value ${result.value}`).toBe(true);
    expect(result.grads.every(Number.isFinite), 'all gradients finite').toBe(true);
  });

  it.each(CONFIGS.map((config) => ({ config, title: JSON.stringify(config) })))(
    '$title: no tensor leaks in compute + variableGrads',
    async ({ config }) => {
      const loss = lossFromConfig(config);
      const rng = new Rng(3);
      const vars = Array.from({ length: EMBEDDINGS[loss.batchKind]! }, (_, i) =>
        tf.variable(
          tf.tensor2d(rng.fillUniform(new Float32Array(B * D), -1, 1), [B, D]),
          true,
          `leak-${backend}-${++variableCount}-${i}`,
        ),
      );
      const fixed = batchFor(loss.batchKind, vars as unknown as tf.Tensor2D[]);
      const extra = Object.values(fixed).filter((t) => !(vars as tf.Tensor[]).includes(t)) as tf.Tensor[];
      await tensorLeakCheck(
        () => {
          tf.dispose(loss.compute(fixed));
          const { value, grads } = tf.variableGrads(() => loss.compute(fixed), vars);
          tf.dispose([value, ...Object.values(grads)]);
        },
        { label: `${config.type} leak`, iterations: 3 },
      );
      tf.dispose([...vars, ...extra]);
    },
  );
});
