import type { TextNormalizer } from './normalize-text.js';

/** Options of {@link dedupePairs}. */
export interface DedupeOptions {
  /** Treat (a, b) and (b, a) as the same pair. Default `false`. */
  orderInsensitive?: boolean;
  /** Text identity; default: exact text. Pass `normalizeText` to ignore case, width and spacing. */
  normalize?: TextNormalizer;
}

/** Removes repeated pairs, keeping the first occurrence (and so the input order). */
export function dedupePairs<T extends { text1: string; text2: string }>(
  pairs: readonly T[],
  options: DedupeOptions = {},
): { pairs: T[]; removed: number } {
  const norm = options.normalize ?? ((t: string) => t);
  const seen = new Set<string>();
  const out: T[] = [];
  for (const p of pairs) {
    let x = norm(p.text1);
    let y = norm(p.text2);
    if (options.orderInsensitive && y < x) [x, y] = [y, x];
    // Length prefix keeps the key unambiguous whatever characters the texts hold.
    const key = `${x.length}:${x}${y}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return { pairs: out, removed: pairs.length - out.length };
}
