import {
  type Dtype,
  dtypeBits,
  dtypeRank,
  isDtype,
  LITTLE_ENDIAN,
  numberToBfloat16Bits,
  numberToHalfBits,
} from './dtypes.js';
import { safetensorsError } from './errors.js';

/** Element arrays the writer accepts. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * One tensor to write. `dtype` defaults to the array's own type (`Float32Array` → `F32`, `Int32Array` → `I32`, …).
 * A float array may be written as `F16` or `BF16` (rounded to nearest even, as PyTorch's `.half()` and
 * `.bfloat16()`); a `Uint8Array` with another dtype is taken as that dtype's raw little-endian bytes (to copy a
 * tensor read from another file unchanged), and a `Uint16Array` with `F16` or `BF16` as the half-precision bit
 * patterns.
 */
export interface TensorToWrite {
  readonly data: TensorArray;
  readonly shape: readonly number[];
  readonly dtype?: Dtype;
}

/** Options of {@link serializeSafetensors}. */
export interface SafetensorsWriteOptions {
  /** The `__metadata__` string map (e.g. `{ format: 'pt' }`, which `transformers` writes). */
  metadata?: Record<string, string>;
}

const NATURAL: [new (...a: never[]) => TensorArray, Dtype][] = [
  [Float32Array, 'F32'],
  [Float64Array, 'F64'],
  [Int8Array, 'I8'],
  [Uint8Array, 'U8'],
  [Int16Array, 'I16'],
  [Uint16Array, 'U16'],
  [Int32Array, 'I32'],
  [Uint32Array, 'U32'],
  [BigInt64Array, 'I64'],
  [BigUint64Array, 'U64'],
];

function naturalDtype(data: unknown): Dtype | null {
  for (const [ctor, dtype] of NATURAL) if (data instanceof ctor) return dtype;
  return null;
}

/** Compares names by UTF-8 bytes (= code points), as Rust's `String` ordering does. */
function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

interface Planned {
  name: string;
  dtype: Dtype;
  shape: number[];
  data: TensorArray;
  byteLength: number;
}

function plan(name: string, t: TensorToWrite): Planned {
  const fail = (message: string, found: unknown) =>
    safetensorsError('E_SAFETENSORS_WRITE', `tensor ${JSON.stringify(name)}: ${message}`, {
      tensor: name,
      found,
    });
  if (!t || typeof t !== 'object') throw fail('expected {data, shape, dtype?}', typeof t);
  const natural = naturalDtype(t.data);
  if (!natural) throw fail('data must be a typed array (Float32Array, Int32Array, …)', typeof t.data);
  const dtype = t.dtype ?? natural;
  if (!isDtype(dtype)) throw fail(`unknown dtype ${JSON.stringify(dtype)}`, dtype);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`shape must be an array of non-negative integers, found ${JSON.stringify(t.shape)}`, t.shape);
  }
  const size = t.shape.reduce((a, d) => a * d, 1);
  const bits = size * dtypeBits(dtype);
  if (bits % 8 !== 0) throw fail(`${size} elements of ${dtype} do not fill whole bytes`, size);
  const byteLength = bits / 8;
  const floatIn = natural === 'F32' || natural === 'F64';
  const halfBits = natural === 'U16' && (dtype === 'F16' || dtype === 'BF16');
  if (
    dtype === natural ||
    halfBits ||
    (floatIn && (dtype === 'F16' || dtype === 'BF16' || dtype === 'F32' || dtype === 'F64'))
  ) {
    if (t.data.length !== size) {
      throw fail(
        `shape ${JSON.stringify(t.shape)} has ${size} elements, data has ${t.data.length}`,
        t.data.length,
      );
    }
  } else if (natural === 'U8') {
    if (t.data.length !== byteLength) {
      throw fail(
        `shape ${JSON.stringify(t.shape)} of ${dtype} needs ${byteLength} raw bytes, data has ${t.data.length}`,
        t.data.length,
      );
    }
  } else {
    throw fail(`cannot write a ${t.data.constructor.name} as ${dtype}`, natural);
  }
  return { name, dtype, shape: [...t.shape], data: t.data, byteLength };
}

/** Writes one tensor's elements as little-endian `dtype` into `out` (which has exactly `p.byteLength` bytes). */
function encode(p: Planned, out: Uint8Array): void {
  const natural = naturalDtype(p.data)!;
  const raw =
    p.dtype === natural ||
    natural === 'U8' ||
    (natural === 'U16' && (p.dtype === 'F16' || p.dtype === 'BF16'));
  if (raw) {
    const src = new Uint8Array(p.data.buffer, p.data.byteOffset, p.byteLength);
    if (LITTLE_ENDIAN || p.data.BYTES_PER_ELEMENT === 1) out.set(src);
    else swapInto(src, out, p.data.BYTES_PER_ELEMENT);
    return;
  }
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const src = p.data as Float32Array | Float64Array;
  const n = src.length;
  if (p.dtype === 'F16') for (let i = 0; i < n; i++) dv.setUint16(i * 2, numberToHalfBits(src[i]!), true);
  else if (p.dtype === 'BF16')
    for (let i = 0; i < n; i++) dv.setUint16(i * 2, numberToBfloat16Bits(src[i]!), true);
  else if (p.dtype === 'F32') for (let i = 0; i < n; i++) dv.setFloat32(i * 4, src[i]!, true);
  else for (let i = 0; i < n; i++) dv.setFloat64(i * 8, src[i]!, true);
}

function swapInto(src: Uint8Array, out: Uint8Array, size: number): void {
  for (let i = 0; i < src.length; i += size)
    for (let k = 0; k < size; k++) out[i + k] = src[i + size - 1 - k]!;
}

/**
 * Serialises tensors into one safetensors file, laid out as the reference writer does
 * (huggingface/safetensors `safetensors/src/tensor.rs`, `prepare` + `serialize`): tensors sorted by dtype
 * alignment (largest first) then by name, the compact JSON header with `__metadata__` first, padded with spaces
 * to a multiple of 8 bytes, so every tensor is aligned. For the same tensors and at most one metadata key, the
 * bytes equal the reference's (`safetensors.torch.save`).
 *
 * @example
 * ```ts
 * const bytes = serializeSafetensors({
 *   'embedding.weight': { data: matrix, shape: [vocab, dim] }, // Float32Array → F32
 *   'linear.weight': { data: w, shape: [out, inp], dtype: 'F16' }, // rounded to half precision
 * }, { metadata: { format: 'pt' } });
 * ```
 */
export function serializeSafetensors(
  tensors: Record<string, TensorToWrite> | Iterable<readonly [string, TensorToWrite]>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const entries: (readonly [string, TensorToWrite])[] =
    Symbol.iterator in Object(tensors)
      ? [...(tensors as Iterable<readonly [string, TensorToWrite]>)]
      : Object.entries(tensors as Record<string, TensorToWrite>);
  const seen = new Set<string>();
  const planned: Planned[] = [];
  for (const [name, t] of entries) {
    if (typeof name !== 'string' || name === '' || name === '__metadata__') {
      throw safetensorsError(
        'E_SAFETENSORS_WRITE',
        `tensor names must be non-empty strings other than "__metadata__", found ${JSON.stringify(name)}`,
        { tensor: name },
      );
    }
    if (seen.has(name)) {
      throw safetensorsError('E_SAFETENSORS_WRITE', `tensor ${JSON.stringify(name)} is given twice`, {
        tensor: name,
      });
    }
    seen.add(name);
    planned.push(plan(name, t));
  }
  planned.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareNames(a.name, b.name));
  const parts: string[] = [];
  if (options.metadata !== undefined) {
    const m = options.metadata;
    if (m === null || typeof m !== 'object' || Object.values(m).some((v) => typeof v !== 'string')) {
      throw safetensorsError('E_SAFETENSORS_WRITE', 'metadata must be an object of strings', {});
    }
    parts.push(`"__metadata__":${JSON.stringify(m)}`);
  }
  let offset = 0;
  for (const p of planned) {
    parts.push(
      `${JSON.stringify(p.name)}:{"dtype":"${p.dtype}","shape":[${p.shape.join(',')}],"data_offsets":[${offset},${offset + p.byteLength}]}`,
    );
    offset += p.byteLength;
  }
  const header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const n = Math.ceil(header.byteLength / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n % 4294967296, true);
  dv.setUint32(4, Math.floor(n / 4294967296), true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.byteLength, 8 + n);
  let at = 8 + n;
  for (const p of planned) {
    encode(p, out.subarray(at, at + p.byteLength));
    at += p.byteLength;
  }
  return out;
}
