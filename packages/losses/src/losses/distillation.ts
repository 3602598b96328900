import * as tf from '@tensorflow/tfjs-core';
import { BaseLoss } from '../base-loss.js';
import type { CheckedBatch } from '../batch.js';
import { pairSimilarity } from '../distances.js';
import { OptionReader } from '../options.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import type { LossConfig } from '../types.js';

/**
 * MSELoss (sentence-transformers; Reimers & Gurevych 2020, "Making monolingual sentence embeddings
 * multilingual"): the student's embeddings regress onto a teacher's vectors of the same texts,
 * `mean((student − teacher)²)` over every element. Batch kind `teacher-vectors`; the teacher's dimension must
 * equal the student's. It fixes no similarity: the student keeps the model's.
 */
export class MSELoss extends BaseLoss<'teacher-vectors'> {
  readonly type = 'mse';
  readonly batchKind = 'teacher-vectors' as const;

  constructor(options: Record<string, never> = {}) {
    super();
    new OptionReader(this.type, options).done();
  }

  protected forward({ embeddings, teacher }: CheckedBatch<'teacher-vectors'>): tf.Scalar {
    return tf.mean(tf.square(tf.sub(embeddings, teacher)));
  }

  getConfig(): LossConfig {
    return { type: this.type };
  }
}

/** Options of {@link MarginMSELoss}. */
export interface MarginMSEOptions {
  /** How the student compares vectors; default `dot` (sentence-transformers). */
  similarity?: Similarity;
}

/**
 * MarginMSELoss (Hofstätter et al. 2020; sentence-transformers): the student's margin
 * `sim(anchor, positive) − sim(anchor, negative)` regresses onto the teacher's, `mean((margin_s − margin_t)²)`.
 * The teacher can be a cross-encoder or any model, and its scale need not match the student's vectors, only
 * its margins. Batch kind `teacher-margins`.
 */
export class MarginMSELoss extends BaseLoss<'teacher-margins'> {
  readonly type = 'marginMse';
  readonly batchKind = 'teacher-margins' as const;
  readonly similarity: Similarity;

  constructor(options: MarginMSEOptions = {}) {
    super();
    const o = new OptionReader(this.type, options);
    this.similarity = o.oneOf('similarity', SIMILARITIES, 'dot');
    o.done();
  }

  protected forward({ anchor, positive, negative, margins }: CheckedBatch<'teacher-margins'>): tf.Scalar {
    const student = tf.sub(
      pairSimilarity(this.similarity, anchor, positive),
      pairSimilarity(this.similarity, anchor, negative),
    );
    return tf.mean(tf.square(tf.sub(student, tf.cast(margins, 'float32'))));
  }

  getConfig(): LossConfig {
    return { type: this.type, similarity: this.similarity };
  }
}
