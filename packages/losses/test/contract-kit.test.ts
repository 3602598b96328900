// The contract test kit (`@siamese/losses/testing`): every built-in passes it, and it catches the mistakes it
// is there to catch.
import { initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchKind,
  checkBatch,
  type Loss,
  type LossBatch,
  type LossConfig,
  lossFromConfig,
  registeredLosses,
  registerLoss,
  type Similarity,
} from '../src/index.js';
import { runLossContract } from '../src/testing.js';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

describe('the built-in losses pass the contract', () => {
  // Matryoshka wraps another loss, so it has no default config: new-losses.test.ts runs the kit on it.
  const types = registeredLosses().filter(
    (t) => !['cosine', 'mnrl', 'cachedMnrl', 'anglE', 'matryoshka'].includes(t),
  );
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

/** A loss that breaks the contract in one chosen way, and is correct otherwise. */
class OddLoss implements Loss {
  static built = 0;
  /** The labels of every batch a correct (`'none'`) instance computed. */
  static labelsSeen: number[][] = [];
  private readonly serial = OddLoss.built++;
  type = 'oddLoss';
  batchKind = 'labelled-pairs' as BatchKind;
  similarity?: Similarity;
  private readonly kept: tf.Tensor[] = [];
  constructor(
    readonly fault:
      | 'none'
      | 'wrong-type'
      | 'unregistered'
      | 'bad-kind'
      | 'bad-similarity'
      | 'vector'
      | 'nan'
      | 'leaks'
      | 'zero-gradient'
      | 'nan-gradient'
      | 'drifts',
  ) {
    if (fault === 'unregistered') this.type = 'notRegisteredLoss';
    if (fault === 'bad-kind') this.batchKind = 'pairs' as never;
    if (fault === 'bad-similarity') this.similarity = 'hamming' as never;
  }
  compute(batch: LossBatch): tf.Scalar {
    const { a, b, labels } = checkBatch(this.type, 'labelled-pairs', batch);
    if (this.fault === 'none') OddLoss.labelsSeen.push(Array.from(labels.dataSync()));
    // 'drifts': every other instance doubles its value, so a rebuilt loss never agrees with the original.
    const scale = this.fault === 'drifts' ? 1 + (this.serial % 2) : 1;
    if (this.fault === 'leaks') this.kept.push(tf.scalar(0));
    return tf.tidy(() => {
      const d2 = tf.sum(tf.square(tf.sub(a, b)), 1);
      if (this.fault === 'vector') return d2;
      if (this.fault === 'nan') return tf.add(tf.mean(d2), Number.NaN);
      if (this.fault === 'zero-gradient') return tf.mul(tf.mean(d2), 0);
      if (this.fault === 'nan-gradient') return tf.mean(tf.sqrt(tf.mul(d2, 0)));
      return tf.mul(tf.mean(tf.mul(labels, d2)), scale);
    }) as tf.Scalar;
  }
  getConfig(): LossConfig {
    return { type: this.fault === 'wrong-type' ? 'otherLoss' : this.type, fault: this.fault };
  }
}
registerLoss('oddLoss', (c) => new OddLoss(c.fault as OddLoss['fault']));

describe('the kit: every check, its order, and what a failure says', () => {
  it('a passing run lists every check, in order', () => {
    expect(runLossContract({ newLoss: () => new OddLoss('none') })).toEqual({
      subject: 'loss oddLoss',
      checks: [
        'type',
        'registered',
        'batch kind',
        'similarity',
        'a scalar',
        'finite value',
        'inputs left alone',
        'no leaks (compute)',
        'finite gradients',
        'non-zero gradients',
        'no leaks (gradients)',
        'getConfig round trip: same config',
        'getConfig round trip: same value',
        'E_LOSS_BATCH without a',
      ],
    });
  });

  const failure = (newLoss: () => Loss, tolerance?: number) => {
    try {
      runLossContract({ newLoss, ...(tolerance === undefined ? {} : { tolerance }) });
    } catch (e) {
      expect(SiameseError.is(e, 'E_CONTRACT')).toBe(true);
      return { message: (e as SiameseError).message, details: (e as SiameseError).details };
    }
    throw new Error('expected the contract to fail');
  };

  it.each([
    ['wrong-type', 'type', 'type equal to getConfig().type', 'oddLoss / otherLoss'],
    [
      'bad-kind',
      'batch kind',
      'one of scored-pairs, labelled-pairs, class-pairs, triplets, labelled-embeddings, anchor-positive, teacher-vectors, teacher-margins',
      '"pairs"',
    ],
    ['bad-similarity', 'similarity', 'absent or a Similarity', '"hamming"'],
    ['vector', 'a scalar', 'a scalar (rank 0)', 'rank 1'],
    ['nan', 'finite value', 'a finite value', 'NaN'],
    ['zero-gradient', 'non-zero gradients', 'a non-zero gradient', 'zeros everywhere'],
    ['nan-gradient', 'finite gradients', 'finite gradients for a, b', 'NaN or Infinity'],
  ] as const)('%s → %s, with what was expected and found', (fault, check, expected, found) => {
    const tensors = tf.memory().numTensors;
    const { message, details } = failure(() => new OddLoss(fault));
    expect(details).toEqual({ subject: 'loss oddLoss', check, expected, found });
    expect(message).toBe(`loss oddLoss: ${check}: expected ${expected}, found ${found}`);
    // The kit disposes the batch it made, even when a check fails.
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('an unregistered type, a leak, and a value that changes after a getConfig round trip', () => {
    const unregistered = failure(() => new OddLoss('unregistered'));
    expect(unregistered.details?.check).toBe('registered');
    expect(unregistered.details?.found).toBe('"notRegisteredLoss"');
    expect(unregistered.details?.expected).toMatch(
      /^a type registered with registerLoss \(cosineSimilarity, .*oddLoss/,
    );
    const leak = failure(() => new OddLoss('leaks'));
    expect(leak.details?.check).toBe('no leaks (compute)');
    expect(leak.details?.found).toBe(String(Number(String(leak.details?.expected).split(' ')[0]) + 1));
    expect(leak.details?.expected).toMatch(/^\d+ live tensors after disposing the value$/);
    // The rebuilt loss gives twice or half the value: a relative error of 50% or 100%.
    const drift = failure(() => new OddLoss('drifts'), 0.4);
    expect(drift.details?.check).toBe('getConfig round trip: same value');
    expect(drift.details?.expected).toMatch(/ \(tolerance 0\.4\)$/);
    const ratio = Number(drift.details?.found) / Number(String(drift.details?.expected).split(' ')[0]);
    expect([0.5, 2]).toContain(Math.round(ratio * 1e5) / 1e5);
  });

  it('the type check: a string, equal to getConfig().type (also when getConfig returns nothing)', () => {
    const typed = (type: unknown, config: unknown): Loss => {
      const inner = new OddLoss('none');
      return {
        type,
        batchKind: 'labelled-pairs',
        compute: (b: LossBatch) => inner.compute(b),
        getConfig: () => config,
      } as unknown as Loss;
    };
    for (const [t, config, found] of [
      [3, { type: 3 }, '3 / 3'],
      ['oddLoss', undefined, 'oddLoss / undefined'],
      ['oddLoss', { type: 'OddLoss' }, 'oddLoss / OddLoss'],
    ] as const) {
      const { details } = failure(() => typed(t, config));
      expect(details).toMatchObject({ check: 'type', found });
    }
  });

  it('a loss that disposes its inputs is named, with what was found', () => {
    expect(failure(() => new FaultyLoss('disposes')).details).toEqual({
      subject: 'loss faultyLoss',
      check: 'inputs left alone',
      expected: 'the batch tensors still alive',
      found: 'a disposed batch tensor',
    });
  });

  it('the default labelled-pairs batch holds both labels, 0 and 1', () => {
    OddLoss.labelsSeen = [];
    runLossContract({ newLoss: () => new OddLoss('none') });
    expect(OddLoss.labelsSeen[0]).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('a tolerance wide enough accepts a small drift; the default (1e-6) does not', () => {
    expect(runLossContract({ newLoss: () => new OddLoss('drifts'), tolerance: 1 }).checks).toContain(
      'getConfig round trip: same value',
    );
    expect(failure(() => new OddLoss('drifts')).details?.expected).toMatch(/ \(tolerance 0\.000001\)$/);
  });

  it('a batch of your own is used (and disposed)', () => {
    let kinds: BatchKind[] = [];
    const report = runLossContract({
      newLoss: () => new OddLoss('none'),
      batch: (kind) => {
        kinds.push(kind);
        return {
          a: tf.tensor2d([
            [1, 0],
            [0, 1],
          ]),
          b: tf.tensor2d([
            [0, 0],
            [0, 0],
          ]),
          labels: tf.tensor1d([1, 0]),
        };
      },
    });
    expect(kinds).toEqual(['labelled-pairs']);
    expect(report.checks).toHaveLength(14);
    kinds = [];
  });
});
