import { formatVersionError, SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import type { Calibration } from './quantize.js';
import { INDEX_PRECISIONS, type IndexPrecision, rowBytes } from './quantize.js';
import { type RawIndexParts, type RescoreTier, VectorIndex } from './vector-index.js';

/**
 * Version of the binary index format written by {@link indexToBytes}; {@link indexFromBytes} reads it and older.
 *
 * Layout (little-endian):
 * ```
 * 0   "SIAMVIDX"                      magic, 8 bytes
 * 8   u32 format version
 * 12  u32 H                           header length
 * 16  header JSON (UTF-8, H bytes)    { dim, similarity, precision, rescoreTier, calibrated, count, nextId, texts }
 *     ids          count × u32
 *     calibration  2 × dim × f32      int8: low, high · binary: centre, spread (when header.calibrated)
 *     rows         count × row bytes  float32: dim × f32 · int8: dim × i8 · binary: ⌈dim/32⌉ × u32 of bits
 *     tier         2 × dim × f32, count × dim × i8   a binary index's int8 rescore tier (rescoreTier "int8",
 *                  calibrated)
 *     texts        count × u32 byte lengths (0xFFFFFFFF: no text), then the UTF-8 bytes (when header.texts)
 *     u32 CRC-32 of every byte before it
 * ```
 */
export const INDEX_FORMAT_VERSION = 1;

const MAGIC = new TextEncoder().encode('SIAMVIDX');
const NO_TEXT = 0xffffffff;
const MAX_HEADER = 64 * 1024;
const SIMILARITIES: readonly Similarity[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

interface IndexHeader {
  dim: number;
  similarity: Similarity;
  precision: IndexPrecision;
  rescoreTier: RescoreTier;
  /** A quantized index learns its calibration from its first vectors: an empty one has none yet. */
  calibrated: boolean;
  count: number;
  nextId: number;
  texts: boolean;
}

/** Serialises an index (any precision) to the compact binary format; read it back with {@link indexFromBytes}. */
export function indexToBytes(index: VectorIndex): Uint8Array {
  const parts = index.rawParts();
  const count = parts.ids.length;
  const hasTexts = parts.texts.some((t) => t !== undefined);
  const header: IndexHeader = {
    dim: index.dim,
    similarity: index.similarity,
    precision: index.precision,
    rescoreTier: index.rescoreTier,
    calibrated: parts.calibration !== undefined,
    count,
    nextId: parts.nextId,
    texts: hasTexts,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const encoded = hasTexts
    ? parts.texts.map((t) => (t === undefined ? undefined : new TextEncoder().encode(t)))
    : [];
  const textBytes = encoded.reduce((s, t) => s + (t?.byteLength ?? 0), 0);
  const calBytes = parts.calibration ? index.dim * 8 : 0;
  const tier = parts.tier?.calibration ? parts.tier : undefined;
  const tierBytes = tier ? index.dim * 8 + tier.rows.byteLength : 0;
  const total =
    16 +
    json.byteLength +
    count * 4 +
    calBytes +
    parts.rows.byteLength +
    tierBytes +
    (hasTexts ? count * 4 + textBytes : 0) +
    4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(8, INDEX_FORMAT_VERSION, true);
  dv.setUint32(12, json.byteLength, true);
  out.set(json, 16);
  let at = 16 + json.byteLength;
  for (let i = 0; i < count; i++, at += 4) dv.setUint32(at, parts.ids[i]!, true);
  at = writeCalibration(dv, at, parts.calibration);
  writeRows(dv, out, at, parts.rows, index.precision);
  at += parts.rows.byteLength;
  if (tier) {
    at = writeCalibration(dv, at, tier.calibration);
    out.set(tier.rows, at);
    at += tier.rows.byteLength;
  }
  if (hasTexts) {
    for (const t of encoded) {
      dv.setUint32(at, t === undefined ? NO_TEXT : t.byteLength, true);
      at += 4;
    }
    for (const t of encoded) {
      if (!t) continue;
      out.set(t, at);
      at += t.byteLength;
    }
  }
  dv.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/**
 * Reads an index written by {@link indexToBytes}, validating every part: the magic, the version
 * (`E_FORMAT_VERSION` when newer), the header, each section's length (`E_INDEX_TRUNCATED` when bytes are
 * missing), the checksum (`E_INDEX_CHECKSUM`: altered or damaged bytes), and the values (`E_INDEX_CORRUPT`: unknown similarity or
 * precision, duplicate ids, non-finite numbers, stray bits, invalid UTF-8).
 */
export function indexFromBytes(bytes: Uint8Array, where = 'indexFromBytes'): VectorIndex {
  if (!(bytes instanceof Uint8Array)) {
    throw new SiameseError('E_INVALID_ARGUMENT', `${where}: expected a Uint8Array, found ${typeof bytes}`);
  }
  if (bytes.byteLength < 16 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw corrupt(where, 'not a siamese index file (bad magic bytes; expected "SIAMVIDX")', 'magic');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version > INDEX_FORMAT_VERSION)
    throw formatVersionError(`${where}: index`, INDEX_FORMAT_VERSION, version);
  if (version < 1) throw corrupt(where, `format version ${version} does not exist`, 'version');
  const headerLen = dv.getUint32(12, true);
  if (headerLen > MAX_HEADER)
    throw corrupt(where, `a header of ${headerLen} bytes (at most ${MAX_HEADER})`, 'header');
  need(bytes, 16 + headerLen + 4, 'the header', where);
  // The checksum covers everything but its own 4 bytes: a damaged file (header included) says so before
  // any part is read.
  const stored = dv.getUint32(bytes.byteLength - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.byteLength - 4));
  if (stored !== actual) {
    throw new SiameseError(
      'E_INDEX_CHECKSUM',
      `${where}: the index's CRC-32 is ${hex(actual)}, the file says ${hex(stored)} (file altered, damaged or cut short)`,
      { details: { expected: stored, found: actual } },
    );
  }
  const header = readHeader(bytes.subarray(16, 16 + headerLen), where);
  const { dim, count, precision } = header;
  const calBytes = header.calibrated ? dim * 8 : 0;
  const rowsLen = count * rowBytes(precision, dim);
  const tierLen = header.rescoreTier === 'int8' && header.calibrated ? dim * 8 + count * dim : 0;
  let at = 16 + headerLen;
  const fixedEnd = at + count * 4 + calBytes + rowsLen + tierLen + (header.texts ? count * 4 : 0);
  need(bytes, fixedEnd + 4, `${count} vectors of ${dim} ${precision} values`, where);
  const ids = new Uint32Array(count);
  const seen = new Set<number>();
  for (let i = 0; i < count; i++, at += 4) {
    const id = dv.getUint32(at, true);
    if (id >= header.nextId || seen.has(id))
      throw corrupt(where, `id ${id} of vector ${i} is repeated or not below nextId ${header.nextId}`, 'ids');
    seen.add(id);
    ids[i] = id;
  }
  const calibration = calBytes ? readCalibration(dv, at, dim, where) : undefined;
  at += calBytes;
  const rows = readRows(dv, at, rowsLen, precision, dim, where);
  at += rowsLen;
  let tier: RawIndexParts['tier'];
  if (tierLen) {
    const tierCalibration = readCalibration(dv, at, dim, where);
    at += dim * 8;
    tier = { calibration: tierCalibration, rows: bytes.slice(at, at + count * dim) };
    at += count * dim;
  }
  const texts: (string | undefined)[] = new Array(count).fill(undefined);
  if (header.texts) {
    const lengths = new Array<number>(count);
    let sum = 0;
    for (let i = 0; i < count; i++, at += 4) {
      lengths[i] = dv.getUint32(at, true);
      if (lengths[i] !== NO_TEXT) sum += lengths[i]!;
    }
    need(bytes, at + sum + 4, `${sum} bytes of texts`, where);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i < count; i++) {
      if (lengths[i] === NO_TEXT) continue;
      try {
        texts[i] = decoder.decode(bytes.subarray(at, at + lengths[i]!));
      } catch {
        throw corrupt(where, `text ${i} is not valid UTF-8`, 'texts');
      }
      at += lengths[i]!;
    }
  }
  if (bytes.byteLength !== at + 4) {
    throw corrupt(where, `${bytes.byteLength - at - 4} bytes after the last section`, 'length');
  }
  return VectorIndex.fromRawParts(
    dim,
    { similarity: header.similarity, precision, rescoreTier: header.rescoreTier },
    { rows, calibration, tier, ids, texts, nextId: header.nextId },
  );
}

function readHeader(json: Uint8Array, where: string): IndexHeader {
  let h: Partial<IndexHeader>;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw corrupt(where, `an unreadable header (${(e as Error).message})`, 'header');
  }
  const uint = (v: unknown, max: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (typeof h !== 'object' || h === null) throw corrupt(where, 'a header that is not an object', 'header');
  if (!uint(h.dim, 65_536) || h.dim === 0)
    throw corrupt(where, `dim ${JSON.stringify(h.dim)} (expected 1..65536)`, 'header');
  if (!SIMILARITIES.includes(h.similarity as Similarity))
    throw corrupt(
      where,
      `similarity ${JSON.stringify(h.similarity)} (expected ${SIMILARITIES.join(' | ')})`,
      'header',
    );
  if (!INDEX_PRECISIONS.includes(h.precision as IndexPrecision))
    throw corrupt(
      where,
      `precision ${JSON.stringify(h.precision)} (expected ${INDEX_PRECISIONS.join(' | ')})`,
      'header',
    );
  if (!uint(h.count, 0xffffffff) || !uint(h.nextId, 0xffffffff) || (h.count as number) > (h.nextId as number))
    throw corrupt(where, `count ${JSON.stringify(h.count)} and nextId ${JSON.stringify(h.nextId)}`, 'header');
  if (h.rescoreTier !== 'none' && !(h.rescoreTier === 'int8' && h.precision === 'binary'))
    throw corrupt(where, `rescoreTier ${JSON.stringify(h.rescoreTier)} for a ${h.precision} index`, 'header');
  if (typeof h.texts !== 'boolean' || typeof h.calibrated !== 'boolean')
    throw corrupt(where, 'a header without the booleans "texts" and "calibrated"', 'header');
  // A float32 index has no calibration; a quantized one has one as soon as it holds a vector.
  if (h.precision === 'float32' ? h.calibrated : !h.calibrated && (h.count as number) > 0)
    throw corrupt(
      where,
      `an ${h.calibrated ? '' : 'un'}calibrated ${h.precision} index holding ${h.count} vectors`,
      'header',
    );
  return h as IndexHeader;
}

function writeCalibration(dv: DataView, at: number, cal: Calibration | undefined): number {
  if (!cal) return at;
  for (const v of [...cal.a, ...cal.b]) {
    dv.setFloat32(at, v, true);
    at += 4;
  }
  return at;
}

function readCalibration(dv: DataView, at: number, dim: number, where: string): Calibration {
  const cal = new Float32Array(2 * dim);
  for (let j = 0; j < 2 * dim; j++) cal[j] = dv.getFloat32(at + j * 4, true);
  if (!cal.every(Number.isFinite)) throw corrupt(where, 'a non-finite calibration value', 'calibration');
  return { a: cal.slice(0, dim), b: cal.slice(dim) };
}

function writeRows(
  dv: DataView,
  out: Uint8Array,
  at: number,
  rows: Uint8Array,
  precision: IndexPrecision,
): void {
  if (precision === 'int8') {
    out.set(rows, at);
    return;
  }
  // 4-byte values written little-endian whatever the platform's byte order.
  const src = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
  for (let i = 0; i < rows.byteLength; i += 4) {
    if (precision === 'float32') dv.setFloat32(at + i, src.getFloat32(i, isLittleEndian), true);
    else dv.setUint32(at + i, src.getUint32(i, isLittleEndian), true);
  }
}

function readRows(
  dv: DataView,
  at: number,
  length: number,
  precision: IndexPrecision,
  dim: number,
  where: string,
): Uint8Array {
  if (precision === 'int8') return new Uint8Array(dv.buffer, dv.byteOffset + at, length).slice();
  if (precision === 'float32') {
    const out = new Float32Array(length / 4);
    for (let i = 0; i < out.length; i++) {
      out[i] = dv.getFloat32(at + i * 4, true);
      if (!Number.isFinite(out[i]!))
        throw corrupt(where, `a non-finite value in vector ${Math.floor(i / dim)}`, 'rows');
    }
    return new Uint8Array(out.buffer);
  }
  const words = rowBytes('binary', dim) / 4;
  const tail = dim % 32;
  const mask = tail ? ~((1 << tail) - 1) >>> 0 : 0;
  const out = new Uint32Array(length / 4);
  for (let i = 0; i < out.length; i++) {
    out[i] = dv.getUint32(at + i * 4, true);
    // Bits past `dim` would count in every Hamming distance: a writer never sets them.
    if (mask && i % words === words - 1 && (out[i]! & mask) !== 0)
      throw corrupt(where, `bits past dimension ${dim} set in vector ${Math.floor(i / words)}`, 'rows');
  }
  return new Uint8Array(out.buffer);
}

function need(bytes: Uint8Array, length: number, what: string, where: string): void {
  if (bytes.byteLength < length) {
    throw new SiameseError(
      'E_INDEX_TRUNCATED',
      `${where}: ${what} need ${length} bytes, the file holds ${bytes.byteLength} (cut short: copy or download it again)`,
      { details: { expected: length, found: bytes.byteLength } },
    );
  }
}

function corrupt(where: string, found: string, part: string): SiameseError<'E_INDEX_CORRUPT'> {
  return new SiameseError('E_INDEX_CORRUPT', `${where}: expected a siamese index, found ${found}`, {
    details: { part },
  });
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zip and gzip). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
