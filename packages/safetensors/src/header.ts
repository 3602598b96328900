/**
 * The safetensors header, read and checked before any tensor is touched. The format, from the reference
 * (huggingface/safetensors `README.md` § Format and `safetensors/src/tensor.rs`, commit 24b0b28):
 *
 * - 8 bytes: `N`, an unsigned little-endian 64-bit integer, the size of the header;
 * - `N` bytes: a UTF-8 JSON object `{"NAME": {"dtype": "F16", "shape": [1, 16, 256], "data_offsets": [BEGIN, END]}, …}`,
 *   which must begin with `{` and may be padded on the right with spaces; the special key `__metadata__` holds a
 *   string-to-string map;
 * - the rest of the file: the byte buffer. Offsets are relative to its start, tensors are little-endian and
 *   row-major, and the buffer must be covered entirely, without holes or overlaps (`Metadata::validate`).
 *
 * Everything is validated against the bytes actually present before anything is allocated, so a hostile
 * header (a length bomb, offsets past the end, shapes that overflow) costs nothing but the error.
 */
import { DTYPES, type Dtype, dtypeBits, isDtype } from './dtypes.js';
import { safetensorsError } from './errors.js';

/** The reference reader refuses headers over 100 MB (`MAX_HEADER_SIZE` in `tensor.rs`); so do we, by default. */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

/** One tensor of the header. Offsets are bytes from the start of the data section (after the header). */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Number of elements (the product of `shape`; 1 for a scalar `[]`). */
  readonly size: number;
  /** First byte, relative to the data section (`data_offsets[0]`). */
  readonly begin: number;
  /** One past the last byte, relative to the data section (`data_offsets[1]`). */
  readonly end: number;
}

/** A parsed, validated header. */
export interface SafetensorsHeader {
  /** `N`: the header's length in bytes (padding included). */
  readonly headerLength: number;
  /** Where the data section starts in the file: `8 + N`. */
  readonly dataOffset: number;
  /** Total file size the header implies: `8 + N + end of the last tensor`. */
  readonly byteLength: number;
  /** The `__metadata__` map, or `null` when absent. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Tensors in file order (by offset). */
  readonly tensors: readonly TensorInfo[];
}

/** Options of the readers. */
export interface SafetensorsReadOptions {
  /** Largest header accepted, in bytes; default 100 MB, as the reference. */
  maxHeaderBytes?: number;
}

/**
 * `N` from the first 8 bytes of a file: how many more bytes to read to get the header. Throws
 * `E_SAFETENSORS_TRUNCATED` with fewer than 8 bytes and `E_SAFETENSORS_LIMIT` when `N` exceeds `maxHeaderBytes`.
 */
export function safetensorsHeaderLength(bytes: Uint8Array, options: SafetensorsReadOptions = {}): number {
  if (bytes.byteLength < 8) {
    throw safetensorsError(
      'E_SAFETENSORS_TRUNCATED',
      `expected at least 8 bytes (the header length), found ${bytes.byteLength}`,
      { expected: 8, found: bytes.byteLength },
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const n = hi * 4294967296 + lo;
  if (hi >= 0x200000 || n > max) {
    throw safetensorsError(
      'E_SAFETENSORS_LIMIT',
      `the header declares ${hi >= 0x200000 ? 'more than 2^53' : n} bytes, more than the ${max} allowed (maxHeaderBytes); this is not a safetensors file or it is corrupt`,
      { expected: max, found: hi >= 0x200000 ? `${hi}*2^32+${lo}` : n },
    );
  }
  return n;
}

/**
 * Reads and validates the header from the first bytes of a file. `bytes` may be the whole file or just its first
 * `8 + N` bytes; `fileSize` (default `bytes.byteLength`) is the full size, against which the offsets are checked.
 * Throws a typed error (`E_SAFETENSORS_*`) naming the tensor and what was expected and found.
 *
 * @example
 * ```ts
 * const n = safetensorsHeaderLength(first8Bytes); // then read 8 + n bytes
 * const header = readSafetensorsHeader(prefix, { fileSize }); // names, dtypes, shapes, offsets; no data read
 * ```
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  options: SafetensorsReadOptions & { fileSize?: number } = {},
): SafetensorsHeader {
  const n = safetensorsHeaderLength(bytes, options);
  const fileSize = options.fileSize ?? bytes.byteLength;
  if (bytes.byteLength < 8 + n || fileSize < 8 + n) {
    const found = Math.min(bytes.byteLength, fileSize);
    throw safetensorsError(
      'E_SAFETENSORS_TRUNCATED',
      `the header declares ${n} bytes after the 8-byte length, but only ${Math.max(0, found - 8)} follow`,
      { expected: 8 + n, found },
    );
  }
  const raw = bytes.subarray(8, 8 + n);
  if (n === 0 || raw[0] !== 0x7b) {
    throw safetensorsError(
      'E_SAFETENSORS_HEADER',
      `the header must be a JSON object starting with "{", found ${n === 0 ? 'an empty header' : `byte 0x${raw[0]!.toString(16).padStart(2, '0')}`}`,
      { expected: '{', found: n === 0 ? '' : raw[0] },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw));
  } catch (e) {
    throw safetensorsError(
      'E_SAFETENSORS_HEADER',
      `the header is not valid UTF-8 JSON (${(e as Error).message})`,
      {},
      e,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw safetensorsError('E_SAFETENSORS_HEADER', 'the header must be a JSON object', {
      found: Array.isArray(json) ? 'array' : typeof json,
    });
  }
  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') metadata = checkMetadata(entry);
    else tensors.push(checkEntry(name, entry));
  }
  // The reference sorts by offsets (older writers used other orders), then demands a gap-free cover.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    if (t.begin !== at) {
      const prev = i > 0 ? tensors[i - 1]!.name : null;
      const what =
        t.begin < at
          ? `overlaps ${JSON.stringify(prev)}`
          : `leaves a hole of ${t.begin - at} bytes${prev ? ` after ${JSON.stringify(prev)}` : ' at the start'}`;
      throw safetensorsError(
        'E_SAFETENSORS_LAYOUT',
        `tensor ${JSON.stringify(t.name)} starts at byte ${t.begin} of the data, expected ${at}: it ${what}`,
        { tensor: t.name, expected: at, found: t.begin },
      );
    }
    at = t.end;
  }
  const byteLength = 8 + n + at;
  if (fileSize < byteLength) {
    const last = tensors[tensors.length - 1]!;
    throw safetensorsError(
      'E_SAFETENSORS_TRUNCATED',
      `the file has ${fileSize} bytes but tensor ${JSON.stringify(last.name)} ends at byte ${byteLength}`,
      { tensor: last.name, expected: byteLength, found: fileSize },
    );
  }
  if (fileSize > byteLength) {
    throw safetensorsError(
      'E_SAFETENSORS_LAYOUT',
      `the tensors end at byte ${byteLength} but the file has ${fileSize} bytes: ${fileSize - byteLength} trailing bytes belong to no tensor`,
      { expected: byteLength, found: fileSize },
    );
  }
  return { headerLength: n, dataOffset: 8 + n, byteLength, metadata, tensors };
}

function checkMetadata(entry: unknown): Record<string, string> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw safetensorsError('E_SAFETENSORS_HEADER', '"__metadata__" must be an object of strings', {
      found: Array.isArray(entry) ? 'array' : entry === null ? 'null' : typeof entry,
    });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') {
      throw safetensorsError(
        'E_SAFETENSORS_HEADER',
        `"__metadata__".${JSON.stringify(k)} must be a string, found ${v === null ? 'null' : typeof v}`,
        { key: k, found: typeof v },
      );
    }
    out[k] = v;
  }
  return out;
}

function tensorError(name: string, message: string, expected: unknown, found: unknown): Error {
  return safetensorsError('E_SAFETENSORS_TENSOR', `tensor ${JSON.stringify(name)}: ${message}`, {
    tensor: name,
    expected,
    found,
  });
}

function isIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function checkEntry(name: string, entry: unknown): TensorInfo {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw tensorError(name, 'expected an object {dtype, shape, data_offsets}', 'object', typeof entry);
  }
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isDtype(dtype)) {
    throw tensorError(
      name,
      `unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.join(', ')})`,
      DTYPES,
      dtype,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw tensorError(
      name,
      `shape must be an array of non-negative integers, found ${JSON.stringify(shape)}`,
      'non-negative integers',
      shape,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isIndex(offsets[0]) || !isIndex(offsets[1])) {
    throw tensorError(
      name,
      `data_offsets must be [begin, end] with non-negative integers, found ${JSON.stringify(offsets)}`,
      '[begin, end]',
      offsets,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw tensorError(name, `data_offsets [${begin}, ${end}] end before they begin`, 'begin <= end', offsets);
  let size = 1;
  for (const d of shape as number[]) {
    size *= d;
    if (!Number.isSafeInteger(size)) {
      throw tensorError(name, `shape ${JSON.stringify(shape)} has more than 2^53 elements`, '< 2^53', shape);
    }
  }
  const bits = size * dtypeBits(dtype);
  if (!Number.isSafeInteger(bits)) {
    throw tensorError(name, `shape ${JSON.stringify(shape)} is too large for ${dtype}`, '< 2^53 bits', shape);
  }
  if (bits % 8 !== 0) {
    throw tensorError(
      name,
      `${size} elements of ${dtype} (${dtypeBits(dtype)} bits) do not fill whole bytes`,
      'a whole number of bytes',
      bits,
    );
  }
  if (end - begin !== bits / 8) {
    throw tensorError(
      name,
      `shape ${JSON.stringify(shape)} of ${dtype} needs ${bits / 8} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      bits / 8,
      end - begin,
    );
  }
  return { name, dtype, shape: shape as number[], size, begin, end };
}
