import { SiameseError } from '@siamese/core';

/**
 * The codes `@siamese/safetensors` throws (every error is a `SiameseError` with one of these):
 * - `E_SAFETENSORS_TRUNCATED`: the bytes end before the header or the tensor data the header declares.
 * - `E_SAFETENSORS_HEADER`: the header is not a UTF-8 JSON object of the documented shape.
 * - `E_SAFETENSORS_TENSOR`: one header entry is invalid (dtype, shape, offsets, or a byte count that disagrees with
 *   the shape); `details.tensor` names it.
 * - `E_SAFETENSORS_LAYOUT`: tensors overlap, leave a hole, or bytes follow the last tensor.
 * - `E_SAFETENSORS_LIMIT`: the header is larger than `maxHeaderBytes`.
 * - `E_SAFETENSORS_NOT_FOUND`: the file has no tensor of that name.
 * - `E_SAFETENSORS_DTYPE`: the tensor's dtype cannot be converted to the asked array type.
 * - `E_SAFETENSORS_WRITE`: a tensor given to the writer is inconsistent (shape vs data, name, dtype).
 */
export type SafetensorsErrorCode =
  | 'E_SAFETENSORS_TRUNCATED'
  | 'E_SAFETENSORS_HEADER'
  | 'E_SAFETENSORS_TENSOR'
  | 'E_SAFETENSORS_LAYOUT'
  | 'E_SAFETENSORS_LIMIT'
  | 'E_SAFETENSORS_NOT_FOUND'
  | 'E_SAFETENSORS_DTYPE'
  | 'E_SAFETENSORS_WRITE';

/** A `SiameseError` with a safetensors code; messages start with `safetensors` and say expected vs found. */
export function safetensorsError(
  code: SafetensorsErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SiameseError {
  return new SiameseError(
    code,
    `safetensors: ${message}`,
    cause === undefined ? { details } : { details, cause },
  );
}
