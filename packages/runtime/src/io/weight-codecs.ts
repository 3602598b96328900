// Compact weight encodings of the model format: float16, and int8 with one float32 scale per slice along an axis
// (symmetric: q = round(x / s), s = max|x| / 127, so 0 stays exactly 0 and the padding row stays zero).
// Everything is written little-endian through DataView, so files are identical on every platform. The binary16
// conversions are @siamese/safetensors' (round half to even, as torch and numpy).
import { halfBitsToNumber, numberToHalfBits } from '@siamese/safetensors';

/** How a weight tensor is stored in a model file. */
export type WeightsEncoding = 'f32' | 'f16' | 'int8';

/** The encodings, for validation and help texts. */
export const WEIGHTS_ENCODINGS: readonly WeightsEncoding[] = Object.freeze(['f32', 'f16', 'int8']);

/** Bytes one tensor of `n` values takes (scales excluded). */
export function encodedBytes(encoding: WeightsEncoding, n: number): number {
  return encoding === 'f32' ? n * 4 : encoding === 'f16' ? n * 2 : n;
}

/** Writes `values` as float32 or float16 at `byteOffset`. */
export function writeFloats(
  view: DataView,
  byteOffset: number,
  values: Float32Array,
  encoding: 'f32' | 'f16',
) {
  if (encoding === 'f32') {
    for (let i = 0; i < values.length; i++) view.setFloat32(byteOffset + 4 * i, values[i]!, true);
  } else {
    for (let i = 0; i < values.length; i++)
      view.setUint16(byteOffset + 2 * i, numberToHalfBits(values[i]!), true);
  }
}

/** Reads `n` float32 or float16 values at `byteOffset`. */
export function readFloats(
  view: DataView,
  byteOffset: number,
  n: number,
  encoding: 'f32' | 'f16',
): Float32Array {
  const out = new Float32Array(n);
  if (encoding === 'f32') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(byteOffset + 4 * i, true);
  } else {
    for (let i = 0; i < n; i++) out[i] = halfBitsToNumber(view.getUint16(byteOffset + 2 * i, true));
  }
  return out;
}

/**
 * The layout of an int8 tensor's scales: `outer × axisLen × inner` in row-major order, one scale per index of the
 * axis. Axis 0 of a `[V, D]` table is one scale per row; the last axis of a `[in, out]` kernel one per output
 * channel.
 */
function strides(shape: readonly number[], axis: number) {
  const axisLen = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { axisLen, inner };
}

/** Quantizes `values` of `shape` to int8 with one scale per slice of `axis`. */
export function quantizeInt8(
  values: Float32Array,
  shape: readonly number[],
  axis: number,
): { q: Int8Array; scales: Float32Array } {
  const { axisLen, inner } = strides(shape, axis);
  const sliceOf = (i: number) => Math.floor(i / inner) % axisLen;
  const max = new Float32Array(axisLen);
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    const s = sliceOf(i);
    if (a > max[s]!) max[s] = a;
  }
  // A range so small that max/127 underflows float32 still gets a positive scale (the smallest float).
  const scales = max.map((m) => (m > 0 ? Math.max(m / 127, 2 ** -149) : 0));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = scales[sliceOf(i)]!;
    q[i] = s > 0 ? Math.max(-127, Math.min(127, Math.round(values[i]! / s))) : 0;
  }
  return { q, scales };
}

/** The float32 values of an int8 tensor: `q · scale[slice]`. */
export function dequantizeInt8(
  q: Int8Array,
  scales: Float32Array,
  shape: readonly number[],
  axis: number,
): Float32Array {
  const { axisLen, inner } = strides(shape, axis);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i]! * scales[Math.floor(i / inner) % axisLen]!;
  return out;
}

/**
 * The axis that gets its own int8 scales: per row for token tables (each word's vector has its own range), per
 * output channel (the last axis in tfjs layout) for every other matrix. Vectors (biases) stay float32: they are
 * tiny and sensitive.
 */
export function int8Axis(
  name: string,
  shape: readonly number[],
  tableNames: ReadonlySet<string>,
): number | null {
  if (shape.length < 2) return null;
  return tableNames.has(name) ? 0 : shape.length - 1;
}
