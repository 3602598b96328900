/**
 * Character classes used by the word tokenizer. ASCII is a table lookup; everything else is classified once
 * with Unicode property regexes and cached, so the hot loop never runs a regex per character.
 */

/** Separator: whitespace, control and format characters. */
export const SPACE = 0;
/** Part of a word: letters, digits, combining marks. */
export const WORD = 1;
/** A CJK ideograph: always a token of its own (as BERT does). */
export const CJK = 2;
/** A pictographic emoji or a regional indicator: starts an emoji token. */
export const EMOJI = 3;
/** An apostrophe (`'` or `’`): clitics such as `'s` and `n't`. */
export const APOS = 4;
/** Punctuation and other symbols: one token per character. */
export const PUNCT = 5;

const ASCII = new Uint8Array(128).fill(PUNCT);
for (let c = 0; c < 33; c++) ASCII[c] = SPACE;
ASCII[127] = SPACE;
for (let c = 48; c <= 57; c++) ASCII[c] = WORD;
for (let c = 65; c <= 90; c++) ASCII[c] = WORD;
for (let c = 97; c <= 122; c++) ASCII[c] = WORD;
ASCII[39] = APOS;

const RE_SPACE = /^[\s\p{Z}\p{Cc}\p{Cf}]$/u;
const RE_WORD = /^[\p{L}\p{N}\p{M}]$/u;
const RE_EMOJI = /^\p{Extended_Pictographic}$/u;
const RE_MARK = /^\p{M}$/u;

const cache = new Map<number, number>();

/** True for the CJK Unified Ideograph blocks BERT's BasicTokenizer splits per character. */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** True for regional-indicator letters (flags are pairs of them). */
export function isRegionalIndicator(cp: number): boolean {
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/** Class of a code point (one of the constants above). */
export function classOf(cp: number): number {
  if (cp < 128) return ASCII[cp]!;
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  let cls: number;
  const ch = String.fromCodePoint(cp);
  if (cp === 0x2019) cls = APOS;
  else if (isCjk(cp)) cls = CJK;
  else if (isRegionalIndicator(cp) || RE_EMOJI.test(ch)) cls = EMOJI;
  else if (RE_SPACE.test(ch)) cls = SPACE;
  else if (RE_WORD.test(ch)) cls = WORD;
  else cls = PUNCT;
  // Lone surrogates are never looked up (the normaliser replaces them), so the cache stays small.
  if (cache.size > 65536) cache.clear();
  cache.set(cp, cls);
  return cls;
}

const markCache = new Map<number, boolean>();

/** True for combining marks (`\p{M}`), which belong to the character before them. */
export function isMark(cp: number): boolean {
  if (cp < 0x300) return false;
  let m = markCache.get(cp);
  if (m === undefined) {
    m = RE_MARK.test(String.fromCodePoint(cp));
    if (markCache.size > 65536) markCache.clear();
    markCache.set(cp, m);
  }
  return m;
}

/** True for code points that extend an emoji: variation selectors, skin tones, keycap, tags. */
export function isEmojiModifier(cp: number): boolean {
  return (
    cp === 0xfe0f ||
    cp === 0xfe0e ||
    cp === 0x20e3 ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
    (cp >= 0xe0020 && cp <= 0xe007f)
  );
}

/** True for `\p{Extended_Pictographic}` (cached via {@link classOf}). */
export function isPictographic(cp: number): boolean {
  return cp >= 128 && classOf(cp) === EMOJI && !isRegionalIndicator(cp);
}

/**
 * Code point at `i` of a string known to be well-formed, or a lone surrogate's own value (callers that may
 * see lone surrogates check for them first).
 */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** Replaces lone surrogates with U+FFFD (`String.prototype.toWellFormed` where the runtime has it). */
export function toWellFormed(s: string): string {
  const f = (s as { toWellFormed?: () => string }).toWellFormed;
  if (typeof f === 'function') return f.call(s);
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    out += `${s.slice(last, i)}\ufffd`;
    last = i + 1;
  }
  return last === 0 ? s : out + s.slice(last);
}
