import { assertBackendReady } from '@siamese/backend/internals';
import { describeValue, type FileSystem, fileSystem, SiameseError } from '@siamese/core';
import { type EncodeOptions, type Encoder, encoderFromConfig } from '@siamese/encoders';
import type { Similarity } from '@siamese/losses';
import { type ModelTokenizerJSON, type NgramOptions, tokenizerFromJSON } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { type ClassifierContents, FewShotClassifier } from '../infer/classify.js';
import { VectorIndex } from '../infer/vector-index.js';
import { SiameseModel } from '../model.js';
import { tokenTables } from '../token-tables.js';
import { classifierEntry } from './classifier-format.js';
import {
  checkEntries,
  decodeSingleFile,
  encodeSingleFile,
  FILE_HEADER_BYTES,
  formatVersionOf,
  type ModelManifest,
  manifestClassifier,
  manifestSha256,
  type NamedWeights,
  type PackedIndexEntry,
  packWeights,
  parseManifestJson,
  readFileHeader,
  sha256Hex,
  unpackWeights,
  verifyManifest,
  verifyWeights,
} from './format.js';
import { joinPath, removeStaleTemps, writeFileAtomic } from './fs.js';
import {
  DEFAULT_MODEL_LIMITS,
  type DeclaredLength,
  MAX_MODEL_BYTES,
  type ModelLimits,
  readBodyCapped,
  readFileCapped,
  resolveLimits,
  tooLarge,
} from './limits.js';
import { isOwnFileName, readConfined } from './paths.js';
import { fetchCapped, originsFor } from './url.js';
import { int8Axis, WEIGHTS_ENCODINGS, type WeightsEncoding } from './weight-codecs.js';

/**
 * Where a model can be loaded from: a path or URL, bytes, or anything with `arrayBuffer()` (a `Response`, a `Blob`,
 * an R2 object body). An R2 or KV binding's `ArrayBuffer` is bytes.
 */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | { arrayBuffer(): Promise<ArrayBuffer> };

/** Options of {@link loadModel} / {@link modelFromBytes}. */
export interface LoadModelOptions {
  /** Inference folding of the loaded model's `embed` calls (see `EncodeOptions.fold`; keep it small or off on Workers). */
  fold?: EncodeOptions['fold'];
  /** Read caps and the URL timeout (defaults in `DEFAULT_MODEL_LIMITS`; see docs/security.md). */
  limits?: Partial<ModelLimits>;
  /**
   * Origins besides the model URL's own that its weights and redirects may come from (`'https://cdn.example.com'`,
   * or `'*'` for any). Default: none, so a manifest cannot make the loader fetch from another host.
   */
  allowedOrigins?: readonly string[];
  /** Cancels a URL load (`E_ABORTED`). */
  signal?: AbortSignal;
}

/** Options of {@link modelToBytes} and {@link saveModel}. */
export interface WriteModelOptions {
  /**
   * How weight matrices are stored (default `f32`): `f16` halves them, `int8` quarters them with one float32 scale
   * per row of a token table and per output channel of every other matrix. Vectors (biases) stay float32. Loading
   * dequantizes to float32.
   */
  weights?: WeightsEncoding;
  /**
   * A few-shot classifier to save with the model: its examples, their vectors (embedded by this model) and its
   * settings, so the loaded model's `classifier` embeds only the text it classifies. Default: the model's own
   * (`model.classifier`, from a load); `null` saves none. A classifier built on another model is refused
   * (`E_MODEL_MISMATCH`).
   */
  classifier?: FewShotClassifier | null;
}

/** Serialises a model: manifest + little-endian weights (float32 unless `options.weights` says otherwise). */
export async function modelToParts(
  model: SiameseModel,
  options: WriteModelOptions = {},
): Promise<{ manifest: ModelManifest; blob: Uint8Array }> {
  const encoding = options.weights ?? 'f32';
  if (!WEIGHTS_ENCODINGS.includes(encoding)) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'weights',
      WEIGHTS_ENCODINGS.join('|'),
      JSON.stringify(encoding),
    );
  }
  const tensors: NamedWeights[] = [];
  const weights = model.encoder.weights();
  const gone = [...weights].find(([, v]) => v.isDisposed)?.[0];
  if (model.disposed || gone !== undefined) {
    throw new SiameseError(
      'E_MODEL_DISPOSED',
      `save: the model was disposed (${gone === undefined ? 'dispose() was called' : `its weight "${gone}" is gone`}); save it before calling dispose(). Nothing was written.`,
    );
  }
  for (const [name, v] of weights) {
    const values = (await v.data()) as Float32Array;
    checkFinite(values, `save: weight "${name}"`);
    tensors.push({ name, shape: [...v.shape], values });
  }
  const config = model.encoder.getConfig();
  const tables = new Set(tokenTables(config).map((t) => t.weight));
  const { blob, entries } = packWeights(tensors, encoding, (t) => int8Axis(t.name, t.shape, tables));
  const sha256 = await sha256Hex(blob);
  const id = model.id ?? sha256.slice(0, 12);
  const classifier = options.classifier === undefined ? model.classifier : options.classifier;
  const classifierSection = classifier
    ? {
        classifier: classifierEntry(await classifierOf(model, classifier), {
          id,
          dim: model.dim,
          similarity: model.similarity,
        }),
      }
    : {};
  const manifest: ModelManifest = {
    format: 'siamese-model',
    formatVersion: formatVersionOf(classifierSection),
    id,
    createdAt: new Date().toISOString(),
    tokenizer: {
      ...model.tokenizer.toJSON(),
      maxLength: model.maxLength,
      ...(model.ngrams ? { ngrams: model.ngrams } : {}),
    },
    encoder: config,
    similarity: model.similarity,
    loss: model.loss,
    threshold: model.threshold,
    training: model.training ?? null,
    weights: { byteLength: blob.byteLength, sha256, entries },
    ...classifierSection,
  };
  return { manifest, blob };
}

/**
 * The contents of a classifier about to be saved with `model`: it must be this model's (the same instance, or
 * the same id, dimension and similarity), its vectors finite, and still the model's: its first example is embedded
 * again and compared, so a model trained further after the classifier was built (its examples' vectors now stale)
 * is refused rather than saved with vectors it no longer makes.
 */
export async function classifierOf(
  model: SiameseModel,
  classifier: FewShotClassifier,
): Promise<ClassifierContents> {
  const other = classifier?.model;
  const same =
    other === model ||
    (other !== undefined &&
      model.id !== undefined &&
      other.id === model.id &&
      other.dim === model.dim &&
      other.similarity === model.similarity);
  if (!(classifier instanceof FewShotClassifier) || !same) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `save: options.classifier: expected a FewShotClassifier built on this model (${model.dim}-d, id ${model.id ?? 'none yet'}), found ${classifier instanceof FewShotClassifier ? `one built on another model (${other!.dim}-d, id ${other!.id ?? 'none'})` : describeValue(classifier)}; its vectors would not be this model's. Build it with FewShotClassifier.create(model, examples). Nothing was written.`,
    );
  }
  const contents = classifier.contents();
  checkFinite(contents.vectors, 'save: classifier vectors');
  const now = await model.embedMatrix([contents.texts[0]!]);
  const then = contents.vectors.subarray(0, model.dim);
  let scale = 1;
  let drift = 0;
  for (let i = 0; i < now.length; i++) {
    scale = Math.max(scale, Math.abs(then[i]!));
    drift = Math.max(drift, Math.abs(now[i]! - then[i]!));
  }
  // Folded and unfolded inference differ in the last float bits; training moves vectors by far more.
  if (drift > 1e-4 * scale) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `save: options.classifier: its vectors are no longer this model's (the first example now embeds up to ${drift.toPrecision(3)} away: the model was trained or changed after the classifier was built); build it again with FewShotClassifier.create(model, examples), or save with { classifier: null }. Nothing was written.`,
      { details: { drift } },
    );
  }
  return contents;
}

/**
 * The model as one self-contained, checksummed byte array (the single-file format). Its packed reference index
 * (`model.index`, from `packModel`) goes with it.
 */
export async function modelToBytes(
  model: SiameseModel,
  options: WriteModelOptions = {},
): Promise<Uint8Array> {
  const { manifest, blob } = await modelToParts(model, options);
  return encodeModelFile(manifest, blob, model.index && indexContents(model.index));
}

/** Reference texts and their vectors (N×D, row-major), as a file stores them. */
export interface IndexContents {
  dim: number;
  similarity: Similarity;
  texts: readonly (string | null)[];
  vectors: Float32Array;
}

/** The contents of an index, for a file. */
export function indexContents(index: VectorIndex): IndexContents {
  const { dim, similarity, texts, vectors } = index.toJSON();
  return { dim, similarity, texts, vectors: Float32Array.from(vectors) };
}

/**
 * The single file of a manifest, its weights and an optional index. Loading adds the vectors to a `VectorIndex`
 * as `buildIndex` does, so raw embeddings stored here load bit-identical to an index built from the texts.
 */
export function encodeModelFile(
  manifest: ModelManifest,
  blob: Uint8Array,
  index: IndexContents | null,
): Promise<Uint8Array> {
  if (!index || index.texts.length === 0) return encodeSingleFile(manifest, blob);
  const { dim, similarity, texts, vectors } = index;
  const entry = {
    dim,
    similarity,
    count: texts.length,
    texts: [...texts],
    vectors: { byteOffset: 0, byteLength: 0 },
  };
  return encodeSingleFile({ ...manifest, index: entry }, blob, vectors);
}

/** Rebuilds a model from a manifest and its weights, refusing any mismatch with a typed error. */
export async function modelFromParts(
  manifest: ModelManifest,
  blob: Uint8Array,
  where = '<model>',
  options: LoadModelOptions = {},
  indexVectors: Float32Array | null = null,
  classifier: ClassifierContents | null = manifestClassifier(manifest, where),
): Promise<SiameseModel> {
  await verifyWeights(manifest, blob, where);
  const { maxLength, ngrams, ...tokJson } = manifest.tokenizer as {
    maxLength?: number;
    ngrams?: unknown;
    [k: string]: unknown;
  };
  const tokenizer = tokenizerFromJSON(tokJson as unknown as ModelTokenizerJSON);
  const vocabSize = findNumber(manifest.encoder, 'vocabSize');
  if (vocabSize !== undefined && tokenizer.vocabSize > vocabSize) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `${where}: the vocabulary has ${tokenizer.vocabSize} tokens but the encoder's embedding has ${vocabSize} rows`,
    );
  }
  checkEntries(manifest.weights.entries, blob.byteLength, where);
  const index = indexVectors && manifest.index ? indexFromFile(manifest.index, indexVectors, where) : null;
  const stored = unpackWeights(blob, manifest.weights.entries);
  for (const [name, w] of stored) checkFinite(w.values, `${where}: weight "${name}"`);
  // The file holds exactly the encoder's weights, so the config may not declare more values than the file has:
  // a manifest saying vocabSize 1e9 is refused here, before any table is allocated.
  let values = 0;
  for (const w of stored.values()) values += w.values.length;
  const encoder = buildEncoder(manifest, values, where);
  try {
    if (index && (index.dim !== encoder.outputDim || index.similarity !== manifest.similarity)) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `${where}: the packed index holds ${index.dim}-d vectors compared by ${index.similarity}, the model makes ${encoder.outputDim}-d vectors compared by ${manifest.similarity}`,
      );
    }
    if (classifier && manifest.classifier?.dim !== encoder.outputDim) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `${where}: classifier.dim: the saved classifier holds ${manifest.classifier?.dim}-d vectors, the model makes ${encoder.outputDim}-d vectors`,
      );
    }
    const wanted = encoder.weights();
    for (const [name, v] of wanted) {
      const w = stored.get(name);
      if (!w) {
        throw new SiameseError(
          'E_MODEL_MISMATCH',
          `${where}: weight "${name}" of the ${manifest.encoder.type} encoder is missing from the file`,
        );
      }
      if (w.shape.join('x') !== v.shape.join('x')) {
        throw new SiameseError(
          'E_MODEL_MISMATCH',
          `${where}: weight "${name}" has shape [${w.shape}] in the file, the encoder expects [${v.shape}]`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(w.values, v.shape, v.dtype)));
    }
    const extra = [...stored.keys()].filter((k) => !wanted.has(k));
    if (extra.length) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `${where}: the file holds weights the encoder does not have: ${extra.slice(0, 5).join(', ')}`,
      );
    }
  } catch (e) {
    encoder.dispose();
    throw e;
  }
  return new SiameseModel({
    tokenizer,
    encoder,
    similarity: manifest.similarity,
    ...(maxLength ? { maxLength } : {}),
    ...(ngrams ? { ngrams: ngrams as NgramOptions } : {}),
    threshold: manifest.threshold ?? null,
    training: manifest.training ?? null,
    loss: manifest.loss ?? null,
    id: manifest.id,
    index,
    classifier,
    ...(options.fold === undefined ? {} : { fold: options.fold }),
  });
}

/** Reads a model from its single-file bytes. */
export async function modelFromBytes(
  bytes: Uint8Array | ArrayBuffer,
  where = '<bytes>',
  options: LoadModelOptions = {},
): Promise<SiameseModel> {
  assertBackendReady('modelFromBytes');
  const limits = resolveLimits(options.limits);
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { manifest, blob, indexVectors, classifier } = await decodeSingleFile(u8, where, limits);
  return modelFromParts(manifest, blob, where, options, indexVectors, classifier);
}

function buildEncoder(manifest: ModelManifest, maxParameters: number, where: string): Encoder {
  try {
    return encoderFromConfig(manifest.encoder, { maxParameters });
  } catch (e) {
    if (SiameseError.is(e, 'E_ENCODER_BUDGET')) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `${where}: the encoder config declares larger weights than the file holds (${maxParameters} values): ${e.message}`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** Refuses NaN and ±Infinity, naming the first bad index: such weights only ever give NaN vectors. */
function checkFinite(values: Float32Array, where: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new SiameseError(
        'E_MODEL_NON_FINITE',
        `${where}: expected finite numbers, found ${values[i]} at index ${i} (the model diverged in training or the file is damaged)`,
        { details: { index: i, value: String(values[i]) } },
      );
    }
  }
}

const MANIFEST = 'model.json';

/**
 * Saves a model atomically. `format: 'folder'` (default) writes `model.json` + `weights-<sha>.bin` into `path`;
 * `'file'` writes one file. A crash mid-save leaves the previous model intact: weights go to a new
 * content-addressed file, then the manifest is replaced by rename (the commit point), then old weights are removed.
 */
export async function saveModel(
  model: SiameseModel,
  path: string,
  options: WriteModelOptions & { format?: 'folder' | 'file' } = {},
): Promise<ModelManifest> {
  const fs = await fileSystem();
  const { manifest, blob } = await modelToParts(model, options);
  if (options.format === 'file') {
    await writeFileAtomic(
      fs,
      path,
      await encodeModelFile(manifest, blob, model.index && indexContents(model.index)),
    );
    return manifest;
  }
  await fs.mkdir(path, { recursive: true });
  const weightsFile = `weights-${manifest.weights.sha256.slice(0, 16)}.bin`;
  manifest.weights.file = weightsFile;
  manifest.manifestSha256 = await manifestSha256(manifest);
  const previous = await previousWeightsFile(fs, path);
  await writeFileAtomic(fs, joinPath(path, weightsFile), blob);
  await writeFileAtomic(fs, joinPath(path, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  if (previous && previous !== weightsFile) await fs.rm(joinPath(path, previous), { force: true });
  await removeStaleTemps(fs, path, OWN_FILES);
  return manifest;
}

/** The names `saveModel` gives weights files: only such a file, inside the folder, is ever deleted. */
const OWN_WEIGHTS = /^weights-[0-9a-f]{16}\.bin$/;
/** Every name `saveModel` writes in a folder (their `.tmp-…` leftovers of a killed save are cleaned up). */
const OWN_FILES = /^(model\.json|weights-[0-9a-f]{16}\.bin)$/;

/** The old manifest's weights file, if it is one `saveModel` wrote (a planted `../victim` is left alone). */
async function previousWeightsFile(fs: FileSystem, dir: string): Promise<string | null> {
  try {
    const bytes = await readFileCapped(
      fs,
      joinPath(dir, MANIFEST),
      DEFAULT_MODEL_LIMITS.maxManifestBytes,
      'limits.maxManifestBytes',
    );
    const file = (JSON.parse(new TextDecoder().decode(bytes)) as { weights?: { file?: unknown } })?.weights
      ?.file;
    return isOwnFileName(file, OWN_WEIGHTS) ? file : null;
  } catch {
    return null;
  }
}

/**
 * Loads a model from a folder or file path (Node, Deno, Bun), an http(s) URL (a single file, or a folder URL
 * ending in `/` or `model.json`), a `data:`/`blob:` URL, bytes, or anything with `arrayBuffer()`: a `Response`, a
 * `Blob`, an R2 object (`await env.MODELS.get('model.siamese')`) or a KV value read as `'arrayBuffer'`.
 *
 * A model is treated as untrusted input: file names in the manifest must be plain names inside the folder
 * (`E_MODEL_UNSAFE_PATH`), every read is capped (`E_MODEL_TOO_LARGE`, see `options.limits`), declared shapes are
 * checked before anything is allocated (`E_MODEL_MISMATCH`), weights must be finite (`E_MODEL_NON_FINITE`), and a
 * URL model's weights come from its own origin unless `options.allowedOrigins` says otherwise
 * (`E_MODEL_CROSS_ORIGIN`). See docs/security.md.
 */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<SiameseModel> {
  assertBackendReady('loadModel');
  const limits = resolveLimits(options.limits);
  const maxFile = singleFileCap(limits);
  if (source === null || source === undefined) {
    throw new SiameseError(
      'E_MODEL_NOT_FOUND',
      `loadModel: expected a path, URL, bytes or a body, found ${source} (an R2 or KV get() answers null for a missing key)`,
    );
  }
  if (source instanceof Uint8Array || isArrayBuffer(source))
    return modelFromBytes(source, '<bytes>', options);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const where = source.url || '<response>';
    const bytes = await readBodyCapped(
      source,
      maxFile,
      where,
      'limits.maxWeightsBytes',
      singleFileLength(where, limits),
    );
    return modelFromBytes(bytes, where, options);
  }
  if (typeof source === 'object' && !(source instanceof URL) && typeof source.arrayBuffer === 'function') {
    const where =
      (source as { url?: string; key?: string }).url || (source as { key?: string }).key || '<body>';
    const size = (source as { size?: unknown }).size; // a Blob's or an R2 object's: known before reading
    if (typeof size === 'number' && size > maxFile)
      throw tooLarge(where, `${size} bytes`, maxFile, 'limits.maxWeightsBytes');
    return modelFromBytes(new Uint8Array(await source.arrayBuffer()), where, options);
  }
  const src = source as string | URL;
  const href = String(src);
  if (/^(https?):/i.test(href)) return loadFromUrl(new URL(href), options, limits);
  if (/^(data|blob):/i.test(href)) {
    const res = await fetch(href, options.signal ? { signal: options.signal } : {});
    return modelFromBytes(
      await readBodyCapped(
        res,
        maxFile,
        '<data URL>',
        'limits.maxWeightsBytes',
        singleFileLength('<data URL>', limits),
      ),
      href.slice(0, 40),
      options,
    );
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(href) && !/^file:/i.test(href)) {
    throw SiameseError.expected(
      'E_MODEL_URL',
      'loadModel',
      'a path, a file:, http(s):, data: or blob: URL, bytes or a Response',
      href.slice(0, 200),
    );
  }
  const path = /^file:/i.test(href) ? decodeURIComponent(new URL(href).pathname) : href;
  const fs = await fileSystem();
  let isDir: boolean;
  try {
    isDir = (await fs.stat(path)).isDirectory();
  } catch (e) {
    throw new SiameseError('E_MODEL_NOT_FOUND', `model: nothing at ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!isDir)
    return modelFromBytes(await readFileCapped(fs, path, maxFile, 'limits.maxWeightsBytes'), path, options);
  const manifestPath = joinPath(path, MANIFEST);
  const manifestBytes = await readConfined(
    fs,
    path,
    MANIFEST,
    'model',
    limits.maxManifestBytes,
    'limits.maxManifestBytes',
  );
  const manifest = parseManifestJson(manifestBytes, manifestPath, limits.maxWeightsBytes);
  await verifyManifest(manifestBytes, manifestPath);
  const classifier = manifestClassifier(manifest, manifestPath);
  const weightsName = manifest.weights.file ?? 'weights.bin';
  const weightsPath = joinPath(path, weightsName);
  // capped by the declared size (itself capped): a file larger than the manifest says is not read at all
  const blob = await readConfined(
    fs,
    path,
    weightsName,
    `${manifestPath}: weights.file`,
    manifest.weights.byteLength,
    'limits.maxWeightsBytes (or a manifest whose weights.byteLength fits the file)',
  );
  return modelFromParts(manifest, blob, weightsPath, options, null, classifier);
}

/** A single file declares its length in its header: a download stops there (an endless body after a valid header). */
function singleFileLength(where: string, limits: ModelLimits): DeclaredLength {
  return {
    headBytes: FILE_HEADER_BYTES,
    length: (head) => readFileHeader(head, where, limits)?.fileBytes ?? null,
  };
}

/** The cap of a single-file model: its manifest and weights together, never above the ceiling. */
function singleFileCap(limits: ModelLimits): number {
  return Math.min(MAX_MODEL_BYTES, limits.maxManifestBytes + limits.maxWeightsBytes + 64);
}

async function loadFromUrl(url: URL, options: LoadModelOptions, limits: ModelLimits): Promise<SiameseModel> {
  const policy = {
    allowedOrigins: originsFor(url, options.allowedOrigins),
    timeoutMs: limits.timeoutMs,
    signal: options.signal,
  };
  if (url.pathname.endsWith('/') || url.pathname.endsWith(`/${MANIFEST}`)) {
    const manifestUrl = url.pathname.endsWith('/') ? new URL(MANIFEST, url) : url;
    const manifestBytes = await fetchCapped(
      manifestUrl,
      { ...policy, maxBytes: limits.maxManifestBytes, option: 'limits.maxManifestBytes' },
      'model',
    );
    const manifest = parseManifestJson(manifestBytes, manifestUrl.href, limits.maxWeightsBytes);
    await verifyManifest(manifestBytes, manifestUrl.href);
    const classifier = manifestClassifier(manifest, manifestUrl.href);
    const weightsUrl = new URL(manifest.weights.file ?? 'weights.bin', manifestUrl);
    const blob = await fetchCapped(
      weightsUrl,
      {
        ...policy,
        maxBytes: manifest.weights.byteLength,
        option: 'limits.maxWeightsBytes (or weights.byteLength)',
      },
      'model',
    );
    return modelFromParts(manifest, blob, weightsUrl.href, options, null, classifier);
  }
  const bytes = await fetchCapped(
    url,
    {
      ...policy,
      maxBytes: singleFileCap(limits),
      option: 'limits.maxWeightsBytes',
      declared: singleFileLength(url.href, limits),
    },
    'model',
  );
  return modelFromBytes(bytes, url.href, options);
}

/** An ArrayBuffer from any realm (a Worker binding's buffer may not be this realm's `instanceof`). */
function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** The packed index of a file: its vectors and texts, searched with the similarity it was built for. */
function indexFromFile(entry: PackedIndexEntry, vectors: Float32Array, where: string): VectorIndex {
  if (vectors.length !== entry.count * entry.dim) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `${where}: the index holds ${vectors.length} values, expected ${entry.count}×${entry.dim}`,
    );
  }
  return VectorIndex.fromJSON({ dim: entry.dim, similarity: entry.similarity, vectors, texts: entry.texts });
}

function findNumber(obj: unknown, key: string): number | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const rec = obj as Record<string, unknown>;
  if (typeof rec[key] === 'number') return rec[key] as number;
  for (const v of Object.values(rec)) {
    const found = Array.isArray(v)
      ? v.map((x) => findNumber(x, key)).find((x) => x !== undefined)
      : findNumber(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
}
