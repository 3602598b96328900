import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import type { EvaluationMetrics } from '../eval/evaluate.js';
import type { SiameseModel } from '../model.js';
import type { SavedTensor } from './checkpoints.js';
import type { BestEpoch } from './events.js';

/**
 * The dev metric a run tracks: the named one, else spearman (scored), ap (binary), averagePrecision (paraphrase
 * mining), ndcgAtK (retrieval, reranking), accuracy (triplets).
 */
export function trackedMetric(m: EvaluationMetrics, name?: string): { name: string; value: number } {
  const rec = m as unknown as Record<string, number>;
  const key =
    name ?? ['spearman', 'ap', 'averagePrecision', 'ndcgAtK'].find((key) => key in rec) ?? 'accuracy';
  if (typeof rec[key] !== 'number') {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: metric '${key}' is not produced by this dev data (have ${Object.keys(rec).join(', ')})`,
    );
  }
  return { name: key, value: rec[key]! };
}

/**
 * Early stopping on a dev metric (higher is better): remembers the best epoch and, when `patience` is set, its
 * weights, which {@link EarlyStopping.restoreBest} puts back at the end of the run. Stops after `patience`
 * epochs in a row without a better metric (patience 2: best at epoch 3, stop after epoch 5). Its state goes into
 * checkpoints, so a resumed run stops where an uninterrupted one would.
 */
export class EarlyStopping {
  private sinceBest = 0;
  private bestWeights: Map<string, Float32Array> | null = null;
  best: BestEpoch | null = null;

  /** `patience`: a whole number ≥ 1 (checked by `fit`), or undefined to keep no weights and never stop. */
  constructor(private readonly patience: number | undefined) {}

  /**
   * Continues from a checkpoint taken after `epoch` epochs: the best epoch, the epochs since it and its weights.
   * Returns a note when the best weights cannot be restored (a checkpoint written without them).
   */
  resume(
    epoch: number,
    best: BestEpoch | null,
    bestWeights: readonly SavedTensor[] | null | undefined,
  ): string | null {
    this.best = best;
    this.sinceBest = best ? epoch - best.epoch : 0;
    this.bestWeights = bestWeights ? new Map(bestWeights.map((w) => [w.name, w.values])) : null;
    if (this.patience !== undefined && best && !this.bestWeights)
      return `the checkpoint has no best weights: epoch ${best.epoch}'s cannot be restored`;
    return null;
  }

  /** The best epoch's weights in checkpoint form (null without `patience` or before a first dev evaluation). */
  savedBestWeights(model: SiameseModel): SavedTensor[] | null {
    const kept = this.bestWeights;
    if (!kept) return null;
    return [...model.encoder.weights()].map(([name, v]) => ({
      name,
      shape: [...v.shape],
      values: kept.get(name)!,
    }));
  }

  /** Records the dev metric of a finished epoch (1-based); true when it improved on the best. */
  async observe(model: SiameseModel, epoch: number, metric: number): Promise<boolean> {
    if (this.best && !(metric > this.best.metric)) {
      this.sinceBest++;
      return false;
    }
    this.best = { metric, epoch };
    this.sinceBest = 0;
    if (this.patience !== undefined) this.bestWeights = await snapshot(model);
    return true;
  }

  /** Whether the run should stop now. */
  shouldStop(): boolean {
    return this.patience !== undefined && this.best !== null && this.sinceBest >= this.patience;
  }

  /** Puts the best epoch's weights back (when they were kept). */
  restoreBest(model: SiameseModel): void {
    if (!this.bestWeights) return;
    for (const [name, v] of model.encoder.weights()) {
      const w = this.bestWeights.get(name);
      if (w) tf.tidy(() => v.assign(tf.tensor(w, v.shape, v.dtype)));
    }
  }
}

async function snapshot(model: SiameseModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.encoder.weights()) out.set(name, (await v.data()).slice() as Float32Array);
  return out;
}
