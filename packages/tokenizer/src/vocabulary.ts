import { assertString, formatVersionError, SiameseError } from '@siamese/core';
import { WordTokenizer } from './word-tokenizer.js';

/** The padding token; always id 0 in built vocabularies. */
export const PAD_TOKEN = '[PAD]';
/** The unknown-word token; always id 1 in built vocabularies. */
export const UNK_TOKEN = '[UNK]';
/** Format version written by {@link Vocabulary.toJSON}. */
export const VOCABULARY_FORMAT_VERSION = 1;

/** Serialised vocabulary (see {@link Vocabulary.toJSON}). */
export interface VocabularyJSON {
  format: 'siamese.vocabulary';
  version: number;
  /** Tokens in id order. */
  tokens: string[];
  /** Corpus frequency of each token (0 for specials / unknown). */
  counts: number[];
  /** The padding token (id of it is `tokens.indexOf(pad)`), or `null`. */
  pad: string | null;
  /** The unknown token. */
  unk: string;
  /** All special tokens (left out of coverage reports). */
  specials: string[];
}

/** Options of {@link Vocabulary.build}. */
export interface VocabularyBuildOptions {
  /** Drop tokens seen fewer times; default 1. */
  minFreq?: number;
  /** Total size cap, special tokens included; default unlimited. */
  maxSize?: number;
  /** Extra special tokens after `[PAD]` (0) and `[UNK]` (1), e.g. `['[CLS]', '[SEP]']`. */
  specials?: string[];
  /** How a text becomes tokens; default: a default {@link WordTokenizer}. */
  tokenize?: (text: string) => Iterable<string>;
}

/** Compares strings by Unicode code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) must sort after U+E000–U+FFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * A bijection between tokens and integer ids, with corpus frequencies (for token coverage reports).
 * Built vocabularies put `[PAD]` at 0 and `[UNK]` at 1, then extra specials, then tokens by frequency
 * (descending), ties broken by code point order, so the same corpus always gives the same ids.
 */
export class Vocabulary {
  private readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly counts: Int32Array | Float64Array;
  /** Id of the padding token, or -1 when the vocabulary has none. */
  readonly padId: number;
  /** Id of the unknown token. */
  readonly unkId: number;
  /** Ids of all special tokens (`[PAD]`, `[UNK]`, extras), which coverage reports leave out. */
  readonly specialIds: ReadonlySet<number>;

  private constructor(
    tokens: string[],
    counts: ArrayLike<number> | undefined,
    pad: string | null,
    unk: string,
    specials: string[],
  ) {
    const ids = new Map<string, number>();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (typeof t !== 'string')
        throw new SiameseError('E_VOCAB_FORMAT', `tokens[${i}]: expected a string, found ${typeof t}`);
      if (ids.has(t)) {
        throw new SiameseError(
          'E_VOCAB_FORMAT',
          `tokens[${i}]: duplicate token ${JSON.stringify(t)} (first at ${ids.get(t)})`,
        );
      }
      ids.set(t, i);
    }
    const unkId = ids.get(unk);
    if (unkId === undefined)
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `unknown token ${JSON.stringify(unk)} is not in the vocabulary`,
      );
    const padId = pad === null ? -1 : (ids.get(pad) ?? -1);
    if (pad !== null && padId < 0)
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `padding token ${JSON.stringify(pad)} is not in the vocabulary`,
      );
    this.tokens = tokens;
    this.ids = ids;
    this.counts = new Float64Array(tokens.length);
    if (counts) {
      if (counts.length !== tokens.length) {
        throw new SiameseError(
          'E_VOCAB_FORMAT',
          `counts: expected ${tokens.length} values, found ${counts.length}`,
        );
      }
      this.counts.set(counts);
    }
    this.padId = padId;
    this.unkId = unkId;
    const sp = new Set<number>([unkId]);
    if (padId >= 0) sp.add(padId);
    for (const s of specials) {
      const id = ids.get(s);
      if (id !== undefined) sp.add(id);
    }
    this.specialIds = sp;
  }

  /** Number of tokens (specials included). */
  get size(): number {
    return this.tokens.length;
  }

  /** The padding token, or `null`. */
  get padToken(): string | null {
    return this.padId < 0 ? null : this.tokens[this.padId]!;
  }

  /** The unknown token. */
  get unkToken(): string {
    return this.tokens[this.unkId]!;
  }

  /** Id of `token`, or {@link unkId} when it is not in the vocabulary. */
  idOf(token: string): number {
    return this.ids.get(token) ?? this.unkId;
  }

  /** Id of `token`, or `undefined` when it is not in the vocabulary. */
  get(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Length of the longest token, in UTF-16 code units (bounds how long a piece worth looking up can be). */
  get maxTokenLength(): number {
    if (this.longest === undefined) {
      let n = 0;
      for (const t of this.tokens) if (t.length > n) n = t.length;
      this.longest = n;
    }
    return this.longest;
  }
  private longest: number | undefined;

  /** True when `token` has an id. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** Token of `id`; throws `E_INVALID_ARGUMENT` when out of range. */
  tokenOf(id: number): string {
    const t = Number.isInteger(id) ? this.tokens[id] : undefined;
    if (t === undefined)
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `id: expected an integer in [0, ${this.size}), found ${id}`,
      );
    return t;
  }

  /** Corpus frequency of a token or id (0 when unknown). */
  count(tokenOrId: string | number): number {
    const id = typeof tokenOrId === 'number' ? tokenOrId : this.ids.get(tokenOrId);
    return id === undefined ? 0 : (this.counts[id] ?? 0);
  }

  /** All tokens in id order (a copy). */
  toArray(): string[] {
    return this.tokens.slice();
  }

  /** Versioned JSON; `Vocabulary.fromJSON(v.toJSON())` rebuilds an identical vocabulary. */
  toJSON(): VocabularyJSON {
    return {
      format: 'siamese.vocabulary',
      version: VOCABULARY_FORMAT_VERSION,
      tokens: this.tokens.slice(),
      counts: Array.from(this.counts),
      pad: this.padToken,
      unk: this.unkToken,
      specials: [...this.specialIds].sort((a, b) => a - b).map((id) => this.tokens[id]!),
    };
  }

  /**
   * Rebuilds a vocabulary from {@link toJSON} output (an object or its JSON string).
   * Throws `E_FORMAT_VERSION` on a missing, wrong or newer version.
   */
  static fromJSON(json: VocabularyJSON | string): Vocabulary {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<VocabularyJSON> | null;
    if (!o || typeof o !== 'object')
      throw new SiameseError('E_VOCAB_FORMAT', 'vocabulary JSON: expected an object');
    if (o.version !== VOCABULARY_FORMAT_VERSION)
      throw formatVersionError('vocabulary', VOCABULARY_FORMAT_VERSION, o.version);
    if (!Array.isArray(o.tokens))
      throw new SiameseError('E_VOCAB_FORMAT', 'vocabulary JSON: expected "tokens" to be an array');
    const specials = Array.isArray(o.specials) ? o.specials : [];
    return new Vocabulary(o.tokens, o.counts, o.pad ?? null, o.unk ?? UNK_TOKEN, specials);
  }

  /**
   * A vocabulary from a token list in id order (e.g. a BERT `vocab.txt`). The unknown and padding tokens
   * are looked up by name (`[UNK]`, `[PAD]`); `pad: null` allows a list without padding.
   */
  static fromTokens(
    tokens: readonly string[],
    options: { unk?: string; pad?: string | null; counts?: ArrayLike<number>; specials?: string[] } = {},
  ): Vocabulary {
    if (!Array.isArray(tokens))
      throw new TypeError(`tokens: expected an array of strings, found ${typeof tokens}`);
    const pad = options.pad === undefined ? (tokens.includes(PAD_TOKEN) ? PAD_TOKEN : null) : options.pad;
    const specials = options.specials ?? tokens.filter((t) => /^\[[A-Z]+\]$/.test(t));
    return new Vocabulary(tokens.slice(), options.counts, pad, options.unk ?? UNK_TOKEN, specials);
  }

  /** Builds from token counts (the deterministic order and the caps of {@link VocabularyBuildOptions}). */
  static fromCounts(
    counts: ReadonlyMap<string, number>,
    options: Omit<VocabularyBuildOptions, 'tokenize'> = {},
  ): Vocabulary {
    const minFreq = options.minFreq ?? 1;
    const extra = options.specials ?? [];
    const specials = [PAD_TOKEN, UNK_TOKEN, ...extra.filter((s) => s !== PAD_TOKEN && s !== UNK_TOKEN)];
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    if (!(maxSize >= specials.length)) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `maxSize: expected at least ${specials.length} (the special tokens), found ${maxSize}`,
      );
    }
    const reserved = new Set(specials);
    const entries = [...counts].filter(([t, c]) => c >= minFreq && !reserved.has(t));
    entries.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
    const kept = entries.slice(0, Math.max(0, maxSize - specials.length));
    const tokens = [...specials, ...kept.map((e) => e[0])];
    const freq = [...specials.map(() => 0), ...kept.map((e) => e[1])];
    return new Vocabulary(tokens, freq, PAD_TOKEN, UNK_TOKEN, specials);
  }

  /** Counts the tokens of each text of a (sync) corpus and builds a vocabulary. */
  static build(corpus: Iterable<string>, options: VocabularyBuildOptions = {}): Vocabulary {
    const counter = new TokenCounter(options.tokenize);
    let i = 0;
    for (const text of corpus) counter.add(text, i++);
    return Vocabulary.fromCounts(counter.counts, options);
  }

  /** {@link build} for an async iterable (e.g. lines streamed from a file) or a sync one. */
  static async buildAsync(
    corpus: AsyncIterable<string> | Iterable<string>,
    options: VocabularyBuildOptions = {},
  ): Promise<Vocabulary> {
    const counter = new TokenCounter(options.tokenize);
    let i = 0;
    for await (const text of corpus) counter.add(text, i++);
    return Vocabulary.fromCounts(counter.counts, options);
  }
}

/** Accumulates token frequencies. */
class TokenCounter {
  readonly counts = new Map<string, number>();
  private readonly tokenize: (text: string) => Iterable<string>;
  constructor(tokenize?: (text: string) => Iterable<string>) {
    if (tokenize) this.tokenize = tokenize;
    else {
      const wt = new WordTokenizer();
      this.tokenize = (t) => wt.tokenizeToStrings(t);
    }
  }
  add(text: string, index: number): void {
    assertString(text, `corpus[${index}]`);
    for (const t of this.tokenize(text)) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
  }
}
