import { describeValue, formatVersionError, SiameseError } from '@siamese/core';
import type { EncoderConfig } from '@siamese/encoders';
import { isSimilarity, type LossConfig, type Similarity } from '@siamese/losses';
import type { ClassifierContents } from '../infer/classify.js';
import type { Threshold } from '../model.js';
import type { FitResult } from '../train/events.js';
import { type ClassifierEntry, readClassifier } from './classifier-format.js';
import { DEFAULT_MODEL_LIMITS, type ModelLimits, tooLarge } from './limits.js';
import { checkFileName } from './paths.js';
import {
  dequantizeInt8,
  encodedBytes,
  quantizeInt8,
  readFloats,
  WEIGHTS_ENCODINGS,
  type WeightsEncoding,
  writeFloats,
} from './weight-codecs.js';

/**
 * Newest version of the model format this build reads and writes. 2 added compact weights (`dtype`, `byteOffset`,
 * int8 `scales`) and a packed reference index; version-1 manifests (float32 `offset`s) still load. 3 added a saved
 * few-shot classifier (`classifier`). A file is written with the oldest version that holds it (see
 * {@link formatVersionOf}): a model without a classifier is still version 2, so older readers keep loading it,
 * while one with a classifier is version 3, so an older reader refuses it (`E_FORMAT_VERSION`) rather than
 * silently dropping the classifier.
 */
export const MODEL_FORMAT_VERSION = 3;

/** The format version a manifest is written with: 3 when it holds a classifier, else 2. */
export function formatVersionOf(manifest: Pick<ModelManifest, 'classifier'>): number {
  return manifest.classifier ? 3 : 2;
}

/** One weight tensor inside the weights blob (little-endian, row-major). */
export interface WeightEntry {
  name: string;
  shape: number[];
  /** How the values are stored (version-1 files are all `f32`). */
  dtype: WeightsEncoding;
  /** Where the values start, in bytes from the start of the weights blob (4-byte aligned). */
  byteOffset: number;
  /** int8 only: one float32 scale per index of `axis` (0: per row of a table; last: per output channel). */
  scales?: { axis: number; byteOffset: number };
}

/** A reference index packed with the model (`siamese pack --references`): texts and their vectors. */
export interface PackedIndexEntry {
  dim: number;
  similarity: Similarity;
  count: number;
  texts: (string | null)[];
  /** The vectors, float32 N×D, in the payload after the weights. */
  vectors: { byteOffset: number; byteLength: number };
}

/** The JSON manifest of a saved model. Everything but the weights themselves. */
export interface ModelManifest {
  format: 'siamese-model';
  formatVersion: number;
  /** Short id: first 12 hex chars of the weights' sha256, unless the user named the model. */
  id: string;
  createdAt: string;
  /** Tokenizer config + vocabulary (from `Tokenizer#toJSON()`). */
  tokenizer: unknown;
  /** Encoder config (from `Encoder#getConfig()`). */
  encoder: EncoderConfig;
  /** How the model's vectors are compared. */
  similarity: Similarity;
  /** Loss it was trained with, if any (`{ type, ...options }`; files written before 0.2 say `name`). */
  loss?: LossConfig | null;
  /** Threshold for `match()`, calibrated on dev data. */
  threshold?: Threshold | null;
  /** What `fit` reported (per-epoch history, dev metrics, timings). */
  training?: FitResult | null;
  weights: { file?: string; byteLength: number; sha256: string; entries: WeightEntry[] };
  /** Single files only: a prebuilt index of reference texts (see `packModel`). */
  index?: PackedIndexEntry | null;
  /** Format 3: a few-shot classifier saved with the model, its examples' vectors included (see `saveModel`). */
  classifier?: ClassifierEntry | null;
  /**
   * Folders only: the sha256 of this manifest serialised without this field. The manifest holds the weights'
   * sha256, so this one checksum covers the whole artifact: tokenizer, encoder, every field and the weights.
   * Folders saved before it existed have none and still load (their weights are still checked).
   */
  manifestSha256?: string;
}

/** A named float32 tensor on its way into, or out of, a weights blob. */
export interface NamedWeights {
  name: string;
  shape: number[];
  values: Float32Array;
}

const MAGIC = [0x53, 0x49, 0x41, 0x4d, 0x45, 0x53, 0x45, 0x00]; // "SIAMESE\0"
/** 1: magic, version, manifest length, manifest, weights. 2 adds the payload length and a sha256 of the rest. */
const CONTAINER_VERSION = 2;
const HEADER_V1 = 16;
const HEADER_V2 = 56;
/** Limits checked on the header, before anything is parsed or allocated. */
export const MODEL_FILE_LIMITS = Object.freeze({ manifestBytes: 64 * 2 ** 20, payloadBytes: 2 ** 31 });
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** sha256 of bytes as lowercase hex (WebCrypto: Node ≥ 20, Deno, Bun, Workers, browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Packs named float32 tensors into one little-endian blob and the entries that describe it. `encoding` picks the
 * storage of every tensor of rank ≥ 2 (vectors such as biases stay float32); `int8Axis` says which axis of a
 * tensor gets its own scales (see `int8Axis` in weight-codecs).
 */
export function packWeights(
  tensors: readonly NamedWeights[],
  encoding: WeightsEncoding = 'f32',
  int8AxisOf: (t: NamedWeights) => number | null = (t) => (t.shape.length < 2 ? null : t.shape.length - 1),
): { blob: Uint8Array; entries: WeightEntry[] } {
  const plans = tensors.map((t) => {
    const n = sizeOf(t.shape);
    if (n !== t.values.length) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `weight ${t.name}: shape [${t.shape}] holds ${n} values, found ${t.values.length}`,
      );
    }
    const axis = encoding === 'int8' ? int8AxisOf(t) : null;
    const dtype: WeightsEncoding =
      t.shape.length < 2 ? 'f32' : encoding === 'int8' && axis === null ? 'f32' : encoding;
    return { t, dtype, axis, n };
  });
  let size = 0;
  const entries: WeightEntry[] = plans.map(({ t, dtype, axis, n }) => {
    const entry: WeightEntry = { name: t.name, shape: [...t.shape], dtype, byteOffset: size };
    size = align(size + encodedBytes(dtype, n), 4);
    if (dtype === 'int8') {
      entry.scales = { axis: axis!, byteOffset: size };
      size += 4 * t.shape[axis!]!;
    }
    return entry;
  });
  const blob = new Uint8Array(size);
  const view = new DataView(blob.buffer);
  plans.forEach(({ t, dtype }, i) => {
    const e = entries[i]!;
    if (dtype === 'f32' && LITTLE_ENDIAN) blob.set(new Uint8Array(t.values.slice().buffer), e.byteOffset);
    else if (dtype !== 'int8') writeFloats(view, e.byteOffset, t.values, dtype);
    else {
      const { q, scales } = quantizeInt8(t.values, t.shape, e.scales!.axis);
      blob.set(new Uint8Array(q.buffer), e.byteOffset);
      writeFloats(view, e.scales!.byteOffset, scales, 'f32');
    }
  });
  return { blob, entries };
}

/** Reads the named tensors back from a weights blob as float32 (dequantized; bounds checked by the manifest). */
export function unpackWeights(blob: Uint8Array, entries: readonly WeightEntry[]): Map<string, NamedWeights> {
  checkEntries(entries, blob.byteLength, '<weights>');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Map<string, NamedWeights>();
  for (const e of entries) {
    const n = sizeOf(e.shape);
    let values: Float32Array;
    if (e.dtype === 'int8') {
      const q = new Int8Array(blob.buffer, blob.byteOffset + e.byteOffset, n);
      const scales = readFloats(view, e.scales!.byteOffset, e.shape[e.scales!.axis]!, 'f32');
      values = dequantizeInt8(q, scales, e.shape, e.scales!.axis);
    } else if (e.dtype === 'f32' && LITTLE_ENDIAN) {
      values = new Float32Array(n); // a copy: `blob` may be a view of a larger buffer (a Node Buffer's pool)
      new Uint8Array(values.buffer).set(blob.subarray(e.byteOffset, e.byteOffset + 4 * n));
    } else values = readFloats(view, e.byteOffset, n, e.dtype);
    out.set(e.name, { name: e.name, shape: e.shape, values });
  }
  return out;
}

/**
 * Validates every entry against the blob's length before anything is read: names, shapes, dtypes, aligned offsets
 * and scales that stay inside it. Huge or negative numbers are refused here, so a hostile manifest allocates nothing.
 */
export function checkEntries(entries: readonly WeightEntry[], byteLength: number, where: string): void {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const at = `${where}: weights.entries[${i}]`;
    if (!e || typeof e !== 'object' || typeof e.name !== 'string' || seen.has(e.name)) {
      throw new SiameseError('E_MODEL_CORRUPT', `${at}: expected an entry with a unique name`, {
        details: { index: i },
      });
    }
    seen.add(e.name);
    if (
      !Array.isArray(e.shape) ||
      e.shape.length > 8 ||
      !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      sizeOf(e.shape) > MODEL_FILE_LIMITS.payloadBytes
    ) {
      throw new SiameseError(
        'E_MODEL_CORRUPT',
        `${at} (${e.name}): expected a shape of non-negative integers, found ${JSON.stringify(e.shape)}`,
      );
    }
    if (!WEIGHTS_ENCODINGS.includes(e.dtype)) {
      throw new SiameseError(
        'E_MODEL_CORRUPT',
        `${at} (${e.name}): expected dtype ${WEIGHTS_ENCODINGS.join('|')}, found ${JSON.stringify(e.dtype)}`,
      );
    }
    const end = e.byteOffset + encodedBytes(e.dtype, sizeOf(e.shape));
    if (
      !Number.isSafeInteger(e.byteOffset) ||
      e.byteOffset < 0 ||
      e.byteOffset % 4 !== 0 ||
      end > byteLength
    ) {
      throw new SiameseError(
        'E_MODEL_TRUNCATED',
        `${at} (${e.name}): expected ${end - e.byteOffset} bytes at offset ${e.byteOffset}, but the weights hold ${byteLength}`,
      );
    }
    if (e.dtype !== 'int8') return;
    const s = e.scales;
    const ok =
      s &&
      Number.isInteger(s.axis) &&
      s.axis >= 0 &&
      s.axis < e.shape.length &&
      Number.isSafeInteger(s.byteOffset) &&
      s.byteOffset >= 0 &&
      s.byteOffset % 4 === 0 &&
      s.byteOffset + 4 * e.shape[s.axis]! <= byteLength;
    if (!ok) {
      throw new SiameseError(
        'E_MODEL_CORRUPT',
        `${at} (${e.name}): an int8 weight needs scales inside the weights, found ${JSON.stringify(s)}`,
      );
    }
  });
}

/**
 * Checks the manifest's format, version and weights section (the declared size within `maxWeightsBytes`, every
 * entry inside the declared bytes, a plain weights file name, an encoder config and a tokenizer) before anything
 * is read or built; reads what older versions wrote.
 */
export function checkManifest(
  value: unknown,
  where: string,
  maxWeightsBytes: number = DEFAULT_MODEL_LIMITS.maxWeightsBytes,
): ModelManifest {
  const m = value as Partial<ModelManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== 'siamese-model') {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `${where}: expected a siamese model manifest (format "siamese-model")`,
    );
  }
  if (typeof m.formatVersion !== 'number' || m.formatVersion > MODEL_FORMAT_VERSION || m.formatVersion < 1) {
    throw formatVersionError(`${where}: model format`, MODEL_FORMAT_VERSION, m.formatVersion);
  }
  if (
    !m.weights ||
    !Array.isArray(m.weights.entries) ||
    typeof m.weights.sha256 !== 'string' ||
    !Number.isSafeInteger(m.weights.byteLength) ||
    m.weights.byteLength < 0
  ) {
    throw new SiameseError('E_MODEL_CORRUPT', `${where}: the manifest has no valid "weights" section`);
  }
  if (!isRecord(m.encoder) || typeof m.encoder.type !== 'string') {
    throw SiameseError.expected(
      'E_MODEL_CORRUPT',
      `${where}: encoder`,
      'a config with a "type"',
      describeValue(m.encoder),
    );
  }
  if (!isRecord(m.tokenizer)) {
    throw SiameseError.expected(
      'E_MODEL_CORRUPT',
      `${where}: tokenizer`,
      'an object',
      describeValue(m.tokenizer),
    );
  }
  if (m.weights.file !== undefined) checkFileName(m.weights.file, `${where}: weights.file`);
  if (m.weights.byteLength > maxWeightsBytes) {
    throw tooLarge(
      `${where}: weights.byteLength`,
      String(m.weights.byteLength),
      maxWeightsBytes,
      'limits.maxWeightsBytes',
    );
  }
  const out = withLegacyKeys(m as ModelManifest);
  checkEntries(out.weights.entries, out.weights.byteLength, where);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads what older writers wrote: a loss config keyed by `name` (every config now says `type`), and version-1
 * weight entries (float32, `offset` counted in floats).
 */
function withLegacyKeys(m: ModelManifest): ModelManifest {
  let out = m;
  const loss = m.loss as (Partial<LossConfig> & { name?: unknown }) | null | undefined;
  if (loss && typeof loss === 'object' && loss.type === undefined && typeof loss.name === 'string') {
    const { name, ...options } = loss;
    out = { ...out, loss: { ...options, type: name } };
  }
  if (m.formatVersion === 1)
    out = { ...out, weights: { ...out.weights, entries: currentEntries(m.weights.entries) } };
  return out;
}

/** Weight entries as format 2 writes them: version-1 entries (float32, `offset` counted in floats) converted. */
export function currentEntries(entries: readonly WeightEntry[]): WeightEntry[] {
  return entries.map((e) => {
    const { offset, ...rest } = (e ?? {}) as WeightEntry & { offset?: unknown };
    if (offset === undefined) return e;
    return {
      ...rest,
      dtype: 'f32' as const,
      byteOffset: typeof offset === 'number' ? offset * 4 : Number.NaN,
    };
  });
}

/** Verifies the weights' length and sha256 against the manifest. */
export async function verifyWeights(manifest: ModelManifest, blob: Uint8Array, where: string): Promise<void> {
  if (blob.byteLength !== manifest.weights.byteLength) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: expected ${manifest.weights.byteLength} bytes of weights, found ${blob.byteLength}`,
    );
  }
  const sha = await sha256Hex(blob);
  if (sha !== manifest.weights.sha256) {
    throw new SiameseError(
      'E_MODEL_CHECKSUM',
      `${where}: the weights' sha256 is ${sha.slice(0, 16)}…, the manifest expects ${manifest.weights.sha256.slice(0, 16)}… (file altered or mixed with another model)`,
    );
  }
}

/** The `manifestSha256` of a manifest: sha256 of its JSON without that field (key order as written). */
export async function manifestSha256(manifest: ModelManifest): Promise<string> {
  const { manifestSha256: _, ...rest } = manifest;
  return sha256Hex(new TextEncoder().encode(JSON.stringify(rest)));
}

/**
 * Checks a folder manifest's own checksum, from the bytes of `model.json` (parsed again, so a reformatted file
 * still verifies). A manifest without one (saved before it existed) passes: its weights are still checked.
 */
export async function verifyManifest(bytes: Uint8Array, where: string): Promise<void> {
  const raw = JSON.parse(new TextDecoder().decode(bytes)) as ModelManifest;
  const expected = raw.manifestSha256;
  if (expected === undefined) return;
  const found = typeof expected === 'string' ? await manifestSha256(raw) : '';
  if (found !== expected) {
    throw new SiameseError(
      'E_MODEL_CHECKSUM',
      `${where}: the manifest's sha256 is ${found.slice(0, 16)}…, its manifestSha256 says ${String(expected).slice(0, 16)}… (model.json was edited after saving: its tokenizer, encoder or another field changed; save the model again to re-seal it)`,
      { details: { where, expected: String(expected), found } },
    );
  }
}

/**
 * Single-file container (version 2), every number little-endian:
 *
 * | bytes | what |
 * | --- | --- |
 * | 0–7 | magic `SIAMESE\0` |
 * | 8–11 | container version (2) |
 * | 12–15 | manifest length M |
 * | 16–23 | payload length P (u64) |
 * | 24–55 | sha256 of bytes 56 to the end |
 * | 56… | manifest JSON, zero padding to 8 bytes, then the payload: the weights blob, then (padded to 8) the index vectors |
 */
export async function encodeSingleFile(
  manifest: ModelManifest,
  blob: Uint8Array,
  indexVectors?: Float32Array,
): Promise<Uint8Array> {
  const vectorsAt = align(blob.byteLength, 8);
  const withIndex: ModelManifest =
    manifest.index && indexVectors
      ? {
          ...manifest,
          index: {
            ...manifest.index,
            vectors: { byteOffset: vectorsAt, byteLength: indexVectors.byteLength },
          },
        }
      : { ...manifest, index: null };
  const json = new TextEncoder().encode(JSON.stringify(withIndex));
  const payloadLength =
    indexVectors && manifest.index ? vectorsAt + indexVectors.byteLength : blob.byteLength;
  const payloadAt = HEADER_V2 + align(json.byteLength, 8);
  const out = new Uint8Array(payloadAt + payloadLength);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, CONTAINER_VERSION, true);
  dv.setUint32(12, json.byteLength, true);
  dv.setBigUint64(16, BigInt(payloadLength), true);
  out.set(json, HEADER_V2);
  out.set(blob, payloadAt);
  if (indexVectors && manifest.index) writeFloats(dv, payloadAt + vectorsAt, indexVectors, 'f32');
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', out.subarray(HEADER_V2) as BufferSource),
  );
  out.set(digest, 24);
  return out;
}

/** What the first bytes of a single-file model declare (see {@link readFileHeader}). */
export interface FileHeader {
  container: number;
  manifestBytes: number;
  /** The whole file's length as its header declares it (container 2), or null when not yet known (container 1). */
  fileBytes: number | null;
}

/** The bytes {@link readFileHeader} needs to know a file's declared length. */
export const FILE_HEADER_BYTES = HEADER_V2;

/**
 * Checks the header of a single-file model (magic, versions, lengths against {@link MODEL_FILE_LIMITS} and
 * `limits`) from its first bytes, before the rest is read: a download can stop at the declared length. Null when
 * `head` is too short to tell. A container-1 header does not say its length (`fileBytes` null).
 */
export function readFileHeader(
  head: Uint8Array,
  where: string,
  limits: Pick<ModelLimits, 'maxManifestBytes' | 'maxWeightsBytes'> = DEFAULT_MODEL_LIMITS,
): FileHeader | null {
  if (MAGIC.some((b, i) => i < head.byteLength && head[i] !== b)) {
    throw new SiameseError('E_MODEL_CORRUPT', `${where}: not a siamese model file (bad magic bytes)`);
  }
  if (head.byteLength < HEADER_V1) return null;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const container = dv.getUint32(8, true);
  if (container > CONTAINER_VERSION || container < 1)
    throw formatVersionError(`${where}: model container`, CONTAINER_VERSION, container);
  const len = dv.getUint32(12, true);
  if (len > MODEL_FILE_LIMITS.manifestBytes) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `${where}: the header announces a ${len}-byte manifest, over the ${MODEL_FILE_LIMITS.manifestBytes}-byte limit`,
    );
  }
  if (len > limits.maxManifestBytes) {
    throw tooLarge(
      `${where}: manifest`,
      `${len} bytes declared`,
      limits.maxManifestBytes,
      'limits.maxManifestBytes',
    );
  }
  if (container === 1 || head.byteLength < HEADER_V2) {
    return { container, manifestBytes: len, fileBytes: null };
  }
  const payload = dv.getBigUint64(16, true);
  if (payload > BigInt(MODEL_FILE_LIMITS.payloadBytes)) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `${where}: the header announces ${payload} bytes of weights and index, over the ${MODEL_FILE_LIMITS.payloadBytes}-byte limit`,
    );
  }
  return { container, manifestBytes: len, fileBytes: HEADER_V2 + align(len, 8) + Number(payload) };
}

/**
 * What {@link decodeSingleFile} finds: the manifest, the weights blob, the packed index's vectors and the saved
 * classifier, if any.
 */
export interface DecodedFile {
  manifest: ModelManifest;
  blob: Uint8Array;
  indexVectors: Float32Array | null;
  classifier: ClassifierContents | null;
}

/**
 * Splits a single-file model into its manifest, weights blob and index. The header is checked before anything is
 * parsed or allocated (magic, versions, lengths against the file and {@link MODEL_FILE_LIMITS}), then the whole
 * file's sha256 (version 2), then the manifest. The weights' own sha256 is checked later, by `verifyWeights`.
 */
export async function decodeSingleFile(
  bytes: Uint8Array,
  where: string,
  limits: Pick<ModelLimits, 'maxManifestBytes' | 'maxWeightsBytes'> = DEFAULT_MODEL_LIMITS,
): Promise<DecodedFile> {
  const header = readFileHeader(bytes, where, limits);
  if (header === null) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: expected a siamese model file of at least ${HEADER_V1} bytes, found ${bytes.byteLength}`,
    );
  }
  const len = header.manifestBytes;
  if (header.container === 1) return decodeV1(bytes, len, where, limits.maxWeightsBytes);
  if (header.fileBytes === null) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: expected a ${HEADER_V2}-byte header, the file holds ${bytes.byteLength} bytes`,
    );
  }
  const payloadAt = HEADER_V2 + align(len, 8);
  const expected = header.fileBytes;
  if (bytes.byteLength !== expected) {
    throw new SiameseError(
      bytes.byteLength < expected ? 'E_MODEL_TRUNCATED' : 'E_MODEL_CORRUPT',
      `${where}: the header announces ${expected} bytes, the file holds ${bytes.byteLength}${bytes.byteLength < expected ? ' (truncated download or copy?)' : ' (trailing bytes)'}`,
      { details: { expected, found: bytes.byteLength } },
    );
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', bytes.subarray(HEADER_V2) as BufferSource),
  );
  if (digest.some((b, i) => b !== bytes[24 + i])) {
    throw new SiameseError(
      'E_MODEL_CHECKSUM',
      `${where}: the file's sha256 differs from the one in its header (file altered or damaged in transit)`,
    );
  }
  const manifest = parseManifestJson(
    bytes.subarray(HEADER_V2, HEADER_V2 + len),
    where,
    limits.maxWeightsBytes,
  );
  const rest = bytes.subarray(payloadAt);
  const w = manifest.weights.byteLength;
  if (w > rest.byteLength) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: the manifest expects ${w} bytes of weights, the payload holds ${rest.byteLength}`,
    );
  }
  return {
    manifest,
    blob: rest.subarray(0, w),
    indexVectors: readIndexVectors(manifest, rest, where),
    classifier: manifestClassifier(manifest, where),
  };
}

/** The manifest's saved classifier, checked and decoded (see `readClassifier`), or null. */
export function manifestClassifier(manifest: ModelManifest, where: string): ClassifierContents | null {
  const entry = manifest.classifier;
  if (entry === undefined || entry === null) return null;
  return readClassifier(entry, { id: manifest.id, similarity: manifest.similarity }, where);
}

function decodeV1(bytes: Uint8Array, len: number, where: string, maxWeightsBytes: number): DecodedFile {
  if (HEADER_V1 + len > bytes.byteLength) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: the manifest needs ${len} bytes, the file holds ${bytes.byteLength - HEADER_V1}`,
    );
  }
  const manifest = parseManifestJson(bytes.subarray(HEADER_V1, HEADER_V1 + len), where, maxWeightsBytes);
  const start = align(HEADER_V1 + len, 4);
  return {
    manifest,
    blob: bytes.subarray(Math.min(start, bytes.byteLength)),
    indexVectors: null,
    classifier: null,
  };
}

/** Parses and checks manifest bytes: any failure is a typed `E_MODEL_CORRUPT` naming `where`. */
export function parseManifestJson(
  bytes: Uint8Array,
  where: string,
  maxWeightsBytes: number = DEFAULT_MODEL_LIMITS.maxWeightsBytes,
): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new SiameseError('E_MODEL_CORRUPT', `${where}: unreadable manifest: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return checkManifest(json, where, maxWeightsBytes);
}

function readIndexVectors(manifest: ModelManifest, payload: Uint8Array, where: string): Float32Array | null {
  const index = manifest.index;
  if (index === undefined || index === null) return null;
  const v = index.vectors;
  const ok =
    typeof index === 'object' &&
    isSimilarity(index.similarity) &&
    Number.isSafeInteger(index.dim) &&
    index.dim >= 1 &&
    Number.isSafeInteger(index.count) &&
    index.count >= 0 &&
    Array.isArray(index.texts) &&
    index.texts.length === index.count &&
    index.texts.every((t) => t === null || typeof t === 'string') &&
    v &&
    Number.isSafeInteger(v.byteOffset) &&
    v.byteOffset >= manifest.weights.byteLength &&
    v.byteOffset % 4 === 0 &&
    v.byteLength === index.count * index.dim * 4;
  if (!ok) throw new SiameseError('E_MODEL_CORRUPT', `${where}: the manifest's "index" section is malformed`);
  if (v.byteOffset + v.byteLength > payload.byteLength) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: the index needs ${v.byteLength} bytes at ${v.byteOffset}, the payload holds ${payload.byteLength}`,
    );
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return readFloats(view, v.byteOffset, index.count * index.dim, 'f32');
}
