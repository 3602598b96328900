import { SiameseError } from '@siamese/core';

/**
 * A saved model could not be read. Codes: `E_MODEL_CORRUPT` (not a model file / unreadable manifest),
 * `E_MODEL_TRUNCATED` (fewer bytes than the manifest promises), `E_MODEL_CHECKSUM` (weights altered),
 * `E_MODEL_MISMATCH` (vocabulary, encoder and weights do not fit together), `E_FORMAT_VERSION` (newer format).
 */
export class ModelFormatError extends SiameseError {}
