import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { normalize, WordTokenizer } from '../src/index.js';
import { isCjk } from '../src/unicode.js';

// Built in beforeEach, not at load: code run while a test file loads is a "static" mutant to Stryker, which
// then reruns the whole suite for it (see scripts/stryker.config.mjs).
let wt: WordTokenizer;
beforeEach(() => {
  wt = new WordTokenizer();
});
const texts = (s: string, t = wt) => t.tokenize(s).map((x) => x.text);

describe('WordTokenizer', () => {
  it('splits words, numbers, clitics and punctuation like GloVe (Penn Treebank style)', () => {
    expect(texts("Don't panic! It's 3.5% of $1,000... at 10:30")).toEqual([
      'do',
      "n't",
      'panic',
      '!',
      'it',
      "'s",
      '3.5',
      '%',
      'of',
      '$',
      '1,000',
      '...',
      'at',
      '10:30',
    ]);
    expect(texts("can't won't they're I'm we've you'll he'd")).toEqual([
      'ca',
      "n't",
      'wo',
      "n't",
      'they',
      "'re",
      'i',
      "'m",
      'we',
      "'ve",
      'you',
      "'ll",
      'he',
      "'d",
    ]);
    expect(texts('It’s ok, isn’t it')).toEqual(['it', '’s', 'ok', ',', 'is', 'n’t', 'it']);
    expect(texts("o'brien rock'n'roll James' book")).toEqual([
      "o'brien",
      "rock'n'roll",
      'james',
      "'",
      'book',
    ]);
  });
  it('keeps abbreviations and acronyms with their period, splits hyphens', () => {
    expect(texts('Mr. Smith of the U.S. (e.g. Inc.) is well-known -- really.')).toEqual([
      'mr.',
      'smith',
      'of',
      'the',
      'u.s.',
      '(',
      'e.g.',
      'inc.',
      ')',
      'is',
      'well',
      '-',
      'known',
      '--',
      'really',
      '.',
    ]);
    const plain = new WordTokenizer({ abbreviations: false, splitHyphens: false });
    expect(texts('Mr. U.S. well-known', plain)).toEqual(['mr', '.', 'u', '.', 's', '.', 'well-known']);
    // A hyphen joins only when a word character follows it.
    expect(texts('well- known end- -start a-b-c', plain)).toEqual([
      'well',
      '-',
      'known',
      'end',
      '-',
      '-',
      'start',
      'a-b-c',
    ]);
    expect(texts('end-', plain)).toEqual(['end', '-']);
  });
  it('a BMP emoji modifier (U+FE0F) is one unit: the letters after it stay a word of their own', () => {
    expect(wt.tokenizeToStrings('\u2764\ufe0fok \u263a\ufe0e!')).toEqual([
      '\u2764\ufe0f',
      'ok',
      '\u263a\ufe0e',
      '!',
    ]);
  });
  it("CJK is BERT's eight ranges, the compatibility ideographs included", () => {
    const edges = [0x4dff, 0xf8ff, 0xf900, 0xfaff, 0xfb00, 0x2f7ff, 0x2f800, 0x2fa1f, 0x2fa20, 0x30000];
    expect(edges.map((cp) => [cp.toString(16), isCjk(cp)])).toEqual([
      ['4dff', false],
      ['f8ff', false],
      ['f900', true],
      ['faff', true],
      ['fb00', false],
      ['2f7ff', false],
      ['2f800', true],
      ['2fa1f', true],
      ['2fa20', false],
      ['30000', false],
    ]);
    // Without NFKC (which maps most of them to unified ideographs), a compatibility ideograph is its own token.
    const raw = new WordTokenizer({ form: 'none' });
    expect(raw.tokenizeToStrings('a\uf900b \u{2f800}\u{2f800} \u{30000}\u{30000}')).toEqual([
      'a',
      '\uf900',
      'b',
      '\u{2f800}',
      '\u{2f800}',
      '\u{30000}\u{30000}',
    ]);
  });
  it('splits CJK per character; keeps emoji sequences, flags and RTL words whole', () => {
    const s = '我爱NLP 😀👍🏽 👨‍👩‍👧 🇫🇷🇩🇪 שלום, مرحبا!';
    const toks = wt.tokenize(s);
    expect(toks.map((t) => t.text)).toEqual([
      '我',
      '爱',
      'nlp',
      '😀',
      '👍🏽',
      '👨‍👩‍👧',
      '🇫🇷',
      '🇩🇪',
      'שלום',
      ',',
      'مرحبا',
      '!',
    ]);
    expect(toks.map((t) => s.slice(t.start, t.end))).toEqual([
      '我',
      '爱',
      'NLP',
      '😀',
      '👍🏽',
      '👨‍👩‍👧',
      '🇫🇷',
      '🇩🇪',
      'שלום',
      ',',
      'مرحبا',
      '!',
    ]);
  });
  it('maps offsets back to the original through NFKC and combining marks', () => {
    const s = 'Ｃafe\u0301 ½ ﬁne x\ud800y';
    expect(wt.tokenize(s)).toEqual([
      { text: 'café', start: 0, end: 5 },
      { text: '1', start: 6, end: 7 },
      { text: '⁄', start: 6, end: 7 },
      { text: '2', start: 6, end: 7 },
      { text: 'fine', start: 8, end: 11 },
      { text: 'x', start: 12, end: 13 },
      { text: '\ufffd', start: 13, end: 14 },
      { text: 'y', start: 14, end: 15 },
    ]);
  });
  it('handles empty, whitespace-only and 1 MB inputs', () => {
    expect(wt.tokenize('')).toEqual([]);
    expect(wt.tokenize(' \t\n\u00a0\u200b')).toEqual([]);
    const big = 'The quick brown fox, naïve café 😀. '.repeat(30_000);
    expect(big.length).toBeGreaterThan(1_000_000);
    const toks = wt.tokenize(big);
    expect(toks.length).toBe(30_000 * 9);
    expect(toks[toks.length - 1]).toEqual({ text: '.', start: big.length - 2, end: big.length - 1 });
  });
  it('throws a TypeError naming the argument on non-strings', () => {
    expect(() => wt.tokenize(null as unknown as string)).toThrow(/text: expected a string, found null/);
    expect(() => wt.tokenizeToStrings(1 as unknown as string)).toThrow(
      new TypeError('text: expected a string, found number 1'),
    );
    expect(() => wt.forEachToken(1 as unknown as string, () => {})).toThrow(
      /^text: expected a string, found number 1/,
    );
  });

  describe('properties', () => {
    const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string());
    it('never throws and offsets index the original string', () => {
      fc.assert(
        fc.property(anyString, (s) => {
          let last = 0;
          for (const t of wt.tokenize(s)) {
            expect(t.start).toBeGreaterThanOrEqual(last);
            expect(t.end).toBeGreaterThan(t.start);
            expect(t.end).toBeLessThanOrEqual(s.length);
            // A token is a piece of the normalised form of the original span it claims.
            expect(normalize(s.slice(t.start, t.end))).toContain(t.text);
            last = t.start;
          }
        }),
        { numRuns: 400 },
      );
    });
    it('the original span normalises exactly to the token for word-like text', () => {
      const alphabet = fc.constantFrom(
        ..."aZé e\u0301ÅçßĲ中文ש😀 ,.'-1".split(''),
        "n't",
        "'s",
        'U.S.',
        '👍🏽',
      );
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 30 }), (parts) => {
          const s = parts.join('');
          for (const t of wt.tokenize(s)) expect(normalize(s.slice(t.start, t.end))).toBe(t.text);
        }),
        { numRuns: 400 },
      );
    });
    it('token strings equal the tokens of tokenize()', () => {
      fc.assert(
        fc.property(anyString, (s) => {
          expect(wt.tokenizeToStrings(s)).toEqual(wt.tokenize(s).map((t) => t.text));
        }),
      );
    });
  });
});
