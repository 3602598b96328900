import { assertString, SiameseError } from '@siamese/core';

/** Options of fastText-style hashed character n-grams. */
export interface NgramOptions {
  /** Shortest n-gram in characters (code points); default 3. */
  minN?: number;
  /** Longest n-gram in characters; default 6. */
  maxN?: number;
  /** Number of hash buckets; default 2,000,000 (fastText's default). */
  buckets?: number;
  /** Keep at most this many n-grams per word (the first ones, in fastText's order); default: all. */
  maxPerToken?: number;
}

/** N-gram options with defaults filled in (`maxPerToken` is `Infinity` when unbounded). */
export type ResolvedNgramOptions = Required<NgramOptions>;

/** Validates and fills defaults. */
export function resolveNgramOptions(options: NgramOptions = {}): ResolvedNgramOptions {
  const minN = options.minN ?? 3;
  const maxN = options.maxN ?? 6;
  const buckets = options.buckets ?? 2_000_000;
  const maxPerToken = options.maxPerToken ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(minN) || minN < 1)
    throw new SiameseError('E_INVALID_ARGUMENT', `ngrams.minN: expected an integer >= 1, found ${minN}`);
  if (!Number.isInteger(maxN) || maxN < minN) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `ngrams.maxN: expected an integer >= minN (${minN}), found ${maxN}`,
    );
  }
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 2 ** 31 - 2) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `ngrams.buckets: expected an integer in [1, 2^31-2], found ${buckets}`,
    );
  }
  if (!(maxPerToken >= 1) || (maxPerToken !== Number.POSITIVE_INFINITY && !Number.isInteger(maxPerToken))) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `ngrams.maxPerToken: expected an integer >= 1, found ${maxPerToken}`,
    );
  }
  return { minN, maxN, buckets, maxPerToken };
}

/**
 * fastText's 32-bit FNV-1a: `h = 2166136261; h ^= int8(byte); h *= 16777619`. Each byte is sign-extended
 * as fastText's `uint32_t(int8_t(c))` does, so non-ASCII bytes differ from textbook FNV-1a.
 * Returns an unsigned 32-bit integer.
 */
export function fnv1a32(bytes: Uint8Array | ArrayLike<number>, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= (bytes[i]! << 24) >> 24;
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const encoder = new TextEncoder();

/**
 * Hash buckets of the character n-grams of `word`, exactly as fastText's `computeSubwords`: the word is
 * wrapped in `<` `>`, n counts UTF-8 characters, n-grams run by start position then length, and the
 * single-character n-grams `<` and `>` are skipped. Values are `bucket` in `[0, buckets)` (no +1 offset).
 *
 * @example
 * ```ts
 * charNgramBuckets('where', { minN: 3, maxN: 3, buckets: 2_000_000 }) // <wh, whe, her, ere, re>
 * ```
 */
export function charNgramBuckets(word: string, options: NgramOptions = {}): Int32Array {
  assertString(word, 'word');
  const o = resolveNgramOptions(options);
  const out: number[] = [];
  forEachNgramBucket(word, o, (b) => out.push(b));
  return Int32Array.from(out);
}

/** Calls `visit` with each bucket of `word` (at most `maxPerToken`); returns how many were visited. */
export function forEachNgramBucket(
  word: string,
  o: ResolvedNgramOptions,
  visit: (bucket: number) => void,
): number {
  const bytes = encoder.encode(`<${word}>`);
  const len = bytes.length;
  let count = 0;
  for (let i = 0; i < len; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) continue;
    let h = 0x811c9dc5;
    let j = i;
    for (let n = 1; j < len && n <= o.maxN; n++) {
      h = Math.imul(h ^ ((bytes[j++]! << 24) >> 24), 16777619);
      while (j < len && (bytes[j]! & 0xc0) === 0x80) h = Math.imul(h ^ ((bytes[j++]! << 24) >> 24), 16777619);
      if (n >= o.minN && !(n === 1 && (i === 0 || j === len))) {
        visit((h >>> 0) % o.buckets);
        if (++count >= o.maxPerToken) return count;
      }
    }
  }
  return count;
}
