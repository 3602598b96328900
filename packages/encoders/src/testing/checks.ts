import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { encoderFromConfig } from '../registry.js';
import type { Encoder, EncoderInput } from '../types.js';
import type { Check } from './report.js';

/** Ragged random ids: lengths 1..6 with pads, so pad handling is always exercised. */
export function randomBatch(rng: Rng, vocabSize: number): EncoderInput {
  const lengths = Int32Array.from([5, 1, 3, 6, 2]);
  const T = 6;
  const ids = new Int32Array(lengths.length * T);
  const mask = new Float32Array(lengths.length * T);
  lengths.forEach((len, b) => {
    for (let t = 0; t < len; t++) {
      ids[b * T + t] = 1 + rng.int(vocabSize - 1);
      mask[b * T + t] = 1;
    }
  });
  return {
    ids: tf.tensor2d(ids, [lengths.length, T], 'int32'),
    mask: tf.tensor2d(mask, [lengths.length, T]),
    lengths,
  };
}

/** The first sentence alone (no pads) must encode as it does inside the padded batch. */
export function checkPadsIgnored(
  enc: Encoder,
  input: EncoderInput,
  out: number[][],
  tol: number,
  check: Check,
): void {
  const len = input.lengths[0]!;
  const alone = tf.tidy(() => {
    const one: EncoderInput = {
      ids: tf.slice(input.ids, [0, 0], [1, len]) as tf.Tensor2D,
      mask: tf.slice(input.mask, [0, 0], [1, len]) as tf.Tensor2D,
      lengths: Int32Array.of(len),
      ...(input.ngramIds
        ? { ngramIds: tf.slice(input.ngramIds, [0, 0, 0], [1, len, -1]) as tf.Tensor3D }
        : {}),
    };
    return enc.encode(one).arraySync();
  });
  const diff = maxDiff(alone, [out[0]!]);
  check(
    'pads are never read',
    diff <= tol,
    `the same vector alone and inside a padded batch (tolerance ${tol})`,
    `a difference of ${diff}`,
  );
}

export function checkWeights(enc: Encoder, check: Check): void {
  const weights = enc.weights();
  const all = new Set(weights.values());
  const trainable = enc.trainableVariables();
  check(
    'weights',
    weights.size > 0 && [...weights.keys()].every((k) => typeof k === 'string' && k.length > 0),
    'named weights',
    `${weights.size} weights`,
  );
  check(
    'trainable variables are weights',
    trainable.every((v) => all.has(v)),
    'every trainable variable in weights()',
    'a trainable variable weights() does not list',
  );
}

export function gradients(enc: Encoder, input: EncoderInput) {
  return tf.variableGrads(
    () => tf.sum(tf.square(enc.encode(input, { training: true, rng: new Rng(1) }))) as tf.Scalar,
    enc.trainableVariables(),
  );
}

export function checkGradients(enc: Encoder, input: EncoderInput, check: Check): void {
  const names = new Map([...enc.weights()].map(([name, v]) => [v.name, name]));
  const { value, grads } = gradients(enc, input);
  try {
    for (const v of enc.trainableVariables()) {
      const g = grads[v.name];
      const name = names.get(v.name) ?? v.name;
      const values = g ? Array.from(g.dataSync()) : [];
      check(
        `gradient of ${name}`,
        values.length > 0 && values.every(Number.isFinite) && values.some((x) => x !== 0),
        'a finite, non-zero gradient',
        g ? 'zeros or NaN' : 'none',
      );
    }
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/** Save → load, as the runtime does it: the JSON config rebuilt by the registry, then the weights copied by name. */
export function checkRoundTrip(
  enc: Encoder,
  input: EncoderInput,
  out: number[][],
  tol: number,
  check: Check,
): void {
  const config = JSON.parse(JSON.stringify(enc.getConfig()));
  const again = encoderFromConfig(config);
  try {
    const mine = enc.weights();
    const theirs = again.weights();
    const shapes = (m: Map<string, tf.Variable>) =>
      [...m]
        .map(([k, v]) => `${k}[${v.shape}]`)
        .sort()
        .join(' ');
    check(
      'getConfig round trip: same weights',
      shapes(mine) === shapes(theirs),
      shapes(mine),
      shapes(theirs),
    );
    for (const [name, v] of theirs) tf.tidy(() => v.assign(mine.get(name)!));
    const diff = maxDiff(
      tf.tidy(() => again.encode(input).arraySync()),
      out,
    );
    check(
      'getConfig round trip: same outputs',
      diff <= tol,
      `equal outputs after copying the weights (tolerance ${tol})`,
      `a difference of ${diff}`,
    );
  } finally {
    again.dispose();
  }
}

export function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => {
    row.forEach((x, j) => {
      const d = Math.abs(x - (b[i]?.[j] ?? Number.NaN));
      worst = d > worst || Number.isNaN(d) ? d : worst;
    });
  });
  return worst;
}
