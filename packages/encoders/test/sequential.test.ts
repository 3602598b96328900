import { initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cnn,
  dense,
  embedding,
  encoderFromConfig,
  hashedNgramEmbedding,
  lstm,
  normalize,
  PRESETS,
  pooling,
  presetEncoder,
  registeredEncoders,
  sequential,
} from '../src/index.js';
import { batch, disposeBatch, run } from './helpers.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  expect(tf.getBackend()).toBe('cpu');
});

function shapeError(fn: () => unknown): SiameseError {
  try {
    fn();
  } catch (e) {
    expect(SiameseError.is(e, 'E_ENCODER_SHAPE')).toBe(true);
    return e as SiameseError;
  }
  throw new Error('expected an E_ENCODER_SHAPE error');
}

describe('build-time shape checks', () => {
  it('names the step index and type that does not fit', () => {
    const first = shapeError(() => sequential(lstm({ hidden: 4 })));
    expect(first.details).toEqual({
      step: 0,
      type: 'lstm',
      expected: 'input a sequence [B,T,D]',
      found: 'token ids [B,T]',
    });
    const afterPool = shapeError(() =>
      sequential(embedding({ vocabSize: 5, dim: 3 }), pooling(), lstm({ hidden: 4 })),
    );
    expect(afterPool.message).toBe(
      'encoder step 2 (lstm): expected input a sequence [B,T,D], found a vector [B,3]',
    );
    const ngram = shapeError(() =>
      sequential(
        embedding({ vocabSize: 5, dim: 3 }),
        hashedNgramEmbedding({ buckets: 9, dim: 4 }),
        pooling(),
      ),
    );
    expect(ngram.details?.step).toBe(1);
    expect(ngram.details?.type).toBe('hashedNgramEmbedding');
  });

  it('requires the last step to output vectors', () => {
    const e = shapeError(() =>
      sequential(embedding({ vocabSize: 5, dim: 3 }), lstm({ hidden: 2, output: 'sequence' })),
    );
    expect(e.details?.step).toBe(1);
    expect(e.details?.found).toBe('a sequence [B,T,2]');
  });

  it('prefixes clashing weight names with the step index', () => {
    const enc = sequential(
      embedding({ vocabSize: 5, dim: 3 }),
      pooling(),
      dense({ units: 4 }),
      dense({ units: 2, bias: false }),
      normalize(),
    );
    expect([...enc.weights().keys()]).toEqual([
      'embedding.weight',
      'dense.weight',
      'dense.bias',
      '3.dense.weight',
    ]);
    expect(enc.outputDim).toBe(2);
    enc.dispose();
  });
});

describe('configs', () => {
  it('getConfig is JSON and encoderFromConfig rebuilds the same seeded weights', () => {
    const enc = sequential(
      [
        embedding({ vocabSize: 9, dim: 4 }),
        lstm({ hidden: 3, bidirectional: true, layers: 2, dropout: 0.1, output: 'sequence' }),
        cnn({ filters: 2, kernelSizes: [1, 3], activation: 'linear', output: 'sequence', name: 'st' }),
        cnn({ filters: 2, kernelSizes: [2, 3], activation: 'tanh' }),
        dense({ units: 3, activation: 'tanh' }),
        normalize(),
      ],
      { seed: 42 },
    );
    const config = JSON.parse(JSON.stringify(enc.getConfig()));
    expect(config).toEqual({
      type: 'sequential',
      seed: 42,
      steps: [
        { type: 'embedding', vocabSize: 9, dim: 4, init: 'normal', trainable: true },
        {
          type: 'lstm',
          hidden: 3,
          layers: 2,
          bidirectional: true,
          output: 'sequence',
          dropout: 0.1,
          packed: true,
        },
        {
          type: 'cnn',
          filters: 2,
          kernelSizes: [1, 3],
          activation: 'linear',
          output: 'sequence',
          name: 'st',
        },
        { type: 'cnn', filters: 2, kernelSizes: [2, 3], activation: 'tanh' },
        { type: 'dense', units: 3, activation: 'tanh', bias: true },
        { type: 'normalize' },
      ],
    });
    const again = encoderFromConfig(config);
    expect([...again.weights().keys()]).toEqual([...enc.weights().keys()]);
    const input = batch([[1, 2, 3], [4, 5], [8]]);
    expect(run(again, input)).toEqual(run(enc, input));
    expect(again.outputDim).toBe(3);
    disposeBatch(input);
    enc.dispose();
    again.dispose();
  });

  it('presets are sequential encoders of built-in steps, not encoder types', () => {
    expect(registeredEncoders()).toEqual(['sequential']);
    expect(Object.keys(PRESETS)).toEqual(['lstm', 'bilstm', 'cnn', 'meanpool']);
    const pretrained = Float32Array.from({ length: 12 * 4 }, (_, i) => i / 10);
    const made = [
      PRESETS.lstm.build({ vocabSize: 12, embeddingDim: 4, hidden: 3, pretrained }),
      PRESETS.bilstm.build({ vocabSize: 12, embeddingDim: 4, hidden: 3, normalize: true }),
      PRESETS.cnn.build({ vocabSize: 12, embeddingDim: 4, hidden: 2 }),
      PRESETS.meanpool.build({
        vocabSize: 12,
        embeddingDim: 4,
        hidden: 5,
        ngramBuckets: 7,
        trainableEmbedding: false,
      }),
    ];
    expect(made.map((e) => [e.type, e.outputDim])).toEqual([
      ['sequential', 3],
      ['sequential', 6],
      ['sequential', 6],
      ['sequential', 5],
    ]);
    // One recipe per name: the BiLSTM max-pools over time, the mean-pool projects through a tanh dense layer.
    const steps = (e: (typeof made)[number]) => e.getConfig().steps as { type: string; output?: string }[];
    expect(steps(made[1]!).map((s) => s.output ?? s.type)).toEqual(['embedding', 'max', 'normalize']);
    expect(steps(made[3]!).map((s) => s.type)).toEqual([
      'embedding',
      'hashedNgramEmbedding',
      'pooling',
      'dense',
    ]);
    expect(made[0]!.weights().get('embedding.weight')!.dataSync()).toEqual(pretrained);
    expect(made[3]!.trainableVariables().length).toBe(3); // n-grams + dense weight and bias (embedding frozen)
    const rebuilt = encoderFromConfig(made[1]!.getConfig());
    const input = batch([[1, 2], [3]]);
    expect(run(rebuilt, input)).toEqual(run(made[1]!, input));
    expect(() => presetEncoder('transformer' as 'lstm', { vocabSize: 3, embeddingDim: 2 })).toThrow(
      'preset: expected one of lstm, bilstm, cnn, meanpool, found "transformer"',
    );
    disposeBatch(input);
    for (const e of [...made, rebuilt]) e.dispose();
  });

  it('reports unknown types with E_UNKNOWN_TYPE and bad options with E_ENCODER_CONFIG', () => {
    expect(() => encoderFromConfig({ type: 'transformer' })).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_TYPE' }),
    );
    expect(() => encoderFromConfig({ type: 'bilstm', vocabSize: 3, embeddingDim: 2 })).toThrow(
      'encoderFromConfig: encoder type "bilstm" is not registered (registered: sequential). Call registerEncoder("bilstm", factory) in this process before building or loading anything that uses it.',
    );
    expect(() =>
      encoderFromConfig({
        type: 'sequential',
        seed: 0,
        steps: [{ type: 'embedding', vocabSize: 0, dim: 3 }],
      }),
    ).toThrow('embedding.vocabSize: expected an integer >= 1, found number 0');
    expect(() => lstm({ hidden: 3, output: 'final' as 'last' })).toThrow(
      "lstm.output: expected one of 'last', 'mean', 'max', 'sequence', found string \"final\"",
    );
    expect(() =>
      encoderFromConfig({
        type: 'sequential',
        seed: 0,
        steps: [
          { type: 'embedding', vocabSize: 3, dim: 2 },
          { type: 'cnn', filters: 2, output: 'mean' },
        ],
      }),
    ).toThrow("cnn.output: expected one of 'max', 'sequence', found string \"mean\"");
  });
});

describe('encode input checks', () => {
  it('rejects float ids, a mismatched mask and wrong lengths with E_ENCODER_INPUT', () => {
    const enc = PRESETS.meanpool.build({ vocabSize: 5, embeddingDim: 2, hidden: 2 });
    const good = batch([[1, 2]]);
    const floatIds = { ...good, ids: tf.tensor2d([[1, 2]]) };
    const badMask = { ...good, mask: tf.ones([1, 3]) as tf.Tensor2D };
    const badLengths = { ...good, lengths: new Int32Array(2) };
    for (const input of [floatIds, badMask, badLengths]) {
      expect(() => enc.encode(input)).toThrow(expect.objectContaining({ code: 'E_ENCODER_INPUT' }));
    }
    tf.dispose([floatIds.ids, badMask.mask]);
    disposeBatch(good);
    enc.dispose();
  });
});

describe('encoderFromConfig({ maxParameters }): a config cannot allocate more than it may (issue 19)', () => {
  const config = (vocabSize: number) => {
    const built = sequential(
      [embedding({ vocabSize: 10, dim: 4 }), pooling({ mode: 'mean' }), dense({ units: 3 })],
      {
        seed: 1,
      },
    );
    built.dispose();
    const steps = built.getConfig().steps as { type: string }[];
    return steps.map((s) => (s.type === 'embedding' ? { ...s, vocabSize } : s));
  };
  it('builds within the budget; past it, throws E_ENCODER_BUDGET before allocating (even for 1e9 rows)', () => {
    const exact = 10 * 4 + 3 * 4 + 3;
    const ok = encoderFromConfig(
      { type: 'sequential', seed: 1, steps: config(10) },
      { maxParameters: exact },
    );
    ok.dispose();
    const before = tf.memory().numBytes;
    for (const vocabSize of [11, 1e9]) {
      let err: unknown;
      try {
        encoderFromConfig(
          { type: 'sequential', seed: 1, steps: config(vocabSize) },
          { maxParameters: exact },
        );
      } catch (e) {
        err = e;
      }
      expect(SiameseError.is(err, 'E_ENCODER_BUDGET'), String(err)).toBe(true);
      // 11 rows fit, the dense after them does not; 1e9 rows are refused at the table
      expect((err as Error).message).toContain(vocabSize === 11 ? '[3,4]' : `[${vocabSize},4]`);
      expect((err as Error).message).toContain(`budget of ${exact} values (maxParameters)`);
    }
    expect(tf.memory().numBytes).toBe(before);
    expect(() => encoderFromConfig({ type: 'sequential', steps: config(10) }, { maxParameters: -1 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
  });
});
