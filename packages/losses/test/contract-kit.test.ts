// The contract test kit (`@siamese/losses/testing`): every built-in passes it, and it catches the mistakes it
// is there to catch.
import { initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkBatch,
  type Loss,
  type LossBatch,
  type LossConfig,
  lossFromConfig,
  registeredLosses,
  registerLoss,
} from '../src/index.js';
import { runLossContract } from '../src/testing.js';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

describe('the built-in losses pass the contract', () => {
  // Matryoshka wraps another loss, so it has no default config: new-losses.test.ts runs the kit on it.
  const types = registeredLosses().filter((t) => !['cosine', 'mnrl', 'anglE', 'matryoshka'].includes(t));
  it.each(types)('%s', (type) => {
    const before = tf.memory().numTensors;
    const report = runLossContract({ newLoss: () => lossFromConfig({ type }) });
    expect(report.checks).toEqual(
      expect.arrayContaining(['finite gradients', 'getConfig round trip: same value']),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with non-default options', () => {
    runLossContract({
      newLoss: () => lossFromConfig({ type: 'mnrl', similarity: 'euclidean', symmetric: true }),
    });
    runLossContract({ newLoss: () => lossFromConfig({ type: 'triplet', distance: 'manhattan', margin: 1 }) });
  });
});

/** A squared-distance loss on labelled pairs with switchable mistakes. */
class FaultyLoss implements Loss {
  readonly type = 'faultyLoss';
  readonly batchKind = 'labelled-pairs' as const;
  constructor(readonly fault: 'none' | 'disposes' | 'no-check' | 'constant' | 'forgets-option' = 'none') {}
  compute(batch: LossBatch): tf.Scalar {
    const { a, b, labels } =
      this.fault === 'no-check'
        ? (batch as Required<LossBatch>)
        : checkBatch(this.type, this.batchKind, batch);
    if (this.fault === 'no-check' && !labels) throw new TypeError('labels is undefined');
    const value = tf.tidy(() =>
      this.fault === 'constant' ? tf.scalar(1) : tf.mean(tf.mul(labels, tf.sum(tf.square(tf.sub(a, b)), 1))),
    );
    if (this.fault === 'disposes') a.dispose();
    return value as tf.Scalar;
  }
  getConfig(): LossConfig {
    return this.fault === 'forgets-option' ? { type: this.type } : { type: this.type, fault: this.fault };
  }
}
registerLoss('faultyLoss', (c) => new FaultyLoss((c.fault as FaultyLoss['fault']) ?? 'none'));

describe('the kit catches broken losses, naming the check', () => {
  it('a correct one passes', () => {
    expect(runLossContract({ newLoss: () => new FaultyLoss() }).subject).toBe('loss faultyLoss');
  });

  it.each([
    ['disposes', 'inputs left alone'],
    ['constant', 'non-zero gradients'],
    ['no-check', 'E_LOSS_BATCH without a'],
    ['forgets-option', 'getConfig round trip: same config'],
  ] as const)('%s → %s', (fault, check) => {
    let error: unknown;
    try {
      runLossContract({ newLoss: () => new FaultyLoss(fault) });
    } catch (e) {
      error = e;
    }
    expect(SiameseError.is(error, 'E_CONTRACT')).toBe(true);
    expect((error as SiameseError).details?.check).toBe(check);
  });
});
