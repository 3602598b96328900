import { SiameseError } from '@siamese/core';
import type { TextPair } from '@siamese/pairs';
import { binaryMetrics } from '../eval/binary.js';
import { recordOnModel, type SiameseModel, type Threshold } from '../model.js';
import { similarities } from './compare.js';
import { search } from './search.js';
import type { SearchHit, VectorStore } from './vector-store.js';

/** Answer of {@link match}: the best reference if it clears the threshold, else `null` ("no match"). */
export interface MatchResult {
  match: SearchHit | null;
  /** The best candidate, even when below the threshold. */
  best: SearchHit | null;
  threshold: number;
}

/** Options of {@link match}. */
export interface MatchOptions {
  /** Overrides the model's calibrated threshold for this call. */
  threshold?: number;
}

/**
 * Finds the similarity threshold that best separates labelled pairs (by F1 or accuracy, as sentence-transformers'
 * BinaryClassificationEvaluator), stores it in the model (it is saved with it) and returns it. Pairs as read
 * (`TextPair`s) are fine when every one has a label.
 */
export async function calibrateThreshold(
  model: SiameseModel,
  pairs: readonly TextPair[],
  metric: Threshold['metric'] = 'f1',
): Promise<Threshold> {
  if (!Array.isArray(pairs) || pairs.length === 0 || pairs.some((p) => !Number.isFinite(p?.label))) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'calibrateThreshold: expected a non-empty array of pairs with a numeric binary `label`',
    );
  }
  const sims = await similarities(
    model,
    pairs.map((p) => p.text1),
    pairs.map((p) => p.text2),
  );
  const m = binaryMetrics(
    sims,
    pairs.map((p) => p.label!),
  );
  const threshold: Threshold =
    metric === 'f1'
      ? { value: m.threshold, metric, score: m.f1 }
      : { value: m.accuracyThreshold, metric, score: m.accuracy };
  recordOnModel(model, { threshold });
  return threshold;
}

/**
 * The reference most similar to `text`, if its similarity reaches the threshold (the option, else the model's
 * calibrated one); otherwise `match: null`, the "no match" answer. Without any threshold: `E_NO_THRESHOLD`.
 * `references` is a list of texts or any `VectorStore` (see `search`).
 */
export async function match(
  model: SiameseModel,
  text: string,
  references: readonly string[] | VectorStore,
  options: MatchOptions = {},
): Promise<MatchResult> {
  const threshold = options.threshold ?? model.threshold?.value;
  if (threshold === undefined) {
    throw new SiameseError(
      'E_NO_THRESHOLD',
      'match: expected a threshold, found none: pass { threshold } or call calibrateThreshold(model, labelledPairs) first',
    );
  }
  const [best] = await search(model, text, references, { k: 1 });
  return { match: best && best.score >= threshold ? best : null, best: best ?? null, threshold };
}
