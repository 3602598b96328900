import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { modelBatch, type PreparedBatch } from '../infer/batching.js';
import type { SiameseModel } from '../model.js';

/** The loss of a batch and the gradients of every variable it was differentiated for. */
export interface Gradients {
  value: tf.Scalar;
  grads: Record<string, tf.Tensor>;
}

/**
 * GradCache (Gao et al. 2021; sentence-transformers' Cached* losses): the gradients of `lossOf(embeddings)`
 * for the encoder's weights (and `extra`, the loss's own), with the encoder run on at most `miniBatchSize` of
 * `texts` at a time. (a) Embed each mini-batch without a tape; (b) differentiate the loss on the whole batch
 * with respect to the embeddings (and `extra`); (c) re-encode each mini-batch on a tape and back-propagate its
 * slice of that gradient (the vector-Jacobian product `sum(emb · dL/demb)`), summing the weight gradients.
 * Each mini-batch draws its dropout seed once and replays it in (c), so both passes see the same masks.
 * Live activations are one mini-batch's; only the `[texts, dim]` embeddings and their gradient span the batch.
 */
export function cachedGradients(
  model: SiameseModel,
  texts: readonly string[],
  miniBatchSize: number,
  rng: Rng,
  lossOf: (embeddings: tf.Tensor2D) => tf.Scalar,
  extra: readonly tf.Variable[],
): Gradients {
  const chunks: { start: number; batch: PreparedBatch; seed: number }[] = [];
  let embVar: tf.Variable | undefined;
  let embGrad: tf.Tensor | undefined;
  let total: Record<string, tf.Tensor> | undefined;
  let value: tf.Scalar | undefined;
  try {
    for (let start = 0; start < texts.length; start += miniBatchSize) {
      const batch = modelBatch(model, texts.slice(start, start + miniBatchSize));
      chunks.push({ start, batch, seed: rng.nextUint32() });
    }
    const encode = (c: (typeof chunks)[number]) =>
      model.encoder.encode(c.batch.input, { training: true, rng: new Rng(c.seed) });
    // (a) No tape is recording here: each mini-batch's activations are freed as soon as it is embedded.
    const parts = chunks.map((c) => tf.tidy(() => encode(c)));
    const embeddings = tf.concat(parts, 0);
    tf.dispose(parts);
    // (b) A temporary variable lets one tape give dL/demb together with the loss's own weights' gradients.
    embVar = tf.variable(embeddings, true);
    embeddings.dispose();
    const first = tf.variableGrads(() => lossOf(embVar as tf.Variable as tf.Tensor2D), [embVar, ...extra]);
    value = first.value;
    embGrad = first.grads[embVar.name];
    delete first.grads[embVar.name];
    total = first.grads;
    // (c) One mini-batch on the tape at a time; its weight gradients are summed in chunk order.
    const vars = model.encoder.trainableVariables();
    for (const c of chunks) {
      const rows = c.batch.size;
      const { value: vjp, grads: g } = tf.variableGrads(() => {
        const dy = tf.slice(embGrad!, [c.start, 0], [rows, -1]);
        return tf.sum(tf.mul(encode(c), dy)) as tf.Scalar;
      }, vars);
      vjp.dispose();
      for (const [k, t] of Object.entries(g)) {
        const old = total[k];
        total[k] = old ? tf.add(old, t) : t;
        if (old) tf.dispose([old, t]);
      }
    }
    const out = { value, grads: total };
    value = undefined;
    total = undefined;
    return out;
  } finally {
    for (const c of chunks) c.batch.dispose();
    embVar?.dispose();
    embGrad?.dispose();
    value?.dispose();
    if (total) tf.dispose(Object.values(total));
  }
}
