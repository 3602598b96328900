/**
 * Character classes of the Hugging Face `tokenizers` library (Rust), so that our tokenizer.json pipeline splits
 * and cleans text exactly as the reference does: `char::is_whitespace` (White_Space), `unicode_categories`'
 * `is_other` (Cc, Cf, Cn, Co), `is_punctuation` (P*), `char::is_numeric` (N*), and the regex crate's Unicode `\w`.
 * ASCII is a table; other code points are classified once by Unicode property regexes and cached.
 */

import { isCjk } from '../unicode.js';

const WS = 1;
const OTHER = 2;
const PUNCT = 4;
const NUMERIC = 8;
const WORD = 16;
const MARK = 32;
const NONSPACING = 64;

const RE = {
  ws: /^\p{White_Space}$/u,
  other: /^[\p{Cc}\p{Cf}\p{Cn}\p{Co}]$/u,
  punct: /^\p{P}$/u,
  numeric: /^\p{N}$/u,
  word: /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u,
  mark: /^\p{M}$/u,
  nonspacing: /^\p{Mn}$/u,
};

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let f = 0;
  if (RE.ws.test(ch)) f |= WS;
  if (RE.other.test(ch)) f |= OTHER;
  // Rust's is_ascii_punctuation also counts the ASCII symbols ($, +, <, =, >, ^, `, |, ~).
  if (RE.punct.test(ch) || (cp < 128 && /[!-/:-@[-`{-~]/.test(ch))) f |= PUNCT;
  if (RE.numeric.test(ch)) f |= NUMERIC;
  if (RE.word.test(ch)) f |= WORD;
  if (RE.mark.test(ch)) f |= MARK;
  if (RE.nonspacing.test(ch)) f |= NONSPACING;
  return f;
}

const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII[c] = classify(c);
const cache = new Map<number, number>();

function flags(cp: number): number {
  if (cp < 128) return ASCII[cp]!;
  let f = cache.get(cp);
  if (f === undefined) {
    f = classify(cp);
    if (cache.size > 65536) cache.clear();
    cache.set(cp, f);
  }
  return f;
}

/** Rust `char::is_whitespace` (the Unicode White_Space property). */
export const isWhitespace = (cp: number): boolean => (flags(cp) & WS) !== 0;
/** `unicode_categories` `is_other`: control, format, unassigned and private-use characters. */
export const isOther = (cp: number): boolean => (flags(cp) & OTHER) !== 0;
/** ASCII punctuation or symbols, or any Unicode punctuation (the `BertPreTokenizer` / `Punctuation` test). */
export const isPunctuation = (cp: number): boolean => (flags(cp) & PUNCT) !== 0;
/** Rust `char::is_numeric` (Nd, Nl, No). */
export const isNumeric = (cp: number): boolean => (flags(cp) & NUMERIC) !== 0;
/** The regex crate's Unicode `\w`. */
export const isWordChar = (cp: number): boolean => (flags(cp) & WORD) !== 0;
/** Any combining mark (Mn, Mc, Me): what the `StripAccents` normalizer removes. */
export const isMark = (cp: number): boolean => (flags(cp) & MARK) !== 0;
/** A non-spacing mark (Mn): what `BertNormalizer` removes after NFD when it strips accents. */
export const isNonSpacingMark = (cp: number): boolean => (flags(cp) & NONSPACING) !== 0;

/**
 * The CJK ranges `BertNormalizer` puts spaces around (tokenizers `normalizers/bert.rs`, `is_chinese_char`): BERT's
 * own ranges ({@link isCjk}) except U+2B820–U+2B91F, where the Rust crate's Extension E range starts later.
 */
export function isChineseChar(cp: number): boolean {
  return isCjk(cp) && !(cp >= 0x2b820 && cp < 0x2b920);
}

const lowerCache = new Map<number, string>();

/** Rust `char::to_lowercase` per character (no context: a final Σ becomes σ, unlike `String#toLowerCase`). */
export function lowercaseChars(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 128) {
      out += ch.toLowerCase();
      continue;
    }
    let l = lowerCache.get(cp);
    if (l === undefined) {
      l = ch.toLowerCase();
      if (lowerCache.size > 65536) lowerCache.clear();
      lowerCache.set(cp, l);
    }
    out += l;
  }
  return out;
}

/** Keeps the characters for which `keep(cp)` holds (by code point). */
export function filterChars(s: string, keep: (cp: number) => boolean): string {
  let out = '';
  for (const ch of s) if (keep(ch.codePointAt(0)!)) out += ch;
  return out;
}
