import { SiameseError } from '@siamese/core';
import { describe, expect, it } from 'vitest';
import { PretrainedTokenizer, Tokenizer, tokenizerFromJSON, WhitespaceTokenizer } from '../src/index.js';

describe('PretrainedTokenizer.fromWord2Index (a PyTorch tutorial vocabulary)', () => {
  const word2index = {
    '<pad>': 0,
    '<unk>': 1,
    don: 2,
    "'": 3,
    t: 4,
    café: 5,
    snake_case: 6,
    '.': 7,
    '42': 8,
  };
  const tok = PretrainedTokenizer.fromWord2Index(word2index);

  it("splits as Python's re.findall(r'\\w+|[^\\w\\s]', text.lower()): letters, digits and _ in runs, other symbols alone", () => {
    // Python: re.findall(r"\w+|[^\w\s]", "Don't CAFÉ snake_case... 42!".lower())
    //   == ['don', "'", 't', 'café', 'snake_case', '.', '.', '.', '42', '!']
    expect(tok.tokenize("Don't CAFÉ snake_case... 42!")).toEqual([
      'don',
      "'",
      't',
      'café',
      'snake_case',
      '.',
      '.',
      '.',
      '42',
      '<unk>',
    ]);
    expect([...tok.encode("Don't zebra")]).toEqual([2, 3, 4, 1]);
    expect(tok.unkId).toBe(1);
    expect(tok.padId).toBe(0);
    expect(tok.vocabSize).toBe(9);
  });

  it('ids must be distinct non-negative integers: E_VOCAB_FORMAT naming the token', () => {
    const errorOf = (w: Record<string, number>) => {
      try {
        PretrainedTokenizer.fromWord2Index(w);
      } catch (e) {
        return [(e as SiameseError).code, (e as Error).message];
      }
      return null;
    };
    expect(errorOf({ '<unk>': 0, a: -1 })).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: word2index["a"]: expected a non-negative integer id, found -1',
    ]);
    expect(errorOf({ '<unk>': 0, a: 1, b: 1 })).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: word2index["b"]: expected an id not already used by "a", found 1',
    ]);
  });

  it('options: case kept, another pattern, another unknown token', () => {
    const cased = PretrainedTokenizer.fromWord2Index(
      { UNK: 0, Hi: 1, 'hi-there': 2 },
      { lowercase: false, pattern: '\\S+' },
    );
    expect([...cased.encode('Hi hi-there hi')]).toEqual([1, 2, 0]);
  });

  it('E_VOCAB_FORMAT: no unknown token, repeated or negative ids', () => {
    expect(() => PretrainedTokenizer.fromWord2Index({ a: 0, b: 1 })).toThrow(
      expect.objectContaining({
        code: 'E_VOCAB_FORMAT',
        message: expect.stringMatching(/unknown-word token/),
      }),
    );
    expect(() => PretrainedTokenizer.fromWord2Index({ '<unk>': 0, a: 1, b: 1 })).toThrow(
      expect.objectContaining({
        code: 'E_VOCAB_FORMAT',
        message: expect.stringMatching(/not already used by "a"/),
      }),
    );
    expect(() => PretrainedTokenizer.fromWord2Index({ '<unk>': 0, a: -1 })).toThrow(
      expect.objectContaining({ code: 'E_VOCAB_FORMAT' }),
    );
  });
});

describe('tokenizerFromJSON', () => {
  it('rebuilds each model tokenizer from its toJSON, with the same ids', () => {
    const texts = ['a man plays a flute', 'unknown words here'];
    const tokenizers = [
      Tokenizer.build(['a man plays a guitar', 'a flute']),
      PretrainedTokenizer.fromWord2Index({ '<unk>': 0, a: 1, man: 2, flute: 3 }),
      WhitespaceTokenizer.fromConfig({
        vocab: ['', 'a', 'man', 'flute'],
        stop_words: [],
        do_lower_case: true,
      }),
    ];
    for (const t of tokenizers) {
      const again = tokenizerFromJSON(JSON.stringify(t.toJSON()));
      expect(again.constructor).toBe(t.constructor);
      for (const text of texts) expect([...again.encode(text)]).toEqual([...t.encode(text)]);
    }
  });

  it('E_VOCAB_FORMAT on an unknown format or bad JSON', () => {
    try {
      tokenizerFromJSON({ format: 'bpe', version: 1 } as never);
      expect.unreachable();
    } catch (e) {
      expect(SiameseError.is(e, 'E_VOCAB_FORMAT')).toBe(true);
      expect((e as Error).message).toMatch(/found "bpe"/);
    }
    expect(() => tokenizerFromJSON('{')).toThrow(expect.objectContaining({ code: 'E_VOCAB_FORMAT' }));
  });
});
