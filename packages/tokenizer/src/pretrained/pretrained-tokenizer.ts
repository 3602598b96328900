import { assertString, formatVersionError, SiameseError } from '@siamese/core';
import { type BatchShapeOptions, batchFromRows, type EncodedBatch, resolveBatchShape } from '../batch.js';
import { sequenceTooLongError } from '../errors.js';
import { toWellFormed } from '../unicode.js';
import { AddedVocabulary, parseAddedTokens, resolveAddedIds } from './added-tokens.js';
import { malformed, type Section, section, str, uint, unsupported } from './config.js';
import { buildModel, type TokenModel } from './models.js';
import { buildNormalizer, type NormalizeFn } from './normalizers.js';
import { buildPostProcessor, type PostProcessor } from './post-processors.js';
import { buildPreTokenizer, type PreTokenizeFn } from './pre-tokenizers.js';

/** Format version written by {@link PretrainedTokenizer.toJSON}. */
export const PRETRAINED_TOKENIZER_FORMAT_VERSION = 1;

/** Serialised pretrained tokenizer: the Hugging Face tokenizer.json it was built from, versioned. */
export interface PretrainedTokenizerJSON {
  format: 'siamese.pretrained-tokenizer';
  version: number;
  /** The tokenizer.json object (for a `vocab.txt`, the equivalent one {@link PretrainedTokenizer.fromVocabTxt} made). */
  tokenizer: Record<string, unknown>;
  /** Unknown tokens are dropped from the ids (model2vec); absent = kept. */
  dropUnknown?: boolean;
}

/** Options of {@link PretrainedTokenizer.fromTokenizerJson}. */
export interface TokenizerJsonOptions {
  /**
   * Drop the unknown token's id from every encoding (default `false`). model2vec's `StaticModel` does this (an
   * unknown word adds nothing to the mean); sentence-transformers' `StaticEmbedding` keeps it.
   */
  dropUnknown?: boolean;
}

/** Options of {@link PretrainedTokenizer.fromVocabTxt}: BERT's tokenizer settings. */
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
  /** Longer words (in characters) become the unknown token; default 100. */
  maxInputCharsPerWord?: number;
}

/**
 * Python's `\w+|[^\w\s]` in JavaScript: `\w` is a letter, a number or `_` (Python 3's Unicode `\w`), so
 * `re.findall` on the same text gives the same tokens.
 */
const PYTHON_WORDS_OR_SYMBOLS = '[\\p{L}\\p{N}_]+|[^\\p{L}\\p{N}_\\s]';

/** Options of {@link PretrainedTokenizer.fromWord2Index}. */
export interface Word2IndexOptions {
  /** Lower-case before splitting (default `true`, as most tutorials do). */
  lowercase?: boolean;
  /** The tokens, as a JavaScript regex (`u` flag): default Python's `\w+|[^\w\s]`. */
  pattern?: string;
  /** The token unknown words map to; default `<unk>`, `[UNK]`, `UNK` or `<UNK>`, the first in the map. */
  unkToken?: string;
  /** The padding token (its id pads batches); default `<pad>`, `[PAD]`, `PAD` or `<PAD>` if present. */
  padToken?: string;
}

/** Options of {@link PretrainedTokenizer.encode}. */
export interface PretrainedEncodeOptions {
  /**
   * Add the post-processor's special tokens (`[CLS] … [SEP]`); default `false`, because static embedding models
   * (model2vec, sentence-transformers `StaticEmbedding`) encode without them. `true` gives the ids of Hugging Face's
   * `tokenizer.encode(text)`.
   */
  addSpecialTokens?: boolean;
}

/** Options of {@link PretrainedTokenizer.encodeBatch}. */
export interface PretrainedBatchOptions extends BatchShapeOptions, PretrainedEncodeOptions {}

const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** Largest vocabulary accepted (2^24 ids; the largest real ones are word-level vocabularies of a few million). */
const MAX_VOCAB_SIZE = 2 ** 24;

/**
 * A tokenizer from a pretrained model's files: a Hugging Face `tokenizer.json` (WordPiece, Unigram or WordLevel
 * models with their normalizers, pre-tokenizers, added tokens and post-processor) or a BERT `vocab.txt`. It
 * reproduces the ids of the Rust `tokenizers` library (checked against it on the fixtures in `fixtures/interop`), and
 * refuses, with `E_TOKENIZER_UNSUPPORTED` naming the component, a file it cannot reproduce (BPE, ByteLevel,
 * Precompiled). Saves with a model through {@link toJSON} / {@link fromJSON}.
 *
 * @example
 * ```ts
 * const tok = PretrainedTokenizer.fromTokenizerJson(await (await fetch(`${base}/tokenizer.json`)).text());
 * tok.tokenize('UNwanted running'); // ['un', '##want', '##ed', 'running']
 * tok.encode('UNwanted running'); // Int32Array of their ids
 * tok.encode('hi', { addSpecialTokens: true }); // [CLS] hi [SEP]
 * const batch = tok.encodeBatch(['a man plays', 'dogs run'], { maxLength: 128 }); // {ids, lengths, mask, shape}
 * const bert = PretrainedTokenizer.fromVocabTxt(vocabTxt, { lowercase: true }); // BertTokenizerFast's pipeline
 * ```
 */
export class PretrainedTokenizer {
  /** Number of ids (the embedding matrix needs this many rows): the largest id + 1. */
  readonly vocabSize: number;
  /** Id of the model's unknown token, or `null`. */
  readonly unkId: number | null;
  /** Id of the padding token (tokenizer.json `padding.pad_id`, else `[PAD]` or `<pad>`), or `null`. */
  readonly padId: number | null;
  private readonly config: Record<string, unknown>;
  private readonly normalizer: NormalizeFn;
  private readonly preTokenizer: PreTokenizeFn;
  private readonly model: TokenModel;
  private readonly post: PostProcessor;
  private readonly added: AddedVocabulary;
  private readonly tokens: string[];
  private readonly ids: Map<string, number>;
  private readonly truncation: { maxLength: number; left: boolean } | null;
  private readonly cache = new Map<string, number[]>();
  /** Whether {@link TokenizerJsonOptions.dropUnknown} is on. */
  readonly dropUnknown: boolean;

  private constructor(config: Record<string, unknown>, options: TokenizerJsonOptions = {}) {
    this.config = config;
    this.dropUnknown = options.dropUnknown ?? false;
    this.normalizer = buildNormalizer(config.normalizer);
    this.preTokenizer = buildPreTokenizer(config.pre_tokenizer);
    this.model = buildModel(config.model);
    this.post = buildPostProcessor(config.post_processor);
    const added = resolveAddedIds(parseAddedTokens(config.added_tokens), this.model.vocab);
    this.added = new AddedVocabulary(added, this.normalizer);
    this.ids = new Map(this.model.vocab);
    for (const t of added) this.ids.set(t.content, t.id);
    this.tokens = [];
    for (const [t, id] of this.ids) {
      // Ids size the embedding matrix: a hostile file must not claim billions of rows.
      if (id >= MAX_VOCAB_SIZE)
        throw malformed(`the id of ${JSON.stringify(t)}`, `an id < ${MAX_VOCAB_SIZE}`, id);
      this.tokens[id] = t;
    }
    this.vocabSize = this.tokens.length;
    this.unkId = this.model.unkId;
    const padding =
      config.padding === null || config.padding === undefined ? null : section(config.padding, 'padding');
    this.padId = padding
      ? uint(padding, 'pad_id', 'padding', 0)
      : (this.ids.get('[PAD]') ?? this.ids.get('<pad>') ?? null);
    this.truncation = parseTruncation(config.truncation);
  }

  /** From a Hugging Face `tokenizer.json` (its text or the parsed object). */
  static fromTokenizerJson(
    json: string | Record<string, unknown>,
    options: TokenizerJsonOptions = {},
  ): PretrainedTokenizer {
    let o: unknown = json;
    if (typeof json === 'string') {
      try {
        o = JSON.parse(json);
      } catch (e) {
        throw new SiameseError('E_VOCAB_FORMAT', `tokenizer.json: not valid JSON (${(e as Error).message})`);
      }
    }
    return new PretrainedTokenizer(section(o, 'tokenizer.json'), options);
  }

  /**
   * From a BERT `vocab.txt` (one token per line; line i is id i): the pipeline `BertTokenizerFast` builds from it
   * (BertNormalizer, BertPreTokenizer, WordPiece, `[CLS] $A [SEP]`, the special tokens as added tokens).
   */
  static fromVocabTxt(text: string, options: WordPieceOptions = {}): PretrainedTokenizer {
    assertString(text, 'text');
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const vocab: Record<string, number> = {};
    lines.forEach((t, i) => {
      vocab[t] = i;
    });
    const unk = options.unkToken ?? '[UNK]';
    if (!(unk in vocab)) {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `vocab.txt: the unknown token ${JSON.stringify(unk)} is not in the vocabulary`,
      );
    }
    const has = (t: string) => Object.hasOwn(vocab, t);
    const specials = [...new Set([...BERT_SPECIALS, unk])].filter(has);
    const single = [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ];
    const lowercase = options.lowercase ?? true;
    return new PretrainedTokenizer({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials
        .map((content) => ({
          id: vocab[content],
          content,
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: false,
          special: true,
        }))
        .sort((a, b) => a.id! - b.id!),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: options.tokenizeChineseChars ?? true,
        strip_accents: options.stripAccents ?? null,
        lowercase,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor:
        has('[CLS]') && has('[SEP]')
          ? {
              type: 'TemplateProcessing',
              single,
              pair: [
                ...single,
                { Sequence: { id: 'B', type_id: 1 } },
                { SpecialToken: { id: '[SEP]', type_id: 1 } },
              ],
              special_tokens: Object.fromEntries(
                ['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }]),
              ),
            }
          : null,
      decoder: { type: 'WordPiece', prefix: options.continuingSubwordPrefix ?? '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: unk,
        continuing_subword_prefix: options.continuingSubwordPrefix ?? '##',
        max_input_chars_per_word: options.maxInputCharsPerWord ?? 100,
        vocab,
      },
    });
  }

  /**
   * From a PyTorch project's `word2index` (token → row of its `nn.Embedding`), with the tokenization such projects
   * write by hand: optionally lower-case, then keep the matches of `pattern` (default Python's
   * `re.findall(r"\w+|[^\w\s]", text)`: runs of letters, digits and `_`, and every other non-space character
   * alone). A word missing from the map becomes `unkToken` (default: `<unk>`, `[UNK]` or `UNK`, whichever the map
   * has); `E_VOCAB_FORMAT` when it has none, or when ids are not distinct non-negative integers.
   */
  static fromWord2Index(
    word2index: Readonly<Record<string, number>>,
    options: Word2IndexOptions = {},
  ): PretrainedTokenizer {
    if (!word2index || typeof word2index !== 'object' || Array.isArray(word2index))
      throw new SiameseError('E_VOCAB_FORMAT', 'word2index: expected an object of token → id');
    const seen = new Map<number, string>();
    for (const [token, id] of Object.entries(word2index)) {
      if (!Number.isInteger(id) || id < 0)
        throw malformed(`word2index[${JSON.stringify(token)}]`, 'a non-negative integer id', id);
      const other = seen.get(id);
      if (other !== undefined)
        throw malformed(
          `word2index[${JSON.stringify(token)}]`,
          `an id not already used by ${JSON.stringify(other)}`,
          id,
        );
      seen.set(id, token);
    }
    const unk =
      options.unkToken ?? ['<unk>', '[UNK]', 'UNK', '<UNK>'].find((t) => Object.hasOwn(word2index, t));
    if (unk === undefined || !Object.hasOwn(word2index, unk)) {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `word2index: expected an unknown-word token (${options.unkToken === undefined ? '<unk>, [UNK], UNK or <UNK>' : JSON.stringify(options.unkToken)}), found none; pass unkToken`,
      );
    }
    const pad =
      options.padToken ?? ['<pad>', '[PAD]', 'PAD', '<PAD>'].find((t) => Object.hasOwn(word2index, t));
    return new PretrainedTokenizer({
      version: '1.0',
      truncation: null,
      padding:
        pad !== undefined && Object.hasOwn(word2index, pad)
          ? {
              pad_id: word2index[pad],
              pad_token: pad,
              pad_type_id: 0,
              direction: 'Right',
              strategy: 'BatchLongest',
            }
          : null,
      added_tokens: [],
      normalizer: (options.lowercase ?? true) ? { type: 'Lowercase' } : null,
      pre_tokenizer: {
        type: 'Split',
        pattern: { Regex: options.pattern ?? PYTHON_WORDS_OR_SYMBOLS },
        behavior: 'Removed',
        invert: true,
      },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: { ...word2index }, unk_token: unk },
    });
  }

  /** Rebuilds from {@link toJSON} output; `E_FORMAT_VERSION` on a missing or newer version. */
  static fromJSON(json: PretrainedTokenizerJSON | string): PretrainedTokenizer {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<PretrainedTokenizerJSON> | null;
    if (!o || typeof o !== 'object' || o.format !== 'siamese.pretrained-tokenizer') {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `pretrained tokenizer JSON: expected format "siamese.pretrained-tokenizer", found ${JSON.stringify(o?.format)}`,
      );
    }
    if (o.version !== PRETRAINED_TOKENIZER_FORMAT_VERSION) {
      throw formatVersionError('pretrained tokenizer', PRETRAINED_TOKENIZER_FORMAT_VERSION, o.version);
    }
    return new PretrainedTokenizer(section(o.tokenizer, 'tokenizer'), {
      dropUnknown: o.dropUnknown === true,
    });
  }

  /** Versioned JSON holding the tokenizer.json; {@link fromJSON} rebuilds an identical tokenizer. */
  toJSON(): PretrainedTokenizerJSON {
    return {
      format: 'siamese.pretrained-tokenizer',
      version: PRETRAINED_TOKENIZER_FORMAT_VERSION,
      tokenizer: this.toTokenizerJson(),
      ...(this.dropUnknown ? { dropUnknown: true } : {}),
    };
  }

  /** A copy of the Hugging Face tokenizer.json object (to write next to exported weights). */
  toTokenizerJson(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.config));
  }

  /** Id of `token` (model vocabulary or added token), or `undefined`. */
  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Token of `id`, or `undefined`. */
  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  /** The normalizer alone (for inspection; added tokens are not split out). */
  normalize(text: string): string {
    assertString(text, 'text');
    return this.normalizer(toWellFormed(text));
  }

  /**
   * The pieces the model sees (after added tokens, the normalizer and the pre-tokenizer); added tokens appear as
   * themselves. For BERT this is the BasicTokenizer's output: `'HeLLo!how'` → `['hello', '!', 'how']`.
   */
  preTokenize(text: string): string[] {
    assertString(text, 'text');
    const out: string[] = [];
    for (const span of this.added.extract(toWellFormed(text), this.normalizer)) {
      if (span.id !== null) out.push(this.tokens[span.id] ?? span.text);
      else for (const p of this.preTokenizer([{ text: span.text, atStart: span.atStart }])) out.push(p.text);
    }
    return out;
  }

  /** The ids (and, when `tokens` is given, the token strings) of `text` before special tokens and truncation. */
  private contentIds(text: string, tokens?: string[]): number[] {
    assertString(text, 'text');
    const out: number[] = [];
    for (const span of this.added.extract(toWellFormed(text), this.normalizer)) {
      if (span.id !== null) {
        out.push(span.id);
        tokens?.push(span.text);
        continue;
      }
      for (const piece of this.preTokenizer([{ text: span.text, atStart: span.atStart }])) {
        if (tokens) {
          this.model.tokenize(piece.text, out, tokens);
          continue;
        }
        let ids = this.cache.get(piece.text);
        if (!ids) {
          ids = [];
          this.model.tokenize(piece.text, ids);
          if (this.cache.size > 100_000) this.cache.clear();
          if (piece.text.length <= 256) this.cache.set(piece.text, ids);
        }
        for (const id of ids) out.push(id);
      }
    }
    return this.dropUnknown ? this.withoutUnknown(out, tokens) : out;
  }

  /** Removes the unknown id (and its token strings, kept aligned) for {@link dropUnknown}. */
  private withoutUnknown(ids: number[], tokens?: string[]): number[] {
    const unk = this.unkId;
    if (unk === null || !ids.includes(unk)) return ids;
    if (tokens) {
      // in place, without spreading into arguments (a long text has more tokens than the stack has slots)
      let w = 0;
      for (let i = 0; i < tokens.length; i++) if (ids[i] !== unk) tokens[w++] = tokens[i]!;
      tokens.length = w;
    }
    return ids.filter((id) => id !== unk);
  }

  /** Number of special tokens the post-processor adds around one sequence. */
  private get specialCount(): number {
    return this.post.before.length + this.post.after.length;
  }

  /** Applies the tokenizer.json truncation (if any) and the post-processor, in place. */
  private finish(ids: number[], tokens: string[] | undefined, addSpecialTokens: boolean): number[] {
    let out = ids;
    if (this.truncation) {
      const room = Math.max(0, this.truncation.maxLength - (addSpecialTokens ? this.specialCount : 0));
      if (out.length > room) {
        const [a, b] = this.truncation.left ? [out.length - room, out.length] : [0, room];
        out = out.slice(a, b);
        if (tokens) {
          tokens.copyWithin(0, a, b);
          tokens.length = b - a;
        }
      }
    }
    if (!addSpecialTokens) return out;
    const { before, after } = this.post;
    if (tokens) {
      // in place and without spreading `tokens` into arguments (a long text has more tokens than the stack has slots)
      const content = tokens.slice();
      tokens.length = 0;
      for (const t of before) tokens.push(t.token);
      for (const t of content) tokens.push(t);
      for (const t of after) tokens.push(t.token);
    }
    return [...before.map((t) => t.id), ...out, ...after.map((t) => t.id)];
  }

  /** Token ids of `text`, as the reference `tokenizer.encode(text, add_special_tokens=…).ids`. */
  encode(text: string, options: PretrainedEncodeOptions = {}): Int32Array {
    return Int32Array.from(this.finish(this.contentIds(text), undefined, options.addSpecialTokens ?? false));
  }

  /**
   * The token strings of {@link encode}, as the reference's `Encoding.tokens`: vocabulary pieces, the matched text
   * of added tokens, fused unknown text for Unigram.
   */
  tokenize(text: string, options: PretrainedEncodeOptions = {}): string[] {
    const tokens: string[] = [];
    this.finish(this.contentIds(text, tokens), tokens, options.addSpecialTokens ?? false);
    return tokens;
  }

  /**
   * Encodes several texts into right-padded row-major arrays (padding id 0; `mask` and `lengths` say which ids are
   * real), the same shape contract as `Tokenizer.encodeBatch`. With `addSpecialTokens`, truncation keeps them.
   */
  encodeBatch(texts: readonly string[], options: PretrainedBatchOptions = {}): EncodedBatch {
    if (!Array.isArray(texts))
      throw new TypeError(`texts: expected an array of strings, found ${typeof texts}`);
    const shape = resolveBatchShape(options);
    const special = options.addSpecialTokens ?? false;
    const rows = texts.map((t, b) => {
      assertString(t, `texts[${b}]`);
      let ids = this.contentIds(t);
      const extra = special ? this.specialCount : 0;
      const room = shape.maxLength - extra;
      if (ids.length > room) {
        if (!shape.truncation) throw sequenceTooLongError(b, ids.length + extra, shape.maxLength);
        ids = ids.slice(0, Math.max(0, room));
      }
      return this.finish(ids, undefined, special);
    });
    return batchFromRows(rows, shape);
  }
}

function parseTruncation(config: unknown): { maxLength: number; left: boolean } | null {
  if (config === null || config === undefined) return null;
  const o: Section = section(config, 'truncation');
  const direction = str(o, 'direction', 'truncation', 'Right');
  if (direction !== 'Right' && direction !== 'Left') {
    throw malformed('truncation.direction', '"Right" or "Left"', direction);
  }
  const strategy = str(o, 'strategy', 'truncation', 'LongestFirst');
  if (!['LongestFirst', 'OnlyFirst', 'OnlySecond'].includes(strategy)) {
    throw unsupported('truncation', strategy, ['LongestFirst', 'OnlyFirst', 'OnlySecond']);
  }
  return { maxLength: uint(o, 'max_length', 'truncation'), left: direction === 'Left' };
}
