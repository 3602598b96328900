/**
 * The codes `@siamese/runtime` throws (always as a `SiameseError` from `@siamese/core`; bad arguments are core's
 * `E_INVALID_ARGUMENT`, a newer model format core's `E_FORMAT_VERSION`):
 * - `E_MODEL_CORRUPT`: not a model file, or an unreadable manifest.
 * - `E_MODEL_TRUNCATED`: fewer bytes than the manifest promises.
 * - `E_MODEL_CHECKSUM`: the weights were altered (their sha256 differs from the manifest's).
 * - `E_MODEL_MISMATCH`: vocabulary, encoder and weights do not fit together (or a checkpoint does not fit the model).
 * - `E_MODEL_NOT_FOUND`: nothing to read at the path or URL.
 * - `E_NAN_LOSS`: training diverged (the loss became NaN or infinite).
 * - `E_ABORTED`: training stopped through its `AbortSignal`; `details.history` holds the completed epochs.
 * - `E_NO_THRESHOLD`: `match` needs a threshold and the model has none.
 * - `E_WORKER_FAILED`: a worker thread of parallel training or embedding failed (its own error, when it threw a
 *   `SiameseError`, keeps its code instead).
 */
export type RuntimeErrorCode =
  | 'E_MODEL_CORRUPT'
  | 'E_MODEL_TRUNCATED'
  | 'E_MODEL_CHECKSUM'
  | 'E_MODEL_MISMATCH'
  | 'E_MODEL_NOT_FOUND'
  | 'E_NAN_LOSS'
  | 'E_ABORTED'
  | 'E_NO_THRESHOLD'
  | 'E_WORKER_FAILED';
