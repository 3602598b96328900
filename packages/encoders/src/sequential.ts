import { assertBackendReady } from '@siamese/backend/internals';
import { describeValue, Rng, SiameseError } from '@siamese/core';
import { type Tensor, type Tensor2D, tidy, type Variable } from '@tensorflow/tfjs-core';
import { shapeError } from './errors.js';
import { foldMaxBytes } from './fold-cache.js';
import { describePort, type Port, type Step, type StepConfig, type StepSpec } from './step.js';
import type { EncodeOptions, Encoder, EncoderConfig, EncoderInput } from './types.js';

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /** Seed of the initial weights and of the default dropout stream (default 0). */
  seed?: number;
}

/** The JSON config of a sequential encoder. */
export interface SequentialConfig extends EncoderConfig {
  type: 'sequential';
  seed: number;
  steps: StepConfig[];
}

/**
 * Composes steps into an {@link Encoder}: the first step takes token ids, the last must produce vectors
 * `[B, D]`. Shapes are checked now, at build time: a misfit throws an `E_ENCODER_SHAPE` error naming the step
 * index and type. Weight names are the steps' own names (`embedding.weight`, `weight_ih_l0`, `conv3.weight`,
 * `dense.weight`…); when two steps would use the same name, the later step's names get the prefix `<index>.`.
 *
 * @example
 * ```ts
 * const enc = sequential(
 *   embedding({ vocabSize: 20000, dim: 128 }),
 *   lstm({ hidden: 128, bidirectional: true }),
 *   dense({ units: 128, activation: 'tanh' }),
 *   normalize(),
 * );
 * const v = enc.encode({ ids, mask, lengths }); // [B, 128]
 * ```
 */
export function sequential(...steps: StepSpec[]): Encoder;
export function sequential(steps: StepSpec[], options?: SequentialOptions): Encoder;
export function sequential(...args: unknown[]): Encoder {
  const [first, second] = args;
  if (Array.isArray(first))
    return new SequentialEncoder(first as StepSpec[], (second ?? {}) as SequentialOptions);
  return new SequentialEncoder(args as StepSpec[], {});
}

class SequentialEncoder implements Encoder {
  readonly type = 'sequential';
  readonly outputDim: number;
  private readonly specs: readonly StepSpec[];
  private readonly steps: Step[] = [];
  private readonly named = new Map<string, Variable>();
  private readonly seed: number;
  private readonly dropoutRng: Rng;
  private disposed = false;

  constructor(specs: StepSpec[], options: SequentialOptions) {
    assertBackendReady('sequential');
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed))
      throw SiameseError.expected('E_ENCODER_CONFIG', 'sequential.seed', 'an integer', describeValue(seed));
    if (specs.length === 0)
      throw SiameseError.expected('E_ENCODER_CONFIG', 'sequential', 'at least one step', 'none');
    specs.forEach((s, i) => {
      if (!s || typeof (s as StepSpec).build !== 'function') {
        throw SiameseError.expected(
          'E_ENCODER_CONFIG',
          `sequential step ${i}`,
          'a step such as embedding({...})',
          describeValue(s),
        );
      }
    });
    this.specs = specs;
    this.seed = seed;
    const root = new Rng(seed);
    this.dropoutRng = root.fork();
    let port: Port = { kind: 'tokens', dim: 0 };
    try {
      specs.forEach((spec, index) => {
        const step = spec.build(port, {
          rng: root.fork(),
          index,
          shapeError: (expected, found) => shapeError(index, spec.type, expected, found),
        });
        this.steps.push(step);
        this.addWeights(step, index);
        port = step.output;
      });
      if (port.kind !== 'vector') {
        const last = specs.length - 1;
        throw shapeError(
          last,
          specs[last]!.type,
          'the last step to output a vector [B,D] (add pooling() or an lstm output other than "sequence")',
          describePort(port),
        );
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.outputDim = port.dim;
  }

  private addWeights(step: Step, index: number): void {
    const clash = step.weights.some(([name]) => this.named.has(name));
    for (const [local, variable] of step.weights) {
      const name = clash ? `${index}.${local}` : local;
      if (this.named.has(name))
        throw SiameseError.expected('E_ENCODER_CONFIG', `step ${index} weight`, 'a unique name', name);
      this.named.set(name, variable);
    }
  }

  encode(input: EncoderInput, options: EncodeOptions = {}): Tensor2D {
    if (this.disposed)
      throw SiameseError.expected(
        'E_ENCODER_CONFIG',
        'encode',
        'an encoder that is not disposed',
        'disposed',
      );
    checkInput(input);
    const run = {
      training: options.training ?? false,
      rng: options.rng ?? this.dropoutRng,
      foldMaxBytes: foldMaxBytes(options.fold),
    };
    return tidy(() => {
      let x: Tensor | null = null;
      const steps = this.steps;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        const next = steps[i + 1];
        // An embedding feeding a table-aware step: that step reads the table itself (skips the [B,T,E] lookup).
        if (step.tokenTable && next?.applyFromTable) {
          x = next.applyFromTable(step.tokenTable, input, run);
          i++;
        } else {
          x = step.apply(x, input, run);
        }
      }
      return x as Tensor2D;
    });
  }

  weights(): Map<string, Variable> {
    return new Map(this.named);
  }

  trainableVariables(): Variable[] {
    return [...this.named.values()].filter((v) => v.trainable);
  }

  getConfig(): SequentialConfig {
    return {
      type: 'sequential',
      seed: this.seed,
      steps: this.specs.map((s) => structuredClone(s.config)),
    };
  }

  dispose(): void {
    this.disposed = true;
    for (const step of this.steps) {
      step.dispose?.();
      for (const [, v] of step.weights) v.dispose();
    }
    this.named.clear();
  }
}

/** Validates the batch shapes and dtypes shared by every encoder. */
export function checkInput(input: EncoderInput): void {
  const { ids, mask, lengths } = input ?? ({} as EncoderInput);
  if (ids?.rank !== 2 || ids.dtype !== 'int32') {
    throw SiameseError.expected(
      'E_ENCODER_INPUT',
      'encoder input ids',
      'an int32 tensor [B,T]',
      ids ? `${ids.dtype} [${ids.shape}]` : 'none',
    );
  }
  const [b, t] = ids.shape;
  if (mask?.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== t) {
    throw SiameseError.expected(
      'E_ENCODER_INPUT',
      'encoder input mask',
      `a float32 tensor [${b},${t}]`,
      mask ? `[${mask.shape}]` : 'none',
    );
  }
  if (!(lengths instanceof Int32Array) || lengths.length !== b) {
    throw SiameseError.expected(
      'E_ENCODER_INPUT',
      'encoder input lengths',
      `an Int32Array of ${b} lengths`,
      describeValue(lengths),
    );
  }
}
