import {
  buildEmbeddingMatrix,
  charNgramBuckets,
  fnv1a32,
  PretrainedTokenizer,
  parseVectors,
  Tokenizer,
  Vocabulary,
} from '@siamese/tokenizer';
import { assert, assertEqual, assertThrows, defineSuite, fixtureJson, fixtureText } from '../harness.js';

/** Byte stream of a text in small chunks, so lines and UTF-8 sequences straddle chunk boundaries. */
function streamOf(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) c.close();
      else {
        c.enqueue(bytes.subarray(at, at + size));
        at += size;
      }
    },
  });
}

function sentences(tsv: string): string[] {
  return tsv
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .flatMap((l) => l.split('\t').slice(0, 2));
}

export default defineSuite('tokenizer', (test) => {
  test('exact ids for a fixed vocabulary (emoji, CJK, RTL, lone surrogate, offsets)', () => {
    const vocab = Vocabulary.fromTokens([
      '[PAD]',
      '[UNK]',
      'a',
      'man',
      "n't",
      'do',
      "'s",
      'it',
      '.',
      '😀',
      '👍🏽',
      '中',
      '文',
      'שלום',
      'café',
      '\ufffd',
      'u.s.',
      '1,000',
    ]);
    const tok = new Tokenizer(vocab);
    const text = "It's a MAN. Don't 😀👍🏽 中文 שלום Ｃafe\u0301 \ud800 U.S. 1,000 zebra";
    assertEqual(
      Array.from(tok.encode(text)),
      [7, 6, 2, 3, 8, 5, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 1],
      'ids',
    );
    const toks = tok.tokenize(text);
    assertEqual(
      toks.slice(-6).map((t) => [t.text, t.start, t.end]),
      [
        ['שלום', 28, 32],
        ['café', 33, 38],
        ['\ufffd', 39, 40],
        ['u.s.', 41, 45],
        ['1,000', 46, 51],
        ['zebra', 52, 57],
      ],
      'offsets',
    );
    assertEqual(text.slice(33, 38), 'Ｃafe\u0301', 'offsets index the original');
    const b = tok.encodeBatch(['a man', '', "it's"], { maxLength: 4, padding: 'max' });
    assertEqual(Array.from(b.ids), [2, 3, 0, 0, 0, 0, 0, 0, 7, 6, 0, 0], 'batch ids');
    assertEqual(Array.from(b.lengths), [2, 0, 2], 'batch lengths');
    assertEqual(tok.decode(b.ids.subarray(8)), "it 's", 'decode');
  });

  test('WordPiece matches BERT on the classic examples', () => {
    const wp = PretrainedTokenizer.fromVocabTxt(
      ['[PAD]', '[UNK]', 'un', '##aff', '##able', 'want', '##want', '##ed', 'runn', '##ing', ',', '中'].join(
        '\n',
      ),
    );
    assertEqual(wp.tokenize('unaffable'), ['un', '##aff', '##able'], 'unaffable');
    assertEqual(
      wp.tokenize('UNwant\u00E9d,running'),
      ['un', '##want', '##ed', ',', 'runn', '##ing'],
      'unwanted',
    );
    assertEqual(Array.from(wp.encode('UNwant\u00E9d,running 中 xyz')), [2, 6, 7, 10, 8, 9, 11, 1], 'ids');
  });

  test('tokenizer.json cases give the ids and tokens of the Rust tokenizers library', async (ctx) => {
    const { cases } = await fixtureJson(ctx, 'interop/tokenizers/cases.json');
    for (const c of cases) {
      const tok = PretrainedTokenizer.fromTokenizerJson(c.tokenizer);
      c.texts.forEach((t: string, i: number) => {
        assertEqual(Array.from(tok.encode(t)), c.ids[i], `${c.name}: ids of ${JSON.stringify(t)}`);
        assertEqual(tok.tokenize(t), c.tokens[i], `${c.name}: tokens of ${JSON.stringify(t)}`);
        if (c.ids_with_special_tokens) {
          assertEqual(
            Array.from(tok.encode(t, { addSpecialTokens: true })),
            c.ids_with_special_tokens[i],
            `${c.name}: ids with special tokens of ${JSON.stringify(t)}`,
          );
        }
      });
    }
  });

  test('BERT vocab.txt and model2vec tokenizer.json files, saved and restored', async (ctx) => {
    const e = await fixtureJson(ctx, 'interop/bert_vocab/expected.json');
    const bert = PretrainedTokenizer.fromVocabTxt(await fixtureText(ctx, 'interop/bert_vocab/vocab.txt'));
    const restored = PretrainedTokenizer.fromJSON(JSON.stringify(bert.toJSON()));
    e.texts.forEach((t: string, i: number) => {
      assertEqual(Array.from(restored.encode(t)), e.uncased.ids[i], `bert ${JSON.stringify(t)}`);
    });
    for (const dir of ['model2vec_wordpiece', 'model2vec_unigram']) {
      const m = await fixtureJson(ctx, `interop/${dir}/expected.json`);
      const tok = PretrainedTokenizer.fromTokenizerJson(
        await fixtureText(ctx, `interop/${dir}/tokenizer.json`),
      );
      m.texts.forEach((t: string, i: number) => {
        const ids = Array.from(tok.encode(t)).filter((id) => id !== m.unk_id);
        assertEqual(ids, m.ids[i], `${dir} ${JSON.stringify(t)}`);
      });
    }
  });

  test('hashed character n-grams are identical on every runtime', () => {
    assertEqual(fnv1a32(new TextEncoder().encode('a')), 0xe40c292c, 'fnv1a32(a)');
    assertEqual(fnv1a32(new TextEncoder().encode('é')), 0x3cfa68c1, 'fnv1a32(é), sign-extended bytes');
    assertEqual(
      Array.from(charNgramBuckets('where')),
      [
        167652, 989715, 1526707, 1071586, 420941, 312621, 969176, 121234, 1473420, 1540811, 114991, 1529033,
        1568469, 867498,
      ],
      'where',
    );
    assertEqual(
      Array.from(charNgramBuckets('café', { minN: 3, maxN: 4, buckets: 1000 })),
      [747, 831, 661, 601, 362, 12, 697],
      'café',
    );
  });

  test('streams the GloVe file and covers STS-B dev', async (ctx) => {
    const text = await ctx.data('glove/glove.6B.50d.10k.txt');
    const vectors = await parseVectors(streamOf(text, 5000));
    assertEqual([vectors.size, vectors.dim], [10000, 50], 'size');
    assertEqual(vectors.get('the')![0], Math.fround(0.418), 'the[0]');
    assertEqual(vectors.get('quinn')![0], Math.fround(-0.5964), 'quinn[0]');
    const tok = Tokenizer.build(sentences(await ctx.data('stsb/dev.tsv')));
    const { coverage } = buildEmbeddingMatrix(tok.vocab, vectors);
    assertEqual(
      coverage,
      { types: { covered: 4250, total: 6427 }, tokens: { covered: 36283, total: 39536 } },
      'coverage',
    );
    assert(coverage.tokens.covered / coverage.tokens.total > 0.9, 'token coverage > 90%');
    await assertThrows(() => parseVectors('a 1 2\nb 1\n'), 'E_VECTORS_PARSE', 'bad line');
  });
});
