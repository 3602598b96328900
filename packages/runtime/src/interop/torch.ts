import { assertBackendReady } from '@siamese/backend/internals';
import { SiameseError } from '@siamese/core';
import {
  type EncoderConfig,
  embedding,
  encoderFromConfig,
  type SequentialConfig,
  type StepConfig,
  sequential,
  stepFromConfig,
} from '@siamese/encoders';
import type { Similarity } from '@siamese/losses';
import {
  parseSafetensors,
  SafetensorsFile,
  serializeSafetensors,
  type TensorToWrite,
} from '@siamese/safetensors';
import {
  type ModelTokenizer,
  type ModelTokenizerJSON,
  PretrainedTokenizer,
  Tokenizer,
  tokenizerFromJSON,
  type Word2IndexOptions,
  type WordPieceOptions,
} from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { SiameseModel } from '../model.js';
import { inferArchitecture } from './architecture.js';

/** `__metadata__` keys an exported state_dict carries (the safetensors metadata holds strings only). */
export const TORCH_METADATA = {
  /** The encoder config (JSON), its step names = the module paths of the keys. */
  encoder: 'siamese.encoder',
  /** The model's tokenizer (`toJSON()` as JSON), so importing the file alone gives the same ids. */
  tokenizer: 'siamese.tokenizer',
  /** `maxLength` and `similarity` (JSON). */
  model: 'siamese.model',
} as const;

/** Where the token ids come from: the files that travel with a PyTorch model. */
export type TorchVocab =
  | ({ word2index: Readonly<Record<string, number>> } & Word2IndexOptions)
  | ({ vocabTxt: string } & WordPieceOptions)
  | { tokenizerJson: string | Record<string, unknown> }
  | { tokenizer: ModelTokenizer };

/** Options of {@link importTorch}. */
export interface ImportTorchOptions {
  /** The state_dict as safetensors: the file's bytes or a parsed file (`parseSafetensors`). */
  weights: Uint8Array | ArrayBuffer | SafetensorsFile;
  /**
   * The vocabulary: a `word2index` map (with the lower-case + `\w+|[^\w\s]` split of most tutorials, both
   * adjustable), a BERT `vocab.txt`, a Hugging Face `tokenizer.json`, or a tokenizer. Optional for files written
   * by `exportTorch`, which carry theirs.
   */
  vocab?: TorchVocab;
  /**
   * The encoder, as a `sequential` config or its step configs, each weighted step `name`d after its module path
   * (`{ type: 'lstm', hidden: 16, layers: 2, name: 'encoder.lstm' }`). Default: the file's own (written by
   * `exportTorch`), else inferred from the keys (see `inferArchitecture`).
   */
  architecture?: EncoderConfig | readonly StepConfig[];
  /** When inferring: LSTMs skip pads (default `true`) or read them (`false`, an unpacked PyTorch LSTM). */
  packed?: boolean;
  /** Longest input in tokens (default: the file's, else 64). */
  maxLength?: number;
  /** How vectors compare (default: the file's, else `cosine`). */
  similarity?: Similarity;
  /** Progress notes: the architecture used, the vocabulary size. */
  onInfo?: (message: string) => void;
}

/**
 * Builds a {@link SiameseModel} from a PyTorch `state_dict` saved as safetensors plus its vocabulary. Every weight
 * is assigned by name, strictly (PyTorch's `load_state_dict(strict=True)`): a missing, extra or differently shaped
 * weight is `E_MODEL_MISMATCH` naming it. Weights in F16, BF16 or F64 are converted to float32.
 *
 * @example
 * ```ts
 * const model = importTorch({
 *   weights: await readFile('model.safetensors'),
 *   vocab: { word2index: JSON.parse(await readFile('word2index.json', 'utf8')) },
 * }); // Embedding → 2-layer LSTM → h_n of the last layer, inferred from the keys
 * ```
 */
export function importTorch(options: ImportTorchOptions): SiameseModel {
  assertBackendReady('importTorch');
  const file =
    options.weights instanceof SafetensorsFile ? options.weights : parseSafetensors(options.weights);
  const meta = file.metadata ?? {};
  const tokenizer = tokenizerOf(options.vocab, meta);
  const config = architectureOf(options, file, meta, tokenizer.vocabSize);
  options.onInfo?.(
    `architecture: ${config.steps.map((s) => (s.name ? `${s.type} ${s.name}` : s.type)).join(' → ')}; vocabulary ${tokenizer.vocabSize}`,
  );
  const embeddingStep = config.steps.find((s) => s.type === 'embedding');
  const specs = config.steps.map((s) => {
    if (s !== embeddingStep) return stepFromConfig(s);
    // The table is read straight into the step (no random table drawn first, which matters for 400k rows).
    const key = qualified(s.name, 'weight', 'embedding');
    const info = file.has(key) ? file.info(key) : null;
    if (info?.shape.length !== 2 || info.shape[0] !== s.vocabSize || info.shape[1] !== s.dim)
      return stepFromConfig(s);
    const { init: _init, ...rest } = s;
    return embedding({ ...(rest as unknown as Parameters<typeof embedding>[0]), init: file.float32(key) });
  });
  const encoder = sequential(specs, { seed: config.seed ?? 0 });
  try {
    assignStrict(
      encoder.weights(),
      file,
      embeddingStep ? qualified(embeddingStep.name, 'weight', 'embedding') : null,
    );
    const rows = embeddingRows(config);
    if (rows !== undefined && tokenizer.vocabSize > rows) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `importTorch: the vocabulary has ${tokenizer.vocabSize} ids but the embedding has ${rows} rows`,
        { details: { vocabSize: tokenizer.vocabSize, rows } },
      );
    }
  } catch (e) {
    encoder.dispose();
    throw e;
  }
  const saved = parseMeta(meta, TORCH_METADATA.model) as {
    maxLength?: number;
    similarity?: Similarity;
  } | null;
  const maxLength = options.maxLength ?? saved?.maxLength;
  return new SiameseModel({
    tokenizer,
    encoder,
    similarity: options.similarity ?? saved?.similarity ?? 'cosine',
    ...(maxLength ? { maxLength } : {}),
  });
}

/** Output of {@link exportTorch}. */
export interface TorchExport {
  /** The state_dict as safetensors bytes (float32, keys = module paths), with the architecture in `__metadata__`. */
  weights: Uint8Array;
  /** The keys, in file order. */
  keys: string[];
  /** The encoder config with every weighted step named after its module path. */
  architecture: EncoderConfig;
  /**
   * The vocabulary files a PyTorch user reads: `word2index.json` (token → id) for word-level tokenizers,
   * `tokenizer.json` for Hugging Face ones, `whitespacetokenizer_config.json` for sentence-transformers'.
   */
  vocabFiles: Record<string, string>;
}

/**
 * Writes a model as a PyTorch `state_dict` in safetensors: the names and layouts of `nn.Embedding`, `nn.LSTM`,
 * `nn.Conv1d` and `nn.Linear`, so `module.load_state_dict(load_file(path), strict=True)` loads it into the
 * matching module (docs/interop.md has one for every architecture). Steps without a `name` get their type as
 * module name (`embedding`, `lstm`, `cnn`, `dense`; `dense_1` for a second one); imported models keep the names
 * they came with. The file's metadata holds the architecture and the tokenizer, so `importTorch` reads it back alone.
 */
export async function exportTorch(model: SiameseModel): Promise<TorchExport> {
  const config = model.encoder.getConfig();
  const current = model.encoder.weights();
  let architecture: EncoderConfig = config;
  let names = new Map([...current.keys()].map((k) => [k, k]));
  if (config.type === 'sequential') {
    architecture = withModuleNames(config as SequentialConfig);
    // The renamed encoder lists its weights in the same order: pair them up by position.
    const renamed = encoderFromConfig(architecture);
    try {
      const newKeys = [...renamed.weights().keys()];
      names = new Map([...current.keys()].map((k, i) => [k, newKeys[i]!]));
    } finally {
      renamed.dispose();
    }
  }
  const tensors: [string, TensorToWrite][] = [];
  for (const [name, v] of current) {
    tensors.push([names.get(name)!, { data: (await v.data()) as Float32Array, shape: v.shape }]);
  }
  tensors.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const weights = serializeSafetensors(tensors, {
    metadata: {
      format: 'pt',
      [TORCH_METADATA.encoder]: JSON.stringify(architecture),
      [TORCH_METADATA.tokenizer]: JSON.stringify(model.tokenizer.toJSON()),
      [TORCH_METADATA.model]: JSON.stringify({ maxLength: model.maxLength, similarity: model.similarity }),
    },
  });
  return { weights, keys: tensors.map(([k]) => k), architecture, vocabFiles: vocabFiles(model.tokenizer) };
}

/** Names every weighted step of a sequential config after its module path (`name`), keeping names already set. */
function withModuleNames(config: SequentialConfig): SequentialConfig {
  const used = new Set(
    config.steps.map((s) => s.name).filter((n): n is string => typeof n === 'string' && n !== ''),
  );
  const steps = config.steps.map((s) => {
    if ((typeof s.name === 'string' && s.name !== '') || !WEIGHTED.has(s.type)) return s;
    let name = s.type;
    for (let i = 1; used.has(name); i++) name = `${s.type}_${i}`;
    used.add(name);
    return { ...s, name };
  });
  return { ...config, steps };
}

/** Step types that own weights and take a `name` (the built-ins; a custom step keeps its own names). */
const WEIGHTED = new Set(['embedding', 'lstm', 'cnn', 'dense', 'hashedNgramEmbedding']);

function vocabFiles(tokenizer: ModelTokenizer): Record<string, string> {
  if (tokenizer instanceof Tokenizer) {
    const tokens = tokenizer.vocab.toArray();
    return {
      'word2index.json': `${JSON.stringify(Object.fromEntries(tokens.map((t, i) => [t, i])), null, 1)}\n`,
    };
  }
  if (tokenizer instanceof PretrainedTokenizer) {
    const json = tokenizer.toTokenizerJson();
    const model = json.model as { type?: string; vocab?: Record<string, number> };
    return {
      'tokenizer.json': JSON.stringify(json),
      ...(model?.type === 'WordLevel' && model.vocab
        ? { 'word2index.json': `${JSON.stringify(model.vocab, null, 1)}\n` }
        : {}),
    };
  }
  return { 'whitespacetokenizer_config.json': JSON.stringify(tokenizer.toConfig(), null, 2) };
}

function tokenizerOf(vocab: TorchVocab | undefined, meta: Readonly<Record<string, string>>): ModelTokenizer {
  if (!vocab) {
    const saved = parseMeta(meta, TORCH_METADATA.tokenizer);
    if (saved) return tokenizerFromJSON(saved as ModelTokenizerJSON);
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'importTorch: vocab: expected { word2index }, { vocabTxt }, { tokenizerJson } or { tokenizer } (the file carries no tokenizer)',
    );
  }
  if ('tokenizer' in vocab) return vocab.tokenizer;
  if ('word2index' in vocab) {
    const { word2index, ...o } = vocab;
    return PretrainedTokenizer.fromWord2Index(word2index, o);
  }
  if ('vocabTxt' in vocab) {
    const { vocabTxt, ...o } = vocab;
    return PretrainedTokenizer.fromVocabTxt(vocabTxt, o);
  }
  if ('tokenizerJson' in vocab) return PretrainedTokenizer.fromTokenizerJson(vocab.tokenizerJson);
  throw new SiameseError(
    'E_INVALID_ARGUMENT',
    'importTorch: vocab: expected { word2index }, { vocabTxt }, { tokenizerJson } or { tokenizer }',
  );
}

function architectureOf(
  options: ImportTorchOptions,
  file: SafetensorsFile,
  meta: Readonly<Record<string, string>>,
  vocabSize: number,
): SequentialConfig {
  const given = options.architecture;
  if (given) {
    if (Array.isArray(given)) return { type: 'sequential', seed: 0, steps: [...(given as StepConfig[])] };
    const c = given as EncoderConfig;
    if (c.type !== 'sequential' || !Array.isArray(c.steps)) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `importTorch: architecture: expected a sequential config or a list of step configs, found type ${JSON.stringify(c.type)}`,
      );
    }
    return c as SequentialConfig;
  }
  const saved = parseMeta(meta, TORCH_METADATA.encoder) as SequentialConfig | null;
  if (saved) return saved;
  return inferArchitecture(file.header.tensors, {
    vocabSize,
    ...(options.packed === undefined ? {} : { packed: options.packed }),
  });
}

/** Assigns every weight by name; missing, unexpected or misshapen weights are `E_MODEL_MISMATCH`. */
function assignStrict(
  wanted: Map<string, tf.Variable>,
  file: SafetensorsFile,
  preloaded: string | null,
): void {
  const missing = [...wanted.keys()].filter((k) => !file.has(k));
  const unexpected = file.names().filter((k) => !wanted.has(k));
  if (missing.length || unexpected.length) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `importTorch: the state_dict does not fit the architecture (as load_state_dict(strict=True)):` +
        (missing.length ? ` missing keys ${list(missing)};` : '') +
        (unexpected.length ? ` unexpected keys ${list(unexpected)};` : '') +
        ' name each step after its module path, or fix the architecture',
      { details: { missing, unexpected } },
    );
  }
  for (const [name, v] of wanted) {
    const info = file.info(name);
    if (info.shape.join('x') !== v.shape.join('x')) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `importTorch: "${name}" has shape [${info.shape.join(', ')}] in the file, the architecture expects [${v.shape.join(', ')}]`,
        { details: { name, found: info.shape, expected: v.shape } },
      );
    }
    if (name === preloaded) continue;
    tf.tidy(() => v.assign(tf.tensor(file.float32(name), v.shape, 'float32')));
  }
}

function embeddingRows(config: SequentialConfig): number | undefined {
  const e = config.steps.find((s) => s.type === 'embedding');
  return typeof e?.vocabSize === 'number' ? e.vocabSize : undefined;
}

function qualified(name: unknown, local: string, fallback: string): string {
  const p = typeof name === 'string' ? name : fallback;
  return p ? `${p}.${local}` : local;
}

function parseMeta(meta: Readonly<Record<string, string>>, key: string): unknown {
  const text = meta[key];
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SiameseError('E_MODEL_CORRUPT', `importTorch: __metadata__["${key}"] is not valid JSON`, {
      cause: e,
    });
  }
}

function list(keys: string[]): string {
  return keys.length > 8 ? `${keys.slice(0, 8).join(', ')} … (${keys.length})` : keys.join(', ');
}
