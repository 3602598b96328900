import type { Rng } from '@siamese/core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { EncoderShapeError } from './errors.js';
import type { TokenTable } from './token-table.js';
import type { EncoderInput } from './types.js';

/** What flows between steps: token ids, a per-token sequence `[B,T,D]`, or one vector per sentence `[B,D]`. */
export type PortKind = 'tokens' | 'sequence' | 'vector';

/** The kind and width (D; 0 for tokens) a step produces or receives. */
export interface Port {
  readonly kind: PortKind;
  readonly dim: number;
}

/** JSON config of one step: `{ type, ...options }`. */
export interface StepConfig {
  type: string;
  [option: string]: unknown;
}

/** Given to {@link StepSpec.build}: the step's seeded random stream and a way to report misfits. */
export interface BuildContext {
  /** Seeded stream for this step's initial weights (forked per step, so steps do not shift each other). */
  readonly rng: Rng;
  /** Index of the step inside its `sequential`. */
  readonly index: number;
  /** Creates the {@link EncoderShapeError} for this step (the caller throws it). */
  shapeError(expected: string, found: string): EncoderShapeError;
}

/** Per-call state of `encode`. */
export interface RunContext {
  readonly training: boolean;
  readonly rng: Rng;
  /** Per-table byte cap of inference folding (see `FoldOptions`); 0 or absent turns it off. */
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
 * yet. `sequential` builds it once it knows the incoming kind and width.
 */
export interface StepSpec {
  readonly type: string;
  /** JSON options; `{type, ...options}` is what `getConfig()` records. */
  readonly config: StepConfig;
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
