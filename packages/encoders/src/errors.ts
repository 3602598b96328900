import { SiameseError } from '@siamese/core';

/**
 * A `sequential` composition does not fit together: a step receives a kind (token ids, a sequence `[B,T,D]`,
 * a vector `[B,D]`) or a width it cannot take. `details` has `step` (index), `type`, `expected`, `found`.
 */
export class EncoderShapeError extends SiameseError {
  constructor(step: number, type: string, expected: string, found: string) {
    super('E_ENCODER_SHAPE', `encoder step ${step} (${type}): expected ${expected}, found ${found}`, {
      details: { step, type, expected, found },
    });
  }
}

/** An encoder config or builder option is invalid (unknown type, bad number, missing field). */
export class EncoderConfigError extends SiameseError {
  constructor(where: string, expected: string, found: string) {
    super('E_ENCODER_CONFIG', `${where}: expected ${expected}, found ${found}`, {
      details: { where, expected, found },
    });
  }
}

/** The batch given to `encode` does not match what the encoder needs (shapes, dtypes, missing n-gram ids). */
export class EncoderInputError extends SiameseError {
  constructor(what: string, expected: string, found: string) {
    super('E_ENCODER_INPUT', `encoder input ${what}: expected ${expected}, found ${found}`, {
      details: { what, expected, found },
    });
  }
}
