// A tiny model trained in a few seconds in any runtime (Node, Deno, Bun, a browser): what the apps' tests and
// demos serve. The caller reads the files with its runtime's own API and passes the text in.
import { lossFromConfig } from '@siamese/losses';
import type { ScoredPair } from '@siamese/pairs';
import {
  calibrateThreshold,
  createModel,
  evaluate,
  fit,
  type SiameseModel,
  type Threshold,
} from '@siamese/runtime';

/** Parses the first `limit` rows of an STS-B TSV (`sentence1 TAB sentence2 TAB score 0–5`, one header line). */
export function parseStsb(tsv: string, limit = Number.POSITIVE_INFINITY): ScoredPair[] {
  const lines = tsv
    .trimEnd()
    .split('\n')
    .slice(1, limit + 1);
  return lines.map((line, i) => {
    const [text1, text2, score] = line.split('\t');
    if (text1 === undefined || text2 === undefined || !Number.isFinite(Number(score))) {
      throw new Error(`STS-B line ${i + 2}: expected sentence1<TAB>sentence2<TAB>score`);
    }
    return { text1, text2, score: Number(score) / 5 };
  });
}

/** The `n` first distinct second sentences of `rows`: the reference set served by /search and /match. */
export function referenceSet(rows: readonly ScoredPair[], n = 50): string[] {
  return [...new Set(rows.map((r) => r.text2))].slice(0, n);
}

/** What {@link trainTinyModel} returns besides the model. */
export interface TinyTraining {
  model: SiameseModel;
  seconds: number;
  losses: number[];
  threshold: Threshold;
  /** Dev Spearman before and after training (the same `dev` rows, scored). */
  devSpearman: { untrained: number; trained: number };
}

/**
 * Trains a mean-pool model (64-d, maxLength 32) on `train` with the cosine loss, then calibrates the /match
 * threshold on `dev` (label = score ≥ 3.5 of 5). Seeded: the same data gives the same model in every runtime.
 * The backend must be initialised first.
 */
export async function trainTinyModel(options: {
  train: readonly ScoredPair[];
  dev: readonly ScoredPair[];
  references?: readonly string[];
  epochs?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}): Promise<TinyTraining> {
  const { train, dev, references = [], epochs = 3 } = options;
  const texts = [...train.flatMap((p) => [p.text1, p.text2]), ...references];
  const model = createModel({
    preset: 'meanpool',
    texts,
    embeddingDim: 48,
    hidden: 64,
    maxLength: 32,
    seed: 7,
  });
  const spearman = async () => (await evaluate(model, dev)).spearman;
  const untrained = await spearman();
  const t0 = performance.now();
  const result = await fit(model, train, {
    loss: lossFromConfig({ type: 'cosine' }),
    epochs,
    batchSize: 32,
    lr: 0.005,
    seed: 7,
    onEpoch: (e) => options.onEpoch?.(e.epoch, e.loss),
  });
  const seconds = (performance.now() - t0) / 1000;
  const devSpearman = { untrained, trained: await spearman() };
  const threshold = await calibrateThreshold(
    model,
    dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score >= 0.7 ? 1 : 0 })),
  );
  return { model, seconds, losses: result.history.map((h) => h.loss), threshold, devSpearman };
}
