import * as tf from '@tensorflow/tfjs-core';
import { type CheckedBatch, checkBatch } from './batch.js';
import type { BatchKind, Loss, LossBatch, LossConfig } from './types.js';

/**
 * Shared plumbing of the built-in losses: `compute` checks the batch for the loss's kind, then runs `forward`
 * inside `tf.tidy` so no intermediate tensor survives. Subclass it to write your own loss with the same checks.
 */
export abstract class BaseLoss<K extends BatchKind> implements Loss {
  abstract readonly type: string;
  abstract readonly batchKind: K;

  /** {@inheritDoc Loss.compute} */
  compute(batch: LossBatch): tf.Scalar {
    const checked = checkBatch(this.type, this.batchKind, batch);
    return tf.tidy(() => this.forward(checked));
  }

  /** The loss of a checked batch (called inside `tf.tidy`). */
  protected abstract forward(batch: CheckedBatch<K>): tf.Scalar;

  /** {@inheritDoc Loss.getConfig} */
  abstract getConfig(): LossConfig;
}
