import { SiameseError } from '@siamese/core';

/**
 * Thrown by `Loss.compute` when a batch lacks a tensor its kind needs (the message names what is missing and
 * what was given) or when shapes disagree. Code `E_LOSS_BATCH`.
 */
export class LossError extends SiameseError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_LOSS_BATCH', message, details ? { details } : undefined);
  }
}

/**
 * Thrown when a loss is built from a bad config: an unknown name (code `E_LOSS_UNKNOWN`) or an option with a
 * wrong type or value (code `E_LOSS_CONFIG`).
 */
export class LossConfigError extends SiameseError {
  constructor(code: 'E_LOSS_UNKNOWN' | 'E_LOSS_CONFIG', message: string, details?: Record<string, unknown>) {
    super(code, message, details ? { details } : undefined);
  }
}
