import { assertString, SiameseError } from '@siamese/core';
import { isCjk } from './unicode.js';
import { Vocabulary } from './vocabulary.js';

/** Options of {@link WordPieceTokenizer} (the fields of BERT's BasicTokenizer + WordpieceTokenizer). */
export interface WordPieceOptions {
  /** Lower-case (uncased models); default `true`. */
  lowercase?: boolean;
  /** Strip accents; default: same as `lowercase` (as BERT and Hugging Face do). */
  stripAccents?: boolean;
  /** Put spaces around CJK ideographs; default `true`. */
  tokenizeChineseChars?: boolean;
  /** Unknown token; default `[UNK]`. */
  unkToken?: string;
  /** Prefix of word-continuation pieces; default `##`. */
  continuingSubwordPrefix?: string;
  /** Longer words (in code points) become the unknown token; default 100. */
  maxInputCharsPerWord?: number;
}

/**
 * Greedy longest-match-first WordPiece split of one word, as BERT's `WordpieceTokenizer`: returns the
 * pieces, or `null` when some position matches no piece (the caller maps the whole word to unknown).
 * Lengths are in code points, as in Python. `maxPieceLength` (the vocabulary's longest token, in UTF-16 code
 * units; see `Vocabulary#maxTokenLength`) bounds the candidates tried at each position, so a word costs
 * O(length × maxPieceLength) lookups instead of O(length²) ever longer substrings.
 */
export function wordpieceSplit(
  word: string,
  has: (piece: string) => boolean,
  prefix = '##',
  maxInputCharsPerWord = 100,
  maxPieceLength = Number.POSITIVE_INFINITY,
): string[] | null {
  // Code-point boundaries as UTF-16 offsets: slicing the string is then cheap, no array of characters joined.
  const bounds: number[] = [0];
  for (let i = 0; i < word.length; ) {
    i += (word.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    bounds.push(i);
    if (bounds.length - 1 > maxInputCharsPerWord) return null;
  }
  const n = bounds.length - 1;
  const pieces: string[] = [];
  let start = 0;
  while (start < n) {
    const extra = start > 0 ? prefix.length : 0;
    let end = n;
    while (end > start && bounds[end]! - bounds[start]! + extra > maxPieceLength) end--;
    let found: string | null = null;
    while (start < end) {
      const sub = (start > 0 ? prefix : '') + word.slice(bounds[start], bounds[end]);
      if (has(sub)) {
        found = sub;
        break;
      }
      end--;
    }
    if (found === null) return null;
    pieces.push(found);
    start = end;
  }
  return pieces;
}

const RE_CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const RE_ZS = /^\p{Zs}$/u;
const RE_PUNCT = /^\p{P}$/u;
const RE_MN = /\p{Mn}/gu;

function isBertWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || RE_ZS.test(ch);
}
function isBertControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return RE_CONTROL.test(ch);
}
function isBertPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return RE_PUNCT.test(ch);
}

/**
 * BERT's tokenizer (BasicTokenizer + WordpieceTokenizer) on a given `vocab.txt` or Hugging Face
 * `tokenizer.json`: clean control characters, split CJK per character, split on whitespace, lower-case and
 * strip accents (uncased), split punctuation per character, then greedy longest-match WordPiece.
 *
 * @example
 * ```ts
 * const wp = WordPieceTokenizer.fromVocabTxt('[PAD]\n[UNK]\nun\n##aff\n##able\n');
 * wp.tokenize('unaffable') // ['un', '##aff', '##able']
 * ```
 */
export class WordPieceTokenizer {
  /** The vocabulary (ids are line numbers of `vocab.txt`). */
  readonly vocab: Vocabulary;
  /** Resolved options. */
  readonly options: Required<WordPieceOptions>;

  constructor(vocab: Vocabulary, options: WordPieceOptions = {}) {
    const lowercase = options.lowercase ?? true;
    this.vocab = vocab;
    this.options = {
      lowercase,
      stripAccents: options.stripAccents ?? lowercase,
      tokenizeChineseChars: options.tokenizeChineseChars ?? true,
      unkToken: options.unkToken ?? vocab.unkToken,
      continuingSubwordPrefix: options.continuingSubwordPrefix ?? '##',
      maxInputCharsPerWord: options.maxInputCharsPerWord ?? 100,
    };
  }

  /** From the text of a BERT `vocab.txt` (one token per line; line i is id i). */
  static fromVocabTxt(text: string, options: WordPieceOptions = {}): WordPieceTokenizer {
    assertString(text, 'text');
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const vocab = Vocabulary.fromTokens(lines, { unk: options.unkToken ?? '[UNK]' });
    return new WordPieceTokenizer(vocab, options);
  }

  /**
   * From a Hugging Face `tokenizer.json` (string or parsed) whose model is WordPiece: reads `model.vocab`,
   * `model.unk_token`, `model.continuing_subword_prefix`, `model.max_input_chars_per_word` and the
   * `BertNormalizer` (or `Lowercase`/`StripAccents` in a `Sequence`) flags.
   */
  static fromTokenizerJson(json: string | Record<string, any>): WordPieceTokenizer {
    const o = typeof json === 'string' ? JSON.parse(json) : json;
    const model = o?.model;
    if (!model || typeof model !== 'object' || (model.type !== undefined && model.type !== 'WordPiece')) {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `tokenizer.json: expected model.type "WordPiece", found ${JSON.stringify(model?.type)}`,
      );
    }
    const vocabObj = model.vocab as Record<string, number> | undefined;
    if (!vocabObj || typeof vocabObj !== 'object')
      throw new SiameseError('E_VOCAB_FORMAT', 'tokenizer.json: model.vocab is missing');
    const tokens: string[] = [];
    for (const [tok, id] of Object.entries(vocabObj)) {
      if (!Number.isInteger(id) || id < 0)
        throw new SiameseError('E_VOCAB_FORMAT', `tokenizer.json: bad id ${id} for ${JSON.stringify(tok)}`);
      tokens[id] = tok;
    }
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i] === undefined)
        throw new SiameseError('E_VOCAB_FORMAT', `tokenizer.json: model.vocab has no token with id ${i}`);
    }
    const unk = typeof model.unk_token === 'string' ? model.unk_token : '[UNK]';
    const options: WordPieceOptions = {
      unkToken: unk,
      continuingSubwordPrefix: model.continuing_subword_prefix ?? '##',
      maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
      lowercase: false,
      stripAccents: false,
      tokenizeChineseChars: false,
    };
    const norms: any[] =
      o.normalizer?.type === 'Sequence'
        ? (o.normalizer.normalizers ?? [])
        : o.normalizer
          ? [o.normalizer]
          : [];
    for (const nz of norms) {
      if (nz?.type === 'BertNormalizer') {
        options.lowercase = nz.lowercase ?? true;
        options.stripAccents = nz.strip_accents ?? options.lowercase;
        options.tokenizeChineseChars = nz.handle_chinese_chars ?? true;
      } else if (nz?.type === 'Lowercase') options.lowercase = true;
      else if (nz?.type === 'StripAccents') options.stripAccents = true;
    }
    return new WordPieceTokenizer(Vocabulary.fromTokens(tokens, { unk }), options);
  }

  /** BERT's BasicTokenizer: words and single punctuation characters, normalised. */
  basicTokenize(text: string): string[] {
    assertString(text, 'text');
    const { lowercase, stripAccents, tokenizeChineseChars } = this.options;
    let cleaned = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || (cp >= 0xd800 && cp <= 0xdfff) || isBertControl(ch)) continue;
      if (isBertWhitespace(ch)) cleaned += ' ';
      else if (tokenizeChineseChars && isCjk(cp)) cleaned += ` ${ch} `;
      else cleaned += ch;
    }
    const out: string[] = [];
    for (let word of cleaned.split(/\s+/)) {
      if (word === '') continue;
      if (lowercase) word = word.toLowerCase();
      if (stripAccents) word = word.normalize('NFD').replace(RE_MN, '');
      let cur = '';
      for (const ch of word) {
        if (isBertPunctuation(ch)) {
          if (cur) out.push(cur);
          out.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur) out.push(cur);
    }
    return out;
  }

  /** WordPiece pieces of one (already basic-tokenized) word, or `[unkToken]`. */
  wordpiece(word: string): string[] {
    const { continuingSubwordPrefix, maxInputCharsPerWord, unkToken } = this.options;
    return (
      wordpieceSplit(
        word,
        (p) => this.vocab.has(p),
        continuingSubwordPrefix,
        maxInputCharsPerWord,
        this.vocab.maxTokenLength,
      ) ?? [unkToken]
    );
  }

  /** Full tokenisation: `tokenize("UNwant\u00E9d,running")` → `un ##want ##ed , runn ##ing` (BERT's example). */
  tokenize(text: string): string[] {
    return this.basicTokenize(text).flatMap((w) => this.wordpiece(w));
  }

  /** Ids of {@link tokenize}. */
  encode(text: string): Int32Array {
    return Int32Array.from(this.tokenize(text), (t) => this.vocab.idOf(t));
  }
}
