import { fusedAdam } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import { isSimilarity, type Loss, SIMILARITIES } from '@siamese/losses';
import { type EvaluationData, evaluate } from '../eval/evaluate.js';
import { recordOnModel, type SiameseModel } from '../model.js';
import { type CheckpointStore, optimizerState, restoreOptimizer } from './checkpoints.js';
import { DataSource, type TrainData } from './data-source.js';
import { EarlyStopping, trackedMetric } from './early-stopping.js';
import { type BatchEvent, type EpochEvent, type FitResult, Throughput } from './events.js';
import type { SamplerConfig } from './samplers.js';
import { type LrSchedule, learningRateAt } from './schedule.js';
import { trainStep } from './step.js';

/** Options of {@link fit}. */
export interface FitOptions {
  /** The loss (any object implementing the `Loss` contract; `lossFromConfig({ type: 'coSENT' })` for a built-in). */
  loss: Loss;
  epochs?: number;
  batchSize?: number;
  /** Base learning rate; default 1e-3. */
  lr?: number;
  schedule?: LrSchedule;
  /** Clip gradients to this global L2 norm; default none. */
  clipNorm?: number;
  seed?: number;
  /**
   * How examples are grouped into batches: a registered sampler (`'random'`, `'noDuplicates'`, `'mPerClass'`,
   * `'bucket'`, or one added with `registerSampler`), as a name or a config (`{ type: 'mPerClass', m: 4 }`).
   * Default: `noDuplicates` for in-batch-negative losses (MNRL), `mPerClass` (m = 4) for batch-mining losses
   * on `{text, label}` data (every anchor gets positives in its batch), `random` otherwise.
   */
  sampler?: SamplerConfig | string;
  /**
   * Gradient accumulation: apply the mean gradient of this many consecutive batches as one optimizer step
   * (default 1). `batchSize: 16, accumulate: 4` steps like a batch of 64 with a batch of 16's memory, for losses
   * that average over examples; in-batch-negative losses still see 16 rows' negatives.
   */
  accumulate?: number;
  /** Dev data evaluated after each epoch (scored pairs, binary pairs, triplets or a retrieval task). */
  dev?: EvaluationData;
  /** Which dev metric to track: default `spearman` (scored), `ap` (binary), `accuracy`, `ndcgAtK`. */
  metric?: string;
  /**
   * Stop after this many epochs in a row without a better dev metric (patience 2: best at epoch 3, stop after
   * epoch 5); the best epoch's weights are restored when training ends. A whole number ≥ 1; needs `dev`.
   */
  patience?: number;
  /** Save a checkpoint after every epoch and resume from it when present. */
  checkpoints?: CheckpointStore;
  signal?: AbortSignal;
  onBatch?: (e: BatchEvent) => void | Promise<void>;
  onEpoch?: (e: EpochEvent) => void | Promise<void>;
  /** Called with notes on how the data was adapted to the loss, and on a resume. */
  onInfo?: (message: string) => void;
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Trains `model` in place: Adam (β 0.9/0.999, ε 1e-8 as PyTorch), optional warm-up + decay, global-norm
 * clipping, per-epoch dev evaluation with early stopping (best weights restored), checkpoints + resume, progress
 * events, and cancellation through `signal`. Yields to the event loop after every batch. The model records the
 * loss, its similarity and the result, and saving keeps them.
 */
export async function fit(model: SiameseModel, train: TrainData, options: FitOptions): Promise<FitResult> {
  const run = settingsOf(options);
  const { loss } = options;
  const data = new DataSource(train, {
    kind: loss.batchKind,
    seed: run.seed,
    batchSize: run.batchSize,
    ...(options.sampler !== undefined ? { sampler: options.sampler } : {}),
  });
  const first = data.epoch(0);
  if (first.prepared.note) options.onInfo?.(`data: ${first.prepared.note}`);
  adoptLoss(model, loss, options.onInfo);
  // Data regenerated per epoch may change in size: the schedule plans with the first epoch's.
  const stepsPerEpoch = Math.ceil([...first.sampler.epoch(0)].length / run.accumulate);
  const totalSteps = stepsPerEpoch * run.epochs;
  if (!model.encoder.trainableVariables().length)
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: the encoder has no trainable variables');
  // Same math, state and checkpoints as tf.train.adam, one fused kernel per variable on wasm and cpu.
  const optimizer = fusedAdam(run.lr, 0.9, 0.999, 1e-8);
  const history: EpochEvent[] = [];
  const stopping = new EarlyStopping(options.patience);
  const clock = new Throughput(totalSteps, run.batchSize * run.accumulate);
  let step = 0;
  let startEpoch = 0;
  let stoppedEarly = false;
  try {
    const state = await options.checkpoints?.load(model);
    if (state) {
      startEpoch = state.epoch;
      step = state.step;
      history.push(...state.history);
      const note = stopping.resume(state.epoch, state.best, state.bestWeights);
      if (note) options.onInfo?.(note);
      await restoreOptimizer(optimizer, state.optimizer);
      options.onInfo?.(`resumed after epoch ${state.epoch}`);
    }
    // A run that had already stopped early does not train on when resumed.
    stoppedEarly = stopping.shouldStop();
    for (let epoch = startEpoch; epoch < run.epochs && !stoppedEarly; epoch++) {
      // Training-time randomness (dropout) is seeded per epoch: a resumed run draws what an uninterrupted one would.
      const rng = new Rng((run.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      const settings = { loss, optimizer, rng, clipNorm: options.clipNorm };
      const { prepared, sampler } = epoch === 0 ? first : data.epoch(epoch);
      const batches = groups([...sampler.epoch(epoch)], run.accumulate);
      clock.startEpoch();
      let lossSum = 0;
      for (let b = 0; b < batches.length; b++) {
        if (options.signal?.aborted) throw aborted(history);
        const micro = batches[b]!;
        const lr = learningRateAt(run.schedule, run.lr, step, totalSteps);
        optimizer.setLearningRate(lr);
        const stepStart = clock.seconds();
        const lossValue = await trainStep(model, prepared, micro, settings);
        if (!Number.isFinite(lossValue)) throw diverged(lossValue, epoch, b);
        lossSum += lossValue;
        step++;
        const rows = micro.reduce((n, m) => n + m.length, 0);
        const rates = clock.batchDone(rows, clock.seconds() - stepStart, step);
        await options.onBatch?.({
          epoch: epoch + 1,
          epochs: run.epochs,
          batch: b + 1,
          batches: batches.length,
          step,
          loss: lossValue,
          lr,
          ...rates,
        });
        await yieldToEventLoop();
      }
      const seconds = clock.epochSeconds();
      const event: EpochEvent = {
        epoch: epoch + 1,
        loss: lossSum / batches.length,
        seconds,
        pairsPerSec: prepared.count / seconds,
        improved: false,
      };
      if (options.dev) {
        event.devMetrics = await evaluate(model, options.dev);
        event.metric = trackedMetric(event.devMetrics, options.metric).value;
        event.improved = await stopping.observe(model, epoch + 1, event.metric);
      }
      history.push(event);
      await options.onEpoch?.(event);
      await options.checkpoints?.save(model, {
        epoch: epoch + 1,
        step,
        history,
        best: stopping.best,
        optimizer: await optimizerState(optimizer),
        bestWeights: stopping.savedBestWeights(model),
      });
      stoppedEarly = stopping.shouldStop();
    }
    stopping.restoreBest(model);
  } finally {
    optimizer.dispose();
  }
  const result: FitResult = {
    history,
    best: stopping.best,
    epochsRun: history.length,
    stoppedEarly,
    seconds: clock.seconds(),
    pairsPerSec: clock.pairsPerSec(),
    resumedFrom: startEpoch,
  };
  recordOnModel(model, { training: result });
  return result;
}

/** The run's settings with defaults, checked. */
function settingsOf(options: FitOptions) {
  if (!options?.loss || typeof options.loss.compute !== 'function')
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: expected options.loss (a Loss)');
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!(epochs >= 1) || !(batchSize >= 1)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: expected epochs ≥ 1 and batchSize ≥ 1, found ${epochs}, ${batchSize}`,
    );
  }
  const accumulate = options.accumulate ?? 1;
  if (!Number.isInteger(accumulate) || accumulate < 1) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: expected accumulate to be a whole number of batches ≥ 1, found ${accumulate}`,
    );
  }
  const { patience } = options;
  if (patience !== undefined) {
    if (!Number.isInteger(patience) || patience < 1) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `fit: expected patience to be a whole number of epochs ≥ 1, found ${patience}`,
      );
    }
    if (!options.dev)
      throw new SiameseError('E_INVALID_ARGUMENT', 'fit: patience needs dev data to watch (options.dev)');
  }
  return {
    epochs,
    batchSize,
    accumulate,
    lr: options.lr ?? 1e-3,
    seed: options.seed ?? 42,
    schedule: options.schedule ?? ({ type: 'constant' } as LrSchedule),
  };
}

/** Consecutive batches in groups of `k` (each group is one optimizer step); the last group may be shorter. */
function groups(batches: readonly Int32Array[], k: number): number[][][] {
  const out: number[][][] = [];
  for (let i = 0; i < batches.length; i += k) out.push(batches.slice(i, i + k).map((b) => Array.from(b)));
  return out;
}

/** The model takes the loss's config and, if the loss fixes one, its similarity: search then compares as training did. */
function adoptLoss(model: SiameseModel, loss: Loss, onInfo?: (message: string) => void): void {
  if (loss.similarity !== undefined && !isSimilarity(loss.similarity)) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      `fit: loss ${loss.type}'s similarity`,
      `one of ${SIMILARITIES.join(', ')} (or none)`,
      JSON.stringify(loss.similarity),
    );
  }
  const similarity = loss.similarity ?? model.similarity;
  if (similarity !== model.similarity)
    onInfo?.(`similarity: ${similarity} (from the ${loss.type} loss; was ${model.similarity})`);
  recordOnModel(model, { loss: loss.getConfig(), similarity });
}

function aborted(history: EpochEvent[]): SiameseError<'E_ABORTED'> {
  return new SiameseError('E_ABORTED', `training aborted after ${history.length} completed epoch(s)`, {
    details: { history: [...history] },
  });
}

function diverged(value: number, epoch: number, batch: number): SiameseError<'E_NAN_LOSS'> {
  return new SiameseError(
    'E_NAN_LOSS',
    `fit: the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1} (lower the learning rate or set clipNorm)`,
    { details: { value, epoch: epoch + 1, batch: batch + 1 } },
  );
}
