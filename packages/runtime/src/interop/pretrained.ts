// Static embedding models in the two folder layouts that carry them: model2vec (`StaticModel.save_pretrained`) and
// sentence-transformers (`modules.json` + a `StaticEmbedding` module, optionally `Normalize`). Both are one token
// table, a mean over the ids, maybe an L2 normalisation: the SDK's embedding → mean pooling (the `embeddingBag`
// fast path) → normalize. fixtures/interop/README.md lists the sources each layout was read from.
import { assertBackendReady } from '@siamese/backend/internals';
import { fileSystem, SiameseError } from '@siamese/core';
import { embedding, normalize, pooling, type SequentialConfig, sequential } from '@siamese/encoders';
import { SIMILARITIES, type Similarity } from '@siamese/losses';
import { parseSafetensors, type SafetensorsFile, serializeSafetensors } from '@siamese/safetensors';
import { PretrainedTokenizer, WhitespaceTokenizer } from '@siamese/tokenizer';
import { joinPath } from '../io/fs.js';
import { DEFAULT_MODEL_LIMITS } from '../io/limits.js';
import { fetchCapped, originsFor } from '../io/url.js';
import { SiameseModel } from '../model.js';
import { json, type Module, type Reader, required, shortType, text, unsupported } from './folder.js';
import { exportModuleChain, importModuleChain, isModuleChain } from './st-modules.js';

/** The folder layouts {@link importPretrained} reads and {@link exportPretrained} writes. */
export type PretrainedFormat = 'model2vec' | 'sentence-transformers';

/** A model folder given as its files: relative path (`tokenizer.json`, `1_Normalize/config.json`) → contents. */
export type PretrainedFiles = Readonly<Record<string, Uint8Array | ArrayBuffer | string>>;

/** Where a pretrained folder is: a directory path (Node, Deno, Bun), a base URL, or its files. */
export type PretrainedSource = string | URL | PretrainedFiles;

/** Options of {@link importPretrained}. */
export interface ImportPretrainedOptions {
  /**
   * The layout; default: `model2vec` when `config.json` says `"model_type": "model2vec"`, else
   * `sentence-transformers` when there is a `modules.json`. model2vec drops unknown tokens and normalises when its
   * `config.json` says `normalize`; sentence-transformers keeps them and normalises when `modules.json` lists a
   * `Normalize` module.
   */
  format?: PretrainedFormat;
  /** Longest input in tokens (default 512, model2vec's `encode` default). */
  maxLength?: number;
  /** Train the token table when fine-tuning (default `true`). */
  trainable?: boolean;
  /** For a URL source: other origins the files may come from (as `loadModel`'s `allowedOrigins`). */
  allowedOrigins?: string[];
  /** For a URL source: the largest file in bytes (default 1 GiB) and the time per file (default 60 s). */
  limits?: { maxFileBytes?: number; timeoutMs?: number };
  /** Progress notes: the layout, the table's shape, the tokenizer. */
  onInfo?: (message: string) => void;
}

/**
 * Loads a static embedding model (model2vec, or sentence-transformers with a `StaticEmbedding` module) as a
 * {@link SiameseModel}: its `tokenizer.json` as a `PretrainedTokenizer`, its matrix as a trainable embedding
 * table, a masked mean over the ids (the `embeddingBag` kernel), and an L2 normalisation when the model has one.
 * Embeddings equal the reference library's (fixtures/interop, to 1e-5). The model fine-tunes with `fit` and any
 * loss, saves with `saveModel`, and goes back to its layout with {@link exportPretrained}.
 *
 * sentence-transformers chains without a transformer (`WordEmbeddings` → `LSTM` → `Pooling` → `Dense` →
 * `Normalize`) load as the matching steps, named as `SentenceTransformer`'s state_dict names them.
 *
 * Refuses with `E_IMPORT_UNSUPPORTED` (naming the module or tensor) what it cannot reproduce: transformer and CNN
 * modules, model2vec's per-token `weights` / `mapping` tensors; `E_MODEL_NOT_FOUND` when a file is missing.
 *
 * @example
 * ```ts
 * const model = await importPretrained('models/potion-base-2M'); // or a base URL, or { 'tokenizer.json': … }
 * const [a, b] = await model.embed(['A man plays a guitar.', 'Someone plays music.']);
 * ```
 */
export async function importPretrained(
  source: PretrainedSource,
  options: ImportPretrainedOptions = {},
): Promise<SiameseModel> {
  assertBackendReady('importPretrained');
  const read = readerOf(source, options);
  const format = options.format ?? (await detectFormat(read));
  const modules = format === 'model2vec' ? null : await readModules(read);
  if (modules && shortType(modules[0]?.type ?? '') !== 'StaticEmbedding') {
    if (modules.length === 0) throw unsupported('modules.json lists no module', { module: null });
    const chain = await importModuleChain(read, modules);
    options.onInfo?.(`sentence-transformers: ${chain.description}`);
    return new SiameseModel({
      tokenizer: chain.tokenizer,
      encoder: chain.encoder,
      similarity: await stSimilarity(read),
      maxLength: options.maxLength ?? 512,
    });
  }
  const tableModule = modules ? staticModule(modules) : { name: '0', path: '', type: 'StaticModel' };
  const dir = (p: string) =>
    tableModule.path === '' || tableModule.path === '.' ? p : `${tableModule.path}/${p}`;
  const tokenizerText = text(await required(read, dir('tokenizer.json')), dir('tokenizer.json'));
  const tokenizer = PretrainedTokenizer.fromTokenizerJson(tokenizerText, {
    dropUnknown: format === 'model2vec',
  });
  const file = parseSafetensors(await required(read, dir('model.safetensors')));
  const key = tableKey(file, format);
  const [rows, dim] = file.info(key).shape as [number, number];
  if (tokenizer.vocabSize > rows) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `importPretrained: tokenizer.json has ${tokenizer.vocabSize} ids but "${key}" has ${rows} rows`,
      { details: { vocabSize: tokenizer.vocabSize, rows } },
    );
  }
  const normalized =
    format === 'model2vec'
      ? (await model2vecConfig(read)).normalize === true
      : modules!.some((m) => shortType(m.type) === 'Normalize');
  options.onInfo?.(
    `${format}: ${rows} × ${dim} table ("${key}", ${file.info(key).dtype}), ${String((tokenizer.toTokenizerJson().model as { type?: string }).type)} tokenizer, mean${normalized ? ', normalized' : ''}`,
  );
  const encoder = sequential(
    [
      embedding({
        vocabSize: rows,
        dim,
        init: file.float32(key),
        trainable: options.trainable ?? true,
        name: 'embedding',
      }),
      pooling({ mode: 'mean' }),
      ...(normalized ? [normalize()] : []),
    ],
    { seed: 0 },
  );
  return new SiameseModel({
    tokenizer,
    encoder,
    similarity: format === 'model2vec' ? 'cosine' : await stSimilarity(read),
    maxLength: options.maxLength ?? 512,
  });
}

/** Options of {@link exportPretrained}. */
export interface ExportPretrainedOptions {
  /** The layout; default `model2vec` when the tokenizer drops unknown tokens (as model2vec does), else `sentence-transformers`. */
  format?: PretrainedFormat;
  /** model2vec: keys merged into the `config.json` written (`tokenizer_name`, `apply_pca`, …). */
  config?: Record<string, unknown>;
}

/**
 * Writes a static model (embedding → mean pooling → optional normalize, with a `PretrainedTokenizer`) in the
 * model2vec or sentence-transformers layout: `model.safetensors` (float32 `embeddings`, or `embedding.weight`),
 * `tokenizer.json`, `config.json` / `config_sentence_transformers.json`, `modules.json` (and
 * `1_Normalize/config.json`). Python's `StaticModel.from_pretrained` / `SentenceTransformer(path)` load the folder;
 * so does {@link importPretrained}. `E_EXPORT_UNSUPPORTED` for any other model.
 */
export async function exportPretrained(
  model: SiameseModel,
  options: ExportPretrainedOptions = {},
): Promise<Record<string, Uint8Array | string>> {
  const { tokenizer } = model;
  const config = model.encoder.getConfig() as SequentialConfig;
  const steps = config.type === 'sequential' ? config.steps : [];
  if (tokenizer instanceof WhitespaceTokenizer && config.type === 'sequential' && isModuleChain(config)) {
    if (options.format === 'model2vec') {
      throw new SiameseError(
        'E_EXPORT_UNSUPPORTED',
        'exportPretrained: a WordEmbeddings module chain has no model2vec layout; export it as sentence-transformers',
      );
    }
    return {
      ...(await exportModuleChain(model.encoder, tokenizer)),
      'config_sentence_transformers.json': stConfig(model.similarity),
    };
  }
  const [emb, pool, ...rest] = steps;
  const isStatic =
    tokenizer instanceof PretrainedTokenizer &&
    emb?.type === 'embedding' &&
    pool?.type === 'pooling' &&
    pool.mode === 'mean' &&
    rest.every((s) => s.type === 'normalize') &&
    rest.length <= 1;
  if (!isStatic) {
    throw new SiameseError(
      'E_EXPORT_UNSUPPORTED',
      `exportPretrained: expected a static model (embedding → mean pooling → optional normalize, with a PretrainedTokenizer), found ${steps.map((s) => s.type).join(' → ') || config.type} with a ${tokenizer.constructor.name}; export other models with exportTorch`,
      { details: { steps: steps.map((s) => s.type) } },
    );
  }
  const format = options.format ?? (tokenizer.dropUnknown ? 'model2vec' : 'sentence-transformers');
  const name = typeof emb.name === 'string' ? emb.name : 'embedding';
  const table = model.encoder.weights().get(`${name}.weight`)!;
  const data = (await table.data()) as Float32Array;
  const normalized = rest.length === 1;
  const tokenizerJson = JSON.stringify(tokenizer.toTokenizerJson());
  const [rows, dim] = table.shape as [number, number];
  if (format === 'model2vec') {
    return {
      'model.safetensors': serializeSafetensors([['embeddings', { data, shape: [rows, dim] }]]),
      'tokenizer.json': tokenizerJson,
      'config.json': `${JSON.stringify(
        {
          model_type: 'model2vec',
          architectures: ['StaticModel'],
          ...options.config,
          hidden_dim: dim,
          normalize: normalized,
          embedding_dtype: 'float32',
        },
        null,
        4,
      )}\n`,
      'modules.json': modulesJson([
        { path: '.', type: 'sentence_transformers.models.StaticEmbedding' },
        ...(normalized ? [{ path: '1_Normalize', type: 'sentence_transformers.models.Normalize' }] : []),
      ]),
    };
  }
  return {
    'model.safetensors': serializeSafetensors([['embedding.weight', { data, shape: [rows, dim] }]]),
    'tokenizer.json': tokenizerJson,
    'modules.json': modulesJson([
      {
        path: '',
        type: 'sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding',
      },
      ...(normalized
        ? [{ path: '1_Normalize', type: 'sentence_transformers.base.modules.normalize.Normalize' }]
        : []),
    ]),
    ...(normalized
      ? {
          '1_Normalize/config.json': `${JSON.stringify({ module_input_name: 'sentence_embedding', module_output_name: 'sentence_embedding' }, null, 4)}\n`,
        }
      : {}),
    'config_sentence_transformers.json': stConfig(model.similarity),
  };
}

function stConfig(similarity: Similarity): string {
  const config = {
    model_type: 'SentenceTransformer',
    prompts: {},
    default_prompt_name: null,
    similarity_fn_name: similarity,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * {@link exportPretrained} into a directory (created if needed; Node, Deno, Bun). Returns the files written.
 */
export async function savePretrained(
  model: SiameseModel,
  dir: string,
  options: ExportPretrainedOptions = {},
): Promise<string[]> {
  const files = await exportPretrained(model, options);
  const fs = await fileSystem();
  await fs.mkdir(dir, { recursive: true });
  for (const [path, data] of Object.entries(files)) {
    if (path.includes('/'))
      await fs.mkdir(joinPath(dir, path.slice(0, path.lastIndexOf('/'))), { recursive: true });
    await fs.writeFile(joinPath(dir, path), data);
  }
  return Object.keys(files);
}

function modulesJson(modules: { path: string; type: string }[]): string {
  return `${JSON.stringify(
    modules.map((m, idx) => ({ idx, name: String(idx), path: m.path, type: m.type })),
    null,
    4,
  )}\n`;
}

function readerOf(source: PretrainedSource, options: ImportPretrainedOptions): Reader {
  if (typeof source === 'string') {
    return async (path) => {
      const fs = await fileSystem();
      try {
        return new Uint8Array(await fs.readFile(joinPath(source, path)));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT' || (e as Error).name === 'NotFound') return null;
        throw e;
      }
    };
  }
  if (source instanceof URL) {
    const base = source.href.endsWith('/') ? source : new URL(`${source.href}/`);
    const policy = {
      allowedOrigins: originsFor(base, options.allowedOrigins),
      maxBytes: options.limits?.maxFileBytes ?? DEFAULT_MODEL_LIMITS.maxWeightsBytes,
      option: 'limits.maxFileBytes',
      timeoutMs: options.limits?.timeoutMs ?? DEFAULT_MODEL_LIMITS.timeoutMs,
      signal: undefined,
    };
    return async (path) => {
      try {
        return await fetchCapped(new URL(path, base), policy, `importPretrained ${path}`);
      } catch (e) {
        if (
          SiameseError.is(e) &&
          e.code === 'E_MODEL_NOT_FOUND' &&
          (e.details as { status?: number })?.status === 404
        )
          return null;
        throw e;
      }
    };
  }
  if (!source || typeof source !== 'object') {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'importPretrained: source',
      'a directory path, a URL, or an object of file path → contents',
      typeof source,
    );
  }
  return async (path) => {
    const v = Object.hasOwn(source, path)
      ? source[path]
      : Object.hasOwn(source, `./${path}`)
        ? source[`./${path}`]
        : undefined;
    if (v === undefined) return null;
    if (typeof v === 'string') return new TextEncoder().encode(v);
    return v instanceof Uint8Array ? v : new Uint8Array(v);
  };
}

async function detectFormat(read: Reader): Promise<PretrainedFormat> {
  const config = (await json(read, 'config.json')) as { model_type?: unknown } | null;
  if (config && typeof config === 'object' && config.model_type === 'model2vec') return 'model2vec';
  if ((await read('modules.json')) !== null) return 'sentence-transformers';
  throw new SiameseError(
    'E_MODEL_NOT_FOUND',
    'importPretrained: not a model2vec folder (config.json with "model_type": "model2vec") nor a sentence-transformers one (modules.json); pass format if the folder is one of them',
  );
}

async function model2vecConfig(read: Reader): Promise<{ normalize?: unknown }> {
  const config = await json(read, 'config.json');
  return config && typeof config === 'object' ? (config as { normalize?: unknown }) : {};
}

async function readModules(read: Reader): Promise<Module[]> {
  const list = await json(read, 'modules.json');
  if (list === null) {
    throw new SiameseError('E_MODEL_NOT_FOUND', 'importPretrained: the folder has no modules.json', {
      details: { path: 'modules.json' },
    });
  }
  if (
    !Array.isArray(list) ||
    list.some((m) => !m || typeof m.type !== 'string' || typeof m.path !== 'string')
  ) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      'importPretrained: modules.json: expected a list of { idx, name, path, type }',
    );
  }
  const modules = (list as Module[]).map((m, i) => ({
    path: m.path,
    type: m.type,
    name: typeof m.name === 'string' && /^\w+$/.test(m.name) ? m.name : String(i),
  }));
  for (const m of modules) {
    if (m.path.split('/').some((part) => part === '..') || m.path.startsWith('/')) {
      throw new SiameseError(
        'E_MODEL_UNSAFE_PATH',
        `importPretrained: modules.json: the path ${JSON.stringify(m.path)} leaves the folder`,
        { details: { path: m.path } },
      );
    }
  }
  return modules;
}

function staticModule(modules: Module[]): Module {
  const first = modules[0]!;
  for (const m of modules.slice(1)) {
    if (shortType(m.type) !== 'Normalize') {
      throw unsupported(
        `the module ${m.type} (${JSON.stringify(m.path)}) after a StaticEmbedding (only Normalize may follow it)`,
        { module: m.type },
      );
    }
  }
  return first;
}

function tableKey(file: SafetensorsFile, format: PretrainedFormat): string {
  const names = file.names();
  for (const extra of ['weights', 'mapping']) {
    if (names.includes(extra)) {
      throw unsupported(
        `model.safetensors holds model2vec's "${extra}" tensor (per-token weights / vocabulary quantization), which this loader does not apply yet`,
        { tensor: extra },
      );
    }
  }
  // sentence-transformers' StaticEmbedding reads model2vec's `embeddings` too (its load falls back to it).
  const key = ['embeddings', 'embedding.weight'].find((k) => names.includes(k));
  if (!key || file.info(key).shape.length !== 2) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `importPretrained (${format}): model.safetensors: expected a 2-D "embeddings" or "embedding.weight" matrix, found ${names.map((n) => `"${n}" [${file.info(n).shape.join(', ')}]`).join(', ') || 'no tensor'}`,
      { details: { names } },
    );
  }
  return key;
}

async function stSimilarity(read: Reader): Promise<Similarity> {
  const config = (await json(read, 'config_sentence_transformers.json')) as {
    similarity_fn_name?: unknown;
  } | null;
  const name = config?.similarity_fn_name;
  if (name === null || name === undefined) return 'cosine';
  const mapped = name === 'dot_product' ? 'dot' : name;
  if (typeof mapped === 'string' && (SIMILARITIES as readonly string[]).includes(mapped))
    return mapped as Similarity;
  throw unsupported(`config_sentence_transformers.json: the similarity_fn_name ${JSON.stringify(name)}`, {
    similarity: name,
  });
}
