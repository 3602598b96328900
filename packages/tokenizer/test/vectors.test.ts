import { SiameseError } from '@siamese/core';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildEmbeddingMatrix,
  parseVectors,
  parseVectorsSync,
  Tokenizer,
  Vocabulary,
  vocabularyFromVectors,
} from '../src/index.js';
import { readData, readDataBytes, sentences, streamOf } from './helpers.js';

const GLOVE = 'glove/glove.6B.50d.10k.txt';
const f32 = (x: number) => Math.fround(x);

describe('parseVectors', () => {
  it('parses the GloVe file from a string with exact float32 values', () => {
    const v = parseVectorsSync(readData(GLOVE));
    expect([v.size, v.dim, v.header, v.skipped, v.duplicates]).toEqual([10000, 50, null, 0, 0]);
    expect(v.words.slice(0, 10)).toEqual(['the', ',', '.', 'of', 'to', 'and', 'in', 'a', '"', "'s"]);
    expect(Array.from(v.get('the')!.subarray(0, 3))).toEqual([f32(0.418), f32(0.24968), f32(-0.41242)]);
    expect(v.get('the')![49]).toBe(f32(-0.78581));
    expect(Array.from(v.get("n't")!.subarray(0, 2))).toEqual([f32(0.028702), f32(-0.2163)]);
    expect(v.words[9999]).toBe('quinn');
    expect(v.get('quinn')![0]).toBe(f32(-0.5964));
  });
  it('reads a ReadableStream in small chunks (lines and UTF-8 characters split across chunks)', async () => {
    const bytes = readDataBytes(GLOVE);
    const whole = parseVectorsSync(readData(GLOVE));
    // 7-byte chunks over the first 1,000 lines (over the whole file they took 40 s on a busy machine and cover
    // nothing more); 4 KB and 64 KB chunks over the whole file. Floats compared bit for bit by a loop (toEqual
    // on 500,000 floats takes seconds).
    let cut = 0;
    for (let line = 0; line < 1000; line++) cut = bytes.indexOf(10, cut) + 1;
    for (const [size, part, n] of [
      [7, bytes.subarray(0, cut), 1000],
      [4096, bytes, 10000],
      [65536, bytes, 10000],
    ] as const) {
      const v = await parseVectors(streamOf(part, size));
      expect(v.size).toBe(n);
      expect(v.words).toEqual(whole.words.slice(0, n));
      const [got, want] = [v.data, whole.data.subarray(0, n * 50)].map(
        (d) => new Uint32Array(d.buffer, d.byteOffset, d.length),
      );
      expect(got!.length).toBe(want!.length);
      expect(got!.findIndex((x, i) => x !== want![i])).toBe(-1);
    }
    // Non-ASCII words survive byte-level splits.
    const text = 'café 1 2\n中文 3 4\n';
    const enc = new TextEncoder().encode(text);
    const v = await parseVectors(streamOf(enc, 1));
    expect(v.words).toEqual(['café', '中文']);
    expect(Array.from(v.data)).toEqual([1, 2, 3, 4]);
  });
  it('reads async iterables of strings or bytes and sync iterables', async () => {
    async function* chunks() {
      yield 'a 1 2\nb';
      yield new TextEncoder().encode(' 3 4\n');
    }
    expect(Array.from((await parseVectors(chunks())).data)).toEqual([1, 2, 3, 4]);
    async function* badSecond() {
      yield 'a 1 2\n';
      yield 42 as unknown as string;
    }
    await expect(parseVectors(badSecond())).rejects.toThrow(
      'source: chunk 1: expected a Uint8Array or a string, found number',
    );
    expect(parseVectorsSync(['a 0.5 -1e-3', '\r\n', 'b 2 .25 \n']).words).toEqual(['a', 'b']);
    expect(Array.from(parseVectorsSync('a 0.5 -1e-3\nb 2 .25\n').data)).toEqual([0.5, f32(-1e-3), 2, 0.25]);
    await expect(parseVectors(42 as unknown as string)).rejects.toThrow(
      /source: expected a string, a ReadableStream/,
    );
  });
  it('detects word2vec / fastText headers', () => {
    const v = parseVectorsSync('3 2\nthe 0.1 0.2\nof 0.3 0.4 \nand 0.5 0.6\n');
    expect(v.header).toEqual({ count: 3, dim: 2 });
    expect(v.words).toEqual(['the', 'of', 'and']);
    expect(v.data).toEqual(Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    expect(() => parseVectorsSync('the 1 2\n', { header: true })).toThrow(
      expect.objectContaining({ code: 'E_VECTORS_PARSE' }),
    );
    expect(() => parseVectorsSync('', { header: true })).toThrow(
      expect.objectContaining({
        code: 'E_VECTORS_PARSE',
        message: 'vector file, line 1: expected a header line "count dim", found none',
      }),
    );
    expect(() => parseVectorsSync('b\na 1 2\n')).toThrow(
      'vector file, line 1: expected a word and its values, found only "b"',
    );
    // Signs: a leading + is accepted, as by parseFloat.
    expect(parseVectorsSync('a +1.5 -2e1\n').data).toEqual(Float32Array.from([1.5, -20]));
    // A GloVe line with two numeric fields is not a header when told so.
    expect(parseVectorsSync('3 2\n', { header: false }).words).toEqual(['3']);
    // Only line 1 may be a header: later "count dim"-shaped lines are words with one value.
    const one = parseVectorsSync('the 1\n7 2\n');
    expect([one.header, one.words, Array.from(one.data)]).toEqual([null, ['the', '7'], [1, 2]]);
    // Blank and space-only lines are skipped, not rows (and not errors).
    const blank = parseVectorsSync('\n \r\na 1 2\n\n\t\nb 3 4\n');
    expect([blank.words, Array.from(blank.data), blank.skipped]).toEqual([['a', 'b'], [1, 2, 3, 4], 0]);
  });
  it('throws E_VECTORS_PARSE with the line number, or skips and reports', () => {
    const bad = 'a 1 2\nb 1\nc 1 x\nd 1 2 3\ne 4 5\n';
    let err: unknown;
    try {
      parseVectorsSync(bad);
    } catch (e) {
      err = e;
    }
    expect(SiameseError.is(err, 'E_VECTORS_PARSE')).toBe(true);
    expect((err as SiameseError).details).toEqual({ line: 2 });
    expect((err as Error).message).toBe('vector file, line 2: expected 2 values after "b", found 1');
    const v = parseVectorsSync(bad, { onError: 'skip' });
    expect(v.words).toEqual(['a', 'e']);
    expect(v.skipped).toBe(3);
    expect(v.problems).toEqual([
      { line: 2, message: 'expected 2 values after "b", found 1' },
      { line: 3, message: 'value 2 of "c": expected a finite number, found "x"' },
      { line: 4, message: 'expected 2 values after "d", found 3' },
    ]);
    expect(() => parseVectorsSync('a 1 2\nb 1 0x10\n')).toThrow(
      /line 2: value 2 of "b": expected a finite number, found "0x10"/,
    );
    expect(() => parseVectorsSync('a 1 2\nb 1 NaN\n')).toThrow(
      expect.objectContaining({ code: 'E_VECTORS_PARSE' }),
    );
  });
  it('lower-cases on load (first wins), keeps only wanted words, stops at maxWords', async () => {
    const text = 'The 1\nthe 2\nCat 3\ndog 4\n';
    const lc = parseVectorsSync(text, { lowercase: true });
    expect([lc.words, Array.from(lc.data), lc.duplicates]).toEqual([['the', 'cat', 'dog'], [1, 3, 4], 1]);
    expect(parseVectorsSync(text, { keep: ['dog', 'the'] }).words).toEqual(['the', 'dog']);
    expect(parseVectorsSync(text, { keep: (w) => w.length === 3 && w !== 'dog' }).words).toEqual([
      'The',
      'the',
      'Cat',
    ]);
    expect(parseVectorsSync(text, { maxWords: 2 }).words).toEqual(['The', 'the']);
    // An endless stream: maxWords stops reading and cancels it.
    let cancelled = false;
    let n = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new TextEncoder().encode(`w${n++} ${n}\n`)),
      cancel: () => {
        cancelled = true;
      },
    });
    const top = await parseVectors(endless, { maxWords: 3 });
    expect([top.words, Array.from(top.data), cancelled]).toEqual([['w0', 'w1', 'w2'], [1, 2, 3], true]);
    const vocab = Tokenizer.build(sentences('stsb/dev.tsv')).vocab;
    const kept = parseVectorsSync(readData(GLOVE), { keep: vocab });
    expect(kept.size).toBe(4250); // = covered types on STS-B dev, see below
    expect(kept.data.length).toBe(4250 * 50);
  });
});

describe('buildEmbeddingMatrix', () => {
  // Parsed in beforeEach, not when the file loads (a load-time call makes the parser's mutants static).
  let glove: ReturnType<typeof parseVectorsSync>;
  beforeEach(() => {
    glove = parseVectorsSync(readData(GLOVE));
  });
  it('covers about 92% of STS-B running tokens and 55% of types', () => {
    const train = buildEmbeddingMatrix(Tokenizer.build(sentences('stsb/train.tsv')).vocab, glove);
    expect(train.coverage).toEqual({
      types: { covered: 6513, total: 11895 },
      tokens: { covered: 119646, total: 130554 },
    });
    const dev = buildEmbeddingMatrix(Tokenizer.build(sentences('stsb/dev.tsv')).vocab, glove);
    expect(dev.coverage).toEqual({
      types: { covered: 4250, total: 6427 },
      tokens: { covered: 36283, total: 39536 },
    });
  });
  it('beats the data README floor regex on token coverage', () => {
    const texts = sentences('stsb/train.tsv');
    const re = /[a-z0-9]+('[a-z]+)?|[^a-z0-9\s]/g;
    let covered = 0;
    let total = 0;
    for (const t of texts) {
      for (const m of t.toLowerCase().matchAll(re)) {
        total++;
        if (glove.has(m[0])) covered++;
      }
    }
    const ours = buildEmbeddingMatrix(Tokenizer.build(texts).vocab, glove).coverage.tokens;
    expect(covered / total).toBeCloseTo(0.9117, 3);
    expect(ours.covered / ours.total).toBeGreaterThan(covered / total);
  });
  it('aligns rows to ids, zeros the PAD row, fills missing rows as asked', () => {
    const vocab = Vocabulary.fromTokens(['[PAD]', '[UNK]', 'the', 'zzqx', 'Cat']);
    const z = buildEmbeddingMatrix(vocab, glove);
    expect([z.rows, z.dim, z.matrix.length]).toEqual([5, 50, 250]);
    expect(z.matrix.subarray(100, 150)).toEqual(glove.get('the'));
    expect(z.matrix.subarray(200, 250)).toEqual(glove.get('cat')); // case fallback
    expect(Array.from(z.found)).toEqual([0, 0, 1, 0, 1]);
    expect(z.matrix.subarray(0, 100).every((x) => x === 0)).toBe(true);
    expect(z.matrix.subarray(150, 200).every((x) => x === 0)).toBe(true);
    expect(z.coverage.types).toEqual({ covered: 2, total: 3 });
    expect(buildEmbeddingMatrix(vocab, glove, { caseFallback: false }).coverage.types.covered).toBe(1);
    // std only shapes missing: 'random'; zeros stay zeros.
    expect(
      buildEmbeddingMatrix(vocab, glove, { std: 1 })
        .matrix.subarray(150, 200)
        .every((x) => x === 0),
    ).toBe(true);
    // Special tokens are not counted in coverage, even when the file has a vector for them.
    const withUnk = parseVectorsSync('[UNK] 1 2\nthe 3 4\n');
    const sp = buildEmbeddingMatrix(Vocabulary.fromTokens(['[PAD]', '[UNK]', 'the', 'dog']), withUnk);
    expect(Array.from(sp.found)).toEqual([0, 1, 1, 0]);
    expect(sp.coverage.types).toEqual({ covered: 1, total: 2 });
    expect(() => buildEmbeddingMatrix(vocab, glove, { missing: 'nope' as never })).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_ARGUMENT',
        message: `missing: expected 'zeros', 'random' or 'mean', found "nope"`,
      }),
    );

    const m = buildEmbeddingMatrix(vocab, glove, { missing: 'mean' });
    let mean0 = 0;
    for (let i = 0; i < glove.size; i++) mean0 += glove.data[i * 50]!;
    expect(m.matrix[150]).toBeCloseTo(mean0 / glove.size, 6);
    expect(m.matrix[50]).toBe(m.matrix[150]); // UNK gets the fill too
    expect(m.matrix[0]).toBe(0);

    const r1 = buildEmbeddingMatrix(vocab, glove, { missing: 'random', seed: 7, std: 0.5 });
    const r2 = buildEmbeddingMatrix(vocab, glove, { missing: 'random', seed: 7, std: 0.5 });
    expect(r1.matrix).toEqual(r2.matrix);
    expect(r1.matrix.subarray(0, 50).every((x) => x === 0)).toBe(true);
    expect(r1.matrix.subarray(150, 200).some((x) => x !== 0)).toBe(true);
    expect(buildEmbeddingMatrix(vocab, glove, { missing: 'random', seed: 8, std: 0.5 }).matrix).not.toEqual(
      r1.matrix,
    );
  });
  it('builds a vocabulary from the top-N words of a vector file', () => {
    const v = vocabularyFromVectors(glove, { maxSize: 1002, specials: ['[CLS]'] });
    expect(v.size).toBe(1002);
    expect(v.toArray().slice(0, 6)).toEqual(['[PAD]', '[UNK]', '[CLS]', 'the', ',', '.']);
    const t = new Tokenizer(v);
    expect(Array.from(t.encode("The cat's"))).toEqual([3, v.idOf('cat'), 12]);
    expect(v.idOf("'s")).toBe(12);
    const { coverage } = buildEmbeddingMatrix(v, glove);
    expect(coverage.types).toEqual({ covered: 999, total: 999 });
  });
});

describe('hostile vector files (issue 19)', () => {
  it('1e400 and float32-overflowing values are refused, naming the line and the value', () => {
    for (const bad of ['1e400', '1e39', '-1e400']) {
      expect(() => parseVectorsSync(`dog 0.5 ${bad}\n`), bad).toThrow(
        expect.objectContaining({
          code: 'E_VECTORS_PARSE',
          message: expect.stringContaining(`value 2 of "dog": expected a finite number, found "${bad}"`),
        }),
      );
    }
    expect(parseVectorsSync('dog 0.5 3e38\n').get('dog')![1]).toBeCloseTo(3e38, -33);
  });

  it('a header declaring a huge dimension or count, or a line of a million values, is refused without allocating it', () => {
    expect(() => parseVectorsSync('10 1000000000\ndog 1\n')).toThrow(
      expect.objectContaining({
        code: 'E_VECTORS_PARSE',
        message: expect.stringContaining('a dimension in [1, 65536]'),
      }),
    );
    const few = parseVectorsSync('4000000000 2\ndog 1 2\ncat 3 4\n');
    expect(few.size).toBe(2);
    expect(() => parseVectorsSync(`dog ${'1 '.repeat(70_000)}\n`)).toThrow(
      expect.objectContaining({
        code: 'E_VECTORS_PARSE',
        message: expect.stringContaining('at most 65536 values'),
      }),
    );
  });
});
