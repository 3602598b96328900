/**
 * The safetensors element types, in the reference implementation's order (huggingface/safetensors
 * `safetensors/src/tensor.rs`, `enum Dtype`: "They MUST be in increasing alignment order"). The writer sorts tensors by
 * this order, largest first, as the reference `prepare()` does, so every tensor lands aligned to its own size.
 */
export const DTYPES = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

/** A safetensors dtype name (`"F32"`, `"F16"`, `"BF16"`, `"I8"`, …). */
export type Dtype = (typeof DTYPES)[number];

const BITS: Record<Dtype, number> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

const RANK = new Map<string, number>(DTYPES.map((d, i) => [d, i]));

/** True when `value` names a dtype of the format. */
export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && RANK.has(value);
}

/** Bits per element (4 and 6 for the sub-byte float types). */
export function dtypeBits(dtype: Dtype): number {
  return BITS[dtype];
}

/** Position in {@link DTYPES} (the alignment order). */
export function dtypeRank(dtype: Dtype): number {
  return RANK.get(dtype)!;
}

/** The dtypes {@link toFloat32} converts (everything but complex, the 8-bit floats and the sub-byte types). */
export const FLOAT32_CONVERTIBLE: ReadonlySet<Dtype> = new Set<Dtype>([
  'BOOL',
  'U8',
  'I8',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
]);

/** True on little-endian hosts (every runtime we target); typed-array views of the file are then exact. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let f16Table: Float32Array | null = null;

/** All 65 536 half-precision values as float32 (built on first use: 256 KiB; a lookup beats bit twiddling). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = halfBitsToNumber(h);
  f16Table = t;
  return t;
}

/** The value of IEEE 754 binary16 bits (exact in float32 and float64). */
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * binary16 bits of a number, rounded to nearest even (as `torch.Tensor.half()` and numpy `astype(float16)`):
 * overflow gives ±Infinity, NaN stays NaN, tiny values become subnormals or ±0.
 */
export function numberToHalfBits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  let h = sign | (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return h;
}

/** bfloat16 bits of a number, rounded to nearest even (NaN stays a quiet NaN). */
export function numberToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** A typed view of `bytes` when aligned (and the host is little-endian), else `null`. */
function view<T>(
  bytes: Uint8Array,
  size: number,
  ctor: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
): T | null {
  if (!LITTLE_ENDIAN || bytes.byteOffset % size !== 0) return null;
  return new ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * `bytes` (little-endian elements of `dtype`) as float32 values. `F32` on an aligned offset is a zero-copy view
 * sharing memory with `bytes`; every other case allocates. Integers convert by value (I64/U64 beyond 2^53 round).
 * Callers check {@link FLOAT32_CONVERTIBLE} first.
 */
export function toFloat32(bytes: Uint8Array, dtype: Dtype): Float32Array {
  const bits = BITS[dtype];
  const n = (bytes.byteLength * 8) / bits;
  switch (dtype) {
    case 'F32': {
      const v = view(bytes, 4, Float32Array);
      if (v) return v;
      const out = new Float32Array(n);
      const dv = dataView(bytes);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'F16': {
      const table = halfTable();
      const out = new Float32Array(n);
      const u16 = view(bytes, 2, Uint16Array);
      if (u16) for (let i = 0; i < n; i++) out[i] = table[u16[i]!]!;
      else {
        const dv = dataView(bytes);
        for (let i = 0; i < n; i++) out[i] = table[dv.getUint16(i * 2, true)]!;
      }
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the bits into place.
      const out = new Float32Array(n);
      const o32 = new Uint32Array(out.buffer);
      const u16 = view(bytes, 2, Uint16Array);
      if (u16) for (let i = 0; i < n; i++) o32[i] = u16[i]! << 16;
      else {
        const dv = dataView(bytes);
        if (LITTLE_ENDIAN) for (let i = 0; i < n; i++) o32[i] = dv.getUint16(i * 2, true) << 16;
        else for (let i = 0; i < n; i++) out[i] = bf16At(dv, i);
      }
      return out;
    }
    default: {
      // F64 and the integer types: by value, natively from an aligned typed view when there is one.
      const ctor = TYPED[dtype];
      const v = ctor ? view(bytes, bits / 8, ctor) : null;
      if (v) return new Float32Array(v);
      const read = READ[dtype];
      if (!read) throw new TypeError(`toFloat32: ${dtype} has no float32 conversion`);
      const out = new Float32Array(n);
      const dv = dataView(bytes);
      for (let i = 0; i < n; i++) out[i] = Number(read(dv, i));
      return out;
    }
  }
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 element `i` on a big-endian host (typed arrays there are big-endian too). */
function bf16At(dv: DataView, i: number): number {
  bf16Scratch.setUint16(0, dv.getUint16(i * 2, true), false);
  bf16Scratch.setUint16(2, 0, false);
  return bf16Scratch.getFloat32(0, false);
}

type TypedCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayLike<number>;

/** Typed-array views for the dtypes converted by value (64-bit integers go through BigInt). */
const TYPED: Partial<Record<Dtype, TypedCtor>> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  I16: Int16Array,
  U16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F64: Float64Array,
};

/** Element `i` of a little-endian buffer, for the dtypes converted by value. */
const READ: Partial<Record<Dtype, (dv: DataView, i: number) => number | bigint>> = {
  BOOL: (dv, i) => dv.getUint8(i),
  U8: (dv, i) => dv.getUint8(i),
  I8: (dv, i) => dv.getInt8(i),
  I16: (dv, i) => dv.getInt16(i * 2, true),
  U16: (dv, i) => dv.getUint16(i * 2, true),
  I32: (dv, i) => dv.getInt32(i * 4, true),
  U32: (dv, i) => dv.getUint32(i * 4, true),
  I64: (dv, i) => dv.getBigInt64(i * 8, true),
  U64: (dv, i) => dv.getBigUint64(i * 8, true),
  F64: (dv, i) => dv.getFloat64(i * 8, true),
};

/** The integer dtypes {@link toInt32} converts. */
export const INT32_CONVERTIBLE: ReadonlySet<Dtype> = new Set<Dtype>([
  'BOOL',
  'U8',
  'I8',
  'I16',
  'U16',
  'I32',
  'U32',
  'I64',
  'U64',
]);

/**
 * `bytes` (little-endian integers of `dtype`) as int32 values: a zero-copy view for aligned `I32`, else a copy.
 * Returns the index of the first value outside the int32 range instead when there is one.
 */
export function toInt32(
  bytes: Uint8Array,
  dtype: Dtype,
): Int32Array | { outOfRange: number; value: bigint | number } {
  const n = (bytes.byteLength * 8) / BITS[dtype];
  if (dtype === 'I32') {
    const v = view(bytes, 4, Int32Array);
    if (v) return v;
  }
  const read = READ[dtype];
  if (!read || !INT32_CONVERTIBLE.has(dtype))
    throw new TypeError(`toInt32: ${dtype} is not an integer dtype`);
  const dv = dataView(bytes);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = read(dv, i);
    if (v < -2147483648 || v > 2147483647) return { outOfRange: i, value: v };
    out[i] = Number(v);
  }
  return out;
}
