import { SiameseError } from '@siamese/core';
import { type VectorProblem, vectorParseError } from '../errors.js';
import { Vocabulary } from '../vocabulary.js';
import { parseDecimal } from './parse-float.js';
import { type TextSource, textChunks, textChunksSync } from './source.js';
import { WordVectors } from './word-vectors.js';

/** Options of {@link parseVectors}. */
export interface VectorParseOptions {
  /** Lower-case each word on load (the first of `The`/`the` wins); default `false`. */
  lowercase?: boolean;
  /** Keep only these words (saves memory): a vocabulary, a set/list of words, or a predicate. */
  keep?: Vocabulary | Iterable<string> | ((word: string) => boolean);
  /** `'throw'` (default): a malformed line throws `E_VECTORS_PARSE`; `'skip'`: skip and count it. */
  onError?: 'throw' | 'skip';
  /** Stop after this many words were kept (files are frequency-sorted: the top N). */
  maxWords?: number;
  /** Header line (`count dim`): `'auto'` (default) detects it, `true` requires it, `false` has none. */
  header?: 'auto' | boolean;
}

const MAX_PROBLEMS = 10;

/** Incremental parser: feed decoded text chunks with {@link push}, then {@link finish}. */
class VectorParser {
  private carry = '';
  private lineNo = 0;
  private dim = -1;
  private count = 0;
  private data = new Float32Array(0);
  private readonly words: string[] = [];
  private readonly seen = new Set<string>();
  private header: { count: number; dim: number } | null = null;
  private skipped = 0;
  private duplicates = 0;
  private readonly problems: VectorProblem[] = [];
  private readonly keep: ((w: string) => boolean) | null;
  private readonly maxWords: number;
  /** True once `maxWords` is reached: the caller may stop reading. */
  full = false;

  constructor(private readonly options: VectorParseOptions) {
    const k = options.keep;
    if (k === undefined) this.keep = null;
    else if (typeof k === 'function') this.keep = k;
    else if (k instanceof Vocabulary) this.keep = (w) => k.has(w);
    else if (k && typeof (k as Iterable<string>)[Symbol.iterator] === 'function') {
      const set = k instanceof Set ? (k as Set<string>) : new Set(k as Iterable<string>);
      this.keep = (w) => set.has(w);
    } else
      throw new TypeError(
        `options.keep: expected a Vocabulary, an iterable of words or a function, found ${typeof k}`,
      );
    const mw = options.maxWords ?? Number.POSITIVE_INFINITY;
    if (!(mw >= 1))
      throw new SiameseError('E_INVALID_ARGUMENT', `options.maxWords: expected a number >= 1, found ${mw}`);
    this.maxWords = mw;
    const oe = options.onError ?? 'throw';
    if (oe !== 'throw' && oe !== 'skip') {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `options.onError: expected 'throw' or 'skip', found ${JSON.stringify(oe)}`,
      );
    }
  }

  push(chunk: string): void {
    if (this.full) return;
    let a = 0;
    if (this.carry.length) {
      // Only the line that straddles the chunk boundary is concatenated; the rest is parsed in place.
      const nl = chunk.indexOf('\n');
      if (nl < 0) {
        this.carry += chunk;
        return;
      }
      const joined = this.carry + chunk.slice(0, nl);
      this.carry = '';
      this.line(joined, 0, joined.length);
      a = nl + 1;
    }
    for (;;) {
      if (this.full) return;
      const nl = chunk.indexOf('\n', a);
      if (nl < 0) break;
      this.line(chunk, a, nl);
      a = nl + 1;
    }
    this.carry = a === 0 ? chunk : chunk.slice(a);
  }

  finish(): WordVectors {
    if (this.carry.length && !this.full) this.line(this.carry, 0, this.carry.length);
    this.carry = '';
    if (this.options.header === true && !this.header) {
      throw vectorParseError(1, 'expected a header line "count dim", found none');
    }
    const dim = Math.max(this.dim, 0);
    return new WordVectors({
      words: this.words,
      dim,
      data: this.data.slice(0, this.count * dim),
      header: this.header,
      skipped: this.skipped,
      problems: this.problems,
      duplicates: this.duplicates,
    });
  }

  private fail(message: string): void {
    if (this.options.onError !== 'skip') throw vectorParseError(this.lineNo, message);
    this.skipped++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line: this.lineNo, message });
  }

  private line(s: string, a: number, b: number): void {
    this.lineNo++;
    // Trailing spaces and \r are common in word2vec files.
    while (b > a && isSep(s.charCodeAt(b - 1))) b--;
    while (a < b && isSep(s.charCodeAt(a))) a++;
    if (a === b) return;
    let w = a;
    while (w < b && !isSep(s.charCodeAt(w))) w++;
    if (this.lineNo === 1 && this.options.header !== false && this.tryHeader(s, a, w, b)) return;
    let word = s.slice(a, w);
    if (this.options.lowercase) word = word.toLowerCase();
    if (this.keep && !this.keep(word)) return;
    if (this.seen.has(word)) {
      this.duplicates++;
      return;
    }
    if (this.dim < 0) {
      let fields = 0;
      for (let p = w; p < b; ) {
        while (p < b && isSep(s.charCodeAt(p))) p++;
        if (p >= b) break;
        fields++;
        while (p < b && !isSep(s.charCodeAt(p))) p++;
      }
      if (fields === 0 || fields > MAX_DIM) {
        this.fail(
          fields === 0
            ? `expected a word and its values, found only ${JSON.stringify(word)}`
            : `expected at most ${MAX_DIM} values after ${JSON.stringify(word)}, found ${fields}`,
        );
        return;
      }
      this.dim = fields;
    }
    const dim = this.dim;
    const off = this.count * dim;
    if (off + dim > this.data.length) {
      const grown = new Float32Array(Math.max(dim * 1024, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    const data = this.data;
    let p = w;
    for (let d = 0; d < dim; d++) {
      while (p < b && isSep(s.charCodeAt(p))) p++;
      if (p >= b) {
        this.fail(`expected ${dim} values after ${JSON.stringify(word)}, found ${d}`);
        return;
      }
      const q = p;
      while (p < b && !isSep(s.charCodeAt(p))) p++;
      const v = parseDecimal(s, q, p);
      if (!Number.isFinite(v) || Math.abs(v) > 3.4028234663852886e38) {
        // 1e400 is Infinity as a double, 1e39 as a float32: neither is a vector value
        this.fail(
          `value ${d + 1} of ${JSON.stringify(word)}: expected a finite number, found ${JSON.stringify(s.slice(q, p))}`,
        );
        return;
      }
      data[off + d] = v;
    }
    if (p < b) {
      let extra = 0;
      while (p < b) {
        while (p < b && isSep(s.charCodeAt(p))) p++;
        if (p < b) extra++;
        while (p < b && !isSep(s.charCodeAt(p))) p++;
      }
      this.fail(`expected ${dim} values after ${JSON.stringify(word)}, found ${dim + extra}`);
      return;
    }
    this.words.push(word);
    this.seen.add(word);
    this.count++;
    if (this.count >= this.maxWords) this.full = true;
  }

  /** A first line of exactly two integers is a word2vec / fastText header (dimension at most {@link MAX_DIM}). */
  private tryHeader(s: string, a: number, w: number, b: number): boolean {
    let p = w;
    while (p < b && isSep(s.charCodeAt(p))) p++;
    let q = p;
    while (q < b && !isSep(s.charCodeAt(q))) q++;
    const isHeader = q === b && /^\d+$/.test(s.slice(a, w)) && /^\d+$/.test(s.slice(p, q));
    if (!isHeader) {
      if (this.options.header === true)
        throw vectorParseError(
          1,
          `expected a header line "count dim", found ${JSON.stringify(s.slice(a, Math.min(b, a + 40)))}`,
        );
      return false;
    }
    const count = Number(s.slice(a, w));
    const dim = Number(s.slice(p, q));
    if (dim < 1 || dim > MAX_DIM) {
      throw vectorParseError(1, `header: expected a dimension in [1, ${MAX_DIM}], found ${dim}`);
    }
    this.header = { count, dim };
    this.dim = dim;
    // The header's count is a hint, not a promise: preallocate at most 64k rows, then grow as rows arrive.
    const rows = Math.min(count, this.maxWords, 1 << 16);
    this.data = new Float32Array(Math.max(1, rows) * dim);
    return true;
  }
}

/** The widest vectors a header may declare (word vectors are 25–1024 wide; 65 536 leaves room). */
const MAX_DIM = 65_536;

function isSep(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/**
 * Stream-parses a GloVe (`word v1 … vD`), word2vec text or fastText `.vec` file (header `count dim`
 * detected automatically). The source is read chunk by chunk; lines split across chunks are joined.
 *
 * @example
 * ```ts
 * const vectors = await parseVectors(fileStream, { keep: vocab, onError: 'skip' });
 * vectors.get('the') // Float32Array(50)
 * ```
 */
export async function parseVectors(
  source: TextSource,
  options: VectorParseOptions = {},
): Promise<WordVectors> {
  const parser = new VectorParser(options);
  for await (const chunk of textChunks(source)) {
    parser.push(chunk);
    if (parser.full) break;
  }
  return parser.finish();
}

/** {@link parseVectors} for a string or a sync iterable of chunks, without promises. */
export function parseVectorsSync(
  source: string | Iterable<Uint8Array | string>,
  options: VectorParseOptions = {},
): WordVectors {
  const parser = new VectorParser(options);
  for (const chunk of textChunksSync(source)) {
    parser.push(chunk);
    if (parser.full) break;
  }
  return parser.finish();
}
