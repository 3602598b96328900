import { describeValue, formatVersionError, SiameseError } from '@siamese/core';
import type { EncoderConfig } from '@siamese/encoders';
import type { LossConfig, Similarity } from '@siamese/losses';
import type { Threshold } from '../model.js';
import type { FitResult } from '../train/events.js';
import { DEFAULT_MODEL_LIMITS, type ModelLimits, tooLarge } from './limits.js';
import { checkFileName } from './paths.js';

/** Version of the model format this build writes and the newest it reads. */
export const MODEL_FORMAT_VERSION = 1;

/** One weight tensor inside the weights blob (float32, little-endian, row-major). */
export interface WeightEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements from the start of the weights blob. */
  offset: number;
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
}

const MAGIC = [0x53, 0x49, 0x41, 0x4d, 0x45, 0x53, 0x45, 0x00]; // "SIAMESE\0"
const CONTAINER_VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** sha256 of bytes as lowercase hex (WebCrypto: Node ≥ 20, Deno, Bun, Workers, browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Packs named float32 tensors into one little-endian blob and the entries that describe it. */
export function packWeights(
  tensors: ReadonlyArray<{ name: string; shape: number[]; values: Float32Array }>,
): {
  blob: Uint8Array;
  entries: WeightEntry[];
} {
  const total = tensors.reduce((s, t) => s + t.values.length, 0);
  const all = new Float32Array(total);
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.values.length) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `weight ${t.name}: shape [${t.shape}] holds ${expected} values, found ${t.values.length}`,
      );
    }
    all.set(t.values, offset);
    entries.push({ name: t.name, shape: [...t.shape], offset });
    offset += t.values.length;
  }
  const blob = new Uint8Array(all.buffer);
  if (!LITTLE_ENDIAN) swap32(blob);
  return { blob, entries };
}

/** Reads the named tensors back from a weights blob (copies; validates every entry's bounds). */
export function unpackWeights(
  blob: Uint8Array,
  entries: readonly WeightEntry[],
): Map<string, { shape: number[]; values: Float32Array }> {
  if (blob.byteLength % 4 !== 0) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `weights: expected a multiple of 4 bytes, found ${blob.byteLength}`,
    );
  }
  const copy = blob.slice();
  if (!LITTLE_ENDIAN) swap32(copy);
  const all = new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset + n > all.length) {
      throw new SiameseError(
        'E_MODEL_TRUNCATED',
        `weight ${e.name}: expected ${n} values at offset ${e.offset}, but the weights hold ${all.length}`,
      );
    }
    out.set(e.name, { shape: e.shape, values: all.subarray(e.offset, e.offset + n) });
  }
  return out;
}

/**
 * Checks the manifest's format, version and weights section (sizes within `maxWeightsBytes`, every entry's
 * shape and offset inside the declared bytes, a plain weights file name) before anything is read or built.
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
  if (!m.weights || !Array.isArray(m.weights.entries) || typeof m.weights.sha256 !== 'string') {
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
  checkWeightEntries(m.weights, where, maxWeightsBytes);
  return withLegacyKeys(m as ModelManifest);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The declared byte length and every entry, checked against each other and the cap (no allocation yet). */
function checkWeightEntries(weights: ModelManifest['weights'], where: string, maxBytes: number): void {
  const { byteLength, entries } = weights;
  if (typeof byteLength !== 'number' || !Number.isInteger(byteLength) || byteLength < 0 || byteLength % 4) {
    throw SiameseError.expected(
      'E_MODEL_CORRUPT',
      `${where}: weights.byteLength`,
      'a non-negative multiple of 4',
      describeValue(byteLength),
    );
  }
  if (byteLength > maxBytes)
    throw tooLarge(`${where}: weights.byteLength`, String(byteLength), maxBytes, 'limits.maxWeightsBytes');
  const values = byteLength / 4;
  const names = new Set<string>();
  entries.forEach((e: Partial<WeightEntry> | null, i) => {
    const at = `${where}: weights.entries[${i}]`;
    if (!isRecord(e) || typeof e.name !== 'string' || names.has(e.name)) {
      throw SiameseError.expected('E_MODEL_CORRUPT', at, 'an entry with a unique "name"', describeValue(e));
    }
    names.add(e.name);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw SiameseError.expected(
        'E_MODEL_CORRUPT',
        `${at}.shape`,
        'up to 8 non-negative integers',
        describeValue(shape),
      );
    }
    // multiplied step by step against the bound, so a declared [1e9, 1e9] never overflows into a small number
    let size = 1;
    for (const d of shape as number[]) {
      size *= d;
      if (size > values) break;
    }
    const offset = e.offset;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset + size > values) {
      throw SiameseError.expected(
        'E_MODEL_MISMATCH',
        `${at} (${e.name})`,
        `[${shape}] at offset ${describeValue(offset)} inside the ${values} declared values`,
        size > values
          ? `a shape of more than ${values} values`
          : `${(offset as number) + size} values needed`,
      );
    }
  });
}

/** Reads what older writers wrote: a loss config keyed by `name` (every config now says `type`). */
function withLegacyKeys(m: ModelManifest): ModelManifest {
  const loss = m.loss as (Partial<LossConfig> & { name?: unknown }) | null | undefined;
  if (loss && typeof loss === 'object' && loss.type === undefined && typeof loss.name === 'string') {
    const { name, ...options } = loss;
    return { ...m, loss: { ...options, type: name } };
  }
  return m;
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

/** Single-file container: magic, version, manifest length, manifest JSON, padding to 4 bytes, weights. */
export function encodeSingleFile(manifest: ModelManifest, blob: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const headerLen = 16 + json.byteLength;
  const pad = (4 - (headerLen % 4)) % 4;
  const out = new Uint8Array(headerLen + pad + blob.byteLength);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, CONTAINER_VERSION, true);
  dv.setUint32(12, json.byteLength, true);
  out.set(json, 16);
  out.set(blob, headerLen + pad);
  return out;
}

/** Splits a single-file model into its manifest and weights blob (no checksum check here). */
export function decodeSingleFile(
  bytes: Uint8Array,
  where: string,
  limits: Pick<ModelLimits, 'maxManifestBytes' | 'maxWeightsBytes'> = DEFAULT_MODEL_LIMITS,
): { manifest: ModelManifest; blob: Uint8Array } {
  if (bytes.byteLength < 16 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new SiameseError('E_MODEL_CORRUPT', `${where}: not a siamese model file (bad magic bytes)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const container = dv.getUint32(8, true);
  if (container > CONTAINER_VERSION)
    throw formatVersionError(`${where}: model container`, CONTAINER_VERSION, container);
  const len = dv.getUint32(12, true);
  if (len > limits.maxManifestBytes) {
    throw tooLarge(
      `${where}: manifest`,
      `${len} bytes declared`,
      limits.maxManifestBytes,
      'limits.maxManifestBytes',
    );
  }
  if (16 + len > bytes.byteLength) {
    throw new SiameseError(
      'E_MODEL_TRUNCATED',
      `${where}: the manifest needs ${len} bytes, the file holds ${bytes.byteLength - 16}`,
    );
  }
  let manifest: ModelManifest;
  try {
    manifest = checkManifest(
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + len))),
      where,
      limits.maxWeightsBytes,
    );
  } catch (e) {
    if (SiameseError.is(e)) throw e;
    throw new SiameseError('E_MODEL_CORRUPT', `${where}: unreadable manifest: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const start = 16 + len + ((4 - ((16 + len) % 4)) % 4);
  return { manifest, blob: bytes.subarray(Math.min(start, bytes.byteLength)) };
}

function swap32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
