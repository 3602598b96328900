import { SiameseError } from '@siamese/core';
import type { SiameseModel } from '../model.js';
import { type Paraphrase, paraphraseMining } from './paraphrase-mining.js';

/** A paraphrase-mining evaluation: texts and the index pairs that are duplicates of each other. */
export interface ParaphraseTask {
  texts: readonly string[];
  /** Pairs `[i, j]` of indices into `texts` that are duplicates (either order; each pair counts once). */
  duplicates: readonly (readonly [number, number])[];
  /** Neighbours mined per text (default 100). */
  topK?: number;
  /** Texts compared at a time (default 1024). */
  chunk?: number;
  /** Most pairs mined (default 500000). */
  maxPairs?: number;
}

/**
 * How well mined pairs find the known duplicates, as sentence-transformers' `ParaphraseMiningEvaluator`:
 * walking the mined pairs best first, `averagePrecision` averages the precision at each duplicate found over all
 * duplicates (missed ones count 0); `bestF1` is the best F1 of "duplicate if score ≥ threshold", with its
 * precision, recall and threshold (halfway to the next mined score). (Names distinct from `BinaryMetrics`, so
 * `'f1' in metrics` still narrows an `EvaluationMetrics` to binary metrics.)
 */
export interface ParaphraseMiningMetrics {
  averagePrecision: number;
  bestF1: number;
  bestPrecision: number;
  bestRecall: number;
  bestThreshold: number;
  /** Known duplicate pairs. */
  n: number;
}

/** Mines `task.texts` with the model and scores the pairs against `task.duplicates`. */
export async function paraphraseMiningMetrics(
  model: SiameseModel,
  task: ParaphraseTask,
): Promise<ParaphraseMiningMetrics> {
  const known = duplicateKeys(task);
  const mined = await paraphraseMining(model, task.texts, {
    ...(task.topK === undefined ? {} : { topK: task.topK }),
    ...(task.chunk === undefined ? {} : { chunk: task.chunk }),
    ...(task.maxPairs === undefined ? {} : { maxPairs: task.maxPairs }),
  });
  return scoreMinedPairs(mined, known, task.texts.length);
}

/**
 * Scores mined pairs (best first) against known duplicate pairs.
 * @param known keys `i * n + j` with `i < j`.
 */
export function scoreMinedPairs(
  mined: readonly Paraphrase[],
  known: ReadonlySet<number>,
  n: number,
): ParaphraseMiningMetrics {
  let extracted = 0;
  let correct = 0;
  let ap = 0;
  const best = { bestF1: 0, bestPrecision: 0, bestRecall: 0, bestThreshold: 0 };
  mined.forEach((p, t) => {
    extracted++;
    if (!known.has(Math.min(p.i, p.j) * n + Math.max(p.i, p.j))) return;
    correct++;
    const precision = correct / extracted;
    const recall = correct / known.size;
    const f1 = (2 * precision * recall) / (precision + recall);
    ap += precision;
    if (f1 > best.bestF1) {
      const next = mined[Math.min(t + 1, mined.length - 1)]!.score;
      Object.assign(best, {
        bestF1: f1,
        bestPrecision: precision,
        bestRecall: recall,
        bestThreshold: (p.score + next) / 2,
      });
    }
  });
  return { averagePrecision: known.size ? ap / known.size : Number.NaN, ...best, n: known.size };
}

function duplicateKeys(task: ParaphraseTask): Set<number> {
  const n = task.texts.length;
  const keys = new Set<number>();
  task.duplicates.forEach((pair, t) => {
    const [i, j] = Array.isArray(pair) ? pair : [];
    const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;
    if (!ok(i) || !ok(j) || i === j) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `evaluate: duplicates[${t}]: expected two different indices into texts (0 to ${n - 1}), found ${JSON.stringify(pair)}`,
        { details: { index: t } },
      );
    }
    keys.add(Math.min(i, j) * n + Math.max(i, j));
  });
  if (keys.size === 0)
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'evaluate: expected at least one duplicate pair, found none',
    );
  return keys;
}
