import { describe, expect, it } from 'vitest';
import { charNgramBuckets, fnv1a32 } from '../src/index.js';

/** Independent reference: fastText's hash with BigInt arithmetic and explicit int8 sign extension. */
function refHash(bytes: Uint8Array): number {
  let h = 2166136261n;
  for (const b of bytes) {
    const signed = b >= 128 ? BigInt(b - 256) : BigInt(b);
    h ^= BigInt.asUintN(32, signed);
    h = BigInt.asUintN(32, h * 16777619n);
  }
  return Number(h);
}
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Reference n-gram list (strings), written from fastText's computeSubwords. */
function refNgrams(word: string, minN: number, maxN: number): string[] {
  const chars = Array.from(`<${word}>`);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (let n = 1; n <= maxN && i + n <= chars.length; n++) {
      if (n >= minN && !(n === 1 && (i === 0 || i + n === chars.length)))
        out.push(chars.slice(i, i + n).join(''));
    }
  }
  return out;
}

describe('fnv1a32', () => {
  it('matches textbook FNV-1a on ASCII', () => {
    expect(fnv1a32(utf8(''))).toBe(0x811c9dc5);
    expect(fnv1a32(utf8('a'))).toBe(0xe40c292c);
    expect(fnv1a32(utf8('foobar'))).toBe(0xbf9cf968);
  });
  it('sign-extends bytes >= 0x80 exactly as fastText (differs from textbook FNV-1a)', () => {
    for (const s of ['é', 'naïve', '中文', '😀', '<café>']) expect(fnv1a32(utf8(s))).toBe(refHash(utf8(s)));
    // Recorded values (also checked by the conformance suite on every runtime).
    expect(fnv1a32(utf8('é'))).toBe(0x3cfa68c1);
    expect(fnv1a32([0xc3, 0xa9])).not.toBe(0x1e9de8c1); // the textbook (unsigned-byte) FNV-1a of "é"
  });
});

describe('charNgramBuckets', () => {
  it('gives fastText’s n-grams of <where> (n = 3..6) in fastText’s order', () => {
    const grams = refNgrams('where', 3, 6);
    expect(grams).toEqual([
      '<wh',
      '<whe',
      '<wher',
      '<where',
      'whe',
      'wher',
      'where',
      'where>',
      'her',
      'here',
      'here>',
      'ere',
      'ere>',
      're>',
    ]);
    const b = charNgramBuckets('where', { minN: 3, maxN: 6, buckets: 2_000_000 });
    expect(Array.from(b)).toEqual(grams.map((g) => refHash(utf8(g)) % 2_000_000));
    expect(Array.from(b)).toEqual([
      167652, 989715, 1526707, 1071586, 420941, 312621, 969176, 121234, 1473420, 1540811, 114991, 1529033,
      1568469, 867498,
    ]);
    expect(Array.from(charNgramBuckets('café', { minN: 3, maxN: 4, buckets: 1000 }))).toEqual([
      747, 831, 661, 601, 362, 12, 697,
    ]);
  });
  it('counts characters (not bytes) for n and skips lone < and >', () => {
    const b = charNgramBuckets('né', { minN: 1, maxN: 2, buckets: 1000 });
    expect(Array.from(b)).toEqual(['<n', 'n', 'né', 'é', 'é>'].map((g) => refHash(utf8(g)) % 1000));
    expect(Array.from(charNgramBuckets('中😀', { minN: 2, maxN: 3, buckets: 97 }))).toEqual(
      refNgrams('中😀', 2, 3).map((g) => refHash(utf8(g)) % 97),
    );
  });
  it('uses fastText defaults (3..6, 2M buckets), caps with maxPerToken and validates options', () => {
    expect(Array.from(charNgramBuckets('where'))).toEqual(
      refNgrams('where', 3, 6).map((g) => refHash(utf8(g)) % 2_000_000),
    );
    expect(charNgramBuckets('where', { maxPerToken: 4 }).length).toBe(4);
    expect(charNgramBuckets('', { minN: 3 }).length).toBe(0);
    expect(() => charNgramBuckets('x', { minN: 4, maxN: 3 })).toThrow(/maxN/);
    for (const minN of [0, 1.5]) {
      expect(() => charNgramBuckets('x', { minN })).toThrow(
        expect.objectContaining({
          code: 'E_INVALID_ARGUMENT',
          message: `ngrams.minN: expected an integer >= 1, found ${minN}`,
        }),
      );
    }
    // buckets: an integer in [1, 2^31 - 2] (a bucket id + 1 must fit an int32 id).
    for (const buckets of [0, -1, 1.5, 2 ** 31 - 1]) {
      expect(() => charNgramBuckets('x', { buckets })).toThrow(
        expect.objectContaining({
          code: 'E_INVALID_ARGUMENT',
          message: `ngrams.buckets: expected an integer in [1, 2^31-2], found ${buckets}`,
        }),
      );
    }
    expect(Array.from(charNgramBuckets('abc', { minN: 3, maxN: 3, buckets: 1 }))).toEqual([0, 0, 0]);
    expect(charNgramBuckets('abc', { minN: 3, maxN: 3, buckets: 2 ** 31 - 2 })).toHaveLength(3);
    expect(() => charNgramBuckets(3 as unknown as string)).toThrow(/word: expected a string/);
  });
});
