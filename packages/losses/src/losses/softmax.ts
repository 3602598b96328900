import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { OptionReader } from '../options.js';
import type { LossConfig } from '../types.js';

/** Options of {@link SoftmaxLoss} (sentence-transformers' names, camel-cased). */
export interface SoftmaxOptions {
  /** Classes of the labels, 0 … numLabels − 1 (default 3: NLI's entailment, neutral, contradiction). */
  numLabels?: number;
  /** Feed `u` and `v` themselves to the classifier (default true). */
  concatenationSentRep?: boolean;
  /** Feed `|u − v|` (default true). */
  concatenationSentDifference?: boolean;
  /** Feed `u * v` (default false). */
  concatenationSentMultiplication?: boolean;
  /** Seed of the head's initial weights (default 42). */
  seed?: number;
}

/** The classifier's weights, PyTorch's `nn.Linear` layout: `weight` `[numLabels, features]`, `bias` `[numLabels]`. */
export interface SoftmaxHead {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
}

// tfjs variable names are global: each head gets its own.
let heads = 0;

/**
 * SoftmaxLoss (Reimers & Gurevych 2019, the SBERT NLI objective; sentence-transformers): a linear classifier
 * over `[u, v, |u − v|]` (the default features; `u * v` optional) to `numLabels` classes, trained with
 * cross-entropy: `mean_i −log softmax(W·f_i + b)[label_i]`. Batch kind `class-pairs` (`{ text1, text2, label }`
 * examples with class ids 0 … numLabels − 1).
 *
 * The classifier (the head) is this loss's own trainable weights ({@link Loss.variables}): made on the first
 * batch for its embedding width, initialised as PyTorch's `nn.Linear` (uniform ±1/√features) from `seed`, and
 * trained by `fit` with the encoder (same Adam, same steps). As in sentence-transformers, the head is not saved
 * with the model: the model is the encoder, and `fit` records the loss's config, not its weights. Keep the loss
 * object to classify pairs after training ({@link SoftmaxLoss.predict}); {@link SoftmaxLoss.dispose} frees it.
 * It fixes no similarity: the model keeps its own.
 */
export class SoftmaxLoss extends BaseLoss<'class-pairs'> {
  readonly type = 'softmax';
  readonly batchKind = 'class-pairs' as const;
  readonly numLabels: number;
  readonly concatenationSentRep: boolean;
  readonly concatenationSentDifference: boolean;
  readonly concatenationSentMultiplication: boolean;
  readonly seed: number;
  private current: (SoftmaxHead & { dim: number }) | undefined;

  constructor(options: SoftmaxOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.numLabels = o.integer('numLabels', 3, 2);
    this.concatenationSentRep = o.boolean('concatenationSentRep', true);
    this.concatenationSentDifference = o.boolean('concatenationSentDifference', true);
    this.concatenationSentMultiplication = o.boolean('concatenationSentMultiplication', false);
    this.seed = o.integer('seed', 42, 0);
    o.done();
    if (
      !this.concatenationSentRep &&
      !this.concatenationSentDifference &&
      !this.concatenationSentMultiplication
    ) {
      throw new SiameseError(
        'E_LOSS_CONFIG',
        'softmax: every feature is off; keep at least one of concatenationSentRep, concatenationSentDifference, concatenationSentMultiplication',
        { details: { loss: this.type } },
      );
    }
  }

  /** How many vectors of width D the classifier reads: 2 for `[u, v]`, plus one per other feature. */
  get featureCount(): number {
    return (
      (this.concatenationSentRep ? 2 : 0) +
      (this.concatenationSentDifference ? 1 : 0) +
      (this.concatenationSentMultiplication ? 1 : 0)
    );
  }

  /** The head, or undefined before the first batch (or {@link SoftmaxLoss.variables}) made it. */
  get head(): SoftmaxHead | undefined {
    return this.current;
  }

  /** {@inheritDoc Loss.variables} */
  variables(dim: number): tf.Variable[] {
    if (this.current && this.current.dim !== dim) {
      throw new SiameseError(
        'E_LOSS_BATCH',
        `softmax: the head was made for embeddings of width ${this.current.dim}, found width ${dim}; use a new SoftmaxLoss for another model`,
        { details: { loss: this.type, expected: this.current.dim, found: dim } },
      );
    }
    if (!this.current) {
      const features = this.featureCount * dim;
      const bound = 1 / Math.sqrt(features);
      const rng = new Rng(this.seed);
      const id = heads++;
      // The initial values are copied into the variables and freed, inside or outside a tidy.
      const variable = (shape: number[], name: string) => {
        const init = tf.tensor(
          Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.uniform(-bound, bound)),
          shape,
        );
        const v = tf.variable(init, true, `softmaxLoss${id}/${name}`);
        init.dispose();
        return v;
      };
      // nn.Linear draws the weight, then the bias.
      const weight = variable([this.numLabels, features], 'weight');
      this.current = { dim, weight, bias: variable([this.numLabels], 'bias') };
    }
    return [this.current.weight, this.current.bias];
  }

  /** Class probabilities `[B, numLabels]` of pairs of embeddings (after training: the classifier's answer). */
  predict(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.logits(a, b)));
  }

  /** Frees the head (the loss makes a new one, from `seed`, if used again). */
  dispose(): void {
    if (!this.current) return;
    tf.dispose([this.current.weight, this.current.bias]);
    this.current = undefined;
  }

  protected forward({ a, b, labels }: CheckedBatch<'class-pairs'>): tf.Scalar {
    const ids = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    const found = Array.from(ids.dataSync());
    const bad = found.findIndex((y) => !(y >= 0 && y < this.numLabels));
    if (bad >= 0) {
      throw new SiameseError(
        'E_LOSS_BATCH',
        `softmax: labels must be class ids 0 … ${this.numLabels - 1} (numLabels ${this.numLabels}), found ${found[bad]} at row ${bad}`,
        { details: { loss: this.type, row: bad, found: found[bad], numLabels: this.numLabels } },
      );
    }
    const logits = this.logits(a, b);
    const logProbs = tf.sub(logits, tf.logSumExp(logits, 1, true));
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(ids, this.numLabels)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  }

  private logits(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    const { weight, bias } = this.variablesFor(a.shape[1]);
    const parts: tf.Tensor2D[] = [];
    if (this.concatenationSentRep) parts.push(a, b);
    if (this.concatenationSentDifference) parts.push(tf.abs(tf.sub(a, b)) as tf.Tensor2D);
    if (this.concatenationSentMultiplication) parts.push(tf.mul(a, b) as tf.Tensor2D);
    const features = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    return tf.add(tf.matMul(features, weight as tf.Tensor2D, false, true), bias) as tf.Tensor2D;
  }

  private variablesFor(dim: number): SoftmaxHead {
    this.variables(dim);
    return this.current!;
  }

  getConfig(): LossConfig {
    return {
      type: this.type,
      numLabels: this.numLabels,
      concatenationSentRep: this.concatenationSentRep,
      concatenationSentDifference: this.concatenationSentDifference,
      concatenationSentMultiplication: this.concatenationSentMultiplication,
      seed: this.seed,
    };
  }
}
