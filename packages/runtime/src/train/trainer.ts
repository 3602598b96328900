import { fusedAdam } from '@siamese/backend';
import { InvalidArgumentError, Rng, SiameseError } from '@siamese/core';
import { NoDuplicatesSampler, RandomSampler, type Sampler } from '@siamese/pairs';
import * as tf from '@tensorflow/tfjs-core';
import type { LossBatch, LossLike } from '../contracts.js';
import type { EvaluationData, EvaluationMetrics } from '../eval/evaluate.js';
import type { SiameseModel } from '../model.js';
import { prepareExamples, type TrainExample } from './examples.js';
import { type LrSchedule, learningRateAt } from './schedule.js';

/** Progress after each batch. */
export interface BatchEvent {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  step: number;
  loss: number;
  lr: number;
  pairsPerSec: number;
  etaSec: number;
}

/** Summary after each epoch. */
export interface EpochEvent {
  epoch: number;
  loss: number;
  devMetrics?: EvaluationMetrics;
  /** The early-stopping metric's value, if a dev set was given. */
  metric?: number;
  seconds: number;
  pairsPerSec: number;
  improved: boolean;
}

/** A named weight or optimizer tensor in a checkpoint. */
export interface SavedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Saved training state, so a run can resume after the last completed epoch. */
export interface TrainerCheckpoint {
  /** Epochs completed. */
  epoch: number;
  step: number;
  history: EpochEvent[];
  best: { metric: number; epoch: number } | null;
  /** Adam's state: iterations, moments and the β-power accumulators (exact float32, for a bit-exact resume). */
  optimizer: SavedTensor[];
  /** With `patience`: the encoder weights of the best epoch so far, restored when training ends. */
  bestWeights?: SavedTensor[] | null;
}

/** A place to keep checkpoints: the runtime gives a folder-backed one (`folderCheckpoints`). */
export interface CheckpointStore {
  save(model: SiameseModel, state: TrainerCheckpoint): Promise<void>;
  load(model: SiameseModel): Promise<TrainerCheckpoint | null>;
}

export interface FitOptions {
  /** The loss (an object implementing the Loss contract). */
  loss: LossLike;
  epochs?: number;
  batchSize?: number;
  /** Base learning rate; default 1e-3. */
  lr?: number;
  schedule?: LrSchedule;
  /** Clip gradients to this global L2 norm; default none. */
  clipNorm?: number;
  seed?: number;
  /** Dev data evaluated after each epoch (scored pairs, binary pairs, triplets or a retrieval task). */
  dev?: EvaluationData;
  /** Which dev metric to track: default `spearman` (scored), `ap` (binary), `accuracy`, `ndcgAtK`. */
  metric?: string;
  /**
   * Stop after this many epochs in a row without a better dev metric (patience 2: best at epoch 3, stop after
   * epoch 5); the best epoch's weights are restored when training ends. Needs `dev`.
   */
  patience?: number;
  /** Save a checkpoint after every epoch and resume from it when present. */
  checkpoints?: CheckpointStore;
  signal?: AbortSignal;
  onBatch?: (e: BatchEvent) => void | Promise<void>;
  onEpoch?: (e: EpochEvent) => void | Promise<void>;
  /** Called once with a note on how the data was adapted to the loss. */
  onInfo?: (message: string) => void;
}

export interface FitResult {
  history: EpochEvent[];
  best: { metric: number; epoch: number } | null;
  epochsRun: number;
  stoppedEarly: boolean;
  seconds: number;
  /** Mean training throughput over all batches. */
  pairsPerSec: number;
  resumedFrom: number;
}

/** Training stopped through the AbortSignal; `history` holds the completed epochs. */
export class TrainingAbortedError extends SiameseError {
  constructor(readonly history: EpochEvent[]) {
    super('E_ABORTED', `training aborted after ${history.length} completed epoch(s)`);
  }
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function metricOf(m: EvaluationMetrics, name?: string): { name: string; value: number } {
  const rec = m as unknown as Record<string, number>;
  const key =
    name ?? ('spearman' in rec ? 'spearman' : 'ap' in rec ? 'ap' : 'ndcgAtK' in rec ? 'ndcgAtK' : 'accuracy');
  if (typeof rec[key] !== 'number')
    throw new InvalidArgumentError(
      `fit: metric '${key}' is not produced by this dev data (have ${Object.keys(rec).join(', ')})`,
    );
  return { name: key, value: rec[key]! };
}

/** Builds the loss batch from the encoded slots. */
function lossBatch(kind: LossLike['batchKind'], parts: tf.Tensor2D[], targets?: tf.Tensor1D): LossBatch {
  switch (kind) {
    case 'scored-pairs':
      return { a: parts[0]!, b: parts[1]!, scores: targets! };
    case 'labelled-pairs':
      return { a: parts[0]!, b: parts[1]!, labels: targets! };
    case 'triplets':
      return { anchor: parts[0]!, positive: parts[1]!, negative: parts[2]! };
    case 'anchor-positive':
      return { anchor: parts[0]!, positive: parts[1]!, ...(parts[2] ? { negative: parts[2] } : {}) };
    case 'labelled-embeddings':
      return { embeddings: parts[0]!, labels: targets! };
  }
}

/**
 * Trains `model` in place: Adam (β 0.9/0.999, ε 1e-8 as PyTorch), optional warm-up + decay, global-norm
 * clipping, per-epoch dev evaluation with early stopping (best weights restored), checkpoints + resume, progress
 * events, and cancellation through `signal`. Yields to the event loop after every batch.
 */
export async function fit(
  model: SiameseModel,
  train: readonly TrainExample[],
  options: FitOptions,
): Promise<FitResult> {
  const { loss } = options;
  if (!loss || typeof loss.compute !== 'function')
    throw new InvalidArgumentError('fit: expected options.loss (a Loss)');
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const baseLr = options.lr ?? 1e-3;
  const seed = options.seed ?? 42;
  const schedule = options.schedule ?? { type: 'constant' };
  if (!(epochs >= 1) || !(batchSize >= 1))
    throw new InvalidArgumentError(
      `fit: expected epochs ≥ 1 and batchSize ≥ 1, found ${epochs}, ${batchSize}`,
    );
  if (options.patience !== undefined) {
    if (!Number.isInteger(options.patience) || options.patience < 1)
      throw new InvalidArgumentError(
        `fit: expected patience to be a whole number of epochs ≥ 1, found ${options.patience}`,
      );
    if (!options.dev) throw new InvalidArgumentError('fit: patience needs dev data to watch (options.dev)');
  }
  const prepared = prepareExamples(train, loss.batchKind, seed);
  if (prepared.note) options.onInfo?.(`data: ${prepared.note}`);
  const n = prepared.count;
  // In-batch-negative losses must not see the same text twice in a batch (it would be its own negative).
  const sampler: Sampler =
    loss.batchKind === 'anchor-positive'
      ? new NoDuplicatesSampler({ size: n, texts: (i) => prepared.slots.map((s) => s[i]!), batchSize, seed })
      : new RandomSampler({ size: n, batchSize, seed });
  const totalSteps = Math.ceil(n / batchSize) * epochs;
  const vars = model.encoder.trainableVariables();
  if (!vars.length) throw new InvalidArgumentError('fit: the encoder has no trainable variables');
  // Same math, state and checkpoints as tf.train.adam, one fused kernel per variable on wasm and cpu.
  const optimizer = fusedAdam(baseLr, 0.9, 0.999, 1e-8);
  const history: EpochEvent[] = [];
  let best: { metric: number; epoch: number } | null = null;
  let bestWeights: Map<string, Float32Array> | null = null;
  let step = 0;
  let startEpoch = 0;
  let sinceBest = 0;
  let stoppedEarly = false;
  let totalPairs = 0;
  let trainSeconds = 0;
  const t0 = now();

  if (options.checkpoints) {
    const state = await options.checkpoints.load(model);
    if (state) {
      startEpoch = state.epoch;
      step = state.step;
      history.push(...state.history);
      best = state.best;
      // Early stopping resumes where it was: the best epoch's weights and the epochs since it.
      sinceBest = best ? state.epoch - best.epoch : 0;
      bestWeights = state.bestWeights ? new Map(state.bestWeights.map((w) => [w.name, w.values])) : null;
      if (options.patience !== undefined && best && !bestWeights)
        options.onInfo?.(`the checkpoint has no best weights: epoch ${best.epoch}'s cannot be restored`);
      // Adam's slots are matched to variables by position, so names may differ between processes.
      if (state.optimizer.length) {
        const tensors = state.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) }));
        await optimizer.setWeights(tensors);
        tf.dispose(tensors.map((t) => t.tensor)); // setWeights keeps its own variables
      }
      options.onInfo?.(`resumed after epoch ${state.epoch}`);
    }
  }

  // A run that had already stopped early does not train on when resumed.
  if (options.patience !== undefined && best && sinceBest >= options.patience) stoppedEarly = true;
  try {
    for (let epoch = startEpoch; epoch < epochs && !stoppedEarly; epoch++) {
      // Training-time randomness (dropout) is seeded per epoch, so a resumed run draws what an uninterrupted one would.
      const rngTrain = new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      const batches = [...sampler.epoch(epoch)];
      const batchesPerEpoch = batches.length;
      const epochStart = now();
      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (options.signal?.aborted) throw new TrainingAbortedError(history);
        const idx = Array.from(batches[b]!);
        const rows = idx.length;
        const texts = prepared.slots.flatMap((slot) => idx.map((i) => slot[i]!));
        const batch = model.prepare(texts);
        const targets = prepared.targets
          ? prepared.targets instanceof Int32Array
            ? tf.tensor1d(
                Int32Array.from(idx, (i) => prepared.targets![i]!),
                'int32',
              )
            : tf.tensor1d(
                Float32Array.from(idx, (i) => prepared.targets![i]!),
                'float32',
              )
          : undefined;
        const lr = learningRateAt(schedule, baseLr, step, totalSteps);
        (optimizer as unknown as { learningRate: number }).learningRate = lr;
        const stepStart = now();
        const { value, grads } = tf.variableGrads(() => {
          const emb = model.encodeTensor(batch, true, rngTrain);
          const parts = prepared.slots.map((_, s) => tf.slice(emb, [s * rows, 0], [rows, -1]) as tf.Tensor2D);
          return loss.compute(lossBatch(loss.batchKind, parts, targets));
        }, vars);
        if (options.clipNorm) clipByGlobalNorm(grads, options.clipNorm);
        optimizer.applyGradients(grads as tf.NamedTensorMap as never);
        const lossValue = (await value.data())[0]!;
        tf.dispose([value, ...Object.values(grads)]);
        batch.dispose();
        targets?.dispose();
        if (!Number.isFinite(lossValue)) {
          throw new SiameseError(
            'E_NAN_LOSS',
            `fit: the loss became ${lossValue} at epoch ${epoch + 1}, batch ${b + 1} (lower the learning rate or set clipNorm)`,
          );
        }
        trainSeconds += (now() - stepStart) / 1000;
        totalPairs += rows;
        lossSum += lossValue;
        step++;
        const elapsed = (now() - epochStart) / 1000;
        seen += rows;
        const pairsPerSec = seen / Math.max(elapsed, 1e-9);
        const remaining = (totalSteps - step) * batchSize;
        await options.onBatch?.({
          epoch: epoch + 1,
          epochs,
          batch: b + 1,
          batches: batchesPerEpoch,
          step,
          loss: lossValue,
          lr,
          pairsPerSec,
          etaSec: remaining / Math.max(pairsPerSec, 1e-9),
        });
        await yieldToEventLoop();
      }
      const seconds = (now() - epochStart) / 1000;
      const event: EpochEvent = {
        epoch: epoch + 1,
        loss: lossSum / batchesPerEpoch,
        seconds,
        pairsPerSec: n / seconds,
        improved: false,
      };
      if (options.dev) {
        const devMetrics = await model.evaluate(options.dev);
        const m = metricOf(devMetrics, options.metric);
        event.devMetrics = devMetrics;
        event.metric = m.value;
        if (!best || m.value > best.metric) {
          best = { metric: m.value, epoch: epoch + 1 };
          event.improved = true;
          sinceBest = 0;
          if (options.patience !== undefined) bestWeights = await snapshot(model);
        } else sinceBest++;
      }
      history.push(event);
      await options.onEpoch?.(event);
      if (options.checkpoints) {
        const optWeights = await optimizer.getWeights({ betaPowers: true });
        const saved = await Promise.all(
          optWeights.map(async (w) => ({
            name: w.name,
            shape: w.tensor.shape,
            values: Float32Array.from(await w.tensor.data()),
          })),
        );
        optWeights[0]!.tensor.dispose(); // the iterations scalar is made fresh by getWeights
        await options.checkpoints.save(model, {
          epoch: epoch + 1,
          step,
          history,
          best,
          optimizer: saved,
          bestWeights: bestWeights
            ? [...model.encoder.weights()].map(([name, v]) => ({
                name,
                shape: [...v.shape],
                values: bestWeights!.get(name)!,
              }))
            : null,
        });
      }
      if (options.patience !== undefined && sinceBest >= options.patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (bestWeights) restore(model, bestWeights);
  } finally {
    optimizer.dispose();
  }
  return {
    history,
    best,
    epochsRun: history.length,
    stoppedEarly,
    seconds: (now() - t0) / 1000,
    pairsPerSec: totalPairs / Math.max(trainSeconds, 1e-9),
    resumedFrom: startEpoch,
  };
}

/** Scales all gradients in place so their global L2 norm is at most `maxNorm`. */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): number {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k]!))))).dataSync()[0]!);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const k of names) {
      const old = grads[k]!;
      grads[k] = tf.mul(old, scale);
      old.dispose();
    }
  }
  return norm;
}

async function snapshot(model: SiameseModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.encoder.weights()) out.set(name, (await v.data()).slice() as Float32Array);
  return out;
}

function restore(model: SiameseModel, weights: Map<string, Float32Array>): void {
  for (const [name, v] of model.encoder.weights()) {
    const w = weights.get(name);
    if (w) tf.tidy(() => v.assign(tf.tensor(w, v.shape, v.dtype)));
  }
}
