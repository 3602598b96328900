import { initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cnn,
  dense,
  dropout,
  embedding,
  hashedNgramEmbedding,
  lstm,
  normalize,
  pooling,
  sequential,
} from '../src/index.js';
import { batch, disposeBatch, expectClose, gradsOf, run, setWeight } from './helpers.js';

// A 4×2 table with easy rows: row v = [v, 10v].
const TABLE = [
  [0, 0],
  [1, 10],
  [2, 20],
  [3, 30],
];

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  expect(tf.getBackend()).toBe('cpu');
});

describe('embedding', () => {
  it('pretrained rows are used as given; frozen tables are listed but not trainable', () => {
    const enc = sequential(
      embedding({ vocabSize: 4, dim: 2, init: Float32Array.from(TABLE.flat()), trainable: false }),
      pooling({ mode: 'first' }),
    );
    const input = batch([[3, 1], [2]]);
    expect(run(enc, input)).toEqual([
      [3, 30],
      [2, 20],
    ]);
    expect([...enc.weights().keys()]).toEqual(['embedding.weight']);
    expect(enc.trainableVariables()).toEqual([]);
    expect(enc.getConfig().steps).toEqual([
      { type: 'embedding', vocabSize: 4, dim: 2, init: 'pretrained', trainable: false },
      { type: 'pooling', mode: 'first' },
    ]);
    enc.dispose();
    disposeBatch(input);
  });

  it('paddingIdx: the row starts at zero and never receives gradient', () => {
    const enc = sequential(
      embedding({ vocabSize: 4, dim: 2, init: 'uniform', paddingIdx: 0 }),
      lstm({ hidden: 3, packed: false }),
    );
    expect((enc.weights().get('embedding.weight')!.arraySync() as number[][])[0]).toEqual([0, 0]);
    const input = batch([[1, 2], [3]], 4); // pads are read (unpacked) but contribute nothing
    const g = gradsOf(enc, input)['embedding.weight']!;
    expect(g[0]).toEqual([0, 0]);
    expect(Math.abs(g[1]![0]!)).toBeGreaterThan(0);
    enc.dispose();
    disposeBatch(input);
  });

  it('rejects a pretrained matrix of the wrong size', () => {
    expect(() => embedding({ vocabSize: 4, dim: 2, init: new Float32Array(7) })).toThrow(
      expect.objectContaining({ code: 'E_ENCODER_CONFIG' }),
    );
  });
});

describe('hashedNgramEmbedding', () => {
  it('adds the mean of the non-pad n-gram vectors to the word vector', () => {
    const enc = sequential(
      embedding({ vocabSize: 4, dim: 2, init: Float32Array.from(TABLE.flat()) }),
      hashedNgramEmbedding({ buckets: 3, dim: 2 }),
      pooling({ mode: 'first' }),
    );
    setWeight(enc, 'ngram_embedding.weight', [
      [0, 0],
      [1, 1],
      [2, 4],
      [3, 9],
    ]);
    const input = batch([[1], [3]]);
    // token 1 has buckets (1, 3) → mean [2, 5]; token 3 has bucket 2 only (rest pads) → [2, 4]
    input.ngramIds = tf.tensor3d([[[1, 3, 0]], [[2, 0, 0]]], [2, 1, 3], 'int32');
    expect(run(enc, input)).toEqual([
      [1 + 2, 10 + 5],
      [3 + 2, 30 + 4],
    ]);
    const g = gradsOf(enc, input)['ngram_embedding.weight']!;
    expect(g[0]).toEqual([0, 0]); // the pad bucket never learns
    disposeBatch(input);
    const noNgrams = batch([[1]]);
    expect(() => enc.encode(noNgrams)).toThrow(expect.objectContaining({ code: 'E_ENCODER_INPUT' }));
    disposeBatch(noNgrams);
    enc.dispose();
  });

  it('represents an unseen word (id 0 row is zero) through its n-grams alone', () => {
    const enc = sequential(hashedNgramEmbedding({ buckets: 5, dim: 3 }), pooling());
    const input = batch([[0, 0]]);
    input.ngramIds = tf.tensor3d(
      [
        [
          [1, 2],
          [3, 0],
        ],
      ],
      [1, 2, 2],
      'int32',
    );
    const table = enc.weights().get('ngram_embedding.weight')!.arraySync() as number[][];
    const expected = [0, 1, 2].map((d) => ((table[1]![d]! + table[2]![d]!) / 2 + table[3]![d]!) / 2);
    expectClose(run(enc, input)[0], expected);
    disposeBatch(input);
    enc.dispose();
  });
});

describe('pooling, dense, normalize, dropout', () => {
  const table = Float32Array.from(TABLE.flat());
  it.each([
    ['mean', [2, 20, 3, 30, 0, 0]],
    ['max', [3, 30, 3, 30, 0, 0]],
    ['first', [1, 10, 3, 30, 0, 0]],
  ] as const)('pooling %s ignores pads (an empty sentence gives zeros)', (mode, expected) => {
    const enc = sequential(embedding({ vocabSize: 4, dim: 2, init: table }), pooling({ mode }));
    const input = batch([[1, 2, 3], [3], []]);
    expect(
      run(enc, input)
        .flat()
        .map((v) => v + 0),
    ).toEqual(expected); // + 0 turns -0 into 0
    enc.dispose();
    disposeBatch(input);
  });

  it('dense uses the nn.Linear layout [units, in] and applies the activation', () => {
    const enc = sequential(
      embedding({ vocabSize: 4, dim: 2, init: table }),
      pooling({ mode: 'first' }),
      dense({ units: 3, activation: 'relu' }),
    );
    setWeight(enc, 'dense.weight', [
      [1, 0],
      [0, 1],
      [-1, 0],
    ]);
    setWeight(enc, 'dense.bias', [0.5, 0, 0]);
    const input = batch([[2]]);
    expect(run(enc, input)).toEqual([[2.5, 20, 0]]);
    enc.dispose();
    disposeBatch(input);
  });

  it('normalize gives unit vectors and leaves a zero vector at zero with a finite gradient', () => {
    const enc = sequential(embedding({ vocabSize: 4, dim: 2, init: table }), pooling(), normalize());
    const input = batch([[1], [0]]);
    const out = run(enc, input);
    expectClose(out, [
      [1 / Math.sqrt(101), 10 / Math.sqrt(101)],
      [0, 0],
    ]);
    const g = gradsOf(
      enc,
      input,
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    )['embedding.weight']!;
    expect(g.flat().every(Number.isFinite)).toBe(true);
    enc.dispose();
    disposeBatch(input);
  });

  it('dropout is the identity at inference and a seeded inverted mask when training', () => {
    const enc = sequential(
      embedding({ vocabSize: 4, dim: 2, init: table }),
      pooling(),
      dropout({ rate: 0.5 }),
    );
    const input = batch([[1], [2], [3]]);
    expect(run(enc, input)).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    const a = run(enc, input, { training: true, rng: new Rng(5) });
    const b = run(enc, input, { training: true, rng: new Rng(5) });
    expect(a).toEqual(b);
    a.flat().forEach((v, i) => {
      expect([0, 2 * TABLE[1 + (i >> 1)]![i % 2]!]).toContain(v);
    });
    expect(a.flat().filter((v) => v === 0).length).toBeGreaterThan(0);
    enc.dispose();
    disposeBatch(input);
  });
});

describe('cnn', () => {
  it('several widths: PyTorch-layout weights per width, output F × widths, independent of padding', () => {
    const enc = sequential(embedding({ vocabSize: 10, dim: 4 }), cnn({ filters: 5, kernelSizes: [1, 2, 3] }));
    expect(enc.outputDim).toBe(15);
    expect([...enc.weights()].map(([n, v]) => `${n}:${v.shape}`)).toEqual([
      'embedding.weight:10,4',
      'conv1.weight:5,4,1',
      'conv1.bias:5',
      'conv2.weight:5,4,2',
      'conv2.bias:5',
      'conv3.weight:5,4,3',
      'conv3.bias:5',
    ]);
    const short = batch([[1, 2, 3], [4]]);
    const long = batch([[1, 2, 3], [4]], 9);
    expectClose(run(enc, short), run(enc, long), 1e-6);
    enc.dispose();
    disposeBatch(short);
    disposeBatch(long);
  });

  it("output 'sequence': each token's convolutions, zero at pads and for empty sentences; a pooling after it sees only real tokens, and gradients flow", () => {
    const make = (mode: 'mean' | 'max') =>
      sequential(
        [
          embedding({ vocabSize: 10, dim: 4 }),
          cnn({ filters: 3, kernelSizes: [1, 3, 5], activation: 'linear', output: 'sequence' }),
          pooling({ mode }),
        ],
        { seed: 3 },
      );
    for (const mode of ['mean', 'max'] as const) {
      const enc = make(mode);
      expect(enc.outputDim).toBe(9);
      // Padding never changes an output; a sentence alone gives what it gives in a batch; an empty one gives 0.
      const texts = [[1, 2, 3, 4], [5], [], [6, 7]];
      const short = batch(texts);
      const long = batch(texts, 11);
      const together = run(enc, short);
      expectClose(run(enc, long), together, 1e-6);
      texts.forEach((ids, i) => {
        if (ids.length === 0) return;
        const alone = batch([ids]);
        expectClose(run(enc, alone), [together[i]!], 1e-6);
        disposeBatch(alone);
      });
      expect(together[2]!.every((v) => v === 0)).toBe(true); // (max gives -0)
      const grads = gradsOf(enc, short);
      for (const name of ['conv1.weight', 'conv3.weight', 'conv5.bias', 'embedding.weight']) {
        expect(
          grads[name]!.flat(2).some((g) => g !== 0),
          name,
        ).toBe(true);
      }
      enc.dispose();
      disposeBatch(short);
      disposeBatch(long);
    }
    // The per-token sequence itself: [B, T, F·widths] with zero rows at pads, and all zeros without a token.
    const seqEnc = sequential(
      [
        embedding({ vocabSize: 10, dim: 4 }),
        cnn({ filters: 2, kernelSizes: [2], activation: 'relu', output: 'sequence' }),
        lstm({ hidden: 2, output: 'mean' }),
      ],
      { seed: 4 },
    );
    const empty = batch([[], []], 3);
    expect(run(seqEnc, empty)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    disposeBatch(empty);
    seqEnc.dispose();
  });
});

describe('lstm', () => {
  it('stacked bidirectional layers use PyTorch names and shapes', () => {
    const enc = sequential(
      embedding({ vocabSize: 10, dim: 4 }),
      lstm({ hidden: 3, layers: 2, bidirectional: true }),
    );
    expect(enc.outputDim).toBe(6);
    expect([...enc.weights()].map(([n, v]) => `${n}:${v.shape}`)).toEqual([
      'embedding.weight:10,4',
      'weight_ih_l0:12,4',
      'weight_hh_l0:12,3',
      'bias_ih_l0:12',
      'bias_hh_l0:12',
      'weight_ih_l0_reverse:12,4',
      'weight_hh_l0_reverse:12,3',
      'bias_ih_l0_reverse:12',
      'bias_hh_l0_reverse:12',
      'weight_ih_l1:12,6',
      'weight_hh_l1:12,3',
      'bias_ih_l1:12',
      'bias_hh_l1:12',
      'weight_ih_l1_reverse:12,6',
      'weight_hh_l1_reverse:12,3',
      'bias_ih_l1_reverse:12',
      'bias_hh_l1_reverse:12',
    ]);
    enc.dispose();
  });

  it('packed: each sentence encodes as if alone and unpadded (property)', { timeout: 60_000 }, () => {
    for (const output of ['last', 'mean', 'max'] as const) {
      const enc = sequential(
        embedding({ vocabSize: 12, dim: 3 }),
        lstm({ hidden: 4, layers: 2, bidirectional: true, output }),
      );
      fc.assert(
        fc.property(
          fc.array(fc.array(fc.integer({ min: 1, max: 11 }), { minLength: 1, maxLength: 6 }), {
            minLength: 1,
            maxLength: 4,
          }),
          fc.integer({ min: 0, max: 3 }),
          (sentences, extraPad) => {
            const T = Math.max(...sentences.map((s) => s.length)) + extraPad;
            const together = batch(sentences, T);
            const all = run(enc, together);
            sentences.forEach((s, i) => {
              const alone = batch([s]);
              expectClose(all[i], run(enc, alone)[0], 1e-5);
              disposeBatch(alone);
            });
            disposeBatch(together);
          },
        ),
        { numRuns: 15, seed: 3 },
      );
      enc.dispose();
    }
  });

  it('packed sequence output skips all-pad tail steps and pads the result back to T', () => {
    const enc = sequential(
      embedding({ vocabSize: 9, dim: 3 }),
      lstm({ hidden: 2, bidirectional: true, output: 'sequence' }),
      pooling({ mode: 'max' }),
    );
    const tight = batch([[1, 2, 3], [4]]);
    const loose = batch([[1, 2, 3], [4]], 7);
    expectClose(run(enc, loose), run(enc, tight), 1e-6);
    const g1 = gradsOf(enc, tight);
    const g2 = gradsOf(enc, loose);
    for (const name of Object.keys(g1)) expectClose(g2[name], g1[name], 1e-6);
    enc.dispose();
    disposeBatch(tight);
    disposeBatch(loose);
  });

  it('unpacked reads the pads: padding changes the output', () => {
    const enc = sequential(embedding({ vocabSize: 5, dim: 3 }), lstm({ hidden: 2, packed: false }));
    const a = batch([[1, 2]]);
    const b = batch([[1, 2]], 4);
    expect(Math.abs(run(enc, a)[0]![0]! - run(enc, b)[0]![0]!)).toBeGreaterThan(1e-6);
    enc.dispose();
    disposeBatch(a);
    disposeBatch(b);
  });
});
