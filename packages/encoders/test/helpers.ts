import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderInput } from '../src/index.js';

/** A right-padded batch from id lists (T = longest, or `T` when given). */
export function batch(sentences: number[][], T = Math.max(...sentences.map((s) => s.length))): EncoderInput {
  const B = sentences.length;
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  sentences.forEach((s, b) => {
    s.forEach((id, t) => {
      ids[b * T + t] = id;
      mask[b * T + t] = 1;
    });
  });
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T]),
    lengths: Int32Array.from(sentences, (s) => s.length),
  };
}

export function disposeBatch(input: EncoderInput): void {
  tf.dispose([input.ids, input.mask, ...(input.ngramIds ? [input.ngramIds] : [])]);
}

/** encode → nested array, no tensors left behind. */
export function run(
  enc: Encoder,
  input: EncoderInput,
  options?: Parameters<Encoder['encode']>[1],
): number[][] {
  return tf.tidy(() => enc.encode(input, options).arraySync());
}

/** Sets a weight from a nested array. */
export function setWeight(enc: Encoder, name: string, values: number[] | number[][] | number[][][]): void {
  const v = enc.weights().get(name);
  if (!v) throw new Error(`no weight ${name}`);
  tf.tidy(() => v.assign(tf.tensor(values as number[], v.shape)));
}

/** Gradients of `sum(encode(input) · w)` by weight name (w defaults to ones). */
export function gradsOf(enc: Encoder, input: EncoderInput, w?: tf.Tensor): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const y = enc.encode(input);
      return tf.sum(w ? tf.mul(y, w) : y) as tf.Scalar;
    }, enc.trainableVariables());
    for (const [name, v] of enc.weights())
      if (grads[v.name]) out[name] = grads[v.name]!.arraySync() as number[][];
  });
  return out;
}

export function expectClose(actual: unknown, expected: unknown, tol = 1e-6): void {
  const a = (actual as number[]).flat(3) as number[];
  const e = (expected as number[]).flat(3) as number[];
  if (a.length !== e.length) throw new Error(`length ${a.length} vs ${e.length}`);
  a.forEach((x, i) => {
    if (!(Math.abs(x - e[i]!) <= tol)) throw new Error(`index ${i}: ${x} vs ${e[i]} (tol ${tol})`);
  });
}
