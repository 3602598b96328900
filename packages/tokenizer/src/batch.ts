import { InvalidArgumentError } from '@siamese/core';

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
    throw new InvalidArgumentError(`maxLength: expected an integer >= 1, found ${maxLength}`);
  }
  const padding = options.padding ?? 'longest';
  if (padding !== 'longest' && padding !== 'max') {
    throw new InvalidArgumentError(`padding: expected 'longest' or 'max', found ${JSON.stringify(padding)}`);
  }
  if (padding === 'max' && maxLength === Number.POSITIVE_INFINITY) {
    throw new InvalidArgumentError("padding 'max' needs maxLength");
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
