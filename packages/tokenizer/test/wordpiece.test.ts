import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PretrainedTokenizer, wordpieceSplit } from '../src/index.js';

// The vocabulary of BERT's own tokenization_test.py, as a vocab.txt.
const BERT_TEST_VOCAB = [
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'want',
  '##want',
  '##ed',
  'wa',
  'un',
  'runn',
  '##ing',
  ',',
].join('\n');
// The "unaffable" example of BERT's docstring, plus a few pieces.
const CLASSIC = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'un',
  '##aff',
  '##able',
  'the',
  'a',
  '##s',
  'cat',
  'hello',
  '!',
  '中',
  '文',
].join('\n');

describe('PretrainedTokenizer.fromVocabTxt (BERT)', () => {
  it('reproduces BERT’s test cases', () => {
    const wp = PretrainedTokenizer.fromVocabTxt(`${BERT_TEST_VOCAB}\n`);
    expect(wp.tokenize('UNwant\u00E9d,running')).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    expect(Array.from(wp.encode('UNwant\u00E9d,running'))).toEqual([7, 4, 5, 10, 8, 9]);
    expect(Array.from(wp.encode('UNwant\u00E9d,running', { addSpecialTokens: true }))).toEqual([
      1, 7, 4, 5, 10, 8, 9, 2,
    ]);
    expect(wp.tokenize('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(wp.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
    expect(wp.tokenize('')).toEqual([]);
  });
  it('BasicTokenizer: lower-cases, strips accents, splits punctuation and CJK per character', () => {
    const wp = PretrainedTokenizer.fromVocabTxt(CLASSIC);
    expect(wp.preTokenize(' \tHeLLo!how  \n Are yoU?  ')).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
    expect(wp.preTokenize('H\u00E9llo')).toEqual(['hello']);
    expect(wp.preTokenize('ah\u535A\u63A8zz')).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
    expect(wp.preTokenize('a\u0000b\ufffdc\u200bd $5')).toEqual(['abcd', '$', '5']);
    const cased = PretrainedTokenizer.fromVocabTxt(CLASSIC, { lowercase: false });
    expect(cased.preTokenize(' \tHeLLo!how  \n Are yoU?  ')).toEqual([
      'HeLLo',
      '!',
      'how',
      'Are',
      'yoU',
      '?',
    ]);
    expect(cased.preTokenize('H\u00E9llo')).toEqual(['H\u00E9llo']);
    expect(
      PretrainedTokenizer.fromVocabTxt(CLASSIC, { stripAccents: false }).preTokenize('H\u00E9llo'),
    ).toEqual(['h\u00E9llo']);
  });
  it('splits "unaffable" into un ##aff ##able and maps long or unmatchable words to [UNK]', () => {
    const wp = PretrainedTokenizer.fromVocabTxt(CLASSIC);
    expect(wp.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(Array.from(wp.encode('Unaffable cats! 中文'))).toEqual([4, 5, 6, 10, 9, 12, 13, 14]);
    expect(wp.tokenize('dog')).toEqual(['[UNK]']);
    expect(wp.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    expect(wordpieceSplit('a'.repeat(100), (p) => p === 'a' || p === '##a')).toHaveLength(100);
  });
  it('reads a Hugging Face tokenizer.json (WordPiece model + BertNormalizer)', () => {
    const json = {
      version: '1.0',
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 5,
        vocab: { '[PAD]': 0, '[UNK]': 1, un: 2, '##aff': 3, '##able': 4, the: 5 },
      },
    };
    const wp = PretrainedTokenizer.fromTokenizerJson(JSON.stringify(json));
    expect(wp.tokenize('THE unaffable thé')).toEqual(['the', '[UNK]', 'the']);
    const cased = PretrainedTokenizer.fromTokenizerJson({
      ...json,
      normalizer: { ...json.normalizer, lowercase: false },
      model: { ...json.model, max_input_chars_per_word: 100 },
    });
    expect(cased.tokenize('THE unaffable')).toEqual(['[UNK]', 'un', '##aff', '##able']);
  });
});

// BERT's greedy longest-match as written in tokenization.py: every end from the word's end down, as
// substrings of code points (the reference the bounded search must agree with).
function referenceSplit(word: string, vocab: ReadonlySet<string>): string[] | null {
  const chars = Array.from(word);
  if (chars.length > 100) return null;
  const out: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let cur: string | null = null;
    while (start < end) {
      const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
      if (vocab.has(sub)) {
        cur = sub;
        break;
      }
      end--;
    }
    if (cur === null) return null;
    out.push(cur);
    start = end;
  }
  return out;
}

describe('wordpieceSplit costs are bounded by the longest piece (issue 19)', () => {
  it('agrees with the reference and looks up at most (P + 1) pieces per character (fast-check, seeded)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'é', '😀');
    const piece = fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 12 }),
        fc.array(alphabet, { minLength: 1, maxLength: 120 }),
        (pieces, chars) => {
          const vocab = new Set(pieces.flatMap((p) => [p, `##${p}`]));
          const longest = Math.max(...[...vocab].map((p) => p.length));
          const word = chars.join('');
          let lookups = 0;
          const got = wordpieceSplit(
            word,
            (p) => {
              lookups++;
              return vocab.has(p);
            },
            '##',
            100,
            longest,
          );
          expect(got).toEqual(referenceSplit(word, vocab));
          expect(lookups).toBeLessThanOrEqual(chars.length * (longest + 1));
        },
      ),
      { seed: 19, numRuns: 300 },
    );
  });

  it('a 100-character word of one-letter pieces takes 102 lookups with the bound, 5050 without', () => {
    const vocab = new Set(['a', '##a']);
    let bounded = 0;
    let unbounded = 0;
    expect(
      wordpieceSplit(
        'a'.repeat(100),
        (p) => {
          bounded++;
          return vocab.has(p);
        },
        '##',
        100,
        3,
      ),
    ).toHaveLength(100);
    wordpieceSplit('a'.repeat(100), (p) => {
      unbounded++;
      return vocab.has(p);
    });
    expect(bounded).toBe(3 + 99); // at 0: 'aaa', 'aa', 'a'; after: '##a' (3 code units, the bound) at once
    expect(unbounded).toBe(5050);
  });
});
