import { SiameseError } from '@siamese/core';

/**
 * The codes `@siamese/encoders` throws (always as a `SiameseError` from `@siamese/core`):
 * - `E_ENCODER_CONFIG`: a config or builder option is invalid (bad number, missing field, malformed config).
 * - `E_ENCODER_SHAPE`: a `sequential` composition does not fit together; `details` has `step`, `type`,
 *   `expected`, `found`.
 * - `E_ENCODER_INPUT`: the batch given to `encode` does not match what the encoder needs.
 * - `E_ENCODER_BUDGET`: building from a config would allocate more weight values than `maxParameters` allows.
 *
 * An unregistered encoder or step type is core's `E_UNKNOWN_TYPE`.
 */
export type EncoderErrorCode =
  | 'E_ENCODER_CONFIG'
  | 'E_ENCODER_SHAPE'
  | 'E_ENCODER_INPUT'
  | 'E_ENCODER_BUDGET';

/** A step receives a kind (token ids, a sequence, a vector) or a width it cannot take. */
export function shapeError(
  step: number,
  type: string,
  expected: string,
  found: string,
): SiameseError<'E_ENCODER_SHAPE'> {
  return new SiameseError(
    'E_ENCODER_SHAPE',
    `encoder step ${step} (${type}): expected ${expected}, found ${found}`,
    {
      details: { step, type, expected, found },
    },
  );
}
