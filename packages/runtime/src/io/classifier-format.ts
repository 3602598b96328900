// The `classifier` section of a model manifest (format 3): a few-shot classifier's examples, their vectors and its
// settings. Few-shot examples are few (hundreds, a few thousand), so the vectors live in the manifest itself as
// base64 float32: folders and single files carry them the same way, under the same checksum as the rest of the
// manifest, and a folder or URL load reads no extra file. Like the rest of a manifest, the section is untrusted
// input: every field is checked, and the vectors' length against the declared count before anything is decoded.
import { describeValue, SiameseError } from '@siamese/core';
import { isSimilarity, type Similarity } from '@siamese/losses';
import type { LabelledText } from '@siamese/pairs';
import { type ClassifierCalibration, type ClassifierContents, isLabel } from '../infer/classify.js';

/** A saved classifier as its manifest holds it (see {@link ClassifierContents} for its meaning). */
export interface ClassifierEntry {
  /** The id of the model that embedded the examples: the manifest's own `id`. */
  modelId: string;
  /** The vectors' dimension (the model's). */
  dim: number;
  /** How they are compared (the model's). */
  similarity: Similarity;
  /** Number of examples. */
  count: number;
  texts: string[];
  labels: LabelledText['label'][];
  k: number;
  vote: 'mean' | 'knn';
  /** The reject threshold; null: never reject. */
  threshold: number | null;
  noMatchLabel: LabelledText['label'] | null;
  /** The last calibration (its `threshold` null when rejecting never helped), or null. */
  calibration: (Omit<ClassifierCalibration, 'threshold'> & { threshold: number | null }) | null;
  /** count × dim float32 values, little-endian, row-major, base64 (RFC 4648, padded). */
  vectors: string;
}

/** The manifest section of a classifier whose vectors `model` (id `modelId`) made. */
export function classifierEntry(
  contents: ClassifierContents,
  model: { id: string; dim: number; similarity: Similarity },
): ClassifierEntry {
  const { texts, labels, vectors, options, calibration } = contents;
  const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    modelId: model.id,
    dim: model.dim,
    similarity: model.similarity,
    count: texts.length,
    texts: [...texts],
    labels: [...labels],
    k: options.k,
    vote: options.vote,
    threshold: finiteOrNull(options.threshold),
    noMatchLabel: options.noMatchLabel,
    calibration: calibration && { ...calibration, threshold: finiteOrNull(calibration.threshold) },
    vectors: floatsToBase64(vectors),
  };
}

/** What the reader checks a classifier section against: the manifest it sits in. */
export interface ClassifierOwner {
  id: string;
  similarity: Similarity;
}

/**
 * Checks a manifest's classifier section and decodes it. Every failure is a typed error naming `where` and the
 * field: a malformed section or vectors whose length lies about the count is `E_MODEL_CORRUPT` (refused before
 * decoding), vectors of another model `E_MODEL_MISMATCH`, a NaN or infinite value `E_MODEL_NON_FINITE`. The
 * dimension is checked against the encoder by the loader, once the encoder is known.
 */
export function readClassifier(value: unknown, owner: ClassifierOwner, where: string): ClassifierContents {
  const at = `${where}: classifier`;
  if (!isRecord(value)) throw corrupt(`${at}`, 'an object', describeValue(value));
  const e = value as Partial<ClassifierEntry>;
  if (typeof e.modelId !== 'string') throw corrupt(`${at}.modelId`, 'a string', describeValue(e.modelId));
  if (!isSimilarity(e.similarity))
    throw corrupt(`${at}.similarity`, 'a similarity name', describeValue(e.similarity));
  const count = wholeNumber(e.count, `${at}.count`, 1);
  const dim = wholeNumber(e.dim, `${at}.dim`, 1);
  const texts = listOf(e.texts, count, `${at}.texts`, 'a string', (t): t is string => typeof t === 'string');
  const labels = listOf(e.labels, count, `${at}.labels`, 'a string or a finite number', isLabel);
  const k = wholeNumber(e.k, `${at}.k`, 1);
  if (e.vote !== 'mean' && e.vote !== 'knn')
    throw corrupt(`${at}.vote`, '"mean" or "knn"', describeValue(e.vote));
  const threshold = finiteOrNull(e.threshold, `${at}.threshold`);
  if (e.noMatchLabel !== null && !isLabel(e.noMatchLabel))
    throw corrupt(`${at}.noMatchLabel`, 'a string, a finite number or null', describeValue(e.noMatchLabel));
  const calibration = readCalibration(e.calibration, `${at}.calibration`);
  if (e.modelId !== owner.id || e.similarity !== owner.similarity) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `${at}: its vectors were made by model ${JSON.stringify(e.modelId)} compared by ${e.similarity}, this is model ${JSON.stringify(owner.id)} compared by ${owner.similarity} (a classifier section copied from another model?); build it again with FewShotClassifier.create(model, examples)`,
      { details: { where, modelId: e.modelId, id: owner.id } },
    );
  }
  const vectors = base64ToFloats(e.vectors, count, dim, `${at}.vectors`);
  return {
    texts,
    labels,
    vectors,
    options: {
      k,
      vote: e.vote,
      threshold: threshold ?? Number.NEGATIVE_INFINITY,
      noMatchLabel: e.noMatchLabel,
    },
    calibration,
  };
}

function readCalibration(value: unknown, at: string): ClassifierCalibration | null {
  if (value === null) return null;
  if (!isRecord(value)) throw corrupt(at, 'an object or null', describeValue(value));
  const c = value as Record<string, unknown>;
  const share = (key: string) => {
    const x = c[key];
    if (typeof x !== 'number' || !(x >= 0 && x <= 1))
      throw corrupt(`${at}.${key}`, 'a number in [0, 1]', describeValue(x));
    return x;
  };
  return {
    threshold: finiteOrNull(c.threshold, `${at}.threshold`) ?? Number.NEGATIVE_INFINITY,
    accuracy: share('accuracy'),
    accuracyWithoutReject: share('accuracyWithoutReject'),
    rejectRate: share('rejectRate'),
    n: wholeNumber(c.n, `${at}.n`, 1),
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 61; // '='
/** The 6-bit value of each ASCII code, 255 for a character outside the alphabet. */
const SEXTETS = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `values` as base64 (RFC 4648, padded) of little-endian float32. A table-driven coder rather than `btoa`/`atob`:
 * those take binary strings and are slow in Node 20 (8× here, on 1.5 MB), and the same code runs everywhere.
 */
export function floatsToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  if (LITTLE_ENDIAN) bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  }
  const out = new Uint8Array(4 * Math.ceil(bytes.length / 3));
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i;
    const n = (bytes[i]! << 16) | ((rest > 1 ? bytes[i + 1]! : 0) << 8) | (rest > 2 ? bytes[i + 2]! : 0);
    out[o++] = ALPHABET.charCodeAt(n >>> 18);
    out[o++] = ALPHABET.charCodeAt((n >>> 12) & 63);
    out[o++] = rest > 1 ? ALPHABET.charCodeAt((n >>> 6) & 63) : PAD;
    out[o++] = rest > 2 ? ALPHABET.charCodeAt(n & 63) : PAD;
  }
  return new TextDecoder().decode(out);
}

/**
 * `count` × `dim` little-endian float32 values from base64. The length is checked against them before anything
 * is decoded (a lying count allocates nothing), then every character, then every value (finite).
 */
export function base64ToFloats(value: unknown, count: number, dim: number, at: string): Float32Array {
  const n = count * dim;
  const chars = 4 * Math.ceil((n * 4) / 3);
  if (typeof value !== 'string' || value.length !== chars) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `${at}: expected ${chars} base64 characters (${n} float32 values: count × dim), found ${typeof value === 'string' ? `${value.length} characters` : describeValue(value)} (truncated, or a count that lies)`,
      { details: { where: at, expected: chars, found: typeof value === 'string' ? value.length : null } },
    );
  }
  const ascii = new TextEncoder().encode(value);
  const bytes = new Uint8Array(n * 4);
  const padding = n * 4 === 0 ? 0 : (3 - ((n * 4) % 3)) % 3;
  let b = 0;
  for (let i = 0; i < ascii.length; i += 4) {
    const last = i + 4 === ascii.length;
    let word = 0;
    for (let j = 0; j < 4; j++) {
      const code = ascii[i + j]!;
      // The padding positions of the last group hold "=", and only they do.
      const padAt = last && j >= 4 - padding;
      const sextet = padAt ? (code === PAD ? 0 : 255) : (SEXTETS[code] ?? 255);
      if (sextet === 255) {
        throw SiameseError.expected(
          'E_MODEL_CORRUPT',
          at,
          'base64 (A–Z a–z 0–9 + /, "=" padding at the end)',
          `${JSON.stringify(value.charAt(i + j))} at character ${i + j}`,
        );
      }
      word = (word << 6) | sextet;
    }
    if (b < bytes.length) bytes[b++] = word >>> 16;
    if (b < bytes.length) bytes[b++] = (word >>> 8) & 255;
    if (b < bytes.length) bytes[b++] = word & 255;
  }
  const out = LITTLE_ENDIAN ? new Float32Array(bytes.buffer) : new Float32Array(n);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new SiameseError(
        'E_MODEL_NON_FINITE',
        `${at}: expected finite numbers, found ${out[i]} at index ${i} (example ${Math.floor(i / dim)}; the model diverged or the file is damaged)`,
        { details: { where: at, index: i, value: String(out[i]) } },
      );
    }
  }
  return out;
}

function corrupt(at: string, expected: string, found: string): SiameseError {
  return SiameseError.expected('E_MODEL_CORRUPT', at, expected, found);
}

function wholeNumber(value: unknown, at: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw corrupt(at, `a whole number ≥ ${min}`, describeValue(value));
  return value;
}

function finiteOrNull(value: unknown, at: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw corrupt(at, 'a finite number or null', describeValue(value));
  return value;
}

function listOf<T>(value: unknown, count: number, at: string, what: string, ok: (x: unknown) => x is T): T[] {
  if (!Array.isArray(value) || value.length !== count) {
    throw corrupt(at, `an array of ${count} (classifier.count)`, describeValue(value));
  }
  const bad = value.findIndex((x) => !ok(x));
  if (bad !== -1) throw corrupt(`${at}[${bad}]`, what, describeValue(value[bad]));
  return value as T[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
