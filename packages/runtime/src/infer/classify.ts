import { SiameseError } from '@siamese/core';
import type { LabelledText } from '@siamese/pairs';
import type { SiameseModel } from '../model.js';
import { vectorSimilarity } from './vector-similarity.js';

/** Answer of {@link classify}: the winning label and the score of every label. */
export interface ClassifyResult {
  label: LabelledText['label'];
  score: number;
  /** Per label (as a string key): the mean similarity of its top-k examples to the text. */
  scores: Record<string, number>;
}

/** Options of {@link classify}. */
export interface ClassifyOptions {
  /** Examples per label that count (default 3; fewer if a label has fewer). */
  k?: number;
}

/**
 * Few-shot classification: the label whose `k` most similar examples are, on average, most similar to `text`
 * under the model's similarity.
 */
export async function classify(
  model: SiameseModel,
  text: string,
  examples: readonly LabelledText[],
  options: ClassifyOptions = {},
): Promise<ClassifyResult> {
  if (!Array.isArray(examples) || examples.length === 0)
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'classify: expected at least one labelled example, found none',
    );
  const k = options.k ?? 3;
  const m = await model.embedMatrix([text, ...examples.map((e) => e.text)]);
  const d = model.dim;
  const q = m.subarray(0, d);
  const byLabel = new Map<string, { label: LabelledText['label']; sims: number[] }>();
  examples.forEach((e, i) => {
    const s = vectorSimilarity(q, m.subarray((i + 1) * d, (i + 2) * d), model.similarity);
    const key = String(e.label);
    const entry = byLabel.get(key) ?? { label: e.label, sims: [] as number[] };
    entry.sims.push(s);
    byLabel.set(key, entry);
  });
  const scores: Record<string, number> = {};
  let best: LabelledText['label'] = examples[0]!.label;
  let score = Number.NEGATIVE_INFINITY;
  for (const [key, { label, sims }] of byLabel) {
    const top = sims.sort((a, b) => b - a).slice(0, k);
    const mean = top.reduce((a, b) => a + b, 0) / top.length;
    scores[key] = mean;
    if (mean > score) {
      score = mean;
      best = label;
    }
  }
  return { label: best, score, scores };
}
