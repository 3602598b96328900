import { fusedAdam, initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type Encoder,
  type EncoderInput,
  embedding,
  lstm,
  lstmDirection,
  maskedMax,
  maskedMean,
  PRESETS,
  pooling,
  sequential,
  zeroPads,
} from '../src/index.js';
import { batch, disposeBatch, expectClose } from './helpers.js';

// The fast paths (folded inference tables, real-token training, embeddingBag mean) against the plain
// implementations they replace, written out here with public tfjs ops.

const V = 30;
const E = 6;

/** The plain lookup: gather, padding id's rows zeroed. */
function lookup(w: Map<string, tf.Variable>, input: EncoderInput, paddingIdx?: number): tf.Tensor3D {
  const x = tf.gather(w.get('embedding.weight')!, input.ids) as tf.Tensor3D;
  if (paddingIdx === undefined) return x;
  return tf.mul(x, tf.expandDims(tf.cast(tf.notEqual(input.ids, paddingIdx), 'float32'), 2));
}

/** The former LSTM step: full [B·T,E] projection (lstmDirection), tail trimmed when packed. */
function lstmReference(enc: Encoder, input: EncoderInput, dirs: number, packed: boolean, pad?: number) {
  const w = enc.weights();
  const x = lookup(w, input, pad);
  const [b, T] = input.ids.shape;
  const steps = packed ? Math.min(T, Math.max(1, ...input.lengths)) : T;
  const seq = tf.slice(x, [0, 0, 0], [b, steps, E]);
  const mask = tf.slice(input.mask, [0, 0], [b, steps]);
  const outs = Array.from({ length: dirs }, (_, d) => {
    const s = d === 1 ? '_l0_reverse' : '_l0';
    const cell = {
      wih: w.get(`weight_ih${s}`)!,
      whh: w.get(`weight_hh${s}`)!,
      bih: w.get(`bias_ih${s}`)!,
      bhh: w.get(`bias_hh${s}`)!,
    };
    return lstmDirection(seq, cell, { reverse: d === 1, mask: packed ? mask : null, sequence: false });
  });
  return outs.length === 1 ? outs[0]! : tf.concat(outs, 1);
}

/** The former CNN step: zero the pads, 'same' conv1d over [B,T,E], bias, relu, masked max. */
function cnnReference(enc: Encoder, input: EncoderInput, widths: number[], pad?: number) {
  const w = enc.weights();
  const xz = zeroPads(lookup(w, input, pad), input.mask);
  const pooled = widths.map((k) => {
    const filter = tf.transpose(w.get(`conv${k}.weight`)!, [2, 1, 0]) as tf.Tensor3D;
    const y = tf.add(tf.conv1d(xz, filter, 1, 'same'), w.get(`conv${k}.bias`)!) as tf.Tensor3D;
    return maskedMax(tf.relu(y), input.mask);
  });
  return pooled.length === 1 ? pooled[0]! : tf.concat(pooled, 1);
}

/** Output and gradients of `sum(f() · lw)` w.r.t. every trainable weight, by weight name. */
function outputAndGrads(enc: Encoder, f: () => tf.Tensor, lw: tf.Tensor) {
  return tf.tidy(() => {
    const output = f().arraySync();
    const names = new Map([...enc.weights()].map(([name, v]) => [v.name, name]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(), lw)) as tf.Scalar, enc.trainableVariables());
    const byName: Record<string, number[]> = {};
    for (const [id, g] of Object.entries(grads)) byName[names.get(id)!] = Array.from(g.dataSync());
    return { output, grads: byName };
  });
}

function randomBatch(rng: Rng, lengths: number[], T: number): EncoderInput {
  return batch(
    lengths.map((n) => Array.from({ length: n }, () => 1 + rng.int(V - 1))),
    T,
  );
}

interface Case {
  name: string;
  make: () => Encoder;
  reference: (enc: Encoder, input: EncoderInput) => tf.Tensor;
  /** Folded tables the encoder holds after an inference call. */
  tables: number;
}

const CASES: Case[] = [
  {
    name: 'lstm',
    make: () => PRESETS.lstm.build({ vocabSize: V, embeddingDim: E, hidden: 5, seed: 2 }),
    reference: (enc, input) => lstmReference(enc, input, 1, true),
    tables: 1,
  },
  {
    name: 'bilstm, paddingIdx 0',
    make: () =>
      PRESETS.bilstm.build({
        vocabSize: V,
        embeddingDim: E,
        hidden: 4,
        seed: 3,
        paddingIdx: 0,
        output: 'last',
      }),
    reference: (enc, input) => lstmReference(enc, input, 2, true, 0),
    tables: 2,
  },
  {
    name: 'unpacked lstm',
    make: () =>
      sequential([embedding({ vocabSize: V, dim: E }), lstm({ hidden: 3, packed: false })], { seed: 4 }),
    reference: (enc, input) => lstmReference(enc, input, 1, false),
    tables: 1,
  },
  {
    name: 'cnn widths 1, 2, 3',
    make: () => PRESETS.cnn.build({ vocabSize: V, embeddingDim: E, hidden: 4, seed: 5 }),
    reference: (enc, input) => cnnReference(enc, input, [1, 2, 3]),
    tables: 6,
  },
  {
    name: 'cnn width 3, paddingIdx 0',
    make: () =>
      PRESETS.cnn.build({
        vocabSize: V,
        embeddingDim: E,
        hidden: 3,
        kernelSizes: [3],
        paddingIdx: 0,
        seed: 6,
      }),
    reference: (enc, input) => cnnReference(enc, input, [3], 0),
    tables: 3,
  },
  {
    name: 'meanpool, paddingIdx 0',
    make: () =>
      sequential([embedding({ vocabSize: V, dim: E, paddingIdx: 0 }), pooling({ mode: 'mean' })], {
        seed: 7,
      }),
    reference: (enc, input) => maskedMean(lookup(enc.weights(), input, 0), input.mask),
    tables: 0,
  },
];

describe.each(['wasm', 'cpu'] as const)('fast paths equal the plain implementation on %s', (backend) => {
  const TOL = 2e-5;

  it.each(CASES)('$name: inference (folded and not), training outputs and every gradient', async (c) => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
    const rng = new Rng(9);
    // Ragged lengths with pads, a one-token sentence, an empty one, and a batch narrower than T.
    const inputs = [randomBatch(rng, [5, 2, 7, 1, 0, 3], 8), randomBatch(rng, [4, 4], 4)];
    const enc = c.make();
    for (const input of inputs) {
      const lw = tf.tensor2d(
        Array.from({ length: input.ids.shape[0] * enc.outputDim }, (_, i) => Math.sin(i + 1)),
        [input.ids.shape[0], enc.outputDim],
      );
      const ref = outputAndGrads(enc, () => c.reference(enc, input), lw);
      for (const fold of [true, false]) {
        // Twice: folded tables are built on the second call with the same weights.
        for (let i = 0; i < 2; i++)
          expectClose(
            tf.tidy(() => enc.encode(input, { fold }).arraySync()),
            ref.output,
            TOL,
          );
        const trained = outputAndGrads(enc, () => enc.encode(input, { training: true }), lw);
        expectClose(trained.output, ref.output, TOL);
        expect(Object.keys(trained.grads).sort()).toEqual(Object.keys(ref.grads).sort());
        for (const [name, g] of Object.entries(ref.grads)) expectClose(trained.grads[name], g, TOL);
      }
      lw.dispose();
    }
    inputs.forEach(disposeBatch);
    enc.dispose();
  });

  it.each(CASES)('$name: folded tables follow an optimizer step and an assignment', async (c) => {
    await initBackend({ backend });
    const rng = new Rng(10);
    const input = randomBatch(rng, [6, 3, 1, 4], 6);
    const enc = c.make();
    // Tables are built on the second call with the same weights: the second encode reads them.
    const check = () => {
      const expected = tf.tidy(() => c.reference(enc, input).arraySync());
      for (let i = 0; i < 2; i++)
        expectClose(
          tf.tidy(() => enc.encode(input).arraySync()),
          expected,
          TOL,
        );
    };
    check();
    const optimizer = fusedAdam(0.1);
    for (let i = 0; i < 2; i++) {
      optimizer.minimize(
        () => tf.sum(tf.square(enc.encode(input, { training: true }))) as tf.Scalar,
        false,
        enc.trainableVariables(),
      );
      check();
    }
    for (const v of enc.weights().values()) tf.tidy(() => v.assign(tf.mul(v, 0.5)));
    check();
    optimizer.dispose();
    enc.dispose();
    disposeBatch(input);
  });

  it.each(CASES)(
    '$name: folded tables are built on the 2nd call, rebuilt without leaks, freed on dispose',
    async (c) => {
      await initBackend({ backend });
      const rng = new Rng(11);
      const input = randomBatch(rng, [3, 5, 2], 5);
      const before = tf.memory().numTensors;
      const enc = c.make();
      const weights = tf.memory().numTensors - before;
      const infer = () => tf.dispose(enc.encode(input));
      infer();
      expect(tf.memory().numTensors - before).toBe(weights);
      infer();
      expect(tf.memory().numTensors - before).toBe(weights + c.tables);
      for (let i = 0; i < 3; i++) infer();
      expect(tf.memory().numTensors - before).toBe(weights + c.tables);
      const optimizer = fusedAdam(0.01);
      optimizer.minimize(
        () => tf.sum(enc.encode(input, { training: true })) as tf.Scalar,
        false,
        enc.trainableVariables(),
      );
      const withOptimizerState = tf.memory().numTensors;
      infer();
      infer();
      expect(tf.memory().numTensors).toBe(withOptimizerState);
      optimizer.dispose();
      enc.dispose();
      expect(tf.memory().numTensors).toBe(before);
      disposeBatch(input);
    },
  );
});

describe('fold options', () => {
  it('a table over maxBytes (or fold: false) is never built; outputs are unchanged', async () => {
    await initBackend({ backend: 'cpu' });
    const rng = new Rng(12);
    const input = randomBatch(rng, [4, 2], 4);
    const base = { vocabSize: V, embeddingDim: E, hidden: 4, seed: 1 };
    // One LSTM table is V·4H floats = 30·16·4 = 1920 bytes (a BiLSTM needs twice that).
    const variants = [{ fold: { maxBytes: 1919 } }, { fold: false }, { fold: { maxBytes: 1920 } }, {}];
    const outputs = variants.map((options) => {
      const enc = PRESETS.lstm.build(base);
      const before = tf.memory().numTensors;
      tf.dispose(enc.encode(input, options));
      const out = tf.tidy(() => enc.encode(input, options).arraySync());
      const kept = tf.memory().numTensors - before;
      enc.dispose();
      return { out, kept };
    });
    expect(outputs.map((o) => o.kept)).toEqual([0, 0, 1, 1]);
    for (const o of outputs) expectClose(o.out, outputs[0]!.out, 1e-6);
    // The cap counts all of a layer's tables: two BiLSTM directions, or one table per CNN kernel offset.
    const kept = (enc: Encoder, maxBytes: number) => {
      const before = tf.memory().numTensors;
      tf.dispose([enc.encode(input, { fold: { maxBytes } }), enc.encode(input, { fold: { maxBytes } })]);
      const n = tf.memory().numTensors - before;
      enc.dispose();
      return n;
    };
    expect(kept(PRESETS.bilstm.build(base), 3839)).toBe(0);
    expect(kept(PRESETS.bilstm.build(base), 3840)).toBe(2);
    const cnn = { vocabSize: V, embeddingDim: E, hidden: 4, kernelSizes: [1, 2], seed: 1 };
    // Three offsets × (V + 1)·F floats = 3 · 31 · 4 · 4 = 1488 bytes.
    expect(kept(PRESETS.cnn.build(cnn), 1487)).toBe(0);
    expect(kept(PRESETS.cnn.build(cnn), 1488)).toBe(3);
    disposeBatch(input);
  });

  it('an encode inside a gradient tape never reads the folded tables', async () => {
    await initBackend({ backend: 'cpu' });
    const rng = new Rng(13);
    const input = randomBatch(rng, [3, 2], 3);
    const enc = PRESETS.cnn.build({ vocabSize: V, embeddingDim: E, hidden: 2, kernelSizes: [2], seed: 8 });
    tf.dispose([enc.encode(input), enc.encode(input)]); // builds the tables
    const { grads } = tf.variableGrads(
      () => tf.sum(enc.encode(input)) as tf.Scalar,
      enc.trainableVariables(),
    );
    expect(Object.keys(grads)).toHaveLength(3);
    const table = grads[enc.weights().get('embedding.weight')!.name]!;
    expect(tf.tidy(() => tf.sum(tf.abs(table)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose(grads);
    enc.dispose();
    disposeBatch(input);
  });
});
