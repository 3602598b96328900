import { SiameseError } from '@siamese/core';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, Vocabulary } from '../src/index.js';

const corpus = ['the cat sat on the mat.', 'The dog sat!', 'a cat, a dog'];

describe('Vocabulary', () => {
  it('orders specials, then frequency desc, then code point', () => {
    const v = Vocabulary.build(corpus);
    expect(v.toArray()).toEqual([
      '[PAD]',
      '[UNK]',
      'the',
      'a',
      'cat',
      'dog',
      'sat',
      '!',
      ',',
      '.',
      'mat',
      'on',
    ]);
    expect([v.padId, v.unkId, v.size]).toEqual([0, 1, 12]);
    expect(v.count('the')).toBe(3);
    expect(v.count('[PAD]')).toBe(0);
    expect(v.idOf('cat')).toBe(4);
    expect(v.idOf('zebra')).toBe(1);
    expect(v.get('zebra')).toBeUndefined();
    expect(v.tokenOf(5)).toBe('dog');
    expect(v.has('mat')).toBe(true);
    expect(() => v.tokenOf(99)).toThrow(/id: expected an integer in \[0, 12\)/);
  });
  it('applies minFreq, maxSize and extra specials', () => {
    const v = Vocabulary.build(corpus, { minFreq: 2, maxSize: 6, specials: ['[CLS]', '[SEP]'] });
    expect(v.toArray()).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'a']);
    expect([...v.specialIds].sort()).toEqual([0, 1, 2, 3]);
    expect(() => Vocabulary.build(corpus, { maxSize: 1 })).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_ARGUMENT',
        message: 'maxSize: expected at least 2 (the special tokens), found 1',
      }),
    );
  });
  it('builds from async iterables and custom tokenizers', async () => {
    async function* lines() {
      yield 'b a';
      yield 'a';
    }
    const v = await Vocabulary.buildAsync(lines(), { tokenize: (t) => t.split(' ') });
    expect(v.toArray()).toEqual(['[PAD]', '[UNK]', 'a', 'b']);
    await expect(Vocabulary.buildAsync([1 as unknown as string])).rejects.toThrow(
      /corpus\[0\]: expected a string/,
    );
  });
  it('sorts ties by code point, not UTF-16 unit', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF5E')).toBeGreaterThan(0); // JS '<' says the opposite
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    // U+E000 (the first code point after the surrogates) sorts before U+FFFF and after U+D7FF, on either side.
    expect(Math.sign(compareCodePoints('\ue000', '\uffff'))).toBe(-1);
    expect(Math.sign(compareCodePoints('\uffff', '\ue000'))).toBe(1);
    expect(Math.sign(compareCodePoints('\ud7ff', '\ue000'))).toBe(-1);
    expect(Math.sign(compareCodePoints('\ue000', '\u{10000}'))).toBe(-1);
    const v = Vocabulary.fromCounts(
      new Map([
        ['\u{1F600}', 1],
        ['\uFF5E', 1],
        ['b', 1],
      ]),
    );
    expect(v.toArray().slice(2)).toEqual(['b', '\uFF5E', '\u{1F600}']);
  });
  it('round-trips through JSON and rejects other versions with E_FORMAT_VERSION', () => {
    const v = Vocabulary.build(corpus);
    const back = Vocabulary.fromJSON(JSON.stringify(v.toJSON()));
    expect(back.toArray()).toEqual(v.toArray());
    expect(back.count('the')).toBe(3);
    const withCls = Vocabulary.build(corpus, { specials: ['[CLS]'] });
    expect(withCls.toJSON().specials).toEqual(['[PAD]', '[UNK]', '[CLS]']);
    expect([...Vocabulary.fromJSON(withCls.toJSON()).specialIds]).toEqual([...withCls.specialIds]);
    expect(v.toJSON().version).toBe(1);
    for (const version of [2, 0, undefined, '1']) {
      const err = (() => {
        try {
          Vocabulary.fromJSON({ ...v.toJSON(), version: version as number });
        } catch (e) {
          return e;
        }
      })();
      expect(SiameseError.is(err, 'E_FORMAT_VERSION')).toBe(true);
    }
  });
  it('fromTokens keeps the order and finds the specials by name', () => {
    const v = Vocabulary.fromTokens(['[PAD]', 'x', '[UNK]', 'y']);
    expect([v.padId, v.unkId, v.idOf('y')]).toEqual([0, 2, 3]);
    expect(Vocabulary.fromTokens(['[UNK]', 'x']).padId).toBe(-1);
    expect(() => Vocabulary.fromTokens(['a', 'a', '[UNK]'])).toThrow(
      expect.objectContaining({
        code: 'E_VOCAB_FORMAT',
        message: 'tokens[1]: duplicate token "a" (first at 0)',
      }),
    );
    expect(() => Vocabulary.fromTokens(['a'])).toThrow(/unknown token "\[UNK\]" is not in the vocabulary/);
  });
  it('malformed input: the error names what was expected and what was found', () => {
    expect(() => Vocabulary.fromTokens('[UNK]' as unknown as string[])).toThrow(
      new TypeError('tokens: expected an array of strings, found string'),
    );
    expect(() => Vocabulary.fromTokens(['[PAD]', '[UNK]', 'a'], { counts: [3, 2] })).toThrow(
      expect.objectContaining({ code: 'E_VOCAB_FORMAT', message: 'counts: expected 3 values, found 2' }),
    );
    expect(() => Vocabulary.fromJSON({ version: 1, tokens: 'a b' } as never)).toThrow(
      expect.objectContaining({
        code: 'E_VOCAB_FORMAT',
        message: 'vocabulary JSON: expected "tokens" to be an array',
      }),
    );
    for (const bad of [null, 'null', 7]) {
      expect(() => Vocabulary.fromJSON(bad as never)).toThrow(
        expect.objectContaining({ code: 'E_VOCAB_FORMAT', message: 'vocabulary JSON: expected an object' }),
      );
    }
  });
});
