import { type Dtype, FLOAT32_CONVERTIBLE, INT32_CONVERTIBLE, toFloat32, toInt32 } from './dtypes.js';
import { safetensorsError } from './errors.js';
import {
  readSafetensorsHeader,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type TensorInfo,
} from './header.js';

/**
 * A parsed safetensors file: its validated header plus accessors that view or convert each tensor. Views share
 * memory with the bytes given to {@link parseSafetensors}: copy a tensor (`.slice()`) before changing it, and keep
 * in mind that any view keeps the whole file's buffer alive.
 */
export class SafetensorsFile {
  /** The validated header (names, dtypes, shapes, offsets, metadata). */
  readonly header: SafetensorsHeader;
  private readonly bytes: Uint8Array;
  private readonly index: Map<string, TensorInfo>;

  /** @internal Use {@link parseSafetensors}. */
  constructor(bytes: Uint8Array, header: SafetensorsHeader) {
    this.bytes = bytes;
    this.header = header;
    this.index = new Map(header.tensors.map((t) => [t.name, t]));
  }

  /** The `__metadata__` map (e.g. `{ format: 'pt' }`), or `null`. */
  get metadata(): Readonly<Record<string, string>> | null {
    return this.header.metadata;
  }

  /** Tensor names in file order. */
  names(): string[] {
    return this.header.tensors.map((t) => t.name);
  }

  /** True when the file has a tensor `name`. */
  has(name: string): boolean {
    return this.index.has(name);
  }

  /** Dtype, shape, size and offsets of `name`; `E_SAFETENSORS_NOT_FOUND` when absent. */
  info(name: string): TensorInfo {
    const t = this.index.get(name);
    if (!t) {
      const names = this.names();
      const shown = names.slice(0, 20).map((n) => JSON.stringify(n));
      throw safetensorsError(
        'E_SAFETENSORS_NOT_FOUND',
        `no tensor ${JSON.stringify(name)}; the file has ${names.length}: ${shown.join(', ')}${names.length > 20 ? ', …' : ''}`,
        { tensor: name, found: names.slice(0, 100) },
      );
    }
    return t;
  }

  /** The raw little-endian bytes of `name` (a zero-copy view). */
  bytesOf(name: string): Uint8Array {
    const t = this.info(name);
    const at = this.header.dataOffset;
    return this.bytes.subarray(at + t.begin, at + t.end);
  }

  /**
   * `name` as float32 values, row-major. An `F32` tensor is a zero-copy view when its offset is 4-byte aligned
   * (always, for files written by the reference writer or {@link serializeSafetensors}, read into their own
   * buffer); `F16`, `BF16`, `F64` and the integer types are converted into a new array. Throws
   * `E_SAFETENSORS_DTYPE` for the 8-bit float, sub-byte and complex types.
   */
  float32(name: string): Float32Array {
    const t = this.info(name);
    if (!FLOAT32_CONVERTIBLE.has(t.dtype)) throw unconvertible(t, 'float32', FLOAT32_CONVERTIBLE);
    return toFloat32(this.bytesOf(name), t.dtype);
  }

  /**
   * `name` as int32 values (token ids, index maps): a zero-copy view for aligned `I32`, else a copy.
   * `E_SAFETENSORS_DTYPE` for float dtypes and for 64-bit values outside the int32 range.
   */
  int32(name: string): Int32Array {
    const t = this.info(name);
    if (!INT32_CONVERTIBLE.has(t.dtype)) throw unconvertible(t, 'int32', INT32_CONVERTIBLE);
    const r = toInt32(this.bytesOf(name), t.dtype);
    if (r instanceof Int32Array) return r;
    throw safetensorsError(
      'E_SAFETENSORS_DTYPE',
      `tensor ${JSON.stringify(name)}: element ${r.outOfRange} is ${r.value}, outside the int32 range`,
      { tensor: name, index: r.outOfRange, found: String(r.value) },
    );
  }
}

function unconvertible(t: TensorInfo, to: string, ok: ReadonlySet<Dtype>): Error {
  return safetensorsError(
    'E_SAFETENSORS_DTYPE',
    `tensor ${JSON.stringify(t.name)} is ${t.dtype}, which has no ${to} conversion (expected one of ${[...ok].join(', ')}); read its raw bytes with bytesOf()`,
    { tensor: t.name, expected: [...ok], found: t.dtype },
  );
}

/**
 * Parses a whole safetensors file held in memory, validating the header against the bytes (see
 * {@link readSafetensorsHeader}); no tensor data is copied.
 *
 * @example
 * ```ts
 * const file = parseSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * file.names(); // ['encoder.embedding.weight', 'encoder.lstm.bias_hh_l0', …]
 * const w = file.float32('encoder.embedding.weight'); // Float32Array, row-major [V, 16]
 * file.info('encoder.embedding.weight').shape; // [148, 16]
 * ```
 */
export function parseSafetensors(
  bytes: Uint8Array | ArrayBuffer,
  options: SafetensorsReadOptions = {},
): SafetensorsFile {
  const u8 =
    bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
  if (!u8) {
    throw new TypeError(
      `bytes: expected a Uint8Array or an ArrayBuffer, found ${bytes === null ? 'null' : typeof bytes}`,
    );
  }
  return new SafetensorsFile(u8, readSafetensorsHeader(u8, options));
}
