// The flow the README documents, typed without casts (a file reader → fit({ dev }) → evaluate(dev).spearman),
// and the typed error a user gets for calling the SDK before `await initBackend()`. This file must not call
// initBackend() before the first describe block runs.
import { resolve } from 'node:path';
import { SiameseError } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import { readPairsFile } from '@siamese/pairs/node';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type BinaryMetrics,
  type CorrelationMetrics,
  createModel,
  evaluate,
  fit,
  initBackend,
  loadModel,
  modelFromBytes,
  similarities,
  spearman,
} from '../src/index.js';
import { dataDir } from './helpers.js';

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('before initBackend()', () => {
  it('tfjs alone says only "No backend found in registry."', () => {
    expect(() => tf.tensor1d([1])).toThrow(/^No backend found in registry\.$/);
  });

  it('createModel, loadModel and modelFromBytes throw a SiameseError that says what to do', async () => {
    const calls: [string, () => unknown][] = [
      ['createModel', () => createModel({ preset: 'meanpool', texts: ['a man plays'] })],
      ['loadModel', () => loadModel('./no-such-model')],
      ['modelFromBytes', () => modelFromBytes(new Uint8Array(16))],
    ];
    for (const [name, call] of calls) {
      const e = await caught(call);
      expect(e).toBeInstanceOf(SiameseError);
      expect(SiameseError.is(e, 'E_BACKEND_NOT_READY')).toBe(true);
      expect((e as Error).message).toMatch(new RegExp(`^${name}: expected a ready tfjs backend, found none`));
      expect((e as Error).message).toContain('call `await initBackend()` once before using the SDK');
    }
  });

  it('after await initBackend() the same call works', async () => {
    await initBackend();
    createModel({ preset: 'meanpool', texts: ['a man plays'] }).dispose();
  });
});

describe('reader → fit({ dev }) → evaluate(dev)', () => {
  it('scored records (normalizeScores, or require: score) give CorrelationMetrics: .spearman without a cast', async () => {
    await initBackend();
    const scale = { normalizeScores: { from: [0, 5] } } as const;
    const { pairs: train } = await readPairsFile(resolve(dataDir, 'stsb/train.tsv.gz'), scale);
    const { pairs: all } = await readPairsFile(resolve(dataDir, 'stsb/dev.tsv.gz'), scale);
    const dev = all.slice(0, 200);
    const model = createModel({
      preset: 'meanpool',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      embeddingDim: 32,
      hidden: 32,
      seed: 1,
    });
    const result = await fit(model, train.slice(0, 256), {
      loss: lossFromConfig({ type: 'cosent' }),
      dev,
      seed: 1,
    });
    const metrics: CorrelationMetrics = await evaluate(model, dev);
    expect(metrics.n).toBe(200);
    expect(result.history[0]?.metric).toBe(metrics.spearman);
    const sims = await similarities(
      model,
      dev.map((p) => p.text1),
      dev.map((p) => p.text2),
    );
    expect(metrics.spearman).toBeCloseTo(
      spearman(
        sims,
        dev.map((p) => p.score),
      ),
      12,
    );
    model.dispose();
  });

  it('labelled records as read (score and label optional) are accepted; the metrics follow the first row', async () => {
    await initBackend();
    const { pairs: train } = await readPairsFile(resolve(dataDir, 'mrpc/train.tsv.gz'));
    const { pairs: all } = await readPairsFile(resolve(dataDir, 'mrpc/dev.tsv.gz'));
    const dev = all.slice(0, 100);
    const model = createModel({
      preset: 'meanpool',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      embeddingDim: 16,
      hidden: 16,
      seed: 1,
    });
    const result = await fit(model, train.slice(0, 128), {
      loss: lossFromConfig({ type: 'contrastive' }),
      dev,
      seed: 1,
    });
    const metrics = await evaluate(model, dev); // EvaluationMetrics: a union, narrowed by a field
    if (!('f1' in metrics)) throw new Error(`expected binary metrics, found ${JSON.stringify(metrics)}`);
    const binary: BinaryMetrics = metrics;
    expect(binary.n).toBe(100);
    expect(result.history[0]?.metric).toBe(binary.ap);
    model.dispose();
  });
});
