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

/** `values` as base64 of little-endian float32 (chunked: `btoa` takes a binary string). */
export function floatsToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  let out = '';
  const chunk = 3 * 4096; // a multiple of 3: chunks encode without padding in between
  for (let i = 0; i < bytes.length; i += chunk) {
    out += btoa(String.fromCharCode(...bytes.subarray(i, i + chunk)));
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `n` little-endian float32 values from base64. The length is checked against `n` before anything is decoded
 * (a lying count allocates nothing), then the characters, then every value (finite).
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
  let binary: string;
  try {
    if (!BASE64.test(value)) throw new Error('a character outside A–Z a–z 0–9 + / =');
    binary = atob(value);
  } catch (e) {
    throw corrupt(at, 'base64', `${(e as Error).message}`);
  }
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = view.getFloat32(i * 4, true);
    if (!Number.isFinite(x)) {
      throw new SiameseError(
        'E_MODEL_NON_FINITE',
        `${at}: expected finite numbers, found ${x} at index ${i} (example ${Math.floor(i / dim)}; the model diverged or the file is damaged)`,
        { details: { where: at, index: i, value: String(x) } },
      );
    }
    out[i] = x;
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
