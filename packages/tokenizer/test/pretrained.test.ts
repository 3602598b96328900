import { readFileSync } from 'node:fs';
import { SiameseError } from '@siamese/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PretrainedTokenizer, WhitespaceTokenizer } from '../src/index.js';
import { lowercaseChars } from '../src/pretrained/chars.js';
import { buildModel } from '../src/pretrained/models.js';

const interop = new URL('../../../fixtures/interop/', import.meta.url);
const text = (p: string) => readFileSync(new URL(p, interop), 'utf8');
const json = (p: string) => JSON.parse(text(p));

function errorOf(fn: () => unknown): SiameseError {
  try {
    fn();
  } catch (e) {
    return e as SiameseError;
  }
  throw new Error('expected an error');
}

describe('tokenizer.json: ids and tokens of the reference (tokenizers 0.23.2, fixtures/interop/tokenizers)', () => {
  const { cases } = json('tokenizers/cases.json');
  for (const c of cases) {
    it(c.name, () => {
      const tok = PretrainedTokenizer.fromTokenizerJson(c.tokenizer);
      c.texts.forEach((t: string, i: number) => {
        expect([t, Array.from(tok.encode(t))]).toEqual([t, c.ids[i]]);
        expect([t, tok.tokenize(t)]).toEqual([t, c.tokens[i]]);
        if (c.ids_with_special_tokens) {
          expect([t, Array.from(tok.encode(t, { addSpecialTokens: true }))]).toEqual([
            t,
            c.ids_with_special_tokens[i],
          ]);
        }
      });
    });
  }
});

describe('the model fixtures tokenize like their reference', () => {
  it('BERT vocab.txt (uncased and cased) = BertTokenizerFast', () => {
    const e = json('bert_vocab/expected.json');
    const vocab = text('bert_vocab/vocab.txt');
    for (const [label, options] of [
      ['uncased', {}],
      ['cased', { lowercase: false }],
    ] as const) {
      const tok = PretrainedTokenizer.fromVocabTxt(vocab, options);
      e.texts.forEach((t: string, i: number) => {
        expect([label, t, Array.from(tok.encode(t))]).toEqual([label, t, e[label].ids[i]]);
        expect([label, t, tok.tokenize(t)]).toEqual([label, t, e[label].tokens[i]]);
        expect([label, t, Array.from(tok.encode(t, { addSpecialTokens: true }))]).toEqual([
          label,
          t,
          e[label].ids_with_special_tokens[i],
        ]);
      });
      expect(tok.vocabSize).toBe(vocab.split('\n').length - 1);
      expect([tok.unkId, tok.padId]).toEqual([2, 0]);
    }
  });

  it('sentence-transformers StaticEmbedding tokenizer.json', () => {
    const e = json('st_static/expected.json');
    const tok = PretrainedTokenizer.fromTokenizerJson(text('st_static/tokenizer.json'));
    e.texts.forEach((t: string, i: number) => {
      expect(Array.from(tok.encode(t))).toEqual(e.ids[i]);
    });
  });

  it('model2vec WordPiece (with a multi-word added token) and Unigram tokenizer.json', () => {
    for (const dir of ['model2vec_wordpiece', 'model2vec_unigram']) {
      const e = json(`${dir}/expected.json`);
      const tok = PretrainedTokenizer.fromTokenizerJson(text(`${dir}/tokenizer.json`));
      expect(tok.unkId).toBe(e.unk_id);
      // model2vec drops the unknown token after encoding (model2vec/model.py, StaticModel.tokenize).
      e.texts.forEach((t: string, i: number) => {
        expect([dir, t, Array.from(tok.encode(t)).filter((id) => id !== e.unk_id)]).toEqual([
          dir,
          t,
          e.ids[i],
        ]);
      });
      if (e.tokens) {
        e.texts.forEach((t: string, i: number) => {
          expect(tok.tokenize(t)).toEqual(e.tokens[i]);
        });
      }
    }
  });

  it('dropUnknown: the ids model2vec encodes, token strings kept aligned, saved with the tokenizer', () => {
    for (const dir of ['model2vec_wordpiece', 'model2vec_unigram']) {
      const e = json(`${dir}/expected.json`);
      const tok = PretrainedTokenizer.fromTokenizerJson(text(`${dir}/tokenizer.json`), { dropUnknown: true });
      const again = PretrainedTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
      expect([tok.dropUnknown, again.dropUnknown, tok.toJSON().dropUnknown]).toEqual([true, true, true]);
      e.texts.forEach((t: string, i: number) => {
        expect([dir, t, Array.from(tok.encode(t))]).toEqual([dir, t, e.ids[i]]);
        expect(Array.from(again.encode(t))).toEqual(e.ids[i]);
        expect(tok.tokenize(t).map((s) => tok.tokenToId(s) ?? -1)).toHaveLength(e.ids[i].length);
      });
    }
    // The Unigram fixture's unknown snowman is the one token dropped.
    const uni = PretrainedTokenizer.fromTokenizerJson(text('model2vec_unigram/tokenizer.json'), {
      dropUnknown: true,
    });
    expect(uni.tokenize('unknown ☃ char')).toEqual(['▁un', 'known', '▁', '▁char']);
    const keep = PretrainedTokenizer.fromTokenizerJson(text('model2vec_unigram/tokenizer.json'));
    expect(keep.toJSON()).not.toHaveProperty('dropUnknown');
    // A long text (more unknown tokens than the stack has argument slots) tokenizes without spreading them.
    const long = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? 'hello' : '☃')).join(' ');
    expect(uni.tokenize(long)).toHaveLength(100_000 * 2);
  });
});

describe('sentence-transformers WordEmbeddings: WhitespaceTokenizer', () => {
  it('gives the ids of WhitespaceTokenizer.tokenize on the v5 and v6 fixtures, and round-trips', () => {
    for (const [dir, cfg] of [
      ['st_bilstm_v5', 'st_bilstm_v5/0_WordEmbeddings/whitespacetokenizer_config.json'],
      ['st_cnn_v6', 'st_cnn_v6/whitespacetokenizer_config.json'],
    ] as const) {
      const e = json(`${dir}/expected.json`);
      const tok = WhitespaceTokenizer.fromConfig(text(cfg));
      e.texts.forEach((t: string, i: number) => {
        expect([dir, t, Array.from(tok.encode(t))]).toEqual([dir, t, e.ids[i]]);
      });
      expect(tok.toConfig()).toEqual(json(cfg));
      const back = WhitespaceTokenizer.fromJSON(JSON.stringify(tok.toJSON()));
      expect(back.encode(e.texts[4])).toEqual(tok.encode(e.texts[4]));
      const b = tok.encodeBatch(e.texts, { maxLength: 3 });
      expect(b.shape).toEqual([e.texts.length, 3]);
      expect(Array.from(b.ids.subarray(0, 3))).toEqual(e.ids[0].slice(0, 3));
    }
  });

  it('a token the vocabulary has as it is keeps its punctuation', () => {
    const tok = WhitespaceTokenizer.fromConfig({
      vocab: ['PAD', 'e.g.', 'e.g'],
      stop_words: [],
      do_lower_case: false,
    });
    expect(Array.from(tok.encode('e.g. (e.g) e.g.,'))).toEqual([1, 2, 2]);
  });

  it('drops stop words before and after stripping punctuation, and lower-cases last', () => {
    const tok = WhitespaceTokenizer.fromConfig({
      vocab: ['PAD', 'Guitar', 'guitar', 'café'],
      stop_words: ['the', '.'],
      do_lower_case: false,
    });
    expect(Array.from(tok.encode(' the GUITAR. Guitar!! café\u00a0 . "guitar" unknown\x1cguitar'))).toEqual([
      2, 1, 3, 2, 2,
    ]);
    expect(
      WhitespaceTokenizer.fromConfig({ vocab: ['x'], stop_words: [], do_lower_case: true }).vocabSize,
    ).toBe(1);
    expect(errorOf(() => WhitespaceTokenizer.fromConfig({ vocab: [1] } as never)).code).toBe(
      'E_VOCAB_FORMAT',
    );
    const notObject = errorOf(() => WhitespaceTokenizer.fromConfig('[]'));
    expect([notObject.code, notObject.message]).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: whitespacetokenizer_config.json: expected an object, found []',
    ]);
    expect(() => tok.encode(3 as never)).toThrow(new TypeError('text: expected a string, found number 3'));
    expect(() => tok.encodeBatch('guitar' as never)).toThrow(
      new TypeError('texts: expected an array of strings, found string'),
    );
  });
});

describe('PretrainedTokenizer as a model tokenizer', () => {
  const vocab = text('bert_vocab/vocab.txt');

  it('toJSON → JSON → fromJSON gives the same tokenizer; the version is checked', () => {
    for (const tok of [
      PretrainedTokenizer.fromVocabTxt(vocab),
      PretrainedTokenizer.fromTokenizerJson(text('model2vec_unigram/tokenizer.json')),
    ]) {
      const saved = JSON.stringify(tok.toJSON());
      const back = PretrainedTokenizer.fromJSON(saved);
      expect(JSON.stringify(back.toJSON())).toBe(saved);
      for (const t of ['The café is naïve; 中文 text', 'hello   wonderful world!', 'Don’t [MASK] me']) {
        expect(back.encode(t)).toEqual(tok.encode(t));
      }
      expect(back.vocabSize).toBe(tok.vocabSize);
    }
    const j = PretrainedTokenizer.fromVocabTxt(vocab).toJSON();
    expect(errorOf(() => PretrainedTokenizer.fromJSON({ ...j, version: 2 })).code).toBe('E_FORMAT_VERSION');
    expect(errorOf(() => PretrainedTokenizer.fromJSON({ ...j, format: 'x' as never })).code).toBe(
      'E_VOCAB_FORMAT',
    );
  });

  it('encodeBatch pads, truncates (keeping special tokens) and refuses long rows without truncation', () => {
    const tok = PretrainedTokenizer.fromVocabTxt(vocab);
    const texts = ['A man is playing a guitar.', '', 'dogs'];
    const b = tok.encodeBatch(texts);
    expect(b.shape).toEqual([3, 8]);
    expect(Array.from(b.lengths)).toEqual([8, 0, 1]);
    expect(Array.from(b.ids.subarray(0, 8))).toEqual(Array.from(tok.encode(texts[0]!)));
    expect(Array.from(b.ids.subarray(16, 24))).toEqual([21, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(b.mask.subarray(16, 24))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    const s = tok.encodeBatch(texts, { maxLength: 5, addSpecialTokens: true, padding: 'max' });
    expect(s.shape).toEqual([3, 5]);
    expect(Array.from(s.ids.subarray(0, 5))).toEqual([3, 12, 17, 15, 4]);
    expect(Array.from(s.ids.subarray(5, 10))).toEqual([3, 4, 0, 0, 0]);
    expect(errorOf(() => tok.encodeBatch(texts, { maxLength: 5, truncation: false })).code).toBe(
      'E_SEQUENCE_TOO_LONG',
    );
    expect(errorOf(() => tok.encodeBatch(texts, { maxLength: 0 })).code).toBe('E_INVALID_ARGUMENT');
  });

  it('honours the truncation section of a tokenizer.json', () => {
    const base = PretrainedTokenizer.fromVocabTxt(vocab).toTokenizerJson();
    const tok = PretrainedTokenizer.fromTokenizerJson({
      ...base,
      truncation: { direction: 'Left', max_length: 4, strategy: 'LongestFirst', stride: 0 },
    });
    expect(Array.from(tok.encode('two dogs are running'))).toEqual(
      Array.from(tok.encode('dogs are running')).slice(-4),
    );
    expect(tok.encode('two dogs are running in', { addSpecialTokens: true })).toHaveLength(4);
    const text = 'two dogs are running in the grass';
    // untruncated: two dogs are run ##n ##ing in the grass
    expect(tok.tokenize(text)).toEqual(['##ing', 'in', 'the', 'grass']);
    const right = PretrainedTokenizer.fromTokenizerJson({ ...base, truncation: { max_length: 4 } });
    expect(right.tokenize(text)).toEqual(['two', 'dogs', 'are', 'run']);
    // tokenizer.json writes null for a default: null direction and strategy are Right and LongestFirst.
    const nulls = PretrainedTokenizer.fromTokenizerJson({
      ...base,
      truncation: { max_length: 4, direction: null, strategy: null },
    });
    expect(nulls.tokenize(text)).toEqual(['two', 'dogs', 'are', 'run']);
    const bad = errorOf(() =>
      PretrainedTokenizer.fromTokenizerJson({ ...base, truncation: { max_length: 4, direction: 5 } }),
    );
    expect([bad.code, bad.message]).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: truncation.direction: expected a string, found 5',
    ]);
  });

  it('fromVocabTxt: special added tokens and the word-length limit reach the tokenizer.json', () => {
    const tok = PretrainedTokenizer.fromVocabTxt(vocab);
    const config = tok.toTokenizerJson() as {
      added_tokens: { content: string; special: boolean }[];
      model: { max_input_chars_per_word: number };
    };
    expect(config.added_tokens.map((t) => [t.content, t.special])).toEqual([
      ['[PAD]', true],
      ['[UNK]', true],
      ['[CLS]', true],
      ['[SEP]', true],
      ['[MASK]', true],
    ]);
    expect(config.model.max_input_chars_per_word).toBe(100);
    const short = PretrainedTokenizer.fromVocabTxt(vocab, { maxInputCharsPerWord: 4 });
    expect(short.tokenize('dogs are running')).toEqual(['dogs', 'are', '[UNK]']);
  });

  it('WordPiece and Unigram are linear in the word length (a 200 000-character word finishes)', () => {
    const tok = PretrainedTokenizer.fromTokenizerJson({
      model: {
        type: 'WordPiece',
        unk_token: 'x',
        max_input_chars_per_word: 1e9,
        vocab: { x: 0, a: 1, '##a': 2 },
      },
    });
    expect(tok.encode('a'.repeat(200_000))).toHaveLength(200_000);
    const uni = PretrainedTokenizer.fromTokenizerJson({
      model: {
        type: 'Unigram',
        unk_id: 0,
        vocab: [
          ['<unk>', 0],
          ['a', -1],
          ['aa', -1.5],
          ['a'.repeat(16), -2],
        ],
      },
    });
    expect(uni.encode('a'.repeat(200_000)).length).toBe(12_500);
  });

  it('WordPiece never cuts a surrogate pair, and treats a lone surrogate as one character', () => {
    const vocab = { '[UNK]': 0, '\ud83d': 1, '##\ude00': 2, a: 3, '##a': 4, '\ude00': 5, '##\ud83d': 6 };
    const model = buildModel({ type: 'WordPiece', vocab });
    const pieces = (word: string) => {
      const ids: number[] = [];
      const tokens: string[] = [];
      model.tokenize(word, ids, tokens);
      return [ids, tokens];
    };
    // 😀 is one character: no piece of the vocabulary covers it, so the word is [UNK] (not \ud83d + ##\ude00).
    expect(pieces('\ud83d\ude00')).toEqual([[0], ['[UNK]']]);
    expect(pieces('a\ud83d\ude00')).toEqual([[0], ['[UNK]']]);
    // Lone surrogates are characters of their own: the cut beside them is a boundary.
    expect(pieces('\ud83da')).toEqual([
      [1, 4],
      ['\ud83d', '##a'],
    ]);
    expect(pieces('a\ude00')).toEqual([
      [3, 2],
      ['a', '##\ude00'],
    ]);
    expect(pieces('\ude00\ud83d')).toEqual([
      [5, 6],
      ['\ude00', '##\ud83d'],
    ]);
  });

  it('Lowercase is per character, as Rust char::to_lowercase (a final Σ stays σ, unlike toLowerCase)', () => {
    expect(lowercaseChars('ΟΔΟΣ')).toBe('οδοσ');
    expect('ΟΔΟΣ'.toLowerCase()).toBe('οδος');
    expect(lowercaseChars('ABC Déjà')).toBe('abc déjà');
    expect(lowercaseChars('ABC')).toBe('abc');
  });

  it('an added token is matched only where its whole content is (patterns share first-character buckets)', () => {
    const tok = PretrainedTokenizer.fromTokenizerJson({
      model: { type: 'WordLevel', vocab: { '[UNK]': 0, S: 1, So: 2, Sx: 3 }, unk_token: '[UNK]' },
      pre_tokenizer: { type: 'WhitespaceSplit' },
      added_tokens: [
        { id: 9, content: 'S!', special: true },
        { id: 10, content: 'Stop', special: true },
      ],
    });
    expect(tok.tokenize('S So Stop S! Sx')).toEqual(['S', 'So', 'Stop', 'S!', 'Sx']);
    expect(Array.from(tok.encode('S So Stop S! Sx'))).toEqual([1, 2, 10, 9, 3]);
  });

  it('WordPiece: an empty continuation is never a piece, even when the vocabulary has "##"', () => {
    const model = buildModel({ type: 'WordPiece', vocab: { '[UNK]': 0, a: 1, '##': 2, '##b': 3 } });
    const ids: number[] = [];
    model.tokenize('ab', ids);
    model.tokenize('ac', ids);
    expect(ids).toEqual([1, 3, 0]);
  });

  it('Unigram: unk_id must index a piece; of two equal-scoring paths the first found wins', () => {
    expect(errorOf(() => buildModel({ type: 'Unigram', unk_id: 1, vocab: [['a', 0]] })).message).toMatch(
      /model\.unk_id: expected an id < 1/,
    );
    const uni = PretrainedTokenizer.fromTokenizerJson({
      model: {
        type: 'Unigram',
        unk_id: 0,
        vocab: [
          ['<unk>', 0],
          ['a', -1],
          ['b', -1],
          ['ab', -2],
        ],
      },
    });
    // 'a' + 'b' scores −2, as 'ab' does: the lattice keeps the path it found first ('ab', ending at 2 from 0).
    expect(uni.tokenize('ab')).toEqual(['ab']);
  });

  it('Digits: contiguous by default, one digit per piece with individual_digits', () => {
    const build = (digits: Record<string, unknown>) =>
      PretrainedTokenizer.fromTokenizerJson({
        model: {
          type: 'WordLevel',
          vocab: { '[UNK]': 0, '1': 1, '2': 2, '12': 3, a: 4 },
          unk_token: '[UNK]',
        },
        pre_tokenizer: { type: 'Digits', ...digits },
      });
    expect(build({}).tokenize('a12')).toEqual(['a', '12']);
    expect(build({ individual_digits: false }).tokenize('a12')).toEqual(['a', '12']);
    expect(build({ individual_digits: true }).tokenize('a12')).toEqual(['a', '1', '2']);
  });

  it('tokenize with special tokens wraps the tokens as encode wraps the ids', () => {
    const tok = PretrainedTokenizer.fromVocabTxt(vocab);
    const ids = Array.from(tok.encode('a dog', { addSpecialTokens: true }));
    const tokens = tok.tokenize('a dog', { addSpecialTokens: true });
    expect(tokens[0]).toBe('[CLS]');
    expect(tokens.at(-1)).toBe('[SEP]');
    expect(tokens.slice(1, -1)).toEqual(tok.tokenize('a dog'));
    expect(tokens).toHaveLength(ids.length);
  });

  it('encodeBatch without truncation counts the special tokens in what it found', () => {
    const tok = PretrainedTokenizer.fromVocabTxt(vocab);
    const n = tok.encode('a dog').length;
    expect(() =>
      tok.encodeBatch(['a dog'], { maxLength: n + 1, truncation: false, addSpecialTokens: true }),
    ).toThrow(`texts[0]: expected at most ${n + 1} tokens (truncation is off), found ${n + 2}`);
  });

  it('WhitespaceTokenizer: empty pieces between separators are never tokens, even if the vocabulary has ""', () => {
    const tok = WhitespaceTokenizer.fromConfig({
      vocab: ['PAD', '', 'a'],
      stop_words: [],
      do_lower_case: false,
    });
    expect(Array.from(tok.encode(' a  a '))).toEqual([2, 2]);
  });

  it('toJSON / fromJSON: the format is checked and the version kept', () => {
    const tok = PretrainedTokenizer.fromVocabTxt(vocab);
    const json = tok.toJSON();
    expect(json.format).toBe('siamese.pretrained-tokenizer');
    expect((json as unknown as { tokenizer: { version: string } }).tokenizer.version).toBe('1.0');
    for (const [bad, found] of [
      [null, 'undefined'],
      [3, 'undefined'],
      [{ format: 'siamese.whitespace-tokenizer' }, '"siamese.whitespace-tokenizer"'],
    ] as const) {
      const e = errorOf(() => PretrainedTokenizer.fromJSON(bad as never));
      expect(e.code).toBe('E_VOCAB_FORMAT');
      expect(e.message).toBe(
        `pretrained tokenizer JSON: expected format "siamese.pretrained-tokenizer", found ${found}`,
      );
    }
    for (const [bad, found] of [
      [null, 'undefined'],
      [{ format: 'x' }, '"x"'],
    ] as const) {
      expect(errorOf(() => WhitespaceTokenizer.fromJSON(bad as never)).message).toBe(
        `whitespace tokenizer JSON: expected format "siamese.whitespace-tokenizer", found ${found}`,
      );
    }
  });

  it('errors inside nested sections name the path', () => {
    const base = { model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' } };
    const seq = errorOf(() =>
      PretrainedTokenizer.fromTokenizerJson({
        ...base,
        post_processor: { type: 'TemplateProcessing', single: [{ Sequence: 3 }], special_tokens: {} },
      }),
    );
    expect(seq.code).toBe('E_VOCAB_FORMAT');
    expect(seq.message).toContain('post_processor.single[0].Sequence');
    const nested = errorOf(() =>
      PretrainedTokenizer.fromTokenizerJson({
        ...base,
        post_processor: { type: 'Sequence', processors: [3] },
      }),
    );
    expect(nested.message).toContain('post_processor.processors[0]');
    const pre = errorOf(() => PretrainedTokenizer.fromTokenizerJson({ ...base, pre_tokenizer: 3 }));
    expect(pre.message).toContain('pre_tokenizer');
    const regex = errorOf(() =>
      PretrainedTokenizer.fromTokenizerJson({
        ...base,
        pre_tokenizer: { type: 'Split', pattern: { Regex: '(?<!' }, behavior: 'Isolated', invert: false },
      }),
    );
    expect(regex.code).toBe('E_TOKENIZER_UNSUPPORTED');
    expect(regex.message).toMatch(
      /^tokenizer\.json: pre_tokenizer\.pattern: the regex "\(\?<!" is not valid in JavaScript \(/,
    );
  });

  it('property (seeded): space-separated texts encode to the concatenation of their parts', () => {
    const tok = PretrainedTokenizer.fromVocabTxt(vocab);
    const word = fc.stringMatching(/^[a-zA-Z\u00e9\u00ef\u4e2d!,.'-]{0,12}$/);
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(Array.from(tok.encode(`${a} ${b}`))).toEqual([...tok.encode(a), ...tok.encode(b)]);
      }),
      { seed: 18, numRuns: 300 },
    );
  });
});

describe('what the tokenizer refuses', () => {
  it('unsupported components: E_TOKENIZER_UNSUPPORTED naming the component and type', () => {
    const base = { model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' } };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ model: { type: 'BPE', vocab: {}, merges: [] } }, 'model', 'BPE'],
      [
        { ...base, normalizer: { type: 'Precompiled', precompiled_charsmap: '' } },
        'normalizer',
        'Precompiled',
      ],
      [
        { ...base, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false } },
        'pre_tokenizer',
        'ByteLevel',
      ],
      [
        { ...base, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'UnicodeScripts' }] } },
        'pre_tokenizer',
        'UnicodeScripts',
      ],
      [{ ...base, post_processor: { type: 'Fancy' } }, 'post_processor', 'Fancy'],
    ];
    for (const [config, component, type] of cases) {
      const e = errorOf(() => PretrainedTokenizer.fromTokenizerJson(config));
      expect(e.code).toBe('E_TOKENIZER_UNSUPPORTED');
      expect(e.details).toMatchObject({ component, type });
      expect(e.message).toContain(`${component} type "${type}" is not supported`);
    }
  });

  it('malformed files: E_VOCAB_FORMAT naming the field', () => {
    const bad: [unknown, RegExp][] = [
      ['{', /not valid JSON/],
      [[], /tokenizer\.json: expected an object/],
      [
        { model: { type: 'WordPiece', vocab: { a: -1 } } },
        /model\.vocab\["a"\]: expected a non-negative integer id/,
      ],
      [{ model: { type: 'Unigram', vocab: [['a']] } }, /model\.vocab\[0\]: expected \[piece, score\]/],
      [{ model: { type: 'Unigram', unk_id: 5, vocab: [['a', 0]] } }, /model\.unk_id: expected an id < 1/],
      [
        {
          model: { type: 'WordLevel', vocab: { a: 0 } },
          added_tokens: [
            { id: 3, content: 'b' },
            { id: 3, content: 'c' },
          ],
        },
        /added_tokens \(id 3\): expected one token per id, not both "b" and, found "c"/,
      ],
      [{ model: { type: 'WordLevel', vocab: {} }, normalizer: { type: 'Strip' } }, /normalizer\.strip_left/],
      [{ model: { type: 'WordLevel', vocab: { a: 2 ** 40 } } }, /the id of "a": expected an id < 16777216/],
    ];
    for (const [config, message] of bad) {
      const e = errorOf(() => PretrainedTokenizer.fromTokenizerJson(config as never));
      expect(e.code).toBe('E_VOCAB_FORMAT');
      expect(e.message).toMatch(message);
    }
    expect(errorOf(() => PretrainedTokenizer.fromVocabTxt('a\nb\n')).code).toBe('E_VOCAB_FORMAT');
    // An added token the model already has keeps the model's id (the reference only warns).
    const t = PretrainedTokenizer.fromTokenizerJson({
      model: { type: 'WordLevel', vocab: { a: 0, '[UNK]': 1 }, unk_token: '[UNK]' },
      added_tokens: [{ id: 3, content: 'a', special: true }],
    });
    expect([t.tokenToId('a'), t.vocabSize, Array.from(t.encode('xa a'))]).toEqual([0, 2, [1, 0, 1, 0]]); // as tokenizers 0.23.2
  });

  it('fuzz (seeded): damaged tokenizer.json sections fail only with typed errors', () => {
    const good = json('tokenizers/cases.json').cases.map((c: { tokenizer: unknown }) => c.tokenizer);
    const keys = [
      'normalizer',
      'pre_tokenizer',
      'model',
      'post_processor',
      'added_tokens',
      'truncation',
      'padding',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...good),
        fc.constantFrom(...keys),
        fc.anything(),
        fc.string(),
        (cfg, key, junk, t) => {
          try {
            PretrainedTokenizer.fromTokenizerJson({ ...(cfg as object), [key]: junk }).encode(t);
          } catch (e) {
            expect(e).toBeInstanceOf(SiameseError);
            expect((e as SiameseError).code).toMatch(/^E_(VOCAB_FORMAT|TOKENIZER_UNSUPPORTED)$/);
          }
        },
      ),
      { seed: 1818, numRuns: 1000 },
    );
  });
});

describe('added tokens, normalizers and pre-tokenizers at their edges', () => {
  const added = () =>
    PretrainedTokenizer.fromTokenizerJson(
      json('tokenizers/cases.json').cases.find((c: { name: string }) => c.name === 'added-tokens').tokenizer,
    );

  it('single_word reads the whole character before a match, astral or not', () => {
    const tok = added();
    // U+1D400 (𝐀, a letter) is \ud835\udc00 and U+1D7FF (𝟿, a digit) is \ud835\udfff: the low surrogate alone is
    // no word character, so reading only it would let `<x>` match inside a word.
    expect(tok.tokenize('𝐀<x>')).toEqual(['[UNK]', '[UNK]', 'x', '[UNK]']);
    expect(tok.tokenize('𝟿<x>')).toEqual(['[UNK]', '[UNK]', 'x', '[UNK]']);
    // U+FF58 (ｘ) is a BMP letter above the surrogates: it is the character before, not the one before it.
    expect(tok.tokenize('-ｘ<x>')).toEqual(['-', '[UNK]', '[UNK]', 'x', '[UNK]']);
    expect(tok.tokenize('𝐀 <x>')).toEqual(['[UNK]', '<x>']);
  });

  it('preTokenize shows an added token as itself, without the spaces lstrip took', () => {
    expect(added().preTokenize('un   [MASK] able')).toEqual(['un', '[MASK]', 'able']);
  });

  it('a Replace that deletes the first character moves the text off the start (Metaspace prepend_scheme first)', () => {
    const model = {
      type: 'WordLevel',
      vocab: { '[UNK]': 0, '▁ab': 1, ab: 2, '▁': 3, '▁yab': 4 },
      unk_token: '[UNK]',
    };
    const metaspace = (scheme: string) => ({ type: 'Metaspace', replacement: '▁', prepend_scheme: scheme });
    const deleting = PretrainedTokenizer.fromTokenizerJson({
      model,
      normalizer: { type: 'Replace', pattern: { Regex: 'x*' }, content: '' },
      pre_tokenizer: metaspace('first'),
    });
    // An empty match deletes nothing: the text still starts at offset 0.
    expect(deleting.tokenize('ab')).toEqual(['▁ab']);
    expect(deleting.tokenize('xab')).toEqual(['ab']);
    expect(deleting.tokenize('xxab')).toEqual(['ab']);
    // A deletion after the first character leaves the start where it was.
    expect(deleting.tokenize('axb')).toEqual(['▁ab']);
    const replacing = PretrainedTokenizer.fromTokenizerJson({
      model,
      normalizer: { type: 'Replace', pattern: { String: 'x' }, content: 'y' },
      pre_tokenizer: metaspace('first'),
    });
    expect(replacing.tokenize('xab')).toEqual(['▁yab']);
    // A piece the normalizer empties is dropped before pre-tokenization: no lone '▁'.
    const always = PretrainedTokenizer.fromTokenizerJson({
      model,
      normalizer: { type: 'Replace', pattern: { String: 'x' }, content: '' },
      pre_tokenizer: metaspace('always'),
    });
    expect(always.tokenize('x')).toEqual([]);
    expect(Array.from(always.encode('xx'))).toEqual([]);
    expect(always.tokenize('xab')).toEqual(['▁ab']);
  });

  it('Unigram byte fallback names bytes with two hex digits (<0x09>, not <0x9>)', () => {
    const tok = PretrainedTokenizer.fromTokenizerJson({
      model: {
        type: 'Unigram',
        unk_id: 0,
        byte_fallback: true,
        vocab: [
          ['<unk>', 0],
          ['a', -1],
          ['<0x09>', -2],
          ['<0xC3>', -2],
          ['<0xA9>', -2],
        ],
      },
    });
    expect(tok.tokenize('a\ta')).toEqual(['a', '<0x09>', 'a']);
    expect(Array.from(tok.encode('a\taé'))).toEqual([1, 2, 1, 3, 4]);
  });

  it('TemplateProcessing: an item that is neither a Sequence nor a SpecialToken object names its path', () => {
    const model = { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' };
    const template = (single: unknown[]) =>
      errorOf(() =>
        PretrainedTokenizer.fromTokenizerJson({
          model,
          post_processor: { type: 'TemplateProcessing', single, special_tokens: {} },
        }),
      );
    const seq = template([{ Sequence: 'A' }]);
    expect([seq.code, seq.message]).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: post_processor.single[0].Sequence: expected an object, found "A"',
    ]);
    const other = template([{ Sequence: { id: 'A', type_id: 0 } }, { Special: { id: '[SEP]' } }]);
    expect([other.code, other.message]).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: post_processor.single[1].SpecialToken: expected an object, found nothing',
    ]);
  });

  it('a String pattern matches its characters literally', () => {
    const tok = PretrainedTokenizer.fromTokenizerJson({
      model: { type: 'WordLevel', vocab: { '[UNK]': 0, ab: 1 }, unk_token: '[UNK]' },
      normalizer: { type: 'Replace', pattern: { String: '.' }, content: '' },
      pre_tokenizer: { type: 'WhitespaceSplit' },
    });
    expect(tok.tokenize('a.b axb ab')).toEqual(['ab', '[UNK]', 'ab']);
  });

  it('Metaspace: an unknown prepend_scheme is refused by name; a missing replacement names the field', () => {
    const model = { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' };
    const scheme = errorOf(() =>
      PretrainedTokenizer.fromTokenizerJson({
        model,
        pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'sometimes' },
      }),
    );
    expect(scheme.code).toBe('E_TOKENIZER_UNSUPPORTED');
    expect(scheme.message).toBe(
      'tokenizer.json: pre_tokenizer type "Metaspace prepend_scheme sometimes" is not supported ' +
        '(supported: always, first, never); ids would differ from the reference, so the tokenizer is refused',
    );
    expect(scheme.details).toEqual({
      component: 'pre_tokenizer',
      type: 'Metaspace prepend_scheme sometimes',
      supported: ['always', 'first', 'never'],
    });
    const missing = errorOf(() =>
      PretrainedTokenizer.fromTokenizerJson({ model, pre_tokenizer: { type: 'Metaspace' } }),
    );
    expect([missing.code, missing.message]).toEqual([
      'E_VOCAB_FORMAT',
      'tokenizer.json: pre_tokenizer.replacement: expected a string, found nothing',
    ]);
  });
});
