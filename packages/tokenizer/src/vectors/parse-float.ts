const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parses the decimal number in `s[start, end)` without allocating. Plain decimals with at most 15
 * significant digits and a small exponent (every GloVe / word2vec / fastText value) are computed as
 * `mantissa / 10^k`, which is exact-then-correctly-rounded, i.e. the same double as `Number()`.
 * Anything else falls back to `Number(slice)`. Returns `NaN` when the text is not a number.
 */
export function parseDecimal(s: string, start: number, end: number): number {
  let i = start;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  let mant = 0;
  let digits = 0;
  let exp = 0;
  while (i < end) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    mant = mant * 10 + (c - 48);
    digits++;
    i++;
  }
  if (i < end && c === 46) {
    i++;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mant = mant * 10 + (c - 48);
      digits++;
      exp--;
      i++;
    }
  }
  if (i < end && (c === 101 || c === 69) && digits > 0) {
    i++;
    let eneg = false;
    c = s.charCodeAt(i);
    if (c === 45) {
      eneg = true;
      i++;
    } else if (c === 43) i++;
    let e = 0;
    let ed = 0;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      e = e * 10 + (c - 48);
      ed++;
      i++;
    }
    if (ed === 0) return Number.NaN;
    exp += eneg ? -e : e;
  }
  if (i !== end || digits === 0 || digits > 15 || exp < -22 || exp > 22) return slowParse(s, start, end);
  const v = exp < 0 ? mant / POW10[-exp]! : mant * POW10[exp]!;
  return neg ? -v : v;
}

function slowParse(s: string, start: number, end: number): number {
  const t = s.slice(start, end);
  // Number('') is 0 and Number('0x1') is 1: only decimal-looking text counts.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number.NaN;
  return Number(t);
}
