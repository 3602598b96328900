import type { Rng, SiameseError } from '@siamese/core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { TokenTable } from './token-table.js';
import type { EncoderInput } from './types.js';

/** What flows between steps: token ids, a per-token sequence `[B,T,D]`, or one vector per sentence `[B,D]`. */
export type PortKind = 'tokens' | 'sequence' | 'vector';

/** The kind and width (D; 0 for tokens) a step produces or receives. */
export interface Port {
  readonly kind: PortKind;
  readonly dim: number;
}

/** JSON config of one step: `{ type, ...options }`; `stepFromConfig` rebuilds the step from it. */
export interface StepConfig {
  /** Registry key: a built-in step (`'lstm'`, `'pooling'`…) or a type added with `registerStep`. */
  type: string;
  [option: string]: unknown;
}

/** Given to {@link StepSpec.build}: the step's seeded random stream and a way to report misfits. */
export interface BuildContext {
  /** Seeded stream for this step's initial weights (forked per step, so steps do not shift each other). */
  readonly rng: Rng;
  /** Index of the step inside its `sequential`. */
  readonly index: number;
  /** Creates the `E_ENCODER_SHAPE` error for this step, naming its index and type (the caller throws it). */
  shapeError(expected: string, found: string): SiameseError<'E_ENCODER_SHAPE'>;
}

/** Per-call state of `encode`. */
export interface RunContext {
  readonly training: boolean;
  readonly rng: Rng;
  /** Per-layer byte cap of inference folding, from `EncodeOptions.fold`; 0 or absent turns it off. */
  readonly foldMaxBytes?: number;
}

/** A built step: weights created, shapes fixed. */
export interface Step {
  readonly output: Port;
  /** Weights under their local names (unique within the step). */
  readonly weights: ReadonlyArray<readonly [string, Variable]>;
  /** Maps the previous step's tensor (null for the first step, which reads `input`) to this step's output. */
  apply(x: Tensor | null, input: EncoderInput, run: RunContext): Tensor;
  /** Set by embedding steps: the table a following step may read itself through {@link Step.applyFromTable}. */
  readonly tokenTable?: TokenTable;
  /**
   * Optional: this step's output straight from token ids and the previous step's table (same result as
   * `apply(lookup(ids))`), so it can skip pads or use folded tables. `sequential` calls it when the previous
   * step offers a {@link Step.tokenTable}.
   */
  applyFromTable?(table: TokenTable, input: EncoderInput, run: RunContext): Tensor;
  /** Optional: releases tensors the step holds besides its weights (e.g. folded tables). */
  dispose?(): void;
}

/**
 * A step description returned by the builders (`embedding(...)`, `lstm(...)`, ...): options only, no weights
 * yet. `sequential` builds it once it knows the incoming kind and width. To write your own step, return one of
 * these from a builder function and `registerStep(type, (config) => builder(config))`, so that models using it
 * load again (see docs/custom-encoder.md).
 */
export interface StepSpec {
  /** Registry key; equals `config.type`. */
  readonly type: string;
  /** JSON options; `{type, ...options}` is what the encoder's `getConfig()` records. */
  readonly config: StepConfig;
  /** Creates the weights (from `ctx.rng`) for an input of this kind and width; throws `ctx.shapeError` on a misfit. */
  build(input: Port, ctx: BuildContext): Step;
}

/** Throws unless `input.kind` is one of `kinds`. */
export function expectKind(input: Port, kinds: readonly PortKind[], ctx: BuildContext): void {
  if (!kinds.includes(input.kind)) {
    throw ctx.shapeError(`input ${kinds.map(describeKind).join(' or ')}`, `${describePort(input)}`);
  }
}

/** `token ids [B,T]`, `a sequence [B,T,128]`, `a vector [B,64]`. */
export function describePort(port: Port): string {
  if (port.kind === 'tokens') return 'token ids [B,T]';
  return port.kind === 'sequence' ? `a sequence [B,T,${port.dim}]` : `a vector [B,${port.dim}]`;
}

function describeKind(kind: PortKind): string {
  return kind === 'tokens'
    ? 'token ids [B,T]'
    : kind === 'sequence'
      ? 'a sequence [B,T,D]'
      : 'a vector [B,D]';
}
