/**
 * `@siamese/encoders/testing`: the contract test kit for your own encoders and steps, the checks the built-ins
 * pass (hono's `runTest({ newRouter })` is the model). Call it inside any test runner, after `initBackend()`:
 *
 * ```ts
 * it('attention pooling honours the Step contract', async () => {
 *   await runStepContract({ newStep: () => attentionPooling({ dim: 8 }) });
 * });
 * ```
 *
 * Each check that fails throws a `SiameseError` with code `E_CONTRACT` naming the check, what was expected and
 * what was found; a passing run returns the names of the checks.
 *
 * @packageDocumentation
 */
import { tensorLeakCheck } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { encoderFromConfig, registeredEncoders } from './registry.js';
import { sequential } from './sequential.js';
import type { Port, StepSpec } from './step.js';
import { registeredSteps, stepFromConfig } from './step-registry.js';
import { embedding } from './steps/embedding.js';
import { pooling } from './steps/pooling.js';
import type { Encoder, EncoderInput } from './types.js';

/** Options of {@link runEncoderContract}. */
export interface EncoderContractOptions {
  /** Builds a fresh, untrained encoder (called several times). */
  newEncoder: () => Encoder;
  /** Token ids of the generated batches are drawn from `[1, vocabSize)` (default 20). */
  vocabSize?: number;
  /** Builds the input batch yourself (e.g. with `ngramIds`); the kit disposes it. Default: ragged random ids. */
  batch?: (rng: Rng) => EncoderInput;
  /** Largest difference tolerated between outputs that must agree (default 1e-5). */
  tolerance?: number;
  /** Set false for an encoder that reads pads on purpose (like `lstm({ packed: false })`). Default true. */
  ignoresPads?: boolean;
}

/** Options of {@link runStepContract}. */
export interface StepContractOptions {
  /** Builds the step description, e.g. `() => attentionPooling({ dim: 8 })`. */
  newStep: () => StepSpec;
  /** What the step receives (default a sequence `[B,T,8]`); token ids mean the step comes first. */
  input?: Port;
  /** Token ids of the generated batches are drawn from `[1, vocabSize)` (default 20). */
  vocabSize?: number;
  tolerance?: number;
  /** Set false for a step that reads pads on purpose. Default true. */
  ignoresPads?: boolean;
}

/** What a passing run checked. */
export interface ContractReport {
  /** What was tested: the encoder or step type. */
  subject: string;
  /** The checks that passed, in order. */
  checks: string[];
}

/**
 * Runs the `Encoder` contract against `newEncoder()`: output shape and finiteness, pads never read, repeatable
 * inference, a finite gradient for every trainable variable, unique weights that include the trainable ones,
 * `getConfig()` rebuilt through the registry (`encoderFromConfig`) with equal outputs once the weights are
 * copied (what saving and loading do), no tensor leaks, and a `dispose()` that frees every variable.
 */
export async function runEncoderContract(options: EncoderContractOptions): Promise<ContractReport> {
  const tol = options.tolerance ?? 1e-5;
  const rng = new Rng(7);
  const makeBatch = options.batch ?? ((r: Rng) => randomBatch(r, options.vocabSize ?? 20));
  const before = tf.memory().numTensors;
  const enc = options.newEncoder();
  const report: ContractReport = { subject: `encoder ${String(enc?.type)}`, checks: [] };
  const check = checker(report);
  const input = makeBatch(rng);
  try {
    check(
      'type',
      typeof enc.type === 'string' && enc.type === enc.getConfig()?.type,
      'type equal to getConfig().type',
      `${enc.type} / ${enc.getConfig()?.type}`,
    );
    check(
      'registered',
      registeredEncoders().includes(enc.type),
      `a type registered with registerEncoder (${registeredEncoders().join(', ')})`,
      JSON.stringify(enc.type),
    );
    const out = tf.tidy(() => enc.encode(input).arraySync());
    const [b] = input.ids.shape;
    check(
      'output shape',
      out.length === b && out.every((row) => row.length === enc.outputDim),
      `[${b}, ${enc.outputDim}]`,
      `[${out.length}, ${out[0]?.length}]`,
    );
    check('finite output', out.flat().every(Number.isFinite), 'finite values', 'NaN or Infinity');
    // Within the tolerance: a second call may read folded tables, equal to float rounding.
    const again = maxDiff(
      tf.tidy(() => enc.encode(input).arraySync()),
      out,
    );
    check(
      'repeatable inference',
      again <= tol,
      `the same output twice (tolerance ${tol})`,
      `a difference of ${again}`,
    );
    if (options.ignoresPads !== false) checkPadsIgnored(enc, input, out, tol, check);
    checkWeights(enc, check);
    checkGradients(enc, input, check);
    checkRoundTrip(enc, input, out, tol, check);
    await noLeaks(report, 'no leaks (inference)', () => tf.dispose(enc.encode(input)));
    await noLeaks(report, 'no leaks (gradients)', () => {
      const { value, grads } = gradients(enc, input);
      tf.dispose([value, ...Object.values(grads)]);
    });
  } finally {
    tf.dispose([input.ids, input.mask, ...(input.ngramIds ? [input.ngramIds] : [])]);
    enc.dispose?.();
  }
  check(
    'dispose frees every tensor',
    tf.memory().numTensors === before,
    `${before} live tensors after dispose()`,
    `${tf.memory().numTensors}`,
  );
  return report;
}

/**
 * Runs the `Step` contract against `newStep()`: its `type` equals `config.type` and is registered, its config
 * rebuilds through `stepFromConfig`, and, composed in a `sequential` (an embedding before it when it reads a
 * sequence, a mean pooling after it when it returns one), the whole {@link runEncoderContract}: that is what a
 * saved model using the step goes through when it loads.
 */
export async function runStepContract(options: StepContractOptions): Promise<ContractReport> {
  const spec = options.newStep();
  const report: ContractReport = { subject: `step ${String(spec?.type)}`, checks: [] };
  const check = checker(report);
  check(
    'type',
    typeof spec.type === 'string' && spec.type === spec.config?.type,
    'type equal to config.type',
    `${spec.type} / ${spec.config?.type}`,
  );
  check(
    'registered',
    registeredSteps().includes(spec.type),
    `a type registered with registerStep (${registeredSteps().join(', ')})`,
    JSON.stringify(spec.type),
  );
  const config = JSON.parse(JSON.stringify(spec.config));
  const rebuilt = stepFromConfig(config);
  check(
    'config round trip',
    JSON.stringify(rebuilt.config) === JSON.stringify(spec.config),
    JSON.stringify(spec.config),
    JSON.stringify(rebuilt.config),
  );
  const port = options.input ?? { kind: 'sequence', dim: 8 };
  const vocabSize = options.vocabSize ?? 20;
  const output = outputKind(spec, port);
  const inner = await runEncoderContract({
    newEncoder: () =>
      sequential(
        [
          ...(port.kind === 'tokens' ? [] : [embedding({ vocabSize, dim: port.dim })]),
          options.newStep(),
          ...(output === 'sequence' ? [pooling({ mode: 'mean' })] : []),
        ],
        { seed: 3 },
      ),
    vocabSize,
    ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
    ...(options.ignoresPads === undefined ? {} : { ignoresPads: options.ignoresPads }),
  });
  report.checks.push(...inner.checks.map((c) => `in a sequential: ${c}`));
  return report;
}

type Check = (name: string, ok: boolean, expected: string, found: string) => void;

function checker(report: ContractReport): Check {
  return (name, ok, expected, found) => {
    if (!ok) throw contractError(report, name, expected, found);
    report.checks.push(name);
  };
}

function contractError(
  report: ContractReport,
  name: string,
  expected: string,
  found: string,
): SiameseError<'E_CONTRACT'> {
  return new SiameseError('E_CONTRACT', `${report.subject}: ${name}: expected ${expected}, found ${found}`, {
    details: { subject: report.subject, check: name, expected, found },
  });
}

async function noLeaks(report: ContractReport, name: string, fn: () => void): Promise<void> {
  try {
    await tensorLeakCheck(fn, { label: report.subject });
  } catch (e) {
    if (!SiameseError.is(e, 'E_TENSOR_LEAK')) throw e;
    throw contractError(report, name, 'no tensor left behind', e.message);
  }
  report.checks.push(name);
}

/** Ragged random ids: lengths 1..6 with pads, so pad handling is always exercised. */
function randomBatch(rng: Rng, vocabSize: number): EncoderInput {
  const lengths = Int32Array.from([5, 1, 3, 6, 2]);
  const T = 6;
  const ids = new Int32Array(lengths.length * T);
  const mask = new Float32Array(lengths.length * T);
  lengths.forEach((len, b) => {
    for (let t = 0; t < len; t++) {
      ids[b * T + t] = 1 + rng.int(vocabSize - 1);
      mask[b * T + t] = 1;
    }
  });
  return {
    ids: tf.tensor2d(ids, [lengths.length, T], 'int32'),
    mask: tf.tensor2d(mask, [lengths.length, T]),
    lengths,
  };
}

/** The first sentence alone (no pads) must encode as it does inside the padded batch. */
function checkPadsIgnored(
  enc: Encoder,
  input: EncoderInput,
  out: number[][],
  tol: number,
  check: Check,
): void {
  const len = input.lengths[0]!;
  const alone = tf.tidy(() => {
    const one: EncoderInput = {
      ids: tf.slice(input.ids, [0, 0], [1, len]) as tf.Tensor2D,
      mask: tf.slice(input.mask, [0, 0], [1, len]) as tf.Tensor2D,
      lengths: Int32Array.of(len),
      ...(input.ngramIds
        ? { ngramIds: tf.slice(input.ngramIds, [0, 0, 0], [1, len, -1]) as tf.Tensor3D }
        : {}),
    };
    return enc.encode(one).arraySync();
  });
  const diff = maxDiff(alone, [out[0]!]);
  check(
    'pads are never read',
    diff <= tol,
    `the same vector alone and inside a padded batch (tolerance ${tol})`,
    `a difference of ${diff}`,
  );
}

function checkWeights(enc: Encoder, check: Check): void {
  const weights = enc.weights();
  const all = new Set(weights.values());
  const trainable = enc.trainableVariables();
  check(
    'weights',
    weights.size > 0 && [...weights.keys()].every((k) => typeof k === 'string' && k.length > 0),
    'named weights',
    `${weights.size} weights`,
  );
  check(
    'trainable variables are weights',
    trainable.every((v) => all.has(v)),
    'every trainable variable in weights()',
    'a trainable variable weights() does not list',
  );
}

function gradients(enc: Encoder, input: EncoderInput) {
  return tf.variableGrads(
    () => tf.sum(tf.square(enc.encode(input, { training: true, rng: new Rng(1) }))) as tf.Scalar,
    enc.trainableVariables(),
  );
}

function checkGradients(enc: Encoder, input: EncoderInput, check: Check): void {
  const names = new Map([...enc.weights()].map(([name, v]) => [v.name, name]));
  const { value, grads } = gradients(enc, input);
  try {
    for (const v of enc.trainableVariables()) {
      const g = grads[v.name];
      const name = names.get(v.name) ?? v.name;
      const values = g ? Array.from(g.dataSync()) : [];
      check(
        `gradient of ${name}`,
        values.length > 0 && values.every(Number.isFinite) && values.some((x) => x !== 0),
        'a finite, non-zero gradient',
        g ? 'zeros or NaN' : 'none',
      );
    }
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/** Save → load, as the runtime does it: the JSON config rebuilt by the registry, then the weights copied by name. */
function checkRoundTrip(enc: Encoder, input: EncoderInput, out: number[][], tol: number, check: Check): void {
  const config = JSON.parse(JSON.stringify(enc.getConfig()));
  const again = encoderFromConfig(config);
  try {
    const mine = enc.weights();
    const theirs = again.weights();
    const shapes = (m: Map<string, tf.Variable>) =>
      [...m]
        .map(([k, v]) => `${k}[${v.shape}]`)
        .sort()
        .join(' ');
    check(
      'getConfig round trip: same weights',
      shapes(mine) === shapes(theirs),
      shapes(mine),
      shapes(theirs),
    );
    for (const [name, v] of theirs) tf.tidy(() => v.assign(mine.get(name)!));
    const diff = maxDiff(
      tf.tidy(() => again.encode(input).arraySync()),
      out,
    );
    check(
      'getConfig round trip: same outputs',
      diff <= tol,
      `equal outputs after copying the weights (tolerance ${tol})`,
      `a difference of ${diff}`,
    );
  } finally {
    again.dispose();
  }
}

function outputKind(spec: StepSpec, port: Port): Port['kind'] {
  const step = spec.build(port, {
    rng: new Rng(1),
    index: 0,
    shapeError: (expected, found) =>
      new SiameseError('E_ENCODER_SHAPE', `step 0 (${spec.type}): expected ${expected}, found ${found}`),
  });
  for (const [, v] of step.weights) v.dispose();
  step.dispose?.();
  return step.output.kind;
}

function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => {
    row.forEach((x, j) => {
      const d = Math.abs(x - (b[i]?.[j] ?? Number.NaN));
      worst = d > worst || Number.isNaN(d) ? d : worst;
    });
  });
  return worst;
}
