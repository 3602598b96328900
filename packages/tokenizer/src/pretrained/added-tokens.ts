/**
 * tokenizer.json `added_tokens`: tokens matched in the text before the model runs (`[CLS]`, `<mask>`, model2vec's
 * multi-word tokens), following huggingface/tokenizers `tokenizer/added_vocabulary.rs` (commit 3ba8ad0): the
 * leftmost-longest match wins; `single_word` refuses matches inside a word; `lstrip`/`rstrip` swallow the
 * whitespace beside the token; tokens with `normalized: false` are matched in the raw text, the others in the
 * normalized text.
 */
import { isWhitespace, isWordChar } from './chars.js';
import { bool, list, malformed, section, str, uint } from './config.js';
import type { NormalizeFn } from './normalizers.js';

/** One added token. */
export interface AddedToken {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** A span of text: either an added token (`id`) or text still to tokenize. */
export interface Span {
  text: string;
  id: number | null;
  /** Starts at offset 0 of the original text. */
  atStart: boolean;
}

/** Parses the `added_tokens` array. */
export function parseAddedTokens(config: unknown): AddedToken[] {
  if (config === null || config === undefined) return [];
  return list({ added_tokens: config }, 'added_tokens', 'tokenizer.json').map((t, i) => {
    const w = `added_tokens[${i}]`;
    const o = section(t, w);
    const special = bool(o, 'special', w, false);
    return {
      id: uint(o, 'id', w),
      content: str(o, 'content', w),
      singleWord: bool(o, 'single_word', w, false),
      lstrip: bool(o, 'lstrip', w, false),
      rstrip: bool(o, 'rstrip', w, false),
      normalized: bool(o, 'normalized', w, !special),
      special,
    };
  });
}

/** Leftmost-longest matcher over a small set of patterns (bucketed by first UTF-16 unit). */
class Matcher {
  private readonly byFirst = new Map<number, [string, AddedToken][]>();
  readonly empty: boolean;

  constructor(entries: [string, AddedToken][]) {
    for (const e of entries) {
      if (e[0] === '') continue;
      const k = e[0].charCodeAt(0);
      const list = this.byFirst.get(k) ?? [];
      list.push(e);
      this.byFirst.set(k, list);
    }
    for (const l of this.byFirst.values()) l.sort((a, b) => b[0].length - a[0].length);
    this.empty = this.byFirst.size === 0;
  }

  /** The longest pattern at `i`, or `null`. */
  at(s: string, i: number): [string, AddedToken] | null {
    const l = this.byFirst.get(s.charCodeAt(i));
    if (l) for (const e of l) if (s.startsWith(e[0], i)) return e;
    return null;
  }
}

function lastCodePoint(s: string, end: number): number {
  const c = s.charCodeAt(end - 1);
  return c >= 0xdc00 && c <= 0xdfff && end > 1 ? s.codePointAt(end - 2)! : c;
}

/** `AddedVocabulary::find_matches`: cuts `s` into added tokens and the text between them. */
function findMatches(s: string, m: Matcher, atStart: boolean): Span[] {
  if (m.empty || s.length === 0) return [{ text: s, id: null, atStart }];
  const out: Span[] = [];
  let startOffset = 0;
  for (let i = 0; i < s.length; ) {
    const hit = m.at(s, i);
    if (!hit) {
      i++;
      continue;
    }
    const [pat, tok] = hit;
    let start = i;
    let stop = i + pat.length;
    i = stop; // the matcher moves past a match even when it is then discarded
    if (tok.singleWord) {
      const startSpace = start === 0 || !isWordChar(lastCodePoint(s, start));
      const stopSpace = stop === s.length || !isWordChar(s.codePointAt(stop)!);
      if (!startSpace || !stopSpace) continue;
    }
    if (tok.lstrip) {
      let j = start;
      while (j > 0 && isWhitespace(lastCodePoint(s, j))) j -= lastCodePoint(s, j) > 0xffff ? 2 : 1;
      start = Math.max(j, startOffset);
    }
    if (tok.rstrip) {
      while (stop < s.length && isWhitespace(s.codePointAt(stop)!))
        stop += s.codePointAt(stop)! > 0xffff ? 2 : 1;
      i = stop;
    }
    if (startOffset < start)
      out.push({ text: s.slice(startOffset, start), id: null, atStart: atStart && startOffset === 0 });
    out.push({ text: s.slice(start, stop), id: tok.id, atStart: false });
    startOffset = stop;
  }
  if (startOffset < s.length)
    out.push({ text: s.slice(startOffset), id: null, atStart: atStart && startOffset === 0 });
  return out;
}

/** Splits on added tokens and normalizes the text between them (`AddedVocabulary::extract_and_normalize`). */
export class AddedVocabulary {
  private readonly raw: Matcher;
  private readonly normalized: Matcher;

  constructor(tokens: readonly AddedToken[], normalize: NormalizeFn) {
    this.raw = new Matcher(tokens.filter((t) => !t.normalized).map((t) => [t.content, t]));
    this.normalized = new Matcher(tokens.filter((t) => t.normalized).map((t) => [normalize(t.content), t]));
  }

  /** Added-token spans and normalized text spans of `text`, in order. */
  extract(text: string, normalize: NormalizeFn): Span[] {
    const out: Span[] = [];
    for (const span of findMatches(text, this.raw, true)) {
      if (span.id !== null) out.push(span);
      else if (span.text !== '') {
        const lead = { deleted: false };
        const normalized = normalize(span.text, lead);
        // Empty pieces are dropped before pre-tokenization (PreTokenizedString::split).
        for (const s of findMatches(normalized, this.normalized, span.atStart && !lead.deleted)) {
          if (s.text !== '') out.push(s);
        }
      }
    }
    return out;
  }
}

/**
 * The ids added tokens really get: a token the model's vocabulary has keeps the model's id (the reference only
 * warns when the file says otherwise: `tokenizer/serialization.rs`); two contents may not claim one id.
 */
export function resolveAddedIds(
  tokens: readonly AddedToken[],
  vocab: ReadonlyMap<string, number>,
): AddedToken[] {
  const byId = new Map<number, string>();
  return tokens.map((t) => {
    const id = vocab.get(t.content) ?? t.id;
    const prev = byId.get(id);
    if (prev !== undefined && prev !== t.content) {
      throw malformed(
        `added_tokens (id ${id})`,
        `one token per id, not both ${JSON.stringify(prev)} and`,
        t.content,
      );
    }
    byId.set(id, t.content);
    return id === t.id ? t : { ...t, id };
  });
}
