// How fit() wires its options in: the learning-rate schedule, gradient clipping, the dev metric, the info
// messages, every built-in loss, and the NaN guard. Each test checks an effect on training, not just a field.
import { type Loss, lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, type FitOptions, fit, initBackend, learningRateAt } from '../src/index.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 96);
const dev = tsvPairs('stsb/dev.tsv', 48);
const make = () =>
  createModel({
    preset: 'meanpool',
    texts: train.flatMap((p) => [p.text1, p.text2]),
    hidden: 8,
    embeddingDim: 8,
    seed: 2,
  });
const base: FitOptions = {
  loss: lossFromConfig({ type: 'cosine' }),
  epochs: 2,
  batchSize: 16,
  lr: 1e-2,
  seed: 4,
};

/** Trains a fresh model; returns how far its weights moved (max |Δ|) and the final weights. */
async function moved(options: Partial<FitOptions>) {
  const model = make();
  const before = [...model.encoder.weights().values()].map((v) => v.dataSync().slice());
  await fit(model, train, { ...base, ...options });
  const after = [...model.encoder.weights().values()].map((v) => v.dataSync().slice());
  model.dispose();
  let max = 0;
  after.forEach((a, i) => {
    a.forEach((x, j) => {
      max = Math.max(max, Math.abs(x - before[i]![j]!));
    });
  });
  return { max, weights: after.map((a) => Array.from(a)) };
}

beforeAll(async () => {
  await initBackend();
});

describe('fit() options', () => {
  it('schedule: each batch trains at learningRateAt(schedule, lr, step, total), and the optimizer uses it', async () => {
    const schedule = { type: 'warmupCosine', warmupSteps: 3 } as const;
    const lrs: number[] = [];
    const model = make();
    await fit(model, train, { ...base, schedule, onBatch: (e) => void lrs.push(e.lr) });
    model.dispose();
    const total = 2 * Math.ceil(train.length / 16);
    expect(lrs).toEqual(Array.from({ length: total }, (_, s) => learningRateAt(schedule, 1e-2, s, total)));
    expect(lrs[0]).toBeCloseTo(1e-2 / 3, 12);
    expect(lrs[2]).toBe(1e-2);
    expect(lrs.at(-1)!).toBeLessThan(1e-3);
    // The rate reaches Adam: a warm-up longer than the run keeps every step ~1e-11 and the weights still.
    const frozen = await moved({ schedule: { type: 'warmupLinear', warmupSteps: 1e9 } });
    const normal = await moved({});
    expect(frozen.max).toBeLessThan(1e-8);
    expect(normal.max).toBeGreaterThan(1e-3);
  });

  it('clipNorm: a huge norm changes nothing (bit for bit); a tiny one leaves Adam ε-sized steps', async () => {
    const free = await moved({});
    expect((await moved({ clipNorm: 1e9 })).weights).toEqual(free.weights);
    // Gradients scaled to a global norm of 1e-12 are far below Adam's ε (1e-8), so steps shrink to almost
    // nothing. Measured: the weights move at most 2.6e-6 (unclipped: over 1e-3).
    const clipped = await moved({ clipNorm: 1e-12 });
    expect(clipped.max).toBeLessThan(1e-5);
    expect(free.max).toBeGreaterThan(1e-3);
  });

  it('metric: the named dev metric drives best/improved; an unknown name is E_INVALID_ARGUMENT', async () => {
    const model = make();
    const r = await fit(model, train, { ...base, epochs: 3, dev, metric: 'pearson' });
    for (const h of r.history) expect(h.metric).toBe((h.devMetrics as { pearson: number }).pearson);
    const pearsons = r.history.map((h) => h.metric!);
    expect(r.best).toEqual({
      metric: Math.max(...pearsons),
      epoch: pearsons.indexOf(Math.max(...pearsons)) + 1,
    });
    // Binary dev data: the default metric is average precision.
    const binary = dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score >= 0.6 ? 1 : 0 }));
    const b = await fit(model, train, { ...base, epochs: 1, dev: binary });
    expect(b.history[0]!.metric).toBe((b.history[0]!.devMetrics as { ap: number }).ap);
    await expect(fit(model, train, { ...base, epochs: 1, dev, metric: 'bogus' })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: "fit: metric 'bogus' is not produced by this dev data (have pearson, spearman, n)",
    });
    model.dispose();
  });

  it('onInfo: says how the data was adapted to the loss', async () => {
    const positives = train.filter((p) => p.score >= 0.8).length;
    const info: string[] = [];
    const model = make();
    await fit(model, train, {
      ...base,
      epochs: 1,
      loss: lossFromConfig({ type: 'mnrl' }),
      onInfo: (m) => info.push(m),
    });
    expect(info).toEqual([`data: ${positives} positive pairs (label 1 / score ≥ 0.8) of ${train.length}`]);
    info.length = 0;
    await fit(model, train, {
      ...base,
      epochs: 1,
      loss: lossFromConfig({ type: 'triplet' }),
      onInfo: (m) => info.push(m),
    });
    // The triplet loss compares by euclidean distance, and the model takes it on (search then ranks by it).
    expect(info).toEqual([
      `data: ${positives} positive pairs (label 1 / score ≥ 0.8) of ${train.length}, random negatives`,
      'similarity: euclidean (from the triplet loss; was cosine)',
    ]);
    // Training it on with the cosine loss says so; a fresh model trained with it has nothing to report.
    info.length = 0;
    await fit(model, train, { ...base, epochs: 1, onInfo: (m) => info.push(m) });
    expect(info).toEqual(['similarity: cosine (from the cosineSimilarity loss; was euclidean)']);
    model.dispose();
    info.length = 0;
    const fresh = make();
    await fit(fresh, train, { ...base, epochs: 1, onInfo: (m) => info.push(m) });
    expect(info).toEqual([]);
    fresh.dispose();
  });

  it.each(['cosine', 'contrastive', 'onlineContrastive', 'triplet', 'mnrl', 'cosent'] as const)(
    'the %s loss trains: a finite, falling loss and no leaked tensors',
    async (name) => {
      const model = make();
      const before = tf.memory().numTensors;
      const r = await fit(model, train, { ...base, epochs: 4, loss: lossFromConfig({ type: name }) });
      expect(tf.memory().numTensors).toBe(before);
      const losses = r.history.map((h) => h.loss);
      for (const l of losses) expect(Number.isFinite(l)).toBe(true);
      expect(losses[3]).toBeLessThan(losses[0]!);
      model.dispose();
    },
  );

  it('a loss that turns NaN stops training with E_NAN_LOSS naming the epoch and batch, and leaks nothing', async () => {
    const cosine = lossFromConfig({ type: 'cosine' });
    let calls = 0;
    const poisoned: Loss = {
      type: 'poisoned',
      batchKind: 'scored-pairs',
      compute: (batch) => (++calls < 3 ? cosine.compute(batch) : tf.mul(cosine.compute(batch), Number.NaN)),
      getConfig: () => ({ type: 'poisoned' }),
    };
    const model = make();
    const start = weightsOf(model);
    const before = tf.memory().numTensors;
    await expect(fit(model, train, { ...base, loss: poisoned })).rejects.toMatchObject({
      code: 'E_NAN_LOSS',
      message:
        'fit: the loss became NaN at epoch 1, batch 3 (lower the learning rate or set clipNorm); the step was not applied and the weights from the start of epoch 1 were restored',
    });
    expect(tf.memory().numTensors).toBe(before);
    // the last good weights are back (before the fix, batch 3's NaN step had been applied: every weight NaN)
    expect(weightsOf(model)).toEqual(start);
    model.dispose();
  });

  it('updates that overflow the weights (lr 1e30) are caught, the last good weights restored (issue 19)', async () => {
    const model = make();
    const start = weightsOf(model);
    const err = await fit(model, train, { ...base, lr: 1e30 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_NAN_LOSS' });
    expect(err.message).toMatch(/at epoch 1, batch \d+|in epoch 1/);
    expect(err.message).toContain('the weights from the start of epoch 1 were restored');
    expect(weightsOf(model)).toEqual(start);
    expect(weightsOf(model).flat().every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('refuses non-finite, negative and fractional options up front, naming option, value and range', async () => {
    const model = make();
    const start = weightsOf(model);
    const cases: [Partial<FitOptions>, string][] = [
      [{ lr: Number.NaN }, 'fit: lr: expected a finite number ≥ 0, found number NaN'],
      [{ lr: Number.POSITIVE_INFINITY }, 'fit: lr: expected a finite number ≥ 0, found number Infinity'],
      [{ lr: -1e-3 }, 'fit: lr: expected a finite number ≥ 0, found number -0.001'],
      [{ clipNorm: Number.NaN }, 'fit: clipNorm: expected a finite number > 0, found number NaN'],
      [{ clipNorm: -1 }, 'fit: clipNorm: expected a finite number > 0, found number -1'],
      [{ epochs: 1.5 }, 'fit: epochs: expected an integer in [1, 1000000], found number 1.5'],
      [
        { epochs: Number.POSITIVE_INFINITY },
        'fit: epochs: expected an integer in [1, 1000000], found number Infinity',
      ],
      [{ batchSize: 0 }, 'fit: batchSize: expected an integer in [1, 1000000], found number 0'],
    ];
    for (const [options, message] of cases) {
      await expect(fit(model, train, { ...base, ...options }), message).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
        message,
      });
    }
    expect(weightsOf(model)).toEqual(start);
    model.dispose();
  });

  it('a second concurrent fit() on one model is refused; a disposed model is E_MODEL_DISPOSED', async () => {
    const model = make();
    const first = fit(model, train, { ...base, epochs: 1 });
    await expect(fit(model, train, { ...base, epochs: 1 })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining('already being trained by another fit() call'),
    });
    await first;
    await fit(model, train, { ...base, epochs: 1 }); // once the first is done, training again is fine
    model.dispose();
    await expect(fit(model, train, base)).rejects.toMatchObject({ code: 'E_MODEL_DISPOSED' });
  });
});

function weightsOf(model: ReturnType<typeof make>): number[][] {
  return [...model.encoder.weights().values()].map((v) => Array.from(v.dataSync()));
}

describe('fit from an ExampleSource (data too large to hold, issue 19)', () => {
  beforeAll(() => initBackend());

  /** The training pairs behind a source that reads them by index, counting the reads. */
  const sourceOf = (pairs: typeof train) => {
    const reads: number[] = [];
    return {
      reads,
      source: {
        size: pairs.length,
        fingerprint: 'train-96',
        read: async (indices: readonly number[]) => {
          reads.push(indices.length);
          return indices.map((i) => pairs[i]!);
        },
      },
    };
  };

  it('gives bit-identical weights to the same pairs as an array, reading one batch at a time', async () => {
    for (const loss of [lossFromConfig({ type: 'cosine' }), lossFromConfig({ type: 'contrastive' })]) {
      const fromArray = make();
      await fit(fromArray, train, { ...base, loss });
      const fromSource = make();
      const { source, reads } = sourceOf(train);
      const result = await fit(fromSource, source, { ...base, loss });
      expect(result.history).toHaveLength(2);
      expect(reads).toHaveLength(2 * Math.ceil(train.length / 16));
      expect(Math.max(...reads)).toBe(16); // spread-ok: a test's own 12 numbers
      const a = [...fromArray.encoder.weights().values()].map((v) => Array.from(v.dataSync()));
      const b = [...fromSource.encoder.weights().values()].map((v) => Array.from(v.dataSync()));
      expect(b, loss.type).toEqual(a);
      fromArray.dispose();
      fromSource.dispose();
    }
  });

  it('refuses in-batch and triplet losses (they sample from the whole set), a bad size and short reads', async () => {
    const model = make();
    const { source } = sourceOf(train);
    await expect(
      fit(model, source, { ...base, loss: lossFromConfig({ type: 'mnrl' }) }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining("needs 'anchor-positive' batches sampled from the whole data"),
    });
    // A sampler that groups by texts or labels cannot see a source's examples; random (the default) can.
    await expect(fit(model, source, { ...base, sampler: 'bucket' })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining("the 'bucket' sampler needs the examples in memory"),
    });
    await expect(fit(model, source, { ...base, sampler: { type: 'noDuplicates' } })).rejects.toMatchObject({
      details: { sampler: 'noDuplicates' },
    });
    await expect(fit(model, { ...source, size: 0 }, base)).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining('fit: source size: expected an integer ≥ 1, found'),
    });
    await expect(fit(model, { ...source, read: () => [] }, base)).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining('gave 0 examples for 16 indices'),
    });
    model.dispose();
  });

  it('createModel takes a prebuilt tokenizer (Tokenizer.buildAsync over a stream) instead of texts', async () => {
    const { Tokenizer } = await import('@siamese/tokenizer');
    async function* texts() {
      for (const p of train) {
        yield p.text1;
        yield p.text2;
      }
    }
    const tokenizer = await Tokenizer.buildAsync(texts(), { minFreq: 1, maxSize: 100_000 });
    const a = make();
    const b = createModel({ preset: 'meanpool', tokenizer, hidden: 8, embeddingDim: 8, seed: 2 });
    expect((b.tokenizer as InstanceType<typeof Tokenizer>).vocab.toArray()).toEqual(
      (a.tokenizer as InstanceType<typeof Tokenizer>).vocab.toArray(),
    );
    expect(await b.embed(['a man plays'])).toEqual(await a.embed(['a man plays']));
    a.dispose();
    b.dispose();
    expect(() => createModel({ preset: 'meanpool' })).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_ARGUMENT',
        message: expect.stringContaining('either texts'),
      }),
    );
  });
});
