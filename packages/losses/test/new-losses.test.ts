// The losses added for parity with sentence-transformers and pytorch-metric-learning (AnglE, MultiSimilarity,
// MSE and MarginMSE for distillation, Matryoshka), against PyTorch goldens from scripts/golden/losses.py (values
// and gradients, on cpu and wasm), and through the contract kit. The batch-triplet losses' goldens come from
// fixtures/golden/batch_losses.py and are checked with the other goldens (test/golden.ts).
import { initBackend, tensorLeakCheck } from '@siamese/backend';
import type { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type LossBatch, type LossConfig, lossFromConfig } from '../src/index.js';
import { runLossContract } from '../src/testing.js';
import { flat, type GoldenTensor, readGolden } from './golden.js';

const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;
const FILES = ['loss_angle', 'loss_mse', 'loss_margin_mse', 'loss_multi_similarity', 'loss_matryoshka'];
/** Golden input name → LossBatch field. */
const FIELD: Record<string, keyof LossBatch> = {
  u: 'a',
  v: 'b',
  anchors: 'anchor',
  positives: 'positive',
  negatives: 'negative',
  embeddings: 'embeddings',
  teacher: 'teacher',
  margins: 'margins',
};

interface Case {
  inputs: Record<string, GoldenTensor>;
  loss: GoldenTensor;
  grads: Record<string, GoldenTensor>;
  options?: Record<string, unknown>;
}
const cases = FILES.flatMap((file) => {
  const g = readGolden(file) as unknown as { config: LossConfig; cases: Case[] };
  return g.cases.map((c, i) => ({ file, index: i, config: { ...g.config, ...c.options } as LossConfig, c }));
});

const tensor = (t: GoldenTensor, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(flat(t.data), t.shape, dtype);

describe.each(['cpu', 'wasm'] as const)('PyTorch goldens of the new losses on %s', (backend) => {
  it('covers every file (5 files, 5 cases)', async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
    expect(cases.length).toBe(5);
  });

  it.each(cases)('$file case $index ($config.margin): value and gradients', async ({ config, c }) => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
    const loss = lossFromConfig(config);
    const names = Object.keys(c.grads);
    const fixed: LossBatch = {};
    for (const [name, t] of Object.entries(c.inputs)) {
      if (names.includes(name)) continue;
      if (name === 'labels') {
        const scored = loss.batchKind === 'scored-pairs';
        (fixed as Record<string, tf.Tensor>)[scored ? 'scores' : 'labels'] = tensor(
          t,
          scored ? 'float32' : 'int32',
        );
      } else (fixed as Record<string, tf.Tensor>)[FIELD[name]!] = tensor(t);
    }
    const xs = names.map((n) => tensor(c.inputs[n]!));
    const f = (...e: tf.Tensor[]) => {
      const batch: LossBatch = { ...fixed };
      names.forEach((n, i) => {
        (batch as Record<string, tf.Tensor>)[FIELD[n]!] = e[i]!;
      });
      return loss.compute(batch);
    };
    const { value, grads } = tf.tidy(() => ({
      value: f(...xs).dataSync()[0]!,
      grads: tf
        .grads(f)(xs)
        .map((g) => Array.from(g.dataSync())),
    }));
    expect(Math.abs(value - (c.loss.data as number))).toBeLessThanOrEqual(TOL[backend]);
    names.forEach((n, i) => {
      const want = flat(c.grads[n]!.data);
      const worst = Math.max(...want.map((w, j) => Math.abs(w - grads[i]![j]!)));
      expect(worst, `gradient of ${n}`).toBeLessThanOrEqual(TOL[backend]);
    });
    await tensorLeakCheck(
      () => {
        const vg = tf.valueAndGrads(f)(xs);
        tf.dispose([vg.value, ...vg.grads]);
      },
      { label: `${config.type} value and gradients`, iterations: 2 },
    );
    tf.dispose([...xs, ...(Object.values(fixed) as tf.Tensor[])]);
  });
});

describe('the new losses pass the contract kit', () => {
  it.each([
    { type: 'angle' },
    { type: 'multiSimilarity' },
    { type: 'multiSimilarity', alpha: 1, beta: 10, base: 0.2 },
    { type: 'mse' },
    { type: 'marginMse' },
    { type: 'marginMse', similarity: 'cosine' },
    { type: 'matryoshka', loss: { type: 'coSENT' }, dims: [6, 3] },
    { type: 'matryoshka', loss: { type: 'mnrl' }, dims: [4, 2], weights: [1, 0.25] },
    { type: 'matryoshka', loss: { type: 'batchAllTriplet' }, dims: [6] },
  ] as LossConfig[])('$type $loss', async (config) => {
    await initBackend();
    const before = tf.memory().numTensors;
    runLossContract({ newLoss: () => lossFromConfig(config) });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('matryoshka: configs and batches', () => {
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as SiameseError;
    }
    throw new Error('expected a throw');
  };

  it('takes the batch kind and similarity of its loss, and its config rebuilds it', () => {
    const m = lossFromConfig({ type: 'matryoshka', loss: { type: 'mnrl', similarity: 'dot' }, dims: [8, 4] });
    expect(m.batchKind).toBe('anchor-positive');
    expect(m.similarity).toBe('dot');
    expect(m.getConfig()).toEqual({
      type: 'matryoshka',
      loss: lossFromConfig({ type: 'mnrl', similarity: 'dot' }).getConfig(),
      dims: [8, 4],
      weights: [1, 1],
    });
  });

  it('bad options are E_LOSS_CONFIG; dims wider than the embeddings are E_LOSS_BATCH', async () => {
    await initBackend();
    expect(err(() => lossFromConfig({ type: 'matryoshka', dims: [4] }))).toMatchObject({
      code: 'E_LOSS_CONFIG',
      message:
        'matryoshka: option loss must be a loss config { type, ...options }, found undefined undefined',
    });
    expect(
      err(() => lossFromConfig({ type: 'matryoshka', loss: { type: 'coSENT' }, dims: [4, 0] })),
    ).toMatchObject({
      code: 'E_LOSS_CONFIG',
      message: 'matryoshka: option dims must be a non-empty array of positive integers, found [4,0]',
    });
    expect(
      err(() => lossFromConfig({ type: 'matryoshka', loss: { type: 'coSENT' }, dims: [4, 2], weights: [1] })),
    ).toMatchObject({
      code: 'E_LOSS_CONFIG',
      message: 'matryoshka: option weights must be 2 finite numbers (one per dim), found [1]',
    });
    expect(
      err(() => lossFromConfig({ type: 'matryoshka', loss: { type: 'coSENT' }, dims: [4], dim: 3 })),
    ).toMatchObject({
      code: 'E_LOSS_CONFIG',
      message: 'matryoshka: unknown option dim (known: loss, dims, weights)',
    });
    const m = lossFromConfig({ type: 'matryoshka', loss: { type: 'coSENT' }, dims: [8] });
    const batch = {
      a: tf.ones([3, 4]) as tf.Tensor2D,
      b: tf.ones([3, 4]) as tf.Tensor2D,
      scores: tf.ones([3]) as tf.Tensor1D,
    };
    expect(err(() => m.compute(batch))).toMatchObject({
      code: 'E_LOSS_BATCH',
      message: 'matryoshka: dims must be at most the embedding size 4, found 8',
    });
    tf.dispose(Object.values(batch));
  });

  it("mse: the teacher must have the student's shape (E_LOSS_BATCH)", async () => {
    await initBackend();
    const batch = { embeddings: tf.ones([3, 4]) as tf.Tensor2D, teacher: tf.ones([3, 5]) as tf.Tensor2D };
    expect(err(() => lossFromConfig({ type: 'mse' }).compute(batch))).toMatchObject({ code: 'E_LOSS_BATCH' });
    tf.dispose(Object.values(batch));
  });
});

describe('cachedMultipleNegativesRanking: config', () => {
  it('is MNRL with a mini-batch size for the trainer; bad sizes are E_LOSS_CONFIG', async () => {
    await initBackend({ backend: 'cpu' });
    const loss = lossFromConfig({ type: 'cachedMnrl', scale: 10 });
    expect(loss.type).toBe('cachedMultipleNegativesRanking');
    expect(loss.batchKind).toBe('anchor-positive');
    expect(loss.similarity).toBe('cosine');
    expect(loss.gradCache).toEqual({ miniBatchSize: 32 });
    expect(loss.getConfig()).toEqual({
      type: 'cachedMultipleNegativesRanking',
      scale: 10,
      similarity: 'cosine',
      symmetric: false,
      reduction: 'mean',
      miniBatchSize: 32,
    });
    expect(lossFromConfig({ type: 'mnrl' }).gradCache).toBeUndefined();
    for (const miniBatchSize of [0, 1.5, -3, '8', Number.NaN]) {
      const error = (() => {
        try {
          lossFromConfig({ type: 'cachedMnrl', miniBatchSize });
        } catch (e) {
          return e as SiameseError;
        }
      })();
      expect(error?.code).toBe('E_LOSS_CONFIG');
      expect(error?.message).toMatch(
        /cachedMultipleNegativesRanking: option miniBatchSize must be a whole number ≥ 1/,
      );
    }
    expect(() => lossFromConfig({ type: 'cachedMnrl', miniBatch: 8 })).toThrow(/unknown option miniBatch/);
  });
});
