import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensorLeakCheck } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import { dense, dropout, embedding, pooling, sequential } from '@siamese/encoders';
import { lossFromConfig } from '@siamese/losses';
import { Tokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EpochEvent,
  type FitOptions,
  fit,
  folderCheckpoints,
  initBackend,
  SiameseModel,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

// 320 pairs in batches of 32: 10 Adam steps per epoch, so epoch 5 ends at step 50.
const train = tsvPairs('stsb/train.tsv', 320);
const texts = train.flatMap((p) => [p.text1, p.text2]);
const dir = mkdtempSync(join(tmpdir(), 'siamese-resume-'));

/** A mean-pool encoder with dropout, so the resumed run must also draw the same dropout masks. */
function makeModel(): SiameseModel {
  const tokenizer = Tokenizer.build(texts);
  const encoder = sequential(
    [
      embedding({ vocabSize: tokenizer.vocab.size, dim: 16, paddingIdx: 0 }),
      dropout({ rate: 0.1 }),
      pooling({ mode: 'mean' }),
      dense({ units: 16, activation: 'tanh' }),
    ],
    { seed: 11 },
  );
  return new SiameseModel({ tokenizer, encoder });
}

const weightsOf = (m: SiameseModel) =>
  Object.fromEntries([...m.encoder.weights()].map(([name, v]) => [name, Array.from(v.dataSync())]));
/** Epoch events without the wall-clock fields. */
const timeless = (h: EpochEvent[]) => h.map(({ seconds: _s, pairsPerSec: _p, ...rest }) => rest);

beforeAll(async () => {
  await initBackend();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resume is exact', () => {
  const options: FitOptions = {
    loss: lossFromConfig({ type: 'cosine' }),
    epochs: 10,
    batchSize: 32,
    lr: 1e-2,
    seed: 3,
    schedule: { type: 'warmupCosine', warmupSteps: 10 },
  };

  it('a run killed in epoch 6 and resumed from its step-50 checkpoint ends bit-identical to an uninterrupted run (WASM)', async () => {
    const full = makeModel();
    const uninterrupted = await fit(full, train, options);
    expect(tf.getBackend()).toBe('wasm');
    expect(uninterrupted.history).toHaveLength(10);

    const ck = join(dir, 'exact');
    const killed = makeModel();
    const ctrl = new AbortController();
    const steps: number[] = [];
    const err = await fit(killed, train, {
      ...options,
      checkpoints: folderCheckpoints(ck),
      signal: ctrl.signal,
      // Killed mid-epoch 6: the last checkpoint is epoch 5's, after step 50.
      onBatch: (e) => {
        steps.push(e.step);
        if (e.epoch === 6 && e.batch === 3) ctrl.abort();
      },
    }).catch((e) => e);
    expect(SiameseError.is(err, 'E_ABORTED')).toBe(true);
    expect(steps.at(-1)).toBe(53);
    killed.dispose();

    const resumed = makeModel();
    const info: string[] = [];
    const firstSteps: number[] = [];
    const r = await fit(resumed, train, {
      ...options,
      checkpoints: folderCheckpoints(ck),
      onInfo: (m) => info.push(m),
      onBatch: (e) => {
        if (firstSteps.length < 1) firstSteps.push(e.step);
      },
    });
    expect(r.resumedFrom).toBe(5);
    expect(firstSteps).toEqual([51]);
    expect(info).toContain('resumed after epoch 5');
    expect(weightsOf(resumed)).toEqual(weightsOf(full));
    expect(timeless(r.history)).toEqual(timeless(uninterrupted.history));
    full.dispose();
    resumed.dispose();
  });

  it('checkpointing and resuming leak no tensors; a checkpoint keeps one epoch of files', async () => {
    const ck = join(dir, 'leak');
    const model = makeModel();
    const small = train.slice(0, 64);
    await fit(model, small, { ...options, epochs: 1, checkpoints: folderCheckpoints(ck) });
    let epochs = 1;
    // Each call resumes from the previous checkpoint and trains one more epoch.
    await tensorLeakCheck(
      async () => {
        epochs++;
        await fit(model, small, { ...options, epochs, checkpoints: folderCheckpoints(ck) });
      },
      { iterations: 3, label: 'fit with checkpoints' },
    );
    expect(readdirSync(ck).sort()).toEqual([
      `model-epoch-${epochs}`,
      `optimizer-epoch-${epochs}.bin`,
      'trainer.json',
    ]);
    model.dispose();
  });
});
