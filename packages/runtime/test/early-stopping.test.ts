import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiameseError } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  evaluate,
  type FitOptions,
  type FitResult,
  fit,
  folderCheckpoints,
  initBackend,
  type SiameseModel,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 192);
const dev = tsvPairs('stsb/dev.tsv', 96);
const dir = mkdtempSync(join(tmpdir(), 'siamese-early-'));
const make = () =>
  createModel({
    preset: 'meanpool',
    texts: train.flatMap((p) => [p.text1, p.text2]),
    hidden: 16,
    embeddingDim: 16,
    seed: 7,
  });
// Measured with these seeds: dev Spearman by epoch 0.455 0.446 0.541 0.608 0.584 0.571 0.587 0.598 — it dips
// at epoch 2 (patience must reset at 3), peaks at epoch 4, and never beats it afterwards.
const options: FitOptions = {
  loss: lossFromConfig({ type: 'cosine' }),
  epochs: 8,
  batchSize: 32,
  lr: 5e-2,
  seed: 1,
  dev,
  patience: 2,
};
const weightsOf = (m: SiameseModel) =>
  [...m.encoder.weights()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);

/** Early stopping's contract, whatever the numbers: stop exactly `patience` epochs after the best. */
function expectStoppedAfterPatience(r: FitResult, patience: number): void {
  const metrics = r.history.map((h) => h.metric!);
  const bestAt = metrics.indexOf(Math.max(...metrics)) + 1;
  expect(r.best).toEqual({ metric: metrics[bestAt - 1], epoch: bestAt });
  expect(r.stoppedEarly).toBe(true);
  expect(r.epochsRun).toBe(bestAt + patience);
  // No earlier stretch of `patience` epochs without a new best.
  let best = Number.NEGATIVE_INFINITY;
  let since = 0;
  metrics.slice(0, -1).forEach((m) => {
    if (m > best) {
      best = m;
      since = 0;
    } else since++;
    expect(since).toBeLessThan(patience);
  });
}

let uninterrupted: { result: FitResult; weights: ReturnType<typeof weightsOf>; lastMetric: number };

beforeAll(async () => {
  await initBackend();
  const model = make();
  const result = await fit(model, train, options);
  uninterrupted = { result, weights: weightsOf(model), lastMetric: result.history.at(-1)!.metric! };
  // The returned model scores the best epoch's metric, not the last epoch's.
  const scored = await evaluate(model, dev);
  expect(scored.spearman).toBe(result.best!.metric);
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit({ patience })', () => {
  it('stops after `patience` epochs without improvement (not one later) and restores the best weights', () => {
    const r = uninterrupted.result;
    expectStoppedAfterPatience(r, 2);
    expect(r.best!.epoch).toBe(4);
    expect(r.epochsRun).toBe(6);
    expect(r.history.map((h) => h.improved)).toEqual([true, false, true, true, false, false]);
    expect(uninterrupted.lastMetric).toBeLessThan(r.best!.metric);
  });

  it('patience 1 stops at the first epoch without improvement', async () => {
    const model = make();
    const r = await fit(model, train, { ...options, patience: 1 });
    expect(r.epochsRun).toBe(2);
    expect(r.best!.epoch).toBe(1);
    expect((await evaluate(model, dev)).spearman).toBe(r.best!.metric);
    model.dispose();
  });

  it('is the same across a resume: best weights and epochs-since-best come back from the checkpoint', async () => {
    const ck = join(dir, 'patience');
    const first = make();
    const ctrl = new AbortController();
    // Interrupted after epoch 5: the best is epoch 4, one epoch without improvement already spent.
    const err = await fit(first, train, {
      ...options,
      checkpoints: folderCheckpoints(ck),
      signal: ctrl.signal,
      onEpoch: (e) => {
        if (e.epoch === 5) ctrl.abort();
      },
    }).catch((e) => e);
    expect(SiameseError.is(err, 'E_ABORTED')).toBe(true);
    first.dispose();
    const resumed = make();
    const r = await fit(resumed, train, { ...options, checkpoints: folderCheckpoints(ck) });
    expect(r.resumedFrom).toBe(5);
    expect(r.epochsRun).toBe(uninterrupted.result.epochsRun);
    expect(r.best).toEqual(uninterrupted.result.best);
    expect(r.stoppedEarly).toBe(true);
    expect(weightsOf(resumed)).toEqual(uninterrupted.weights);
    expect((await evaluate(resumed, dev)).spearman).toBe(r.best!.metric);
    // Resuming a run that had already stopped trains no further and still returns the best weights.
    const again = make();
    const done = await fit(again, train, { ...options, checkpoints: folderCheckpoints(ck) });
    expect(done.resumedFrom).toBe(6);
    expect(done.epochsRun).toBe(6);
    expect(done.stoppedEarly).toBe(true);
    expect(weightsOf(again)).toEqual(uninterrupted.weights);
    resumed.dispose();
    again.dispose();
  });

  it('refuses patience without dev data, or a patience that is not a whole number', async () => {
    const model = make();
    const { dev: _d, ...noDev } = options;
    await expect(fit(model, train, noDev)).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining('patience needs dev data'),
    });
    for (const patience of [1.5, 0, -1]) {
      await expect(fit(model, train, { ...options, patience })).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
      });
    }
    model.dispose();
  });
});
