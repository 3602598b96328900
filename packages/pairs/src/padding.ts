/** Token counts of a set of batches padded to their longest example. */
export interface PaddingStats {
  /** Sum of the real lengths. */
  tokens: number;
  /** Sum over batches of `batch length × longest length`. */
  padded: number;
  /** Share of padded positions that are padding: `1 − tokens / padded` (0 when nothing is padded). */
  paddingRatio: number;
}

/** Measures the padding of `batches` when each batch is padded to its longest example. */
export function paddingStats(batches: Iterable<ArrayLike<number>>, lengths: ArrayLike<number>): PaddingStats {
  let tokens = 0;
  let padded = 0;
  for (const b of batches) {
    let max = 0;
    for (let i = 0; i < b.length; i++) {
      const l = lengths[b[i]!]!;
      tokens += l;
      if (l > max) max = l;
    }
    padded += max * b.length;
  }
  return { tokens, padded, paddingRatio: padded > 0 ? 1 - tokens / padded : 0 };
}
