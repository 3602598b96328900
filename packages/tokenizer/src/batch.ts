import { SiameseError } from '@siamese/core';

/** Output of every tokenizer's `encodeBatch`; every array is row-major. */
export interface EncodedBatch {
  /** Token ids, B×T; right-padded with the padding id (0). */
  ids: Int32Array;
  /** Number of real tokens per row (0 for texts without tokens). */
  lengths: Int32Array;
  /** 1 for real tokens, 0 for padding, B×T. */
  mask: Uint8Array;
  /** `[B, T]`; T ≥ 1 even when every text is empty, so shapes are never degenerate. */
  shape: [number, number];
  /** With `ngrams`: B×T×K n-gram ids, each `bucket + 1` (0 is padding). */
  ngramIds?: Int32Array;
  /** With `ngrams`: `[B, T, K]`, K = `maxPerToken`, or the most n-grams of any token when unbounded. */
  ngramShape?: [number, number, number];
}

/** The shape options shared by every tokenizer's `encodeBatch`. */
export interface BatchShapeOptions {
  /** Longest row in tokens; default: no limit. */
  maxLength?: number;
  /** `'longest'` (default): T = longest row; `'max'`: T = `maxLength`. */
  padding?: 'longest' | 'max';
  /** Cut rows longer than `maxLength` (default `true`); when `false` such a row throws `E_SEQUENCE_TOO_LONG`. */
  truncation?: boolean;
}

/** {@link BatchShapeOptions} with defaults filled in and checked. */
export interface ResolvedBatchShape {
  maxLength: number;
  padding: 'longest' | 'max';
  truncation: boolean;
}

/** Fills the defaults and validates (typed `E_INVALID_ARGUMENT` errors). */
export function resolveBatchShape(options: BatchShapeOptions): ResolvedBatchShape {
  const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY;
  if (!(maxLength >= 1) || (maxLength !== Number.POSITIVE_INFINITY && !Number.isInteger(maxLength))) {
    throw new SiameseError('E_INVALID_ARGUMENT', `maxLength: expected an integer >= 1, found ${maxLength}`);
  }
  const padding = options.padding ?? 'longest';
  if (padding !== 'longest' && padding !== 'max') {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `padding: expected 'longest' or 'max', found ${JSON.stringify(padding)}`,
    );
  }
  if (padding === 'max' && maxLength === Number.POSITIVE_INFINITY) {
    throw new SiameseError('E_INVALID_ARGUMENT', "padding 'max' needs maxLength");
  }
  return { maxLength, padding, truncation: options.truncation ?? true };
}

/**
 * Right-pads rows held in one flat buffer (row b is `flat[rowStart[b], rowStart[b] + lengths[b])`) into B×T ids
 * (padding 0) and a mask; T is the longest row (at least 1) or `maxLength` with `padding: 'max'`.
 */
export function padRows(
  flat: Int32Array,
  rowStart: Int32Array,
  lengths: Int32Array,
  shape: ResolvedBatchShape,
): { ids: Int32Array; mask: Uint8Array; shape: [number, number] } {
  const B = lengths.length;
  let longest = 0;
  for (let b = 0; b < B; b++) if (lengths[b]! > longest) longest = lengths[b]!;
  const T = shape.padding === 'max' ? shape.maxLength : Math.max(1, longest);
  const ids = new Int32Array(B * T);
  const mask = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) {
    const base = b * T;
    const len = lengths[b]!;
    ids.set(flat.subarray(rowStart[b]!, rowStart[b]! + len), base);
    mask.fill(1, base, base + len);
  }
  return { ids, mask, shape: [B, T] };
}

/** A batch from rows of ids already cut to `shape.maxLength` (see {@link padRows}). */
export function batchFromRows(rows: readonly (readonly number[])[], shape: ResolvedBatchShape): EncodedBatch {
  const lengths = Int32Array.from(rows, (r) => r.length);
  const rowStart = new Int32Array(rows.length);
  let total = 0;
  for (let b = 0; b < rows.length; b++) {
    rowStart[b] = total;
    total += rows[b]!.length;
  }
  const flat = new Int32Array(total);
  for (let b = 0; b < rows.length; b++) flat.set(rows[b]!, rowStart[b]!);
  const { ids, mask, shape: dims } = padRows(flat, rowStart, lengths, shape);
  return { ids, lengths, mask, shape: dims };
}
