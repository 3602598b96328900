// PyTorch's tutorial Siamese LSTM, one full training step (fixtures/golden/siamese_lstm_step.json), reproduced
// through the SDK's own path: a tokenizer and SiameseModel, the encoders' `embedding` + `lstm` steps, the loss
// `fit` uses for `cosine` (CosineSimilarityLoss), and `fit` itself (its step and fusedAdam(1e-3, .9, .999, 1e-8)).
import { readFileSync } from 'node:fs';
import { embedding, lstm, sequential } from '@siamese/encoders';
import { lossFromConfig } from '@siamese/losses';
import { Tokenizer, Vocabulary } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fit, initBackend, SiameseModel } from '../src/index.js';
import { prepareBatch } from '../src/infer/batching.js';

type GoldenTensor = { shape: number[]; data: unknown };
const golden = JSON.parse(
  readFileSync(new URL('../../../fixtures/golden/siamese_lstm_step.json', import.meta.url), 'utf8'),
);
const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;

const flat = (x: unknown): number[] =>
  typeof x === 'number'
    ? [x]
    : ArrayBuffer.isView(x)
      ? Array.from(x as Float32Array)
      : (x as unknown[]).flatMap(flat);
function maxDiff(actual: unknown, expected: unknown): number {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

/** Token `tK` has id K: the golden's id rows become texts (pads, id 0, are dropped and re-added by the model). */
const toText = (ids: number[]) =>
  ids
    .filter((id) => id !== 0)
    .map((id) => `t${id}`)
    .join(' ');
const textsOf = (side: 'a' | 'b') => (golden.inputs[`token_ids_${side}`].data as number[][]).map(toText);

/** The golden model as an SDK SiameseModel: ids 0/1 are [PAD]/[UNK], `tK` is id K; the golden's weights. */
function goldenModel(packed: boolean): SiameseModel {
  const { vocab, emb, hidden } = golden.config;
  const tokens = ['[PAD]', '[UNK]', ...Array.from({ length: vocab - 2 }, (_, i) => `t${i + 2}`)];
  const tokenizer = new Tokenizer(Vocabulary.fromTokens(tokens));
  // No paddingIdx: PyTorch's tutorial embedding reads (and trains) row 0 like any other.
  const encoder = sequential([embedding({ vocabSize: vocab, dim: emb }), lstm({ hidden, packed })], {
    seed: 1,
  });
  const weights = encoder.weights();
  expect([...weights.keys()].sort()).toEqual(Object.keys(golden.weights).sort());
  for (const [name, w] of Object.entries(golden.weights as Record<string, GoldenTensor>)) {
    tf.tidy(() => weights.get(name)!.assign(tf.tensor(w.data as number[], w.shape)));
  }
  return new SiameseModel({ tokenizer, encoder });
}

const pairs = () =>
  textsOf('a').map((text1, i) => ({
    text1,
    text2: textsOf('b')[i]!,
    score: (golden.inputs.labels.data as number[])[i]!,
  }));

describe.each(['cpu', 'wasm'] as const)('the SDK’s training path against PyTorch on %s', (backend) => {
  const tol = TOL[backend];

  for (const mode of ['unpacked', 'packed'] as const) {
    const ref = golden[mode];

    it(`${mode}: the ids, the encoded sides, the loss and every weight's gradient`, async () => {
      await initBackend({ backend });
      expect(tf.getBackend()).toBe(backend);
      const model = goldenModel(mode === 'packed');
      const prepare = (texts: string[]) => prepareBatch(model.tokenizer, texts, model.maxLength);
      const a = prepare(textsOf('a'));
      const b = prepare(textsOf('b'));
      // The tokenizer reproduces the golden's padded id rows exactly.
      expect(a.input.ids.arraySync()).toEqual(golden.inputs.token_ids_a.data);
      expect(b.input.ids.arraySync()).toEqual(golden.inputs.token_ids_b.data);
      const loss = lossFromConfig({ type: 'cosine' });
      const scores = tf.tensor1d(golden.inputs.labels.data);
      const { value, grads } = tf.variableGrads(() => {
        const ea = model.encoder.encode(a.input, { training: true });
        const eb = model.encoder.encode(b.input, { training: true });
        expect(maxDiff(ea.dataSync(), ref.encoded_a.data), 'encoded_a').toBeLessThan(tol);
        expect(maxDiff(eb.dataSync(), ref.encoded_b.data), 'encoded_b').toBeLessThan(tol);
        return loss.compute({ a: ea, b: eb, scores });
      }, model.encoder.trainableVariables());
      expect(Math.abs(value.dataSync()[0]! - ref.loss.data)).toBeLessThan(tol);
      for (const [name, v] of model.encoder.weights()) {
        expect(maxDiff(grads[v.name]!.dataSync(), ref.grads[name].data), `grad ${name}`).toBeLessThan(tol);
      }
      tf.dispose([value, scores, ...Object.values(grads)]);
      a.dispose();
      b.dispose();
      model.dispose();
    });

    it(`${mode}: one fit() step (its batch, loss and fusedAdam ε 1e-8) lands on PyTorch's weights`, async () => {
      await initBackend({ backend });
      const model = goldenModel(mode === 'packed');
      const losses: number[] = [];
      const before = tf.memory().numTensors;
      const result = await fit(model, pairs(), {
        loss: lossFromConfig({ type: 'cosine' }),
        epochs: 1,
        batchSize: 3,
        lr: 1e-3,
        onBatch: (e) => {
          losses.push(e.loss);
        },
      });
      expect(tf.getBackend()).toBe(backend);
      expect(result.history).toHaveLength(1);
      expect(losses).toHaveLength(1);
      expect(Math.abs(losses[0]! - ref.loss.data)).toBeLessThan(tol);
      for (const [name, v] of model.encoder.weights()) {
        const expected = ref.weights_after_adam_step[name].data;
        expect(maxDiff(v.dataSync(), expected), `${name} after the step`).toBeLessThan(tol);
      }
      // The step moved every weight by about lr (Adam's first step is ±lr where the gradient is not tiny).
      const moved = maxDiff(
        model.encoder.weights().get('bias_hh_l0')!.dataSync(),
        golden.weights.bias_hh_l0.data,
      );
      expect(moved).toBeGreaterThan(9e-4);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});
