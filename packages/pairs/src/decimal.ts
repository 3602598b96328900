/** A decimal number as data files write them: `3`, `-0.5`, `.25`, `4.`, `1e-3`. Not `0x10`, `Infinity`, `1_0`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The finite number a decimal string writes (surrounding whitespace ignored), or `undefined`: `Number()` would
 * read `0x10` as 16, `0b1` as 1, `Infinity` and `1e400` as Infinity, and `''` as 0.
 */
export function parseDecimal(text: string): number | undefined {
  const s = text.trim();
  if (!DECIMAL.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}
