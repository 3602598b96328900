// Every way a loss config or a batch can be wrong: the code, the exact message and the structured details, so
// a tool can act on them without parsing text.
import { initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ContrastiveLoss,
  CoSENTLoss,
  isSimilarity,
  lossFromConfig,
  MultipleNegativesRankingLoss,
  OptionReader,
  registerLoss,
  SIMILARITIES,
} from '../src/index.js';

function thrown(fn: () => unknown): SiameseError {
  try {
    fn();
  } catch (e) {
    return e as SiameseError;
  }
  throw new Error('expected a throw');
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('loss options', () => {
  it('must be an object (or left out)', () => {
    expect(new ContrastiveLoss(undefined).getConfig()).toMatchObject({ margin: 0.5 });
    for (const [bad, found] of [
      [null, 'null'],
      [[1], 'array(1)'],
      [3, 'number 3'],
      ['x', 'string "x"'],
    ] as const) {
      const e = thrown(() => new ContrastiveLoss(bad as never));
      expect(e).toBeInstanceOf(SiameseError);
      expect(e.code).toBe('E_LOSS_CONFIG');
      expect(e.message).toBe(`contrastive: options must be an object, found ${found}`);
    }
  });

  it('numbers: finite (and positive where asked), with what was expected and found in the details', () => {
    for (const bad of ['1', Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = thrown(() => new ContrastiveLoss({ margin: bad as never }));
      expect(e.message).toMatch(/^contrastive: option margin must be a finite number, found /);
      expect(e.details).toEqual({
        loss: 'contrastive',
        option: 'margin',
        expected: 'a finite number',
        found: bad,
      });
    }
    // `margin` may be negative or zero; `scale` must be positive.
    expect(new ContrastiveLoss({ margin: -1 }).getConfig()).toMatchObject({ margin: -1 });
    expect(new ContrastiveLoss({ margin: 0 }).getConfig()).toMatchObject({ margin: 0 });
    for (const scale of [0, -1]) {
      expect(thrown(() => new CoSENTLoss({ scale })).message).toBe(
        `coSENT: option scale must be a positive finite number, found number ${scale}`,
      );
    }
    expect(new CoSENTLoss({ scale: 1e-3 }).getConfig()).toMatchObject({ scale: 1e-3 });
    expect(thrown(() => new MultipleNegativesRankingLoss({ scale: 0 })).details).toMatchObject({
      expected: 'a positive finite number',
    });
  });

  it('booleans and choices name the option and the allowed values', () => {
    expect(thrown(() => new MultipleNegativesRankingLoss({ symmetric: 1 as never })).message).toBe(
      'multipleNegativesRanking: option symmetric must be a boolean, found number 1',
    );
    expect(thrown(() => new ContrastiveLoss({ reduction: 'median' as never })).message).toBe(
      "contrastive: option reduction must be one of 'mean', 'sum', 'meanNonZero', found string \"median\"",
    );
    expect(thrown(() => new ContrastiveLoss({ reduction: 3 as never })).code).toBe('E_LOSS_CONFIG');
    // Every listed choice is accepted.
    for (const reduction of ['mean', 'sum', 'meanNonZero'] as const)
      expect(new ContrastiveLoss({ reduction }).getConfig()).toMatchObject({ reduction });
    for (const reduction of ['mean', 'sum'] as const) {
      expect(lossFromConfig({ type: 'batchSemiHardTriplet', reduction }).getConfig()).toMatchObject({
        reduction,
      });
      expect(new MultipleNegativesRankingLoss({ reduction }).getConfig()).toMatchObject({ reduction });
    }
    for (const reduction of ['mean', 'sum', 'meanNonZero'] as const)
      expect(lossFromConfig({ type: 'batchHardTriplet', reduction }).getConfig()).toMatchObject({
        reduction,
      });
  });

  it('unknown keys are refused, one or several, with the known ones listed; undefined values are ignored', () => {
    const one = thrown(() => lossFromConfig({ type: 'contrastive', margn: 1 }));
    expect(one.message).toBe('contrastive: unknown option margn (known: distance, margin, reduction)');
    expect(one.details).toEqual({ loss: 'contrastive', unknown: ['margn'] });
    const two = thrown(() => lossFromConfig({ type: 'coSENT', scael: 1, simlarity: 'x' }));
    expect(two.message).toBe('coSENT: unknown options scael, simlarity (known: scale, similarity)');
    expect(lossFromConfig({ type: 'contrastive', margin: undefined }).getConfig()).toMatchObject({
      margin: 0.5,
    });
    // A reader that read no option lists none (a custom loss without options).
    expect(thrown(() => new OptionReader('custom', { x: 1 }).done()).message).toBe(
      'custom: unknown option x (known: none)',
    );
    expect(() => new OptionReader('custom', { type: 'custom' }).done()).not.toThrow();
    // An unknown key whose value is undefined is as good as absent (a spread of optional fields).
    expect(() => new OptionReader('custom', { x: undefined }).done()).not.toThrow();
    expect(() => lossFromConfig({ type: 'contrastive', margn: undefined })).not.toThrow();
  });
});

describe('the registry', () => {
  it('registerLoss: a non-empty type and a factory function', () => {
    for (const type of ['', '  ', 3]) {
      const e = thrown(() => registerLoss(type as never, () => new ContrastiveLoss()));
      expect(e.code).toBe('E_INVALID_ARGUMENT');
      expect(e.message).toMatch(/registerLoss type/);
      expect(e.message).toMatch(/a non-empty string/);
    }
    const e = thrown(() => registerLoss('x', 'not a function' as never));
    expect(e.code).toBe('E_INVALID_ARGUMENT');
    expect(e.message).toMatch(/registerLoss\('x'\) factory/);
    expect(e.message).toMatch(/string "not a function"/);
  });

  it('lossFromConfig: a config object with a type; an unknown type lists the registered ones', () => {
    for (const [bad, found] of [
      [null, 'null'],
      ['contrastive', 'string "contrastive"'],
      [{ margin: 1 }, 'an object whose type is undefined'],
      [{ type: 7 }, 'an object whose type is number 7'],
    ] as const) {
      const e = thrown(() => lossFromConfig(bad as never));
      expect(e.code).toBe('E_LOSS_CONFIG');
      expect(e.message).toMatch(/lossFromConfig/);
      expect(e.message).toContain('a loss config { type: string, ...options }');
      expect(e.message).toContain(found);
    }
    const e = thrown(() => lossFromConfig({ type: 'tripplet' }));
    expect(e.code).toBe('E_UNKNOWN_TYPE');
    expect(e.message).toMatch(
      /^lossFromConfig: loss type "tripplet" is not registered \(registered: cosineSimilarity, /,
    );
    expect(e.message).toContain('registerLoss("tripplet", factory)');
    expect(e.details).toMatchObject({
      kind: 'loss',
      type: 'tripplet',
      registered: expect.arrayContaining(['triplet', 'coSENT']),
      register: 'registerLoss',
    });
  });
});

describe('batch errors', () => {
  const loss = () => lossFromConfig({ type: 'cosineSimilarity' });
  it('a batch that is not an object', () => {
    for (const [bad, found] of [
      [null, 'null'],
      [undefined, 'undefined'],
      [3, 'number'],
    ] as const) {
      const e = thrown(() => loss().compute(bad as never));
      expect(e).toBeInstanceOf(SiameseError);
      expect(e.code).toBe('E_LOSS_BATCH');
      expect(e.message).toBe(`cosineSimilarity: expected a batch object, found ${found}`);
    }
  });

  it('missing fields are named, and so are the given ones (a null or undefined field counts as missing)', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const e = thrown(() => loss().compute({ a, b: null as never, labels: undefined }));
    expect(e.code).toBe('E_LOSS_BATCH');
    expect(e.message).toBe(
      "cosineSimilarity: a 'scored-pairs' batch needs a, b, scores; missing b, scores (given: a)",
    );
    expect(e.details).toEqual({
      loss: 'cosineSimilarity',
      kind: 'scored-pairs',
      missing: ['b', 'scores'],
      given: ['a'],
    });
    expect(thrown(() => loss().compute({} as never)).message).toBe(
      "cosineSimilarity: a 'scored-pairs' batch needs a, b, scores; missing a, b, scores (given: nothing)",
    );
    tf.dispose(a);
  });

  it('shape problems carry the field, the expected and the found shape', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const rank = thrown(() => loss().compute({ a, b: tf.zeros([3, 4, 1]) as never, scores: tf.zeros([3]) }));
    expect(rank.message).toBe('cosineSimilarity: b must be [B, D], found shape [3, 4, 1]');
    expect(rank.details).toEqual({
      loss: 'cosineSimilarity',
      field: 'b',
      expected: '[B, D]',
      found: [3, 4, 1],
    });
    const empty = thrown(() =>
      loss().compute({
        a: tf.zeros([0, 4]) as tf.Tensor2D,
        b: tf.zeros([0, 4]) as tf.Tensor2D,
        scores: tf.zeros([0]),
      }),
    );
    expect(empty.details).toEqual({ loss: 'cosineSimilarity' });
    // Per-row vectors: rank 1 with one value per row ([3, 1] has the rows but not the rank).
    for (const [scores, shape] of [
      [tf.zeros([3, 1]), '3, 1'],
      [tf.zeros([2]), '2'],
    ] as const) {
      const e = thrown(() => loss().compute({ a, b: a, scores: scores as tf.Tensor1D }));
      expect(e.message).toBe(`cosineSimilarity: scores must be [3] (one per row), found shape [${shape}]`);
      tf.dispose(scores);
    }
    tf.dispose(a);
  });
});

describe('similarities', () => {
  it('isSimilarity accepts exactly the four names', () => {
    for (const d of SIMILARITIES) expect(isSimilarity(d)).toBe(true);
    expect(SIMILARITIES).toEqual(['cosine', 'dot', 'euclidean', 'manhattan']);
    for (const bad of ['Cosine', 'hamming', '', 3, null, undefined, ['cosine']])
      expect(isSimilarity(bad)).toBe(false);
  });
});
