/**
 * @siamese/safetensors: the safetensors weight format (what PyTorch, sentence-transformers, model2vec and the
 * Hugging Face hub store weights in), read and written in pure TypeScript. Headers are validated against the bytes
 * before anything is allocated; `F32` tensors are zero-copy views; `F16`/`BF16`/integer tensors convert to
 * `Float32Array`. No tfjs, no Node APIs: it runs on Node, Deno, Bun, Workers and browsers.
 *
 * @packageDocumentation
 */
export {
  DTYPES,
  type Dtype,
  dtypeBits,
  FLOAT32_CONVERTIBLE,
  halfBitsToNumber,
  INT32_CONVERTIBLE,
  isDtype,
  numberToBfloat16Bits,
  numberToHalfBits,
} from './dtypes.js';
export type { SafetensorsErrorCode } from './errors.js';
export { parseSafetensors, SafetensorsFile } from './file.js';
export {
  DEFAULT_MAX_HEADER_BYTES,
  readSafetensorsHeader,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  safetensorsHeaderLength,
  type TensorInfo,
} from './header.js';
export {
  type SafetensorsWriteOptions,
  serializeSafetensors,
  type TensorArray,
  type TensorToWrite,
} from './write.js';
