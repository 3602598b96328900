import type { FusedAdamOptimizer } from '@siamese/backend';
import type { Rng } from '@siamese/core';
import type { BatchKind, Loss, LossBatch } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { modelBatch } from '../infer/batching.js';
import type { SiameseModel } from '../model.js';
import { cachedGradients, type Gradients } from './grad-cache.js';
import type { PreparedExamples } from './prepare-data.js';

/** Settings of every step of a run. */
export interface StepSettings {
  loss: Loss;
  optimizer: FusedAdamOptimizer;
  /** Dropout stream of the run. */
  rng: Rng;
  /** Clip gradients to this global L2 norm (none when undefined). */
  clipNorm: number | undefined;
}

/** What one step did: its loss and gradient norm, and whether it was applied (both finite) or skipped. */
export interface StepOutcome {
  loss: number;
  /** Global L2 norm of the gradients (before clipping). */
  gradNorm: number;
  applied: boolean;
}

/**
 * One optimisation step on the examples `indices` of `prepared`: every slot's texts are encoded in one call
 * (shared weights), split back into the loss's batch, differentiated, clipped and applied. With several
 * micro-batches (gradient accumulation), each is differentiated in turn and the optimizer applies the mean of
 * their gradients, as one batch of their combined size would for a loss that averages over examples (an
 * in-batch-negative loss still sees only its micro-batch's negatives). A non-finite loss or gradient is never
 * applied (the weights stay as they were). Leaves no tensor behind.
 */
export async function trainStep(
  model: SiameseModel,
  prepared: PreparedExamples,
  micro: readonly (readonly number[])[],
  settings: StepSettings,
): Promise<StepOutcome> {
  let total: Record<string, tf.Tensor> | undefined;
  let lossSum = 0;
  try {
    for (const indices of micro) {
      const { value, grads } = gradientsOf(model, prepared, indices, settings);
      lossSum += (await value.data())[0]!;
      value.dispose();
      if (!total) total = grads;
      else {
        for (const k of Object.keys(grads)) {
          const old = total[k]!;
          total[k] = tf.add(old, grads[k]!);
          tf.dispose([old, grads[k]!]);
        }
      }
    }
    if (micro.length > 1) {
      for (const k of Object.keys(total!)) {
        const old = total![k]!;
        total![k] = tf.div(old, micro.length);
        old.dispose();
      }
    }
    const loss = lossSum / micro.length;
    const gradNorm = clipByGlobalNorm(total!, settings.clipNorm ?? Number.POSITIVE_INFINITY);
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) settings.optimizer.applyGradients(total!);
    return { loss, gradNorm, applied };
  } finally {
    if (total) tf.dispose(Object.values(total));
  }
}

/**
 * The loss of one micro-batch and the gradients of the encoder's variables and the loss's own: one encoder
 * call over every text, or, for a loss that asks for it (`loss.gradCache`), mini-batch by mini-batch.
 */
export function gradientsOf(
  model: SiameseModel,
  prepared: PreparedExamples,
  indices: readonly number[],
  { loss, rng }: StepSettings,
): Gradients {
  const rows = indices.length;
  const texts = prepared.slots.flatMap((slot) => indices.map((i) => slot[i]!));
  const targets = targetsOf(prepared, indices);
  const teacher = teacherOf(prepared, indices);
  const lossOf = (emb: tf.Tensor2D) => {
    const parts = prepared.slots.map((_, s) => tf.slice(emb, [s * rows, 0], [rows, -1]) as tf.Tensor2D);
    return loss.compute(lossBatch(loss.batchKind, parts, targets, teacher));
  };
  const own = loss.variables?.(model.dim) ?? [];
  const vars = [...model.encoder.trainableVariables(), ...own];
  try {
    if (loss.gradCache) {
      const { value, grads } = cachedGradients(model, texts, loss.gradCache.miniBatchSize, rng, lossOf, own);
      // The optimizer keeps its moments by position: the keys in variable order, as variableGrads gives them.
      const ordered: Record<string, tf.Tensor> = {};
      for (const v of vars) if (grads[v.name]) ordered[v.name] = grads[v.name]!;
      return { value, grads: ordered };
    }
    const batch = modelBatch(model, texts);
    try {
      return tf.variableGrads(() => lossOf(model.encoder.encode(batch.input, { training: true, rng })), vars);
    } finally {
      batch.dispose();
    }
  } finally {
    targets?.dispose();
    teacher?.dispose();
  }
}

export function targetsOf(prepared: PreparedExamples, indices: readonly number[]): tf.Tensor1D | undefined {
  const t = prepared.targets;
  if (!t) return undefined;
  return t instanceof Int32Array
    ? tf.tensor1d(
        Int32Array.from(indices, (i) => t[i]!),
        'int32',
      )
    : tf.tensor1d(
        Float32Array.from(indices, (i) => t[i]!),
        'float32',
      );
}

/** The teacher's vectors of the examples `indices`, `[rows, dim]`. */
export function teacherOf(prepared: PreparedExamples, indices: readonly number[]): tf.Tensor2D | undefined {
  const t = prepared.teacher;
  if (!t) return undefined;
  const out = new Float32Array(indices.length * t.dim);
  indices.forEach((i, r) => {
    out.set(t.data.subarray(i * t.dim, (i + 1) * t.dim), r * t.dim);
  });
  return tf.tensor2d(out, [indices.length, t.dim]);
}

/** Builds the loss batch from the encoded slots. */
export function lossBatch(
  kind: BatchKind,
  parts: tf.Tensor2D[],
  targets?: tf.Tensor1D,
  teacher?: tf.Tensor2D,
): LossBatch {
  switch (kind) {
    case 'scored-pairs':
      return { a: parts[0]!, b: parts[1]!, scores: targets! };
    case 'labelled-pairs':
    case 'class-pairs':
      return { a: parts[0]!, b: parts[1]!, labels: targets! };
    case 'triplets':
      return { anchor: parts[0]!, positive: parts[1]!, negative: parts[2]! };
    case 'anchor-positive':
      return { anchor: parts[0]!, positive: parts[1]!, ...(parts[2] ? { negative: parts[2] } : {}) };
    case 'labelled-embeddings':
      return { embeddings: parts[0]!, labels: targets! };
    case 'teacher-vectors':
      return { embeddings: parts[0]!, teacher: teacher! };
    case 'teacher-margins':
      return { anchor: parts[0]!, positive: parts[1]!, negative: parts[2]!, margins: targets! };
  }
}

/** Scales all gradients in place so their global L2 norm is at most `maxNorm`; returns the norm before. */
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
