/**
 * The codes `@siamese/runtime` throws (always as a `SiameseError` from `@siamese/core`; bad arguments are core's
 * `E_INVALID_ARGUMENT`, a newer model format core's `E_FORMAT_VERSION`):
 * - `E_MODEL_CORRUPT`: not a model file, or an unreadable manifest.
 * - `E_MODEL_TRUNCATED`: fewer bytes than the manifest promises.
 * - `E_MODEL_CHECKSUM`: the weights were altered (their sha256 differs from the manifest's).
 * - `E_MODEL_MISMATCH`: vocabulary, encoder and weights do not fit together (or a checkpoint does not fit the model).
 * - `E_MODEL_NOT_FOUND`: nothing to read at the path or URL.
 * - `E_MODEL_UNSAFE_PATH`: a file name in a manifest or checkpoint is not a plain name inside its folder
 *   (separators, `..`, absolute paths, symbolic links that leave the folder, devices).
 * - `E_MODEL_TOO_LARGE`: a part of the model is larger than its limit (`LoadModelOptions.limits`).
 * - `E_MODEL_URL`: a URL the loader will not fetch (not http(s), too many redirects, a hidden redirect).
 * - `E_MODEL_CROSS_ORIGIN`: a URL model's weights or redirects lead to an origin not in `allowedOrigins`.
 * - `E_MODEL_TIMEOUT`: a URL load took longer than `limits.timeoutMs`.
 * - `E_MODEL_NON_FINITE`: weights hold NaN or Infinity (refused when saving and when loading).
 * - `E_MODEL_DISPOSED`: saving a model after `dispose()`.
 * - `E_NAN_LOSS`: training diverged (the loss became NaN or infinite).
 * - `E_ABORTED`: training stopped through its `AbortSignal`; `details.history` holds the completed epochs.
 * - `E_NO_THRESHOLD`: `match` needs a threshold and the model has none.
 * - `E_INDEX_CORRUPT`: not an index file, or a part of it is invalid (`details.part` names which).
 * - `E_INDEX_TRUNCATED`: fewer bytes than the index's header promises.
 * - `E_INDEX_CHECKSUM`: the index's bytes were altered or damaged (its CRC-32 differs).
 * - `E_IMPORT_ARCHITECTURE`: `importTorch` cannot infer an encoder from a state_dict's keys (pass `architecture`).
 * - `E_IMPORT_UNSUPPORTED`: `importPretrained` met a module or tensor it cannot reproduce (named in the message).
 * - `E_EXPORT_UNSUPPORTED`: `exportPretrained` was given a model that is not a static one (use `exportTorch`).
 * - `E_WORKER_FAILED`: a worker thread of parallel training or embedding failed (its own error, when it threw a
 *   `SiameseError`, keeps its code instead).
 */
export type RuntimeErrorCode =
  | 'E_MODEL_CORRUPT'
  | 'E_MODEL_TRUNCATED'
  | 'E_MODEL_CHECKSUM'
  | 'E_MODEL_MISMATCH'
  | 'E_MODEL_NOT_FOUND'
  | 'E_MODEL_UNSAFE_PATH'
  | 'E_MODEL_TOO_LARGE'
  | 'E_MODEL_URL'
  | 'E_MODEL_CROSS_ORIGIN'
  | 'E_MODEL_TIMEOUT'
  | 'E_MODEL_NON_FINITE'
  | 'E_MODEL_DISPOSED'
  | 'E_NAN_LOSS'
  | 'E_ABORTED'
  | 'E_NO_THRESHOLD'
  | 'E_INDEX_CORRUPT'
  | 'E_INDEX_TRUNCATED'
  | 'E_INDEX_CHECKSUM'
  | 'E_IMPORT_ARCHITECTURE'
  | 'E_IMPORT_UNSUPPORTED'
  | 'E_EXPORT_UNSUPPORTED'
  | 'E_WORKER_FAILED';
