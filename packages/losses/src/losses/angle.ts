import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { NORM_EPSILON } from '../distances.js';
import { OptionReader } from '../options.js';
import type { LossConfig } from '../types.js';
import { cosentOf } from './cosent.js';

/** Options of {@link AnglELoss}. */
export interface AnglEOptions {
  /** Multiplies the similarities; default 20 (sentence-transformers). */
  scale?: number;
}

/**
 * The AnglE similarity of each pair (Li & Li 2023, sentence-transformers' `pairwise_angle_sim`): each vector is
 * split into a real and an imaginary half, `x = a + bi`, `y = c + di`; with `re = (ac + bd) / (‖x‖‖y‖)` and
 * `im = (bc − ad) / (‖x‖‖y‖)`, the similarity is `|Σ re + Σ im|`. An odd dimension is padded with a zero.
 */
export function angleSimilarity(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    let [u, v] = [x, y];
    if (u.shape[1] % 2 !== 0) {
      u = tf.pad(u, [
        [0, 0],
        [0, 1],
      ]);
      v = tf.pad(v, [
        [0, 0],
        [0, 1],
      ]);
    }
    const half = u.shape[1] / 2;
    const [a, b] = tf.split(u, [half, half], 1);
    const [c, d] = tf.split(v, [half, half], 1);
    const norms2 = tf.mul(
      tf.sum(tf.add(tf.square(a!), tf.square(b!)), 1),
      tf.sum(tf.add(tf.square(c!), tf.square(d!)), 1),
    );
    // Clamped as the cosine is, so a zero vector gives 0 rather than NaN.
    const norms = tf.sqrt(tf.maximum(norms2, NORM_EPSILON * NORM_EPSILON));
    // Σ re + Σ im = Σ (ac + bd + bc − ad) / (‖x‖‖y‖).
    const num = tf.sum(
      tf.add(tf.add(tf.mul(a!, c!), tf.mul(b!, d!)), tf.sub(tf.mul(b!, c!), tf.mul(a!, d!))),
      1,
    );
    return tf.abs(tf.div(num, norms)) as tf.Tensor1D;
  });
}

/**
 * AnglELoss (Li & Li 2023; sentence-transformers): CoSENT over the angle similarity in complex space instead of
 * the cosine, whose gradient vanishes near ±1. Same ranking objective, same `scale` (20). Batch kind
 * `scored-pairs`; only the order of the scores matters. The trained model is compared by cosine, as in
 * sentence-transformers.
 */
export class AnglELoss extends BaseLoss<'scored-pairs'> {
  readonly type = 'angle';
  readonly batchKind = 'scored-pairs' as const;
  readonly similarity = 'cosine' as const;
  readonly scale: number;

  constructor(options: AnglEOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.scale = o.number('scale', 20, 'positive');
    o.done();
  }

  protected forward({ a, b, scores }: CheckedBatch<'scored-pairs'>): tf.Scalar {
    return cosentOf(tf.mul(this.scale, angleSimilarity(a, b)), scores);
  }

  getConfig(): LossConfig {
    return { type: this.type, scale: this.scale };
  }
}
