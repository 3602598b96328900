/**
 * tokenizer.json `pre_tokenizer` section → a splitter, following huggingface/tokenizers
 * (`tokenizers/src/pre_tokenizers/*.rs` and `NormalizedString::split` in `tokenizer/normalizer.rs`, commit
 * 3ba8ad0): each pre-tokenizer finds matches, a `SplitDelimiterBehavior` turns them into pieces, and empty pieces
 * are dropped.
 */
import { isNumeric, isPunctuation, isWhitespace } from './chars.js';
import { bool, list, pattern, type Section, section, str, unsupported } from './config.js';

/** A piece of text being pre-tokenized. `atStart`: it begins at offset 0 of the original text. */
export interface Piece {
  text: string;
  atStart: boolean;
}

/** A pre-tokenizer: pieces in, smaller pieces out. */
export type PreTokenizeFn = (pieces: Piece[]) => Piece[];

/** The pre-tokenizer types this build implements. */
export const PRE_TOKENIZERS = [
  'BertPreTokenizer',
  'Whitespace',
  'WhitespaceSplit',
  'Punctuation',
  'Digits',
  'Metaspace',
  'Split',
  'CharDelimiterSplit',
  'Sequence',
] as const;

type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly Behavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

/** `[start, end, isMatch]` spans covering the text, in order (the `Pattern::find_matches` contract). */
type Span = [number, number, boolean];

/** Spans of a per-character predicate: each matching character is its own match. */
function charSpans(s: string, match: (cp: number) => boolean): Span[] {
  const spans: Span[] = [];
  let last = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    if (match(cp)) {
      if (last < i) spans.push([last, i, false]);
      spans.push([i, i + w, true]);
      last = i + w;
    }
    i += w;
  }
  if (last < s.length) spans.push([last, s.length, false]);
  return spans;
}

/** Spans of a global regex (empty matches included, as the reference's `find_iter`). */
function regexSpans(s: string, re: RegExp): Span[] {
  const spans: Span[] = [];
  let prev = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const start = m.index;
    const end = start + m[0].length;
    if (prev !== start) spans.push([prev, start, false]);
    spans.push([start, end, true]);
    prev = end;
    if (end === start) re.lastIndex = end + ((s.codePointAt(end) ?? 0) > 0xffff ? 2 : 1);
    if (re.lastIndex > s.length) break;
  }
  if (prev !== s.length) spans.push([prev, s.length, false]);
  return spans;
}

const invert = (spans: Span[]): Span[] => spans.map(([a, b, m]) => [a, b, !m]);

/** `NormalizedString::split`: applies a delimiter behavior to spans and cuts the piece. */
function split(piece: Piece, spans: Span[], behavior: Behavior): Piece[] {
  let parts: [number, number, boolean][] = [];
  if (behavior === 'Isolated') parts = spans.map(([a, b]) => [a, b, false]);
  else if (behavior === 'Removed') parts = spans;
  else if (behavior === 'Contiguous' || behavior === 'MergedWithPrevious') {
    let previousMatch = false;
    for (const [a, b, isMatch] of spans) {
      const merge = behavior === 'Contiguous' ? isMatch === previousMatch : isMatch && !previousMatch;
      const last = parts[parts.length - 1];
      if (merge && last) last[1] = b;
      else parts.push([a, b, false]);
      previousMatch = isMatch;
    }
  } else {
    let previousMatch = false;
    for (let i = spans.length - 1; i >= 0; i--) {
      const [a, b, isMatch] = spans[i]!;
      const last = parts[parts.length - 1];
      if (isMatch && !previousMatch && last) last[0] = a;
      else parts.push([a, b, false]);
      previousMatch = isMatch;
    }
    parts.reverse();
  }
  const out: Piece[] = [];
  for (const [a, b, remove] of parts) {
    if (remove || a === b) continue;
    out.push({ text: piece.text.slice(a, b), atStart: piece.atStart && a === 0 });
  }
  return out;
}

const each =
  (f: (p: Piece) => Piece[]): PreTokenizeFn =>
  (pieces) =>
    pieces.flatMap(f);

function behavior(o: Section, fallback?: Behavior): Behavior {
  const b = o.behavior ?? fallback;
  if (!BEHAVIORS.includes(b as Behavior))
    throw unsupported('pre_tokenizer', `${o.type} behavior ${b}`, BEHAVIORS);
  return b as Behavior;
}

const WHITESPACE_WORDS =
  /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+/gu;

/** `Metaspace` (pre_tokenizers/metaspace.rs): spaces → replacement, prepend it by the scheme, split before it. */
function metaspace(o: Section, where: string): PreTokenizeFn {
  const replacement = str(o, 'replacement', where);
  let scheme = o.prepend_scheme ?? 'always';
  if (o.add_prefix_space === false) scheme = 'never';
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') {
    throw unsupported('pre_tokenizer', `Metaspace prepend_scheme ${scheme}`, ['always', 'first', 'never']);
  }
  const splitOn = bool(o, 'split', where, true);
  const cp = replacement.codePointAt(0)!;
  return each((p) => {
    let text = p.text.replaceAll(' ', replacement);
    if ((scheme === 'always' || (scheme === 'first' && p.atStart)) && !text.startsWith(replacement)) {
      text = replacement + text;
    }
    const piece = { text, atStart: p.atStart };
    return splitOn
      ? split(
          piece,
          charSpans(text, (c) => c === cp),
          'MergedWithNext',
        )
      : [piece];
  });
}

/** Builds the pre-tokenizer of a tokenizer.json `pre_tokenizer` section (`null` → the whole piece). */
export function buildPreTokenizer(config: unknown, where = 'pre_tokenizer'): PreTokenizeFn {
  if (config === null || config === undefined) return (pieces) => pieces;
  const o = section(config, where);
  switch (o.type) {
    case 'BertPreTokenizer':
      return each((p) =>
        split(p, charSpans(p.text, isWhitespace), 'Removed').flatMap((q) =>
          split(q, charSpans(q.text, isPunctuation), 'Isolated'),
        ),
      );
    case 'Whitespace':
      return each((p) => split(p, invert(regexSpans(p.text, WHITESPACE_WORDS)), 'Removed'));
    case 'WhitespaceSplit':
      return each((p) => split(p, charSpans(p.text, isWhitespace), 'Removed'));
    case 'Punctuation': {
      const b = behavior(o, 'Isolated');
      return each((p) => split(p, charSpans(p.text, isPunctuation), b));
    }
    case 'Digits': {
      const b: Behavior = bool(o, 'individual_digits', where, false) ? 'Isolated' : 'Contiguous';
      return each((p) => split(p, charSpans(p.text, isNumeric), b));
    }
    case 'CharDelimiterSplit': {
      const d = str(o, 'delimiter', where).codePointAt(0);
      return each((p) =>
        split(
          p,
          charSpans(p.text, (c) => c === d),
          'Removed',
        ),
      );
    }
    case 'Metaspace':
      return metaspace(o, where);
    case 'Split': {
      const re = pattern(o, 'pattern', where);
      const b = behavior(o);
      const inv = bool(o, 'invert', where, false);
      return each((p) => {
        const spans = regexSpans(p.text, re);
        return split(p, inv ? invert(spans) : spans, b);
      });
    }
    case 'Sequence': {
      const steps = list(o, 'pretokenizers', where).map((c, i) =>
        buildPreTokenizer(c, `${where}.pretokenizers[${i}]`),
      );
      return (pieces) => steps.reduce((acc, f) => f(acc), pieces);
    }
    default:
      throw unsupported('pre_tokenizer', o.type, PRE_TOKENIZERS);
  }
}
