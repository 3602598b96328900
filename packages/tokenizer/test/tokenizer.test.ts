import { Rng } from '@siamese/core';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { charNgramBuckets, Tokenizer, Vocabulary } from '../src/index.js';
import { sentences } from './helpers.js';

const corpus = ['A man is playing a flute.', "The man isn't playing.", 'A cat 😀 中文 שלום'];
// Built in beforeEach, not at load: code run while a test file loads is a "static" mutant to Stryker, which
// then reruns the whole suite for it (see scripts/stryker.config.mjs).
let tok: Tokenizer;
beforeEach(() => {
  tok = Tokenizer.build(corpus);
});

describe('Tokenizer', () => {
  it('encodes known words to their ids and unknown words to [UNK]', () => {
    expect(tok.vocabSize).toBe(tok.vocab.size);
    expect(tok.vocab.toArray()).toEqual([
      '[PAD]',
      '[UNK]',
      'a',
      '.',
      'is',
      'man',
      'playing',
      'cat',
      'flute',
      "n't",
      'the',
      'שלום',
      '中',
      '文',
      '😀',
    ]);
    expect(Array.from(tok.encode('A MAN is playing the tuba!'))).toEqual([2, 5, 4, 6, 10, 1, 1]);
    expect(Array.from(tok.encode('😀中文שלום \ud800'))).toEqual([14, 12, 13, 11, 1]);
    expect(Array.from(tok.encode(''))).toEqual([]);
  });
  it('encodeBatch pads right with 0, reports lengths and mask, keeps empty rows', () => {
    const b = tok.encodeBatch(['a man', '', 'the cat is playing .']);
    expect(b.shape).toEqual([3, 5]);
    expect(Array.from(b.lengths)).toEqual([2, 0, 5]);
    expect(Array.from(b.ids)).toEqual([2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 10, 7, 4, 6, 3]);
    expect(Array.from(b.mask)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const empty = tok.encodeBatch(['', '  ']);
    expect(empty.shape).toEqual([2, 1]);
    expect(Array.from(empty.ids)).toEqual([0, 0]);
    expect(tok.encodeBatch([]).shape).toEqual([0, 1]);
  });
  it('truncates to maxLength, pads to max, or throws E_SEQUENCE_TOO_LONG', () => {
    const b = tok.encodeBatch(['a man is playing', 'a'], { maxLength: 3, padding: 'max' });
    expect(b.shape).toEqual([2, 3]);
    expect(Array.from(b.ids)).toEqual([2, 5, 4, 2, 0, 0]);
    expect(Array.from(b.lengths)).toEqual([3, 1]);
    const c = tok.encodeBatch(['a', 'a man'], { maxLength: 8 });
    expect(c.shape).toEqual([2, 2]);
    expect(() => tok.encodeBatch(['a', 'a man is'], { maxLength: 2, truncation: false })).toThrow(
      expect.objectContaining({
        code: 'E_SEQUENCE_TOO_LONG',
        details: { index: 1, length: 3, maxLength: 2 },
      }),
    );
    expect(() => tok.encodeBatch(['a man is'], { maxLength: 2, truncation: false })).toThrow(
      expect.objectContaining({ code: 'E_SEQUENCE_TOO_LONG' }),
    );
    expect(() => tok.encodeBatch(['a', 'a man is'], { maxLength: 2, truncation: false })).toThrow(
      /texts\[1\]: expected at most 2 tokens \(truncation is off\), found 3/,
    );
    expect(() => tok.encodeBatch(['a'], { padding: 'max' })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: "padding 'max' needs maxLength" }),
    );
    expect(() => tok.encodeBatch(['a'], { maxLength: 0 })).toThrow(/maxLength/);
    // Exactly maxLength tokens fit, truncation or not.
    expect(Array.from(tok.encodeBatch(['a man'], { maxLength: 2, truncation: false }).lengths)).toEqual([2]);
  });
  it('returns n-gram bags (bucket + 1, 0 = padding) in a B×T×K array', () => {
    const ng = { minN: 3, maxN: 4, buckets: 1000, maxPerToken: 6 };
    const b = tok.encodeBatch(['a flute', 'cat'], { ngrams: ng });
    expect(b.ngramShape).toEqual([2, 2, 6]);
    const bag = (w: string) => {
      const r = Array.from(charNgramBuckets(w, ng), (x) => x + 1);
      return [...r, ...new Array(6 - r.length).fill(0)];
    };
    expect(bag('a')).toEqual([(charNgramBuckets('a', ng)[0] ?? -1) + 1, 0, 0, 0, 0, 0]); // only "<a>"
    expect(Array.from(b.ngramIds!)).toEqual([...bag('a'), ...bag('flute'), ...bag('cat'), 0, 0, 0, 0, 0, 0]);
    // With maxPerToken, K is that cap even when every bag is shorter (a fixed shape across batches).
    expect(tok.encodeBatch(['a'], { ngrams: ng }).ngramShape).toEqual([1, 1, 6]);
    // Unknown words get n-grams of their own text (that is the point of subword bags).
    const u = tok.encodeBatch(['zebra'], { ngrams: { minN: 3, maxN: 3, buckets: 50 } });
    expect(u.ngramShape).toEqual([1, 1, 5]);
    expect(Array.from(u.ngramIds!)).toEqual(
      Array.from(charNgramBuckets('zebra', { minN: 3, maxN: 3, buckets: 50 }), (x) => x + 1),
    );
  });
  it('n-gram bags follow truncation, and each n-gram setting gets its own bags', () => {
    const ng = { minN: 3, maxN: 3, buckets: 1000, maxPerToken: 4 };
    const bag = (w: string) => {
      const r = Array.from(charNgramBuckets(w, ng), (x) => x + 1);
      return [...r, ...new Array(4 - r.length).fill(0)];
    };
    const b = tok.encodeBatch(['a man is playing', 'cat'], { maxLength: 2, ngrams: ng });
    expect(b.ngramShape).toEqual([2, 2, 4]);
    expect(Array.from(b.ngramIds!)).toEqual([...bag('a'), ...bag('man'), ...bag('cat'), 0, 0, 0, 0]);
    const four = { minN: 4, maxN: 4, buckets: 1000 };
    const c = tok.encodeBatch(['cat'], { ngrams: four });
    expect(Array.from(c.ngramIds!)).toEqual(Array.from(charNgramBuckets('cat', four), (x) => x + 1));
  });
  it('decode joins tokens with spaces and skips padding', () => {
    const b = tok.encodeBatch(['a man', 'The cat is playing.']);
    expect(tok.decode(b.ids.subarray(0, b.shape[1]))).toBe('a man');
    expect(tok.decode(b.ids.subarray(b.shape[1]))).toBe('the cat is playing .');
    expect(() => tok.decode([99])).toThrow(/id/);
  });
  it('splits unknown words into ## pieces with wordpieceFallback', () => {
    const v = Vocabulary.fromTokens(['[PAD]', '[UNK]', 'un', '##aff', '##able', 'play', '##ing']);
    const t = new Tokenizer(v, { wordpieceFallback: true });
    expect(Array.from(t.encode('unaffable playing xyz'))).toEqual([2, 3, 4, 5, 6, 1]);
    expect(Array.from(new Tokenizer(v).encode('unaffable'))).toEqual([1]);
  });
  it('wordpieceFallback on 64 KB of 100-letter words costs at most (P + 1) lookups per letter (issue 19)', () => {
    const v = Vocabulary.fromTokens(['[PAD]', '[UNK]', 'a', 'b', '##a', '##b', '##ab']);
    const t = new Tokenizer(v, { wordpieceFallback: true });
    const has = vi.spyOn(v, 'has');
    const rng = new Rng(19);
    const words = Array.from({ length: 640 }, () =>
      Array.from({ length: 100 }, () => (rng.next() < 0.5 ? 'a' : 'b')).join(''),
    );
    const ids = t.encode(words.join(' '));
    expect(ids.length).toBeGreaterThan(640 * 50); // split into pieces, not [UNK]
    expect(has.mock.calls.length).toBeLessThanOrEqual(640 * 100 * (v.maxTokenLength + 1));
  });
  it('round-trips through versioned JSON', () => {
    const t = Tokenizer.build(corpus, { lowercase: false, stripAccents: true, splitHyphens: false });
    const back = Tokenizer.fromJSON(JSON.stringify(t.toJSON()));
    expect(back.options).toEqual(t.options);
    expect(back.vocab.toArray()).toEqual(t.vocab.toArray());
    expect(Array.from(back.encode('A man-made flûte'))).toEqual(Array.from(t.encode('A man-made flûte')));
    expect(() => Tokenizer.fromJSON({ ...t.toJSON(), version: 2 })).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_VERSION' }),
    );
    expect(() => Tokenizer.fromJSON({ ...t.toJSON(), version: 2 })).toThrow(
      'tokenizer: expected format version 1 or older, found 2',
    );
    for (const bad of [null, 3, 'null']) {
      expect(() => Tokenizer.fromJSON(bad as never)).toThrow(
        expect.objectContaining({ code: 'E_VOCAB_FORMAT', message: 'tokenizer JSON: expected an object' }),
      );
    }
    expect(() => Tokenizer.fromJSON({ ...t.toJSON(), vocabulary: undefined } as never)).toThrow(
      expect.objectContaining({ code: 'E_VOCAB_FORMAT', message: 'tokenizer JSON: "vocabulary" is missing' }),
    );
    expect(() => new Tokenizer(t.vocab.toArray() as never)).toThrow(
      new TypeError('vocab: expected a Vocabulary'),
    );
  });
  it('rejects non-string input with a TypeError naming the argument', () => {
    expect(() => tok.encode(undefined as unknown as string)).toThrow(/text: expected a string/);
    expect(() => tok.encodeBatch(['a', 3 as unknown as string])).toThrow(
      /texts\[1\]: expected a string, found number 3/,
    );
    expect(() => tok.encodeBatch('abc' as unknown as string[])).toThrow(
      new TypeError('texts: expected an array of strings, found string'),
    );
  });
  it('handles a 1 MB text', () => {
    const big = 'a man is playing a flute . '.repeat(40_000);
    const ids = tok.encode(big);
    expect(ids.length).toBe(40_000 * 7);
    expect(tok.encodeBatch([big], { maxLength: 512 }).shape).toEqual([1, 512]);
  });
  it('builds a deterministic vocabulary from STS-B train', async () => {
    const texts = sentences('stsb/train.tsv');
    expect(texts.length).toBe(5749 * 2);
    const a = Tokenizer.build(texts, { minFreq: 2 });
    async function* stream() {
      yield* texts;
    }
    const b = await Tokenizer.buildAsync(stream(), { minFreq: 2 });
    expect(b.vocab.toArray()).toEqual(a.vocab.toArray());
    expect(a.vocab.toArray().slice(0, 8)).toEqual(['[PAD]', '[UNK]', '.', 'a', 'the', 'in', ',', 'is']);
    expect([a.vocab.size, a.vocab.count('.'), a.vocab.count('a')]).toEqual([7746, 7354, 6762]);
  });

  describe('properties', () => {
    const texts = sentences('stsb/dev.tsv').slice(0, 400);
    const t = Tokenizer.build(texts);
    const words = t.vocab.toArray().slice(2);
    it('decode(encode(x)) is x for text made of vocabulary tokens', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), (ws) => {
          const text = ws.join(' ');
          expect(t.decode(t.encode(text))).toBe(text);
        }),
        { numRuns: 300 },
      );
    });
    it('never throws on any string, including lone surrogates', () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), {
            maxLength: 5,
          }),
          (xs) => {
            const b = t.encodeBatch(xs, { maxLength: 16, ngrams: { buckets: 100, maxPerToken: 3 } });
            expect(b.ids.length).toBe(b.shape[0] * b.shape[1]);
            for (const x of xs) for (const i of t.encode(x)) expect(i).toBeLessThan(t.vocab.size);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
