/**
 * The codes `@siamese/losses` throws (always as a `SiameseError` from `@siamese/core`):
 * - `E_LOSS_BATCH`: `Loss.compute` got a batch that lacks a tensor its kind needs, or whose shapes disagree.
 * - `E_LOSS_CONFIG`: an option has a wrong type or value, or is unknown.
 *
 * An unregistered loss type is core's `E_UNKNOWN_TYPE`.
 */
export type LossErrorCode = 'E_LOSS_BATCH' | 'E_LOSS_CONFIG';
