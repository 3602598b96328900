import { assertString } from '@siamese/core';
import { type AlignedText, Normalizer, type NormalizerOptions } from './normalize.js';
import {
  APOS,
  CJK,
  classOf,
  codePointAt,
  EMOJI,
  isEmojiModifier,
  isPictographic,
  isRegionalIndicator,
  SPACE,
  WORD,
} from './unicode.js';

/** A token and where it came from: `[start, end)` are UTF-16 offsets into the ORIGINAL text. */
export interface Token {
  /** The normalised token text. */
  readonly text: string;
  /** Start offset (inclusive) in the original, un-normalised string. */
  readonly start: number;
  /** End offset (exclusive) in the original, un-normalised string. */
  readonly end: number;
}

/** Options of the word tokenizer (normalisation options included). */
export interface WordTokenizerOptions extends NormalizerOptions {
  /** Split `well-known` into `well`, `-`, `known` (default `true`; most hyphenated words are rare). */
  splitHyphens?: boolean;
  /**
   * Keep a trailing period on known abbreviations (`mr.`, `dr.`, `inc.`) and letter acronyms (`u.s.`,
   * `e.g.`), as GloVe's tokenizer did; default `true`.
   */
  abbreviations?: boolean;
}

/** Word-tokenizer options with every default filled in. */
export interface ResolvedWordTokenizerOptions extends Required<NormalizerOptions> {
  splitHyphens: boolean;
  abbreviations: boolean;
}

/** Clitics split off a word (`it's` → `it` `'s`), as in the Penn Treebank tokenisation GloVe used. */
const CLITICS = new Set(['s', 're', 've', 'm', 'll', 'd']);

/** Abbreviations that keep their period (all in GloVe's top 10k with the period). */
const ABBREVIATIONS = new Set(
  (
    'mr mrs ms dr jr sr st inc corp co ltd vs etc gen sen rep gov lt col maj capt sgt rev bros ' +
    'jan feb aug sept oct nov dec calif fla mass va ga md'
  ).split(' '),
);

/** Emits a token as `[start, end)` in the normalised text. */
export type TokenSink = (start: number, end: number) => void;

const DOT = 46;
const HYPHEN = 45;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isApos(c: number): boolean {
  return c === 39 || c === 0x2019;
}
/** Class of the code point at `i` and its length in UTF-16 units (packed as cls * 4 + len). */
function at(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 128) return classOf(c) * 4 + 1;
  const cp = codePointAt(s, i);
  return classOf(cp) * 4 + (cp > 0xffff ? 2 : 1);
}

/**
 * Splits normalised text into words, numbers, clitics, punctuation, emoji and CJK characters.
 * Rules (chosen to match GloVe's Penn-Treebank-style vocabulary):
 * - words are runs of letters, digits and combining marks; `don't` → `do` `n't`, `it's` → `it` `'s`,
 *   other inner apostrophes stay (`o'brien`);
 * - numbers keep inner `.`, `,`, `:` between digits (`1,000`, `3.5`, `10:30`);
 * - each punctuation character is a token, except runs of `.` (`...`) and `-` (`--`);
 * - each CJK ideograph is a token; an emoji with its modifiers / ZWJ sequence / flag pair is one token.
 */
export function scanTokens(s: string, opts: ResolvedWordTokenizerOptions, emit: TokenSink): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const p = at(s, i);
    const cls = p >> 2;
    const len = p & 3;
    if (cls === SPACE) {
      i += len;
    } else if (cls === WORD) {
      i = scanWord(s, i, opts, emit);
    } else if (cls === CJK) {
      emit(i, i + len);
      i += len;
    } else if (cls === EMOJI) {
      const e = scanEmoji(s, i, len);
      emit(i, e);
      i = e;
    } else if (cls === APOS) {
      // A clitic written on its own (`'s` after a space, as in re-tokenised output) stays one token.
      let r = i + 1;
      while (r < n && at(s, r) >> 2 === WORD) r += at(s, r) & 3;
      if (r > i + 1 && CLITICS.has(s.slice(i + 1, r).toLowerCase())) {
        emit(i, r);
        i = r;
      } else {
        const c = s.charCodeAt(i);
        r = i + 1;
        while (r < n && s.charCodeAt(r) === c) r++;
        emit(i, r);
        i = r;
      }
    } else {
      const c = s.charCodeAt(i);
      let r = i + len;
      if (c === DOT || (c === HYPHEN && opts.splitHyphens)) while (r < n && s.charCodeAt(r) === c) r++;
      emit(i, r);
      i = r;
    }
  }
}

function scanWord(s: string, j: number, opts: ResolvedWordTokenizerOptions, emit: TokenSink): number {
  const n = s.length;
  let k = j;
  for (;;) {
    while (k < n) {
      const p = at(s, k);
      if (p >> 2 !== WORD) break;
      k += p & 3;
    }
    if (k >= n) break;
    const c = s.charCodeAt(k);
    if ((c === DOT || c === 44 || c === 58) && isDigit(s.charCodeAt(k - 1)) && isDigit(s.charCodeAt(k + 1))) {
      k++;
      continue;
    }
    if (!opts.splitHyphens && c === HYPHEN && k + 1 < n && at(s, k + 1) >> 2 === WORD) {
      k++;
      continue;
    }
    if (isApos(c) && k + 1 < n && at(s, k + 1) >> 2 === WORD) {
      let r = k + 1;
      while (r < n) {
        const p = at(s, r);
        if (p >> 2 !== WORD) break;
        r += p & 3;
      }
      const suffix = s.slice(k + 1, r).toLowerCase();
      if (suffix === 't' && k - 1 > j && (s.charCodeAt(k - 1) | 32) === 110) {
        emit(j, k - 1);
        emit(k - 1, r);
        return r;
      }
      if (CLITICS.has(suffix)) {
        emit(j, k);
        emit(k, r);
        return r;
      }
      k = r;
      continue;
    }
    break;
  }
  if (opts.abbreviations && k < n && s.charCodeAt(k) === DOT) {
    if (k - j === 1 && isAsciiLetter(s.charCodeAt(j))) {
      // Letter acronyms: u.s. / e.g. / p.m. (at least two letters, each followed by a period).
      let e = k;
      while (
        e + 2 < n &&
        s.charCodeAt(e) === DOT &&
        isAsciiLetter(s.charCodeAt(e + 1)) &&
        s.charCodeAt(e + 2) === DOT &&
        (e + 3 >= n || at(s, e + 3) >> 2 !== WORD)
      ) {
        e += 2;
      }
      if (e > k) {
        emit(j, e + 1);
        return e + 1;
      }
    } else if (k - j <= 5 && ABBREVIATIONS.has(s.slice(j, k).toLowerCase())) {
      emit(j, k + 1);
      return k + 1;
    }
  }
  emit(j, k);
  return k;
}

function scanEmoji(s: string, i: number, len: number): number {
  const n = s.length;
  const first = codePointAt(s, i);
  let e = i + len;
  if (isRegionalIndicator(first)) {
    if (e < n && isRegionalIndicator(codePointAt(s, e))) e += 2;
    return e;
  }
  while (e < n) {
    const cp = codePointAt(s, e);
    const l = cp > 0xffff ? 2 : 1;
    if (isEmojiModifier(cp)) {
      e += l;
    } else if (cp === 0x200d && e + 1 < n) {
      const nx = codePointAt(s, e + 1);
      if (!isPictographic(nx)) break;
      e += 1 + (nx > 0xffff ? 2 : 1);
    } else break;
  }
  return e;
}

/**
 * Normalises then splits text into {@link Token}s with offsets into the original string.
 *
 * @example
 * ```ts
 * new WordTokenizer().tokenize("Don't panic!").map((t) => t.text) // ['do', "n't", 'panic', '!']
 * ```
 */
export class WordTokenizer {
  /** The resolved options (normalisation included). */
  readonly options: ResolvedWordTokenizerOptions;
  /** The normaliser this tokenizer runs first. */
  readonly normalizer: Normalizer;

  constructor(options: WordTokenizerOptions = {}) {
    this.normalizer = new Normalizer(options);
    this.options = {
      ...this.normalizer.options,
      splitHyphens: options.splitHyphens ?? true,
      abbreviations: options.abbreviations ?? true,
    };
  }

  /** Normalised text (see {@link Normalizer.normalize}). */
  normalize(text: string): string {
    return this.normalizer.normalize(text);
  }

  /** Tokens with their original offsets. Never throws on a string input. */
  tokenize(text: string): Token[] {
    assertString(text, 'text');
    const al = this.normalizer.align(text);
    const out: Token[] = [];
    scanTokens(al.text, this.options, (a, b) => {
      out.push({ text: al.text.slice(a, b), start: originalStart(al, a), end: originalEnd(al, b) });
    });
    return out;
  }

  /** Token strings only (no offsets): the fast path for vocabulary building. */
  tokenizeToStrings(text: string): string[] {
    assertString(text, 'text');
    const s = this.normalizer.align(text).text;
    const out: string[] = [];
    scanTokens(s, this.options, (a, b) => out.push(s.slice(a, b)));
    return out;
  }

  /** Calls `visit` with each token string; no arrays are allocated. */
  forEachToken(text: string, visit: (token: string) => void): void {
    assertString(text, 'text');
    const s = this.normalizer.align(text).text;
    scanTokens(s, this.options, (a, b) => visit(s.slice(a, b)));
  }
}

function originalStart(al: AlignedText, a: number): number {
  return al.starts ? al.starts[a]! : a;
}
function originalEnd(al: AlignedText, b: number): number {
  return al.ends ? al.ends[b - 1]! : b;
}
