import { assertString, formatVersionError, SiameseError } from '@siamese/core';
import { type BatchShapeOptions, batchFromRows, type EncodedBatch, resolveBatchShape } from '../batch.js';
import { sequenceTooLongError } from '../errors.js';
import { list, section } from './config.js';

/** Format version written by {@link WhitespaceTokenizer.toJSON}. */
export const WHITESPACE_TOKENIZER_FORMAT_VERSION = 1;

/** sentence-transformers' `whitespacetokenizer_config.json`. */
export interface WhitespaceTokenizerConfig {
  vocab: string[];
  stop_words: string[];
  do_lower_case: boolean;
}

/** Serialised {@link WhitespaceTokenizer}: the sentence-transformers config, versioned. */
export interface WhitespaceTokenizerJSON {
  format: 'siamese.whitespace-tokenizer';
  version: number;
  config: WhitespaceTokenizerConfig;
}

/** Python's `string.punctuation`, which `str.strip` removes from both ends. */
const PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/** Python's `str.split()` separators: Unicode White_Space plus the four ASCII information separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+001C–U+001F are separators for Python's str.split().
const SPLIT = /[\p{White_Space}\x1c-\x1f]+/u;

function stripPunctuation(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PUNCT.has(s[a]!)) a++;
  while (b > a && PUNCT.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/**
 * The tokenizer of sentence-transformers `WordEmbeddings` models (`whitespacetokenizer_config.json`), as its
 * `WhitespaceTokenizer.tokenize` (sentence_transformers/sentence_transformer/modules/tokenizer/whitespace.py):
 * split on whitespace, drop stop words, look each token up as is, then with ASCII punctuation stripped from its
 * ends, then lower-cased. Unknown words are dropped (there is no unknown token); id 0 is the padding row.
 *
 * @example
 * ```ts
 * const tok = WhitespaceTokenizer.fromConfig(JSON.parse(await readFile('0_WordEmbeddings/whitespacetokenizer_config.json', 'utf8')));
 * tok.encode('A man is playing a guitar.'); // ids of "man", "playing", "guitar" (stop words and unknowns dropped)
 * ```
 */
export class WhitespaceTokenizer {
  /** Tokens in id order. */
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly stopWords: ReadonlySet<string>;
  private readonly lowercase: boolean;

  private constructor(config: WhitespaceTokenizerConfig) {
    this.vocab = config.vocab.slice();
    this.ids = new Map();
    // An OrderedDict of (word, idx) pairs: a repeated word keeps its last index, as in Python.
    this.vocab.forEach((w, i) => {
      this.ids.set(w, i);
    });
    this.stopWords = new Set(config.stop_words);
    this.lowercase = config.do_lower_case;
  }

  /** From the parsed (or text of) `whitespacetokenizer_config.json`. */
  static fromConfig(json: WhitespaceTokenizerConfig | string): WhitespaceTokenizer {
    const o = section(typeof json === 'string' ? JSON.parse(json) : json, 'whitespacetokenizer_config.json');
    const strings = (key: string) => {
      const v = list(o, key, 'whitespacetokenizer_config.json');
      if (!v.every((x) => typeof x === 'string')) {
        throw new SiameseError(
          'E_VOCAB_FORMAT',
          `whitespacetokenizer_config.json: "${key}" must hold strings`,
        );
      }
      return v as string[];
    };
    return new WhitespaceTokenizer({
      vocab: strings('vocab'),
      stop_words: o.stop_words === undefined ? [] : strings('stop_words'),
      do_lower_case: o.do_lower_case === true,
    });
  }

  /** Rebuilds from {@link toJSON} output; `E_FORMAT_VERSION` on a missing or newer version. */
  static fromJSON(json: WhitespaceTokenizerJSON | string): WhitespaceTokenizer {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<WhitespaceTokenizerJSON> | null;
    if (o?.format !== 'siamese.whitespace-tokenizer') {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `whitespace tokenizer JSON: expected format "siamese.whitespace-tokenizer", found ${JSON.stringify(o?.format)}`,
      );
    }
    if (o.version !== WHITESPACE_TOKENIZER_FORMAT_VERSION) {
      throw formatVersionError('whitespace tokenizer', WHITESPACE_TOKENIZER_FORMAT_VERSION, o.version);
    }
    return WhitespaceTokenizer.fromConfig(o.config as WhitespaceTokenizerConfig);
  }

  /** The sentence-transformers config (to write `whitespacetokenizer_config.json` back). */
  toConfig(): WhitespaceTokenizerConfig {
    return { vocab: this.vocab.slice(), stop_words: [...this.stopWords], do_lower_case: this.lowercase };
  }

  /** Versioned JSON; {@link fromJSON} rebuilds an identical tokenizer. */
  toJSON(): WhitespaceTokenizerJSON {
    return {
      format: 'siamese.whitespace-tokenizer',
      version: WHITESPACE_TOKENIZER_FORMAT_VERSION,
      config: this.toConfig(),
    };
  }

  /** Number of ids (rows of the embedding matrix). */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The ids of `text` (stop words and unknown words dropped). */
  encode(text: string): Int32Array {
    return Int32Array.from(this.ids_(text));
  }

  private ids_(text: string): number[] {
    assertString(text, 'text');
    const out: number[] = [];
    for (let token of (this.lowercase ? text.toLowerCase() : text).split(SPLIT)) {
      if (token === '' || this.stopWords.has(token)) continue;
      let id = this.ids.get(token);
      if (id === undefined) {
        token = stripPunctuation(token);
        if (this.stopWords.has(token)) continue;
        id = token.length > 0 ? this.ids.get(token) : undefined;
        if (id === undefined) {
          token = token.toLowerCase();
          if (this.stopWords.has(token)) continue;
          id = this.ids.get(token);
        }
      }
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  /** Encodes several texts into right-padded arrays (id 0, the padding row); the `Tokenizer.encodeBatch` shape. */
  encodeBatch(texts: readonly string[], options: BatchShapeOptions = {}): EncodedBatch {
    if (!Array.isArray(texts))
      throw new TypeError(`texts: expected an array of strings, found ${typeof texts}`);
    const shape = resolveBatchShape(options);
    const rows = texts.map((t, b) => {
      const ids = this.ids_(t);
      if (ids.length <= shape.maxLength) return ids;
      if (!shape.truncation) throw sequenceTooLongError(b, ids.length, shape.maxLength);
      return ids.slice(0, shape.maxLength);
    });
    return batchFromRows(rows, shape);
  }
}
