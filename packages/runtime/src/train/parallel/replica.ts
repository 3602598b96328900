/**
 * One training replica: a copy of the model that encodes its shard of each batch, back-propagates the gradient
 * the loss of the whole batch gives its rows, and applies the summed update with its own optimizer. The calling
 * thread is replica 0 (its model and optimizer are `fit`'s own); each worker thread holds one more.
 *
 * @module
 */
import type { FusedAdamOptimizer } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { modelBatch } from '../../infer/batching.js';
import type { SiameseModel } from '../../model.js';
import { clipByGlobalNorm } from '../step.js';
import { type GradientLayout, gradientTensors, packGradients } from './exchange.js';

/**
 * Hands a shard's embeddings (`[slots × rows, dim]`, slot-major) to the loss of the whole batch and returns
 * their gradients in the same layout. It runs inside the gradient tape and blocks until the answer is there.
 */
export type EmbeddingExchange = (embeddings: Float32Array) => Float32Array;

export class Replica {
  constructor(
    readonly model: SiameseModel,
    readonly optimizer: FusedAdamOptimizer,
    private readonly layout: GradientLayout,
    private readonly clipNorm: number | undefined,
  ) {}

  /**
   * Forward and backward pass of one shard, the examples `indices` of every slot (slot after slot, as one
   * thread encodes a batch); `seed` seeds its dropout. Writes the weight gradients into `out` (the exchange
   * layout) and returns the table rows sent.
   */
  backward(
    slots: readonly (readonly string[])[],
    indices: ArrayLike<number>,
    seed: number,
    exchange: EmbeddingExchange,
    out: Float32Array,
  ): number {
    const { model } = this;
    const texts = slots.flatMap((slot) => Array.from(indices, (i) => slot[i]!));
    const batch = modelBatch(model, texts);
    const vars = model.encoder.trainableVariables();
    try {
      const { value, grads } = tf.variableGrads(() => {
        const emb = model.encoder.encode(batch.input, { training: true, rng: new Rng(seed) });
        const dy = exchange(emb.dataSync() as Float32Array);
        // A copy: the answer lives in shared memory the next step overwrites, and the cpu backend keeps arrays.
        return tf.sum(tf.mul(emb, tf.tensor(dy.slice(0, emb.size), emb.shape))) as tf.Scalar;
      }, vars);
      const sent = packGradients(
        this.layout,
        vars.map((v) => grads[v.name]!),
        out,
      );
      tf.dispose([value, ...Object.values(grads)]);
      return sent;
    } finally {
      batch.dispose();
    }
  }

  /** Applies the summed gradients held in `sum` (clipped first when asked), as every other replica does. */
  apply(lr: number, sum: Float32Array): void {
    const vars = this.model.encoder.trainableVariables();
    const tensors = gradientTensors(this.layout, sum);
    const grads: Record<string, tf.Tensor> = {};
    vars.forEach((v, i) => {
      grads[v.name] = tensors[i]!;
    });
    if (this.clipNorm) clipByGlobalNorm(grads, this.clipNorm);
    this.optimizer.setLearningRate(lr);
    this.optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
}
