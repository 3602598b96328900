import { SiameseError } from '@siamese/core';
import type { LabelledPair, LabelledText } from '@siamese/pairs';
import { type ClassifierContents, FewShotClassifier } from '../infer/classify.js';
import { calibrateThreshold } from '../infer/match.js';
import { VectorIndex } from '../infer/vector-index.js';
import { SiameseModel, type Threshold } from '../model.js';
import { pruneVocabulary } from '../prune-vocabulary.js';
import { classifierEntry } from './classifier-format.js';
import { formatVersionOf } from './format.js';
import {
  classifierOf,
  encodeModelFile,
  type IndexContents,
  modelFromParts,
  modelToParts,
  type WriteModelOptions,
} from './model-io.js';

/** Options of {@link packModel}. */
export interface PackModelOptions extends WriteModelOptions {
  /** Keep at most this many tokens: the specials, the corpus words by frequency, then the top vector words. */
  maxVocab?: number;
  /**
   * Reference texts for `search` and `match`, embedded now by the packed model (the weights as they will be
   * served), so a server embeds nothing at start. Default: keep the model's own packed index, re-embedded.
   */
  references?: readonly string[];
  /**
   * Labelled pairs (`label` 1 or 0) to calibrate the `match` threshold on the packed weights (quantizing and
   * pruning move similarities a little), replacing the model's threshold. Default: keep the model's.
   */
  calibrate?: readonly LabelledPair[];
  /** What the calibrated threshold maximises (default `f1`). */
  calibrateMetric?: Threshold['metric'];
  /**
   * Labelled dev texts to calibrate the classifier's reject threshold on the packed weights (see
   * `FewShotClassifier.calibrate`; a label no example has should be rejected). Needs a classifier (`classifier`,
   * or the model's own). Default: keep the classifier's threshold, found on the source weights.
   */
  calibrateClassifier?: readonly LabelledText[];
}

/** What {@link packModel} produced. */
export interface PackedModel {
  /** The single file (`loadModel` reads it from bytes, a path, a URL or an R2/KV value). */
  bytes: Uint8Array;
  /** The model exactly as the file loads (dequantized weights, pruned vocabulary, the index): dispose it. */
  model: SiameseModel;
}

/**
 * Packs a model into one checksummed file for serving: its vocabulary optionally capped, its weights stored as
 * `f32`, `f16` or `int8`, and an optional prebuilt index of reference texts whose vectors come from the packed
 * weights (what a server will compute for its queries).
 */
export async function packModel(model: SiameseModel, options: PackModelOptions = {}): Promise<PackedModel> {
  const references = options.references ?? model.index?.toJSON().texts.map((t) => t ?? '');
  if (references && !references.every((t) => typeof t === 'string')) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'packModel: references',
      'an array of strings',
      'another value',
    );
  }
  const source =
    options.maxVocab !== undefined && options.maxVocab < model.tokenizer.vocabSize
      ? pruneVocabulary(model, options.maxVocab)
      : model;
  const chosen = options.classifier === undefined ? model.classifier : options.classifier;
  const classifier = chosen ? await classifierOf(model, chosen) : null;
  if (options.calibrateClassifier && !classifier) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'packModel: calibrateClassifier',
      'a classifier to calibrate (options.classifier, or a model loaded with one)',
      'none',
    );
  }
  let served: SiameseModel | undefined;
  try {
    const { manifest, blob } = await modelToParts(source, { ...options, classifier: null });
    // The served model is the file's: dequantized from the same blob, so the index matches what a server computes.
    served = await modelFromParts(manifest, blob, '<pack>', {});
    if (options.calibrate) {
      manifest.threshold = await calibrateThreshold(
        served,
        options.calibrate,
        options.calibrateMetric ?? 'f1',
      );
    }
    // The classifier's examples, embedded again by the packed weights (what a server computes for its texts).
    let packedClassifier = classifier && {
      ...classifier,
      vectors: await served.embedMatrix(classifier.texts),
    };
    if (options.calibrateClassifier && packedClassifier) {
      const c = FewShotClassifier.fromContents(served, packedClassifier);
      await c.calibrate(options.calibrateClassifier);
      packedClassifier = c.contents();
    }
    if (packedClassifier) {
      manifest.classifier = classifierEntry(packedClassifier, {
        id: manifest.id,
        dim: served.dim,
        similarity: served.similarity,
      });
      manifest.formatVersion = formatVersionOf(manifest);
    }
    let index: VectorIndex | null = null;
    let indexContents: IndexContents | null = null;
    if (references?.length) {
      // Raw vectors: the loader indexes them as buildIndex does, so the packed index equals a freshly built one.
      const vectors = await served.embedMatrix(references);
      indexContents = { dim: served.dim, similarity: served.similarity, texts: references, vectors };
      index = VectorIndex.fromJSON({ ...indexContents, texts: [...references] });
    }
    const bytes = await encodeModelFile(manifest, blob, indexContents);
    if (!index && !packedClassifier) return { bytes, model: served };
    return { bytes, model: withExtras(served, index, packedClassifier) };
  } catch (e) {
    served?.dispose();
    throw e;
  } finally {
    if (source !== model) source.dispose();
  }
}

/** The same model (sharing its encoder) with an index and a classifier attached. */
function withExtras(
  m: SiameseModel,
  index: VectorIndex | null,
  classifier: ClassifierContents | null,
): SiameseModel {
  return new SiameseModel({
    tokenizer: m.tokenizer,
    encoder: m.encoder,
    similarity: m.similarity,
    maxLength: m.maxLength,
    ...(m.ngrams ? { ngrams: m.ngrams } : {}),
    threshold: m.threshold,
    training: m.training,
    loss: m.loss,
    ...(m.id === undefined ? {} : { id: m.id }),
    index,
    classifier,
  });
}
