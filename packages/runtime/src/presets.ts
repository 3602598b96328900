import { assertBackendReady } from '@siamese/backend';
import { InvalidArgumentError } from '@siamese/core';
import { cnn, dense, embedding, lstm, pooling, type StepSpec, sequential } from '@siamese/encoders';
import { type Loss, lossFromConfig } from '@siamese/losses';
import { buildEmbeddingMatrix, Tokenizer, Vocabulary, type WordVectors } from '@siamese/tokenizer';
import { SiameseModel } from './model.js';

/** Ready-made encoder recipes. */
export type PresetName = 'lstm' | 'bilstm' | 'cnn' | 'meanpool';
export const PRESETS: readonly PresetName[] = ['lstm', 'bilstm', 'cnn', 'meanpool'];

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  preset: PresetName;
  /** Texts the vocabulary is built from (usually both sides of the training pairs). */
  texts: Iterable<string>;
  /**
   * Pretrained word vectors: their words join the vocabulary (up to `maxVectorWords`) and initialise the
   * embedding rows they cover; the others start random.
   */
  vectors?: WordVectors;
  /** Most words taken from the vector file beyond the corpus (default 50,000). */
  maxVectorWords?: number;
  /** Embedding width when there are no vectors (default 128). */
  embeddingDim?: number;
  /** Hidden size (LSTM), filters per width (CNN), output width (mean-pool projection). Default 128. */
  hidden?: number;
  /** Drop corpus words seen fewer times (default 1). */
  minFreq?: number;
  /** Vocabulary cap (default 100,000). */
  maxVocab?: number;
  /** Update the embedding table while training (default true). */
  trainEmbeddings?: boolean;
  maxLength?: number;
  seed?: number;
  /** Progress notes (vocabulary size, vector coverage). */
  onInfo?: (message: string) => void;
}

/** The encoder steps of each preset, after the embedding. */
function presetSteps(preset: PresetName, hidden: number): StepSpec[] {
  switch (preset) {
    case 'lstm':
      return [lstm({ hidden, output: 'last' })];
    case 'bilstm':
      return [lstm({ hidden, bidirectional: true, output: 'max' })];
    case 'cnn':
      return [cnn({ filters: hidden, kernelSizes: [1, 2, 3], activation: 'relu' })];
    case 'meanpool':
      return [pooling({ mode: 'mean' }), dense({ units: hidden, activation: 'tanh' })];
    default:
      throw new InvalidArgumentError(
        `createModel: unknown preset '${preset as string}' (expected ${PRESETS.join(', ')})`,
      );
  }
}

/**
 * Builds an untrained model from a preset: a vocabulary from `texts` (plus the vector file's words), an
 * embedding initialised from `vectors` where they cover a word, and the preset's encoder on top.
 */
export function createModel(options: CreateModelOptions): SiameseModel {
  assertBackendReady('createModel');
  const { preset, seed = 42 } = options;
  if (!PRESETS.includes(preset)) {
    throw new InvalidArgumentError(
      `createModel: unknown preset '${preset}' (expected ${PRESETS.join(', ')})`,
    );
  }
  const hidden = options.hidden ?? 128;
  const corpusTok = Tokenizer.build(options.texts, {
    minFreq: options.minFreq ?? 1,
    maxSize: options.maxVocab ?? 100_000,
  });
  let tokenizer = corpusTok;
  let init: Float32Array | 'normal' = 'normal';
  let dim = options.embeddingDim ?? 128;
  if (options.vectors) {
    const vectors = options.vectors;
    const corpusTokens = corpusTok.vocab.toArray();
    const seen = new Set(corpusTokens);
    const extra = vectors.words.filter((w) => !seen.has(w)).slice(0, options.maxVectorWords ?? 50_000);
    const counts = [...corpusTokens.map((t) => corpusTok.vocab.count(t)), ...extra.map(() => 0)];
    const vocab = Vocabulary.fromTokens([...corpusTokens, ...extra], { counts });
    tokenizer = new Tokenizer(vocab, corpusTok.options);
    const m = buildEmbeddingMatrix(vocab, vectors, { missing: 'random', seed, std: 0.1 });
    init = m.matrix;
    dim = m.dim;
    options.onInfo?.(
      `vocabulary ${vocab.size} (${corpusTok.vocab.size} from the corpus + ${extra.length} from the vectors); vectors cover ${m.coverage.types.covered}/${m.coverage.types.total} types`,
    );
  } else {
    options.onInfo?.(`vocabulary ${tokenizer.vocab.size} from the corpus; random ${dim}-d embeddings`);
  }
  const encoder = sequential(
    [
      embedding({
        vocabSize: tokenizer.vocab.size,
        dim,
        init,
        trainable: options.trainEmbeddings ?? true,
        paddingIdx: 0,
      }),
      ...presetSteps(preset, hidden),
    ],
    { seed },
  );
  return new SiameseModel({
    tokenizer,
    encoder,
    ...(options.maxLength ? { maxLength: options.maxLength } : {}),
  });
}

/** Short loss names used by the CLI. */
export type LossName = 'cosine' | 'contrastive' | 'triplet' | 'mnrl' | 'cosent' | 'onlineContrastive';

const LOSS_CONFIGS: Record<LossName, { name: string; [k: string]: unknown }> = {
  cosine: { name: 'cosineSimilarity' },
  contrastive: { name: 'contrastive' },
  onlineContrastive: { name: 'onlineContrastive' },
  triplet: { name: 'triplet', distance: 'cosine', margin: 0.5 },
  mnrl: { name: 'multipleNegativesRanking' },
  cosent: { name: 'coSENT' },
};

/** The loss behind a CLI name (`cosine`, `contrastive`, `triplet`, `mnrl`, `cosent`). */
export function lossForName(name: LossName): Loss {
  const config = LOSS_CONFIGS[name];
  if (!config)
    throw new InvalidArgumentError(
      `unknown loss '${name}' (expected ${Object.keys(LOSS_CONFIGS).join(', ')})`,
    );
  return lossFromConfig(config);
}
