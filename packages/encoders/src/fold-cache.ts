import { gradientTapeOn } from '@siamese/backend/internals';
import { keep, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { RunContext } from './step.js';

/** Default {@link FoldOptions.maxBytes}: 128 MiB for all the folded tables of one layer. */
export const DEFAULT_FOLD_MAX_BYTES = 128 * 1024 * 1024;

/**
 * Inference folding: when an embedding feeds an LSTM or CNN directly, inference (`training: false`, no gradient
 * tape) reads precomputed tables `P = E·W (+ b)` (one per LSTM direction, one per CNN kernel offset) instead of
 * looking up `[B,T,E]` and multiplying. Tables are rebuilt whenever a weight is reassigned.
 */
export interface FoldOptions {
  /**
   * Most bytes one layer may keep in folded tables, all of them together (default 128 MiB): a BiLSTM keeps two
   * `[V, 4H]` tables, a CNN one `[V + 1, F]` table per kernel offset (Σ widths). A layer that would need more runs
   * unfolded.
   */
  maxBytes?: number;
}

/** Resolves the `fold` option of a sequential encoder to the per-table byte cap (0 = folding off). */
export function foldMaxBytes(option: boolean | FoldOptions | undefined): number {
  if (option === false) return 0;
  if (option === undefined || option === true) return DEFAULT_FOLD_MAX_BYTES;
  return option.maxBytes ?? DEFAULT_FOLD_MAX_BYTES;
}

/** Folding is for plain inference only: never while training or while a gradient tape records. */
export function canFold(run: RunContext, bytes: number): boolean {
  const cap = run.foldMaxBytes ?? 0;
  if (run.training || cap <= 0 || bytes > cap) return false;
  return !gradientTapeOn();
}

/**
 * Holds a step's folded tables, keyed on the identity of its weights' `dataId`s: `Variable.assign` (optimizers,
 * loading saved weights) gives a variable a new `dataId`, which drops the tables. Nothing in the SDK writes a
 * variable's buffer in place (the encoder tests check that folded outputs follow an optimizer step).
 *
 * A table costs one `[V, E]` product to build, so it is built on the second call that sees the same weights:
 * weights that change between every inference call (an encode after each training step) never pay for it.
 */
export class FoldCache {
  private key: object[] = [];
  private seen: object[] = [];
  private tables: Tensor[] = [];

  /**
   * The tables for the current `weights` (built by `build`, inside its own tidy), or null on the first call
   * with these weights: the caller then runs unfolded.
   */
  get(weights: readonly Tensor[], build: () => Tensor[]): Tensor[] | null {
    const key = weights.map((w) => w.dataId as object);
    if (this.tables.length > 0 && sameIds(key, this.key)) return this.tables;
    this.dispose();
    if (!sameIds(key, this.seen)) {
      this.seen = key;
      return null;
    }
    const tables = tidy(build);
    for (const t of tables) keep(t);
    this.tables = tables;
    this.key = key;
    return tables;
  }

  /** Releases the tables. */
  dispose(): void {
    for (const t of this.tables) t.dispose();
    this.tables = [];
    this.key = [];
  }
}

function sameIds(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
