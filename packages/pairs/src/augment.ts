/**
 * Symmetric augmentation: returns the pairs followed by a swapped copy of each (`text1` ↔ `text2`), so an
 * order-sensitive model sees both directions. The output has twice as many records.
 */
export function symmetricPairs<T extends { text1: string; text2: string }>(pairs: readonly T[]): T[] {
  const out = pairs.slice() as T[];
  for (const p of pairs) out.push({ ...p, text1: p.text2, text2: p.text1 });
  return out;
}
