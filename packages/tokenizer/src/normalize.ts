import { assertString, SiameseError } from '@siamese/core';
import { isMark } from './unicode.js';

/** Unicode normalisation form applied to each character (with its combining marks). */
export type NormalizationForm = 'NFKC' | 'NFC' | 'none';

/** How text is normalised before it is split into tokens. */
export interface NormalizerOptions {
  /** Unicode form; default `'NFKC'` (folds full-width letters, ligatures, `½` → `1⁄2`). */
  form?: NormalizationForm;
  /** Lower-case (locale-independent `toLowerCase`); default `true` (GloVe is lower-case). */
  lowercase?: boolean;
  /** Remove accents: NFD, drop combining marks (`\p{Mn}`), recompose; default `false`. */
  stripAccents?: boolean;
  /** `normalize()` only: turn whitespace runs into one space and trim; default `true`. */
  collapseWhitespace?: boolean;
}

/** Normaliser options with every default filled in. */
export type ResolvedNormalizerOptions = Required<NormalizerOptions>;

/** Fills defaults and validates the options. */
export function resolveNormalizerOptions(options: NormalizerOptions = {}): ResolvedNormalizerOptions {
  const form = options.form ?? 'NFKC';
  if (form !== 'NFKC' && form !== 'NFC' && form !== 'none') {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `form: expected 'NFKC', 'NFC' or 'none', found ${JSON.stringify(form)}`,
    );
  }
  return {
    form,
    lowercase: options.lowercase ?? true,
    stripAccents: options.stripAccents ?? false,
    collapseWhitespace: options.collapseWhitespace ?? true,
  };
}

/**
 * Normalised text plus, when it differs in layout from the original, where each UTF-16 unit came from.
 * `starts[i]`/`ends[i]` are the original `[start, end)` of the character group that produced unit `i`.
 * `null` maps mean the identity (unit `i` came from original unit `i`).
 */
export interface AlignedText {
  readonly text: string;
  readonly starts: Int32Array | null;
  readonly ends: Int32Array | null;
}

const ASCII_ONLY = /^[\0-\x7f]*$/;
const COMBINING = /\p{Mn}/gu;
const SPACES = /\s+/g;

/**
 * Normalises text one character group (a starter plus its combining marks) at a time, keeping an alignment
 * back to the original. Per-group normalisation equals whole-string normalisation except for a few
 * cross-group compositions (conjoining Hangul jamo), which is the price of exact offsets.
 */
export class Normalizer {
  /** The resolved options. */
  readonly options: ResolvedNormalizerOptions;
  private readonly cache = new Map<string, string>();

  constructor(options: NormalizerOptions = {}) {
    this.options = resolveNormalizerOptions(options);
  }

  /** Normalises `text` (see {@link NormalizerOptions}); never throws on any string. */
  normalize(text: string): string {
    assertString(text, 'text');
    const out = this.align(text).text;
    return this.options.collapseWhitespace ? out.replace(SPACES, ' ').trim() : out;
  }

  /** Normalises one group (cached: the same accented letters recur). */
  private group(g: string): string {
    let r = this.cache.get(g);
    if (r !== undefined) return r;
    const { form, lowercase, stripAccents } = this.options;
    r = g;
    const c = r.charCodeAt(0);
    if (r.length === 1 && c >= 0xd800 && c <= 0xdfff) r = '\ufffd';
    if (form !== 'none') r = r.normalize(form);
    if (lowercase) r = r.toLowerCase();
    if (stripAccents)
      r = r
        .normalize('NFD')
        .replace(COMBINING, '')
        .normalize(form === 'none' ? 'NFC' : form);
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(g, r);
    return r;
  }

  /** Normalises `text` and records the alignment; the tokenizers run on `text` of the result. */
  align(text: string): AlignedText {
    const lc = this.options.lowercase;
    // ASCII is invariant under NFC/NFKC and accent stripping: the common case is one native call.
    if (ASCII_ONLY.test(text)) return { text: lc ? text.toLowerCase() : text, starts: null, ends: null };
    const parts: string[] = [];
    // Created at the first group whose normalised form changes the layout; until then the map is the identity.
    let map: AlignmentBuilder | null = null;
    let outLen = 0;
    let runStart = 0;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (next < 0x300 || !isMark(next)) {
          i++;
          continue;
        }
      }
      // Flush the ASCII run before this group.
      if (i > runStart) {
        const run = text.slice(runStart, i);
        parts.push(lc ? run.toLowerCase() : run);
        map?.identity(runStart, i);
        outLen += i - runStart;
      }
      const gStart = i;
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
      if (c < 0xd800 || c > 0xdfff || i - gStart === 2) {
        // Attach following combining marks (never to a lone surrogate).
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d < 0x300) break;
          if (d >= 0xd800 && d <= 0xdbff && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
            const cp = (d - 0xd800) * 0x400 + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000;
            if (!isMark(cp)) break;
            i += 2;
          } else if (d < 0xd800 || d > 0xdfff) {
            if (!isMark(d)) break;
            i++;
          } else break;
        }
      }
      const g = text.slice(gStart, i);
      const r = this.group(g);
      const same = r === g || (r.length === 1 && g.length === 1);
      if (!same && !map) {
        map = new AlignmentBuilder();
        map.identity(0, outLen);
      }
      if (same) map?.identity(gStart, i);
      else map?.group(gStart, i, r.length);
      parts.push(r);
      outLen += r.length;
      runStart = i;
    }
    if (n > runStart) {
      const run = text.slice(runStart, n);
      parts.push(lc ? run.toLowerCase() : run);
      map?.identity(runStart, n);
    }
    return {
      text: parts.join(''),
      starts: map ? Int32Array.from(map.starts) : null,
      ends: map ? Int32Array.from(map.ends) : null,
    };
  }
}

/** Growing alignment: original `[start, end)` per normalised UTF-16 unit. */
class AlignmentBuilder {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Units `from..to` of the original map to themselves. */
  identity(from: number, to: number): void {
    for (let k = from; k < to; k++) {
      this.starts.push(k);
      this.ends.push(k + 1);
    }
  }
  /** `count` normalised units all come from the original group `[start, end)`. */
  group(start: number, end: number, count: number): void {
    for (let k = 0; k < count; k++) {
      this.starts.push(start);
      this.ends.push(end);
    }
  }
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** One-shot {@link Normalizer.normalize}: `normalize('Ｃafé  ！', { stripAccents: true })` → `'cafe !'`. */
export function normalize(text: string, options: NormalizerOptions = {}): string {
  return new Normalizer(options).normalize(text);
}
