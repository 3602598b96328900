// CachedMultipleNegativesRankingLoss (GradCache) through the training step: the same loss and weight gradients
// as plain MNRL on the same batch, whatever the mini-batch size (cpu 1e-5, wasm 1e-4), with peak memory set by
// the mini-batch, not the batch; then trained end to end by fit().
import { Rng, SiameseError } from '@siamese/core';
import type { PresetName } from '@siamese/encoders';
import { type Loss, lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel, evaluate, fit, initBackend, type SiameseModel } from '../src/index.js';
import { prepareExamples } from '../src/train/prepare-data.js';
import { gradientsOf } from '../src/train/step.js';
import { tsvPairs } from './helpers.js';

const pairs = tsvPairs('stsb/train.tsv', 400).filter((p) => p.score >= 0.6);
const texts = pairs.flatMap((p) => [p.text1, p.text2]);
// Anchor, positive and a hard negative (the next pair's second text): three slots, as MNRL with negatives.
const triplets = pairs.map((p, i) => ({
  anchor: p.text1,
  positive: p.text2,
  negative: pairs[(i + 1) % pairs.length]!.text2,
}));
const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;

const make = (preset: PresetName, hidden = 16) =>
  createModel({ preset, texts, hidden, embeddingDim: 16, seed: 4 });

/** The loss and the encoder's weight gradients of one training step on `rows` examples. */
function stepGradients(model: SiameseModel, loss: Loss, rows: number, data: object[] = triplets) {
  const prepared = prepareExamples(data as never, loss.batchKind, 1);
  const indices = Array.from({ length: rows }, (_, i) => i);
  const { value, grads } = gradientsOf(model, prepared, indices, {
    loss,
    rng: new Rng(1),
    optimizer: undefined as never,
    clipNorm: undefined,
  });
  const out = {
    loss: value.dataSync()[0]!,
    grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array])),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(['cpu', 'wasm'] as const)('GradCache step on %s', (backend) => {
  it.each([
    { preset: 'meanpool', miniBatchSize: 8 },
    { preset: 'bilstm', miniBatchSize: 7 },
    { preset: 'cnn', miniBatchSize: 1 },
  ] as const)(
    '$preset, mini-batches of $miniBatchSize: the loss and gradients of plain MNRL',
    async ({ preset, miniBatchSize }) => {
      await initBackend({ backend });
      expect(tf.getBackend()).toBe(backend);
      const model = make(preset);
      const before = tf.memory().numTensors;
      for (const symmetric of [false, true]) {
        const plain = stepGradients(model, lossFromConfig({ type: 'mnrl', symmetric }), 24);
        const cached = stepGradients(
          model,
          lossFromConfig({ type: 'cachedMnrl', miniBatchSize, symmetric }),
          24,
        );
        expect(Math.abs(cached.loss - plain.loss)).toBeLessThanOrEqual(TOL[backend]);
        expect(Object.keys(cached.grads).sort()).toEqual(Object.keys(plain.grads).sort());
        let worst = 0;
        let largest = 0;
        for (const k of Object.keys(plain.grads)) {
          worst = Math.max(worst, maxAbsDiff(cached.grads[k]!, plain.grads[k]!));
          largest = Math.max(largest, ...plain.grads[k]!.map(Math.abs));
        }
        expect(largest).toBeGreaterThan(1e-3); // gradients that can tell the two apart
        expect(worst).toBeLessThanOrEqual(TOL[backend]);
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    },
  );

  it('a matryoshka-wrapped cached MNRL stays cached and matches the plain wrap', async () => {
    await initBackend({ backend });
    const model = make('meanpool');
    const wrap = (loss: object) => lossFromConfig({ type: 'matryoshka', loss, dims: [16, 8] });
    const cachedLoss = wrap({ type: 'cachedMnrl', miniBatchSize: 5 });
    expect(cachedLoss.gradCache).toEqual({ miniBatchSize: 5 });
    const plain = stepGradients(model, wrap({ type: 'mnrl' }), 20);
    const cached = stepGradients(model, cachedLoss, 20);
    expect(Math.abs(cached.loss - plain.loss)).toBeLessThanOrEqual(TOL[backend]);
    for (const k of Object.keys(plain.grads)) {
      expect(maxAbsDiff(cached.grads[k]!, plain.grads[k]!), k).toBeLessThanOrEqual(TOL[backend]);
    }
    model.dispose();
  });
});

describe('GradCache memory', () => {
  /** Peak bytes the engine held during one step, above what was live before it (tf.profile's high-water mark). */
  async function peakBytes(model: SiameseModel, loss: Loss, rows: number): Promise<number> {
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => {
      stepGradients(model, loss, rows);
    });
    return info.peakBytes - before;
  }

  it('peak memory grows with miniBatchSize, not with the batch', async () => {
    await initBackend();
    expect(tf.getBackend()).toBe('wasm');
    const model = make('bilstm', 32);
    const plain = lossFromConfig({ type: 'mnrl' });
    const cached = (miniBatchSize: number) => lossFromConfig({ type: 'cachedMnrl', miniBatchSize });
    const m = {
      plain48: await peakBytes(model, plain, 48),
      plain96: await peakBytes(model, plain, 96),
      cached8x48: await peakBytes(model, cached(8), 48),
      cached8x96: await peakBytes(model, cached(8), 96),
      cached32x96: await peakBytes(model, cached(32), 96),
    };
    console.log(`GradCache peak bytes (bilstm 32, 3 slots): ${JSON.stringify(m)}`);
    // Measured (bytes, deterministic): plain 21.4M → 47.9M for 48 → 96 rows; mini-batches of 8: 1.60M → 2.63M
    // (the [rows, dim] embeddings, their gradient and the [rows, candidates] scores still span the batch);
    // mini-batches of 32 on 96 rows: 5.66M.
    expect(m.plain96).toBeGreaterThan(1.6 * m.plain48);
    expect(m.cached8x96 - m.cached8x48).toBeLessThan(0.1 * (m.plain96 - m.plain48));
    expect(m.cached8x96).toBeLessThan(m.plain96 / 10);
    expect(m.cached32x96).toBeGreaterThan(1.8 * m.cached8x96);
    model.dispose();
  });
});

describe('fit() with cachedMnrl', () => {
  it('trains like MNRL: the same per-epoch losses, the dev metric rises, the run repeats', async () => {
    await initBackend();
    expect(tf.getBackend()).toBe('wasm');
    const dev = tsvPairs('stsb/dev.tsv', 96);
    const run = async (config: object) => {
      const model = make('meanpool');
      const before = (await evaluate(model, dev)).spearman;
      const r = await fit(model, pairs, {
        loss: lossFromConfig(config as never),
        epochs: 3,
        batchSize: 32,
        lr: 1e-2,
        seed: 3,
        workers: 1,
      });
      const after = (await evaluate(model, dev)).spearman;
      model.dispose();
      return { losses: r.history.map((h) => h.loss), before, after };
    };
    const plain = await run({ type: 'mnrl' });
    const cached = await run({ type: 'cachedMnrl', miniBatchSize: 8 });
    const again = await run({ type: 'cachedMnrl', miniBatchSize: 8 });
    expect(again.losses).toEqual(cached.losses);
    cached.losses.forEach((l, i) => {
      expect(Math.abs(l - plain.losses[i]!)).toBeLessThan(1e-3);
    });
    expect(cached.losses[2]!).toBeLessThan(cached.losses[0]!);
    expect(cached.after).toBeGreaterThan(cached.before + 0.05);
  });

  it('trains on the calling thread when workers are asked for, and says so', async () => {
    await initBackend();
    const model = make('meanpool');
    const notes: string[] = [];
    await fit(model, pairs.slice(0, 32), {
      loss: lossFromConfig({ type: 'cachedMnrl', miniBatchSize: 4 }),
      batchSize: 16,
      workers: 2,
      onInfo: (m) => notes.push(m),
    });
    expect(notes).toContain(
      'workers: 1 thread (the cachedMultipleNegativesRanking loss encodes in mini-batches and trains on the calling thread)',
    );
    model.dispose();
  });

  it('refuses a custom loss whose gradCache has no usable miniBatchSize', async () => {
    await initBackend();
    const model = make('meanpool');
    const mnrl = lossFromConfig({ type: 'mnrl' });
    for (const gradCache of [{ miniBatchSize: 0 }, {}, { miniBatchSize: 2.5 }]) {
      const loss: Loss = {
        type: 'mnrl',
        batchKind: 'anchor-positive',
        gradCache: gradCache as never,
        compute: (b) => mnrl.compute(b),
        getConfig: () => mnrl.getConfig(),
      };
      const error = await fit(model, pairs, { loss }).catch((e: unknown) => e);
      expect(SiameseError.is(error) && error.code).toBe('E_INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(/gradCache\.miniBatchSize/);
    }
    model.dispose();
  });
});
