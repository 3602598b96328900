import { assertBackendReady } from '@siamese/backend/internals';
import { type FileSystem, fileSystem, SiameseError } from '@siamese/core';
import { type EncodeOptions, encoderFromConfig } from '@siamese/encoders';
import type { Similarity } from '@siamese/losses';
import { type NgramOptions, Tokenizer, type TokenizerJSON } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { VectorIndex } from '../infer/vector-index.js';
import { SiameseModel } from '../model.js';
import { tokenTables } from '../token-tables.js';
import {
  checkEntries,
  decodeSingleFile,
  encodeSingleFile,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
  type NamedWeights,
  type PackedIndexEntry,
  packWeights,
  parseManifestJson,
  sha256Hex,
  unpackWeights,
  verifyWeights,
} from './format.js';
import { joinPath, writeFileAtomic } from './fs.js';
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
}

/** Options of {@link modelToBytes} and {@link saveModel}. */
export interface WriteModelOptions {
  /**
   * How weight matrices are stored (default `f32`): `f16` halves them, `int8` quarters them with one float32 scale
   * per row of a token table and per output channel of every other matrix. Vectors (biases) stay float32. Loading
   * dequantizes to float32.
   */
  weights?: WeightsEncoding;
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
  for (const [name, v] of model.encoder.weights()) {
    tensors.push({ name, shape: [...v.shape], values: (await v.data()) as Float32Array });
  }
  const config = model.encoder.getConfig();
  const tables = new Set(tokenTables(config).map((t) => t.weight));
  const { blob, entries } = packWeights(tensors, encoding, (t) => int8Axis(t.name, t.shape, tables));
  const sha256 = await sha256Hex(blob);
  const manifest: ModelManifest = {
    format: 'siamese-model',
    formatVersion: MODEL_FORMAT_VERSION,
    id: model.id ?? sha256.slice(0, 12),
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
  };
  return { manifest, blob };
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
): Promise<SiameseModel> {
  await verifyWeights(manifest, blob, where);
  const { maxLength, ngrams, ...tokJson } = manifest.tokenizer as {
    maxLength?: number;
    ngrams?: unknown;
    [k: string]: unknown;
  };
  const tokenizer = Tokenizer.fromJSON(tokJson as unknown as TokenizerJSON);
  const vocabSize = findNumber(manifest.encoder, 'vocabSize');
  if (vocabSize !== undefined && tokenizer.vocab.size > vocabSize) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `${where}: the vocabulary has ${tokenizer.vocab.size} tokens but the encoder's embedding has ${vocabSize} rows`,
    );
  }
  checkEntries(manifest.weights.entries, blob.byteLength, where);
  const index = indexVectors && manifest.index ? indexFromFile(manifest.index, indexVectors, where) : null;
  const encoder = encoderFromConfig(manifest.encoder);
  const stored = unpackWeights(blob, manifest.weights.entries);
  try {
    if (index && (index.dim !== encoder.outputDim || index.similarity !== manifest.similarity)) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `${where}: the packed index holds ${index.dim}-d vectors compared by ${index.similarity}, the model makes ${encoder.outputDim}-d vectors compared by ${manifest.similarity}`,
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
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { manifest, blob, indexVectors } = await decodeSingleFile(u8, where);
  return modelFromParts(manifest, blob, where, options, indexVectors);
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
  const previous = await readManifestIfAny(fs, path);
  await writeFileAtomic(fs, joinPath(path, weightsFile), blob);
  await writeFileAtomic(fs, joinPath(path, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  if (previous?.weights.file && previous.weights.file !== weightsFile) {
    await fs.rm(joinPath(path, previous.weights.file), { force: true });
  }
  return manifest;
}

async function readManifestIfAny(fs: FileSystem, dir: string): Promise<ModelManifest | null> {
  try {
    return JSON.parse(new TextDecoder().decode(await fs.readFile(joinPath(dir, MANIFEST)))) as ModelManifest;
  } catch {
    return null;
  }
}

/**
 * Loads a model from a folder or file path (Node, Deno, Bun), an http(s) URL (a single file, or a folder URL
 * ending in `/` or `model.json`), bytes, or anything with `arrayBuffer()`: a `Response`, a `Blob`, an R2 object
 * (`await env.MODELS.get('model.siamese')`) or a KV value read as `'arrayBuffer'` (Workers, browsers).
 */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<SiameseModel> {
  assertBackendReady('loadModel');
  if (source === null || source === undefined) {
    throw new SiameseError(
      'E_MODEL_NOT_FOUND',
      `loadModel: expected a path, URL, bytes or a body, found ${source} (an R2 or KV get() answers null for a missing key)`,
    );
  }
  if (source instanceof Uint8Array || isArrayBuffer(source))
    return modelFromBytes(source, '<bytes>', options);
  if (typeof source === 'object' && !(source instanceof URL) && typeof source.arrayBuffer === 'function') {
    const where =
      (source as { url?: string; key?: string }).url || (source as { key?: string }).key || '<body>';
    return modelFromBytes(new Uint8Array(await source.arrayBuffer()), where, options);
  }
  const src = source as string | URL;
  const href = String(src);
  if (/^(https?|data|blob):/i.test(href)) return loadFromUrl(new URL(href), options);
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
  if (!isDir) return modelFromBytes(await fs.readFile(path), path, options);
  const manifestPath = joinPath(path, MANIFEST);
  const manifest = parseManifestJson(await readOrThrow(fs, manifestPath), manifestPath);
  const weightsPath = joinPath(path, manifest.weights.file ?? 'weights.bin');
  return modelFromParts(manifest, await readOrThrow(fs, weightsPath), weightsPath, options);
}

async function readOrThrow(fs: FileSystem, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw new SiameseError('E_MODEL_NOT_FOUND', `model: cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new SiameseError('E_MODEL_NOT_FOUND', `model: HTTP ${res.status} for ${url.href}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function loadFromUrl(url: URL, options: LoadModelOptions): Promise<SiameseModel> {
  if (url.pathname.endsWith('/') || url.pathname.endsWith(`/${MANIFEST}`)) {
    const manifestUrl = url.pathname.endsWith('/') ? new URL(MANIFEST, url) : url;
    const manifest = parseManifestJson(await fetchBytes(manifestUrl), manifestUrl.href);
    const weightsUrl = new URL(manifest.weights.file ?? 'weights.bin', manifestUrl);
    return modelFromParts(manifest, await fetchBytes(weightsUrl), weightsUrl.href, options);
  }
  return modelFromBytes(await fetchBytes(url), url.href, options);
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
