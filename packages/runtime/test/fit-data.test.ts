// What fit() trains on and how it batches it: samplers (default per loss, by name, custom through the registry),
// data regenerated every epoch, and gradient accumulation. Each test checks the batches the loss saw or the
// weights training produced, not just that an option was accepted.
import { Rng, SiameseError } from '@siamese/core';
import { type Loss, lossFromConfig } from '@siamese/losses';
import { type LabelledText, pairsFromLabels, tripletsFromLabels } from '@siamese/pairs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  evaluate,
  type FitOptions,
  fit,
  initBackend,
  registeredSamplers,
  registerSampler,
  samplerFromConfig,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 96);

/** 12 topics of 10 texts: 3 of the topic's 6 words among 3 of 20 shared words, shuffled (seeded). */
function topics(seed: number, perClass = 10): LabelledText[] {
  const rng = new Rng(seed);
  const shared = Array.from({ length: 20 }, (_, i) => `w${i}`);
  const rows: LabelledText[] = [];
  for (let c = 0; c < 12; c++) {
    const own = Array.from({ length: 6 }, (_, i) => `t${c}x${i}`);
    for (let k = 0; k < perClass; k++) {
      const words = [0, 1, 2].map(() => own[rng.int(6)]!).concat([0, 1, 2].map(() => shared[rng.int(20)]!));
      rng.shuffle(words);
      rows.push({ text: words.join(' '), label: c });
    }
  }
  return rows;
}

const labelled = topics(1);
const heldOut = topics(2, 4);

const make = (texts: string[], seed = 2) =>
  createModel({ preset: 'meanpool', texts, hidden: 8, embeddingDim: 8, seed });
const pairModel = () => make(train.flatMap((p) => [p.text1, p.text2]));
const topicModel = () => make(labelled.map((r) => r.text));
const weightsOf = (model: ReturnType<typeof make>) =>
  [...model.encoder.weights().values()].map((v) => Array.from(v.dataSync()));

/** A loss that records the class labels of every batch it is given, then delegates. */
function recording(inner: Loss): { loss: Loss; batches: number[][] } {
  const batches: number[][] = [];
  const loss: Loss = {
    type: inner.type,
    batchKind: inner.batchKind,
    ...(inner.similarity ? { similarity: inner.similarity } : {}),
    compute: (batch) => {
      batches.push(Array.from(batch.labels!.dataSync()));
      return inner.compute(batch);
    },
    getConfig: () => inner.getConfig(),
  };
  return { loss, batches };
}

const counts = (labels: number[]) => {
  const m = new Map<number, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return [...m.values()];
};

beforeAll(async () => {
  await initBackend();
});

describe('fit(): samplers', () => {
  it('a batch-mining loss on {text, label} rows gets mPerClass batches by default: 4 of each of 4 classes', async () => {
    const { loss, batches } = recording(lossFromConfig({ type: 'batchHardTriplet' }));
    const model = topicModel();
    await fit(model, labelled, { loss, epochs: 1, batchSize: 16, seed: 3 });
    model.dispose();
    // 12 classes of 10 → 3 groups of 4 each (the last padded from its class) → 36 groups, packed 4 per batch
    // with no class twice (a group that cannot be placed closes its batch early).
    expect(batches.flat().length).toBe(144);
    for (const b of batches) expect(counts(b).every((n) => n === 4)).toBe(true);
    expect(batches.filter((b) => b.length === 16).length).toBeGreaterThanOrEqual(8);
    // With random batches (the old behaviour), some anchor of 16 drawn from 12 classes has no positive.
    const random = recording(lossFromConfig({ type: 'batchHardTriplet' }));
    const again = topicModel();
    await fit(again, labelled, { loss: random.loss, epochs: 1, batchSize: 16, seed: 3, sampler: 'random' });
    again.dispose();
    expect(random.batches.some((b) => counts(b).includes(1))).toBe(true);
  });

  it('mPerClass takes m from its config; a pair loss cannot use it (E_INVALID_ARGUMENT)', async () => {
    const { loss, batches } = recording(lossFromConfig({ type: 'batchAllTriplet' }));
    const model = topicModel();
    await fit(model, labelled, {
      loss,
      epochs: 1,
      batchSize: 12,
      seed: 3,
      sampler: { type: 'mPerClass', m: 2 },
    });
    expect(counts(batches[0]!)).toEqual([2, 2, 2, 2, 2, 2]);
    model.dispose();
    const pm = pairModel();
    await expect(
      fit(pm, train, { loss: lossFromConfig({ type: 'cosine' }), sampler: 'mPerClass' }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message:
        "sampler mPerClass: needs class labels, found 'scored-pairs' examples (give {text, label} rows and a batch-mining loss)",
    });
    pm.dispose();
  });

  it('an unknown sampler is E_UNKNOWN_TYPE naming the registered ones; an unknown option is E_INVALID_ARGUMENT', async () => {
    const model = pairModel();
    const loss = lossFromConfig({ type: 'cosine' });
    const err = await fit(model, train, { loss, sampler: 'shuffled' }).catch((e: unknown) => e);
    expect(SiameseError.is(err, 'E_UNKNOWN_TYPE')).toBe(true);
    expect((err as Error).message).toContain('sampler type "shuffled" is not registered (registered: random');
    expect((err as Error).message).toContain('registerSampler("shuffled", factory)');
    await expect(fit(model, train, { loss, sampler: { type: 'bucket', buckets: 3 } })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: 'sampler bucket: unknown option buckets (known: bucketSize, dropLast)',
    });
    model.dispose();
    expect(registeredSamplers()).toEqual(
      expect.arrayContaining(['random', 'noDuplicates', 'mPerClass', 'bucket']),
    );
  });

  it('bucket: batches of similar lengths (less padding than random), and training with it works', async () => {
    const context = {
      size: train.length,
      batchSize: 16,
      seed: 5,
      kind: 'scored-pairs' as const,
      texts: (i: number) => [train[i]!.text1, train[i]!.text2],
    };
    const spread = (type: string) => {
      const sampler = samplerFromConfig(type, context);
      let sum = 0;
      for (const b of sampler.epoch(0)) {
        const lengths = Array.from(b, (i) => Math.max(train[i]!.text1.length, train[i]!.text2.length));
        sum += Math.max(...lengths) - Math.min(...lengths);
      }
      return sum;
    };
    // Every example once per epoch, and a much smaller length range inside batches.
    const seen = [...samplerFromConfig('bucket', context).epoch(0)]
      .flatMap((b) => Array.from(b))
      .sort((a, b) => a - b);
    expect(seen).toEqual(train.map((_, i) => i));
    expect(spread('bucket')).toBeLessThan(spread('random') / 2);
    const model = pairModel();
    const r = await fit(model, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 3,
      batchSize: 16,
      lr: 1e-2,
      sampler: 'bucket',
    });
    expect(r.history[2]!.loss).toBeLessThan(r.history[0]!.loss);
    model.dispose();
  });

  it('a custom sampler registered by name reaches training (the worked example of registerSampler)', async () => {
    registerSampler('inOrder', (_config, { size, batchSize }) => ({
      size,
      *epoch() {
        for (let s = 0; s < size; s += batchSize)
          yield Int32Array.from({ length: Math.min(batchSize, size - s) }, (_, i) => s + i);
      },
    }));
    const { loss, batches } = recording(lossFromConfig({ type: 'batchAllTriplet' }));
    const model = topicModel();
    await fit(model, labelled, { loss, epochs: 2, batchSize: 20, sampler: 'inOrder' });
    model.dispose();
    // Rows are stored class by class (10 each): in order, each batch of 20 is two whole classes, both epochs.
    expect(batches.length).toBe(12);
    for (const [i, b] of batches.entries()) {
      expect(b).toEqual(labelled.slice((i % 6) * 20, (i % 6) * 20 + 20).map((r) => r.label));
    }
  });
});

describe('fit(): data regenerated every epoch', () => {
  it('a function of the epoch gives each epoch new pairs; the run is deterministic for its seed', async () => {
    const calls: number[] = [];
    const perEpoch = (epoch: number) => {
      calls.push(epoch);
      return pairsFromLabels(labelled, { seed: 9, epoch });
    };
    const options: FitOptions = {
      loss: lossFromConfig({ type: 'contrastive' }),
      epochs: 3,
      batchSize: 16,
      lr: 1e-2,
      seed: 4,
    };
    const a = topicModel();
    await fit(a, perEpoch, options);
    expect(calls).toEqual([0, 1, 2]);
    const b = topicModel();
    await fit(b, perEpoch, options);
    expect(weightsOf(b)).toEqual(weightsOf(a));
    // Fixed pairs (epoch 0's, every epoch) train to other weights.
    const c = topicModel();
    await fit(c, pairsFromLabels(labelled, { seed: 9, epoch: 0 }), options);
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
    expect(pairsFromLabels(labelled, { seed: 9, epoch: 1 })).not.toEqual(
      pairsFromLabels(labelled, { seed: 9, epoch: 0 }),
    );
    for (const m of [a, b, c]) m.dispose();
  });

  it('an iterable per epoch works too (a generator of triplets); a non-iterable is E_INVALID_ARGUMENT', async () => {
    const model = topicModel();
    const r = await fit(
      model,
      function* (epoch) {
        yield* tripletsFromLabels(labelled, { seed: 3, epoch });
      },
      { loss: lossFromConfig({ type: 'triplet' }), epochs: 2, batchSize: 16, lr: 1e-2 },
    );
    expect(r.epochsRun).toBe(2);
    await expect(
      fit(model, (() => 42) as never, { loss: lossFromConfig({ type: 'triplet' }) }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message:
        'fit: the training data function for epoch 0: expected to return an array or iterable of examples, found number',
    });
    await expect(
      fit(model, 'pairs' as never, { loss: lossFromConfig({ type: 'triplet' }) }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
    });
    model.dispose();
  });
});

describe('fit(): gradient accumulation', () => {
  it('batchSize 8 × accumulate 2 steps like batchSize 16 (the same examples per step, mean gradient)', async () => {
    const base: FitOptions = { loss: lossFromConfig({ type: 'cosine' }), epochs: 2, lr: 1e-2, seed: 4 };
    const events: number[] = [];
    const big = pairModel();
    await fit(big, train, { ...base, batchSize: 16 });
    const small = pairModel();
    await fit(small, train, {
      ...base,
      batchSize: 8,
      accumulate: 2,
      onBatch: (e) => void events.push(e.batch),
    });
    // One event per optimizer step: 96 / 16 = 6 per epoch.
    expect(events).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    const [w16, w8] = [weightsOf(big), weightsOf(small)];
    let maxDiff = 0;
    let moved = 0;
    const untrained = pairModel();
    const fresh = weightsOf(untrained);
    untrained.dispose();
    for (const [i, w] of w16.entries()) {
      for (const [j, x] of w.entries()) {
        maxDiff = Math.max(maxDiff, Math.abs(x - w8[i]![j]!));
        moved = Math.max(moved, Math.abs(x - fresh[i]![j]!));
      }
    }
    // Equal up to float rounding of the two summation orders; training moved the weights 1000× further.
    expect(maxDiff).toBeLessThan(1e-5);
    expect(moved).toBeGreaterThan(1e-2);
    // Without accumulation, batches of 8 train to different weights.
    const plain = pairModel();
    await fit(plain, train, { ...base, batchSize: 8 });
    expect(
      Math.max(...weightsOf(plain).flatMap((w, i) => w.map((x, j) => Math.abs(x - w16[i]![j]!)))),
    ).toBeGreaterThan(1e-3);
    for (const m of [big, small, plain]) m.dispose();
  });

  it('accumulate must be a whole number ≥ 1, and accumulation leaks no tensor', async () => {
    const model = pairModel();
    const loss = lossFromConfig({ type: 'cosine' });
    await expect(fit(model, train, { loss, accumulate: 0.5 })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: 'fit: accumulate: expected an integer in [1, 1000000], found number 0.5',
    });
    // Worker replicas step one batch at a time: accumulation trains on the calling thread, and says so.
    const notes: string[] = [];
    await fit(model, train, { loss, batchSize: 8, accumulate: 2, workers: 2, onInfo: (m) => notes.push(m) });
    expect(notes).toContain('workers: 1 thread (per-epoch data and accumulate train on the calling thread)');
    const before = tf.memory().numTensors;
    await fit(model, train, { loss, batchSize: 8, accumulate: 5 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('fit(): the batch-mining losses end to end (mPerClass batches, {text, label} rows)', () => {
  const dev = tripletsFromLabels(heldOut, { seed: 5 });
  // Measured (48 dev triplets): untrained 0.625; best epoch 0.771 (hard), 0.708 (semi-hard), 0.729 (all).
  const margin = 0.05;
  it.each(['batchHardTriplet', 'batchSemiHardTriplet', 'batchAllTriplet'] as const)(
    '%s: the loss falls, dev triplet accuracy rises above the untrained model, and the run repeats exactly',
    async (type) => {
      const options: FitOptions = {
        loss: lossFromConfig({ type }),
        epochs: 4,
        batchSize: 16,
        lr: 1e-2,
        seed: 6,
        dev,
      };
      const model = topicModel();
      const untrained = (await evaluate(model, dev)).accuracy;
      const r = await fit(model, labelled, options);
      expect(r.history[3]!.loss).toBeLessThan(r.history[0]!.loss);
      expect(r.best!.metric).toBeGreaterThan(untrained + margin);
      const again = topicModel();
      const r2 = await fit(again, labelled, options);
      expect(r2.history.map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
      expect(weightsOf(again)).toEqual(weightsOf(model));
      model.dispose();
      again.dispose();
    },
  );
});
