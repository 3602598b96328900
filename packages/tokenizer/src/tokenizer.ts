import { assertString, formatVersionError, SiameseError } from '@siamese/core';
import { type BatchShapeOptions, type EncodedBatch, padRows, resolveBatchShape } from './batch.js';
import { sequenceTooLongError } from './errors.js';
import { forEachNgramBucket, type NgramOptions, resolveNgramOptions } from './ngrams.js';
import { Vocabulary, type VocabularyBuildOptions, type VocabularyJSON } from './vocabulary.js';
import {
  type ResolvedWordTokenizerOptions,
  scanTokens,
  type Token,
  WordTokenizer,
  type WordTokenizerOptions,
} from './word-tokenizer.js';
import { wordpieceSplit } from './wordpiece.js';

/** Format version written by {@link Tokenizer.toJSON}. */
export const TOKENIZER_FORMAT_VERSION = 1;

/** Options of a {@link Tokenizer}: normalisation + word splitting + what to do with unknown words. */
export interface TokenizerOptions extends WordTokenizerOptions {
  /**
   * Split out-of-vocabulary words greedily into `##`-continued pieces of the vocabulary (WordPiece style)
   * before falling back to `[UNK]`; default `false`. Needs a vocabulary that holds such pieces.
   */
  wordpieceFallback?: boolean;
}

/** Options of {@link Tokenizer.encodeBatch}. */
export interface EncodeBatchOptions extends BatchShapeOptions {
  /** Also return hashed character n-gram ids of each token (for fastText-style subword bags). */
  ngrams?: NgramOptions;
}

/** Serialised tokenizer (see {@link Tokenizer.toJSON}). */
export interface TokenizerJSON {
  format: 'siamese.tokenizer';
  version: number;
  options: Required<TokenizerOptions>;
  vocabulary: VocabularyJSON;
}

/**
 * Normaliser + word tokenizer + vocabulary: text in, integer ids out.
 *
 * @example
 * ```ts
 * const tok = Tokenizer.build(['A man is playing a flute.', 'A man plays.'], { minFreq: 1 });
 * tok.encode('a man plays') // Int32Array [ids of a, man, plays]
 * tok.encodeBatch(['a man', 'a flute .'], { maxLength: 8 }) // { ids, lengths, mask, shape: [2, 3] }
 * ```
 */
export class Tokenizer {
  /** The word tokenizer (normalisation included). */
  readonly words: WordTokenizer;
  /** The vocabulary. */
  readonly vocab: Vocabulary;
  private readonly wordpieceFallback: boolean;
  private readonly scanOpts: ResolvedWordTokenizerOptions;
  private readonly pieceCache = new Map<string, number[]>();
  private readonly ngramCaches = new Map<string, Map<string, Int32Array>>();
  /** Reused id buffer of encodeBatch (grown on demand, kept while small). */
  private scratch = new Int32Array(4096);

  constructor(vocab: Vocabulary, options: TokenizerOptions = {}) {
    if (!(vocab instanceof Vocabulary)) throw new TypeError('vocab: expected a Vocabulary');
    if (vocab.padId !== 0) {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `vocab: the padding token must have id 0, found ${vocab.padId}`,
      );
    }
    this.vocab = vocab;
    this.words = new WordTokenizer(options);
    this.scanOpts = this.words.options;
    this.wordpieceFallback = options.wordpieceFallback ?? false;
  }

  /** Number of ids (rows of the embedding matrix): `vocab.size`, named as on the other tokenizers. */
  get vocabSize(): number {
    return this.vocab.size;
  }

  /** The resolved options (what {@link toJSON} saves). */
  get options(): Required<TokenizerOptions> {
    return { ...this.scanOpts, wordpieceFallback: this.wordpieceFallback };
  }

  /** Builds the vocabulary from a corpus with this tokenisation, then the tokenizer. */
  static build(
    corpus: Iterable<string>,
    options: TokenizerOptions & Omit<VocabularyBuildOptions, 'tokenize'> = {},
  ): Tokenizer {
    const wt = new WordTokenizer(options);
    return new Tokenizer(
      Vocabulary.build(corpus, { ...options, tokenize: (t) => wt.tokenizeToStrings(t) }),
      options,
    );
  }

  /** {@link build} for async iterables. */
  static async buildAsync(
    corpus: AsyncIterable<string> | Iterable<string>,
    options: TokenizerOptions & Omit<VocabularyBuildOptions, 'tokenize'> = {},
  ): Promise<Tokenizer> {
    const wt = new WordTokenizer(options);
    const vocab = await Vocabulary.buildAsync(corpus, {
      ...options,
      tokenize: (t) => wt.tokenizeToStrings(t),
    });
    return new Tokenizer(vocab, options);
  }

  /** Normalised text. */
  normalize(text: string): string {
    return this.words.normalize(text);
  }

  /** Tokens with offsets into the original text (before vocabulary lookup). */
  tokenize(text: string): Token[] {
    return this.words.tokenize(text);
  }

  /** Calls `visit(id, token)` for each id of `text` (a word may give several ids with the fallback). */
  private forEachId(text: string, visit: (id: number, token: string) => void): void {
    const s = this.words.normalizer.align(text).text;
    const vocab = this.vocab;
    scanTokens(s, this.scanOpts, (a, b) => {
      const tok = s.slice(a, b);
      const id = vocab.get(tok);
      if (id !== undefined) visit(id, tok);
      else if (!this.wordpieceFallback) visit(vocab.unkId, tok);
      else for (const p of this.pieces(tok)) visit(p, tok);
    });
  }

  private pieces(tok: string): number[] {
    let ids = this.pieceCache.get(tok);
    if (!ids) {
      const split = wordpieceSplit(tok, (p) => this.vocab.has(p), '##', 100, this.vocab.maxTokenLength);
      ids = split ? split.map((p) => this.vocab.idOf(p)) : [this.vocab.unkId];
      if (this.pieceCache.size > 100_000) this.pieceCache.clear();
      this.pieceCache.set(tok, ids);
    }
    return ids;
  }

  /** Ids of `text` (unknown words → `[UNK]`, or pieces with `wordpieceFallback`). */
  encode(text: string): Int32Array {
    assertString(text, 'text');
    const out: number[] = [];
    this.forEachId(text, (id) => out.push(id));
    return Int32Array.from(out);
  }

  /**
   * Encodes several texts into padded row-major arrays. A text without tokens gets length 0 and an
   * all-padding row (mask all 0); the consumer decides what that means (e.g. a zero embedding).
   */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): EncodedBatch {
    if (!Array.isArray(texts))
      throw new TypeError(`texts: expected an array of strings, found ${typeof texts}`);
    const batchShape = resolveBatchShape(options);
    const { maxLength, truncation } = batchShape;
    const ng = options.ngrams ? resolveNgramOptions(options.ngrams) : null;
    const B = texts.length;
    // All rows go into one flat buffer (row b is flat[rowStart[b], rowStart[b] + lengths[b])).
    let flat = this.scratch;
    let used = 0;
    const rowStart = new Int32Array(B);
    const lengths = new Int32Array(B);
    const rowTokens: string[][] | null = ng ? [] : null;
    for (let b = 0; b < B; b++) {
      const text = texts[b];
      assertString(text, `texts[${b}]`);
      rowStart[b] = used;
      const toks: string[] = [];
      this.forEachId(text, (id, tok) => {
        if (used === flat.length) {
          const grown = new Int32Array(flat.length * 2);
          grown.set(flat);
          flat = grown;
        }
        flat[used++] = id;
        if (rowTokens) toks.push(tok);
      });
      let len = used - rowStart[b]!;
      if (len > maxLength) {
        if (!truncation) throw sequenceTooLongError(b, len, maxLength);
        len = maxLength;
        used = rowStart[b]! + len;
        toks.length = Math.min(toks.length, len);
      }
      rowTokens?.push(toks);
      lengths[b] = len;
    }
    if (flat.length <= 1 << 20) this.scratch = flat;
    const { ids, mask, shape } = padRows(flat, rowStart, lengths, batchShape);
    const T = shape[1];
    const out: EncodedBatch = { ids, lengths, mask, shape };
    if (ng && rowTokens) {
      const cache = this.ngramCache(ng);
      const bags: Int32Array[][] = [];
      let K = ng.maxPerToken === Number.POSITIVE_INFINITY ? 1 : ng.maxPerToken;
      for (const toks of rowTokens) {
        const row: Int32Array[] = [];
        for (const tok of toks) {
          let bag = cache.get(tok);
          if (!bag) {
            const list: number[] = [];
            forEachNgramBucket(tok, ng, (bk) => list.push(bk + 1));
            bag = Int32Array.from(list);
            if (cache.size > 200_000) cache.clear();
            cache.set(tok, bag);
          }
          if (bag.length > K) K = bag.length;
          row.push(bag);
        }
        bags.push(row);
      }
      const ngramIds = new Int32Array(B * T * K);
      for (let b = 0; b < B; b++) {
        const row = bags[b]!;
        for (let t = 0; t < row.length; t++) ngramIds.set(row[t]!, (b * T + t) * K);
      }
      out.ngramIds = ngramIds;
      out.ngramShape = [B, T, K];
    }
    return out;
  }

  /** Per-options cache of token → n-gram ids (tokens repeat a lot across batches). */
  private ngramCache(o: {
    minN: number;
    maxN: number;
    buckets: number;
    maxPerToken: number;
  }): Map<string, Int32Array> {
    const key = `${o.minN},${o.maxN},${o.buckets},${o.maxPerToken}`;
    let c = this.ngramCaches.get(key);
    if (!c) {
      if (this.ngramCaches.size > 8) this.ngramCaches.clear();
      c = new Map();
      this.ngramCaches.set(key, c);
    }
    return c;
  }

  /** Tokens of `ids` joined with spaces; padding ids are skipped. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.vocab.padId) continue;
      parts.push(this.vocab.tokenOf(id));
    }
    return parts.join(' ');
  }

  /** Versioned JSON of options + vocabulary; {@link fromJSON} rebuilds an identical tokenizer. */
  toJSON(): TokenizerJSON {
    return {
      format: 'siamese.tokenizer',
      version: TOKENIZER_FORMAT_VERSION,
      options: this.options,
      vocabulary: this.vocab.toJSON(),
    };
  }

  /** Rebuilds from {@link toJSON} output; `E_FORMAT_VERSION` on a wrong or newer version. */
  static fromJSON(json: TokenizerJSON | string): Tokenizer {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<TokenizerJSON> | null;
    if (!o || typeof o !== 'object')
      throw new SiameseError('E_VOCAB_FORMAT', 'tokenizer JSON: expected an object');
    if (o.version !== TOKENIZER_FORMAT_VERSION)
      throw formatVersionError('tokenizer', TOKENIZER_FORMAT_VERSION, o.version);
    if (!o.vocabulary) throw new SiameseError('E_VOCAB_FORMAT', 'tokenizer JSON: "vocabulary" is missing');
    return new Tokenizer(Vocabulary.fromJSON(o.vocabulary), o.options ?? {});
  }
}
