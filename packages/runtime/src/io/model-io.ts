import { assertBackendReady } from '@siamese/backend/internals';
import { type FileSystem, fileSystem, SiameseError } from '@siamese/core';
import { type EncodeOptions, encoderFromConfig } from '@siamese/encoders';
import { type ModelTokenizerJSON, type NgramOptions, tokenizerFromJSON } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { SiameseModel } from '../model.js';
import {
  checkManifest,
  decodeSingleFile,
  encodeSingleFile,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
  packWeights,
  sha256Hex,
  unpackWeights,
  verifyWeights,
} from './format.js';
import { joinPath, writeFileAtomic } from './fs.js';

/** Where a model can be loaded from. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | Response;

/** Options of {@link loadModel} / {@link modelFromBytes}. */
export interface LoadModelOptions {
  /** Inference folding of the loaded model's `embed` calls (see `EncodeOptions.fold`; keep it small or off on Workers). */
  fold?: EncodeOptions['fold'];
}

/** Serialises a model: manifest + little-endian float32 weights. */
export async function modelToParts(
  model: SiameseModel,
): Promise<{ manifest: ModelManifest; blob: Uint8Array }> {
  const tensors: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const [name, v] of model.encoder.weights()) {
    tensors.push({ name, shape: [...v.shape], values: (await v.data()) as Float32Array });
  }
  const { blob, entries } = packWeights(tensors);
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
    encoder: model.encoder.getConfig(),
    similarity: model.similarity,
    loss: model.loss,
    threshold: model.threshold,
    training: model.training ?? null,
    weights: { byteLength: blob.byteLength, sha256, entries },
  };
  return { manifest, blob };
}

/** The model as one self-contained byte array (the single-file format). */
export async function modelToBytes(model: SiameseModel): Promise<Uint8Array> {
  const { manifest, blob } = await modelToParts(model);
  return encodeSingleFile(manifest, blob);
}

/** Rebuilds a model from a manifest and its weights, refusing any mismatch with a typed error. */
export async function modelFromParts(
  manifest: ModelManifest,
  blob: Uint8Array,
  where = '<model>',
  options: LoadModelOptions = {},
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
  const encoder = encoderFromConfig(manifest.encoder);
  const stored = unpackWeights(blob, manifest.weights.entries);
  try {
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
  const { manifest, blob } = decodeSingleFile(u8, where);
  return modelFromParts(manifest, blob, where, options);
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
  options: { format?: 'folder' | 'file' } = {},
): Promise<ModelManifest> {
  const fs = await fileSystem();
  const { manifest, blob } = await modelToParts(model);
  if (options.format === 'file') {
    await writeFileAtomic(fs, path, encodeSingleFile(manifest, blob));
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

function parseManifest(bytes: Uint8Array, where: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new SiameseError('E_MODEL_CORRUPT', `${where}: unreadable manifest: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return checkManifest(json, where);
}

/**
 * Loads a model from a folder or file path (Node, Deno, Bun), an http(s) URL (a single file, or a folder URL
 * ending in `/` or `model.json`), a `Response`, or bytes (Workers, browsers).
 */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<SiameseModel> {
  assertBackendReady('loadModel');
  if (source instanceof Uint8Array || source instanceof ArrayBuffer)
    return modelFromBytes(source, '<bytes>', options);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    return modelFromBytes(new Uint8Array(await source.arrayBuffer()), source.url || '<response>', options);
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
  const manifest = parseManifest(await readOrThrow(fs, manifestPath), manifestPath);
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
    const manifest = parseManifest(await fetchBytes(manifestUrl), manifestUrl.href);
    const weightsUrl = new URL(manifest.weights.file ?? 'weights.bin', manifestUrl);
    return modelFromParts(manifest, await fetchBytes(weightsUrl), weightsUrl.href, options);
  }
  return modelFromBytes(await fetchBytes(url), url.href, options);
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
