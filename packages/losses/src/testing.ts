/**
 * `@siamese/losses/testing`: the contract test kit for your own losses, the checks the built-ins pass. Call it
 * inside any test runner, after `initBackend()`:
 *
 * ```ts
 * it('margin-MSE honours the Loss contract', () => {
 *   runLossContract({ newLoss: () => new MarginMseLoss({ margin: 0.8 }) });
 * });
 * ```
 *
 * Each check that fails throws a `SiameseError` with code `E_CONTRACT` naming the check, what was expected and
 * what was found; a passing run returns the names of the checks.
 *
 * @packageDocumentation
 */
import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { requiredFields } from './batch.js';
import { lossFromConfig, registeredLosses } from './registry.js';
import { isSimilarity } from './similarity.js';
import type { BatchKind, Loss, LossBatch } from './types.js';

/** Options of {@link runLossContract}. */
export interface LossContractOptions {
  /** Builds the loss (called more than once). */
  newLoss: () => Loss;
  /** Builds the batch yourself (default: random embeddings of the loss's kind, 8 rows × 6 dims). */
  batch?: (kind: BatchKind, rng: Rng) => LossBatch;
  /** Largest difference tolerated between values that must agree (default 1e-6). */
  tolerance?: number;
}

/** What a passing run checked. */
export interface LossContractReport {
  /** What was tested: the loss type. */
  subject: string;
  /** The checks that passed, in order. */
  checks: string[];
}

const KINDS: readonly BatchKind[] = [
  'scored-pairs',
  'labelled-pairs',
  'class-pairs',
  'triplets',
  'labelled-embeddings',
  'anchor-positive',
  'teacher-vectors',
  'teacher-margins',
];

/**
 * Runs the `Loss` contract against `newLoss()`: a registered `type` equal to `getConfig().type`, a known batch
 * kind and similarity, a finite scalar on a batch of its kind, a finite non-zero gradient for every embedding
 * it reads, `getConfig()` rebuilt through `lossFromConfig` with the same value (what saving a model's loss and
 * training on after a load do), `E_LOSS_BATCH` on a batch that lacks a field, the caller's tensors left alone,
 * and no tensor leaks. A loss with weights of its own (`variables`) gets them before the count, and is disposed
 * at the end.
 */
export function runLossContract(options: LossContractOptions): LossContractReport {
  const tol = options.tolerance ?? 1e-6;
  const loss = options.newLoss();
  const report: LossContractReport = { subject: `loss ${String(loss?.type)}`, checks: [] };
  const check = (name: string, ok: boolean, expected: string, found: string) => {
    if (!ok) {
      throw new SiameseError(
        'E_CONTRACT',
        `${report.subject}: ${name}: expected ${expected}, found ${found}`,
        {
          details: { subject: report.subject, check: name, expected, found },
        },
      );
    }
    report.checks.push(name);
  };
  const config = loss.getConfig();
  check(
    'type',
    typeof loss.type === 'string' && loss.type === config?.type,
    'type equal to getConfig().type',
    `${loss.type} / ${config?.type}`,
  );
  check(
    'registered',
    registeredLosses().includes(loss.type),
    `a type registered with registerLoss (${registeredLosses().join(', ')})`,
    JSON.stringify(loss.type),
  );
  check(
    'batch kind',
    KINDS.includes(loss.batchKind),
    `one of ${KINDS.join(', ')}`,
    JSON.stringify(loss.batchKind),
  );
  check(
    'similarity',
    loss.similarity === undefined || isSimilarity(loss.similarity),
    'absent or a Similarity',
    JSON.stringify(loss.similarity),
  );
  const batch = (options.batch ?? randomBatch)(loss.batchKind, new Rng(5));
  const inputs = Object.values(batch).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
  try {
    // A loss's own weights (a head) live as long as the loss: made before counting tensors.
    const width = batch[requiredFields(loss.batchKind)[0]!]?.shape[1];
    if (loss.variables && width !== undefined) loss.variables(width);
    const before = tf.memory().numTensors;
    const value = loss.compute(batch);
    // Read and dispose first: a failed check must not leak the value.
    const rank = value.rank;
    const v = value.dataSync()[0]!;
    value.dispose();
    check('a scalar', rank === 0, 'a scalar (rank 0)', `rank ${rank}`);
    check('finite value', Number.isFinite(v), 'a finite value', String(v));
    check(
      'inputs left alone',
      inputs.every((t) => !t.isDisposed),
      'the batch tensors still alive',
      'a disposed batch tensor',
    );
    check(
      'no leaks (compute)',
      tf.memory().numTensors === before,
      `${before} live tensors after disposing the value`,
      String(tf.memory().numTensors),
    );
    checkGradients(loss, batch, check);
    check(
      'no leaks (gradients)',
      tf.memory().numTensors === before,
      `${before} live tensors`,
      String(tf.memory().numTensors),
    );
    const again = lossFromConfig(JSON.parse(JSON.stringify(config)));
    check(
      'getConfig round trip: same config',
      JSON.stringify(again.getConfig()) === JSON.stringify(config),
      JSON.stringify(config),
      JSON.stringify(again.getConfig()),
    );
    const w = tf.tidy(() => again.compute(batch).dataSync()[0]!);
    check(
      'getConfig round trip: same value',
      Math.abs(w - v) <= tol * Math.max(1, Math.abs(v)),
      `${v} (tolerance ${tol})`,
      String(w),
    );
    checkMissingField(loss, batch, check);
    again.dispose?.();
  } finally {
    tf.dispose(inputs);
    loss.dispose?.();
  }
  return report;
}

type Check = (name: string, ok: boolean, expected: string, found: string) => void;

/** Every embedding the loss reads gets a finite gradient, and not all of them are zero. */
function checkGradients(loss: Loss, batch: LossBatch, check: Check): void {
  const fields = requiredFields(loss.batchKind).filter((f) => f !== 'scores' && f !== 'labels');
  const xs = fields.map((f) => batch[f] as tf.Tensor2D);
  let values: number[][];
  try {
    const grads = tf.grads((...args: tf.Tensor[]) => {
      const b: LossBatch = { ...batch };
      fields.forEach((f, i) => {
        (b as Record<string, tf.Tensor>)[f] = args[i]!;
      });
      return loss.compute(b);
    })(xs);
    values = grads.map((g) => Array.from(g.dataSync()));
    tf.dispose(grads);
  } catch (e) {
    // tfjs throws when the value does not depend on an input at all.
    check('non-zero gradients', false, `a gradient path to ${fields.join(', ')}`, (e as Error).message);
    return;
  }
  check(
    'finite gradients',
    values.every((g) => g.every(Number.isFinite)),
    `finite gradients for ${fields.join(', ')}`,
    'NaN or Infinity',
  );
  check(
    'non-zero gradients',
    values.some((g) => g.some((x) => x !== 0)),
    'a non-zero gradient',
    'zeros everywhere',
  );
}

/** A batch without the first field its kind needs is refused with `E_LOSS_BATCH`, before any maths. */
function checkMissingField(loss: Loss, batch: LossBatch, check: Check): void {
  const field = requiredFields(loss.batchKind)[0]!;
  const { [field]: _dropped, ...rest } = batch;
  let code: string | undefined;
  try {
    tf.dispose(loss.compute(rest));
  } catch (e) {
    code = SiameseError.is(e) ? e.code : (e as Error)?.name;
  }
  check(
    `E_LOSS_BATCH without ${field}`,
    code === 'E_LOSS_BATCH',
    'an E_LOSS_BATCH error',
    code ?? 'no error',
  );
}

/** Random embeddings of a batch kind: 8 rows × 6 dims, labels with at least two classes of two. */
function randomBatch(kind: BatchKind, rng: Rng): LossBatch {
  const B = 8;
  const D = 6;
  const m = () => tf.tensor2d(rng.fillNormal(new Float32Array(B * D)), [B, D]);
  switch (kind) {
    case 'scored-pairs':
      return { a: m(), b: m(), scores: tf.tensor1d(Array.from({ length: B }, () => rng.next())) };
    case 'labelled-pairs':
      return { a: m(), b: m(), labels: tf.tensor1d(Array.from({ length: B }, (_, i) => i % 2)) };
    case 'class-pairs':
      return {
        a: m(),
        b: m(),
        labels: tf.tensor1d(
          Array.from({ length: B }, (_, i) => i % 3),
          'int32',
        ),
      };
    case 'triplets':
      return { anchor: m(), positive: m(), negative: m() };
    case 'labelled-embeddings':
      return {
        embeddings: m(),
        labels: tf.tensor1d(
          Array.from({ length: B }, (_, i) => i % 3),
          'int32',
        ),
      };
    case 'anchor-positive':
      return { anchor: m(), positive: m(), negative: m() };
    case 'teacher-vectors':
      return { embeddings: m(), teacher: m() };
    case 'teacher-margins':
      return {
        anchor: m(),
        positive: m(),
        negative: m(),
        margins: tf.tensor1d(rng.fillNormal(new Float32Array(B))),
      };
  }
}
