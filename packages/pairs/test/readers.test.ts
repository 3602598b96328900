import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SiameseError } from '@siamese/core';
import { describe, expect, it } from 'vitest';
import {
  type DatasetErrorCode,
  isDatasetError,
  type PairRecord,
  pairsFromObjects,
  parsePairs,
  parseRows,
  readPairs,
  type ScoredPair,
  streamPairs,
  streamRows,
} from '../src/index.js';
import { readPairsFile, streamPairsFile } from '../src/node.js';
import { byteChunks, byteStream, dataDir, readDataBytes } from './helpers.js';

const enc = new TextEncoder();

function catchError(fn: () => unknown): SiameseError<DatasetErrorCode> {
  try {
    fn();
  } catch (e) {
    if (isDatasetError(e)) return e;
    throw e;
  }
  throw new Error('expected a data set error');
}

describe('shared data files (TAB, header, no quoting)', () => {
  const counts: Record<string, [number, number]> = {
    stsb: [5749, 1500],
    sick: [4500, 500],
    mrpc: [3576, 500],
  };
  for (const [set, [train, dev]] of Object.entries(counts)) {
    it(`${set}: exact row counts, no problems`, async () => {
      const t = await readPairsFile(resolve(dataDir, set, 'train.tsv.gz'));
      const d = await readPairsFile(resolve(dataDir, set, 'dev.tsv.gz'));
      expect(t.pairs.length).toBe(train);
      expect(d.pairs.length).toBe(dev);
      expect(t.report).toMatchObject({ rows: train, accepted: train, skipped: 0, problems: [] });
      expect(t.report.source).toBe(resolve(dataDir, set, 'train.tsv.gz'));
    });
  }

  it('STS-B fields and scores are exact', async () => {
    const { pairs } = await readPairsFile(resolve(dataDir, 'stsb/train.tsv.gz'), { scoreRange: [0, 5] });
    expect(pairs[0]).toEqual({
      text1: 'A plane is taking off.',
      text2: 'An air plane is taking off.',
      score: 5,
      line: 2,
    });
    expect(pairs[1]?.score).toBe(3.8);
    expect(pairs.at(-1)).toEqual({
      text1: 'Putin spokesman: Doping charges appear unfounded',
      text2: 'The Latest on Severe Weather: 1 Dead in Texas After Tornado',
      score: 0,
      line: 5750,
    });
    const mean = pairs.reduce((s, p) => s + (p.score ?? 0), 0) / pairs.length;
    expect(mean.toFixed(2)).toBe('2.70');
  });

  it('SICK: score column found, entailment column ignored or mapped with labelMap', async () => {
    const path = resolve(dataDir, 'sick/dev.tsv.gz');
    const { pairs } = await readPairsFile(path, { scoreRange: [1, 5] });
    expect(pairs.at(-1)).toEqual({
      text1: 'A young man is pushing a motocross bike down a dirt hill',
      text2: 'A dog is swimming after a tennis ball',
      score: 1,
      line: 501,
    });
    const nli = await readPairsFile(path, {
      columns: { label: 'entailment' },
      labelMap: { NEUTRAL: 0, ENTAILMENT: 1, CONTRADICTION: 2 },
    });
    const counts = [0, 0, 0];
    for (const p of nli.pairs) counts[p.label!]!++;
    expect(counts).toEqual([282, 144, 74]);
  });

  it('MRPC: rows with " stay intact with quoting off; labels exact', async () => {
    const { pairs } = await readPairsFile(resolve(dataDir, 'mrpc/dev.tsv.gz'));
    expect(pairs[3]).toEqual({
      text1: `"We're a quiet, peaceful town of 862 people and nothing ever happens," said Carolyn Greene Bennett, Cedar Grove's town recorder.`,
      text2: `"We're a quiet, peaceful town of 862 people and nothing ever happens," Bennett said.`,
      label: 1,
      line: 5,
    });
    expect(pairs.filter((p) => p.label === 1).length).toBe(346);
    expect(pairs.filter((p) => p.text1.includes('"') || p.text2.includes('"')).length).toBe(97);
    const train = await readPairsFile(resolve(dataDir, 'mrpc/train.tsv.gz'));
    expect(train.pairs.filter((p) => p.label === 1).length).toBe(2407);
  });

  it('streams: tiny byte chunks (split multi-byte chars and lines) give the same records', async () => {
    const bytes = readDataBytes('stsb/train.tsv');
    const whole = parsePairs(new TextDecoder().decode(bytes)).pairs;
    const viaStream = await readPairs(byteStream(bytes, 7), { source: 'stsb/train.tsv' });
    expect(viaStream.pairs).toEqual(whole);
    const viaIter: PairRecord[] = [];
    for await (const p of streamPairs(byteChunks(bytes, 4093))) viaIter.push(p);
    expect(viaIter).toEqual(whole);
    // The mojibake headline keeps its exact characters across chunk boundaries.
    expect(whole[5247]).toEqual({
      text1: 'Arsenal v Stoke City ‚Äď live!',
      text2: 'Tottenham v Manchester City ‚Äď live!',
      score: 2.2,
      line: 5249,
    });
  });

  it('streamPairsFile returns the report as the generator result', async () => {
    const gen = streamPairsFile(resolve(dataDir, 'mrpc/dev.tsv.gz'));
    let n = 0;
    let r = await gen.next();
    while (!r.done) {
      n++;
      r = await gen.next();
    }
    expect(n).toBe(500);
    expect(r.value).toMatchObject({ rows: 500, accepted: 500, skipped: 0 });
  });

  it('a file that cannot be read is E_DATASET_FILE; a corrupt or truncated .gz is E_DATASET_GZIP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siamese-pairs-'));
    try {
      const missing = join(dir, 'missing.tsv');
      await expect(readPairsFile(missing)).rejects.toMatchObject({
        code: 'E_DATASET_FILE',
        details: { source: missing, line: 0, column: 0 },
        message: expect.stringContaining(`${missing}: file not found`),
      });
      await expect(readPairsFile(dir)).rejects.toMatchObject({
        code: 'E_DATASET_FILE',
        message: expect.stringContaining('expected a file, found a directory'),
      });
      const gz = readFileSync(resolve(dataDir, 'mrpc/dev.tsv.gz'));
      const truncated = join(dir, 'truncated.tsv.gz');
      writeFileSync(truncated, gz.subarray(0, gz.length - 100));
      await expect(readPairsFile(truncated)).rejects.toMatchObject({ code: 'E_DATASET_GZIP' });
      const notGzip = join(dir, 'plain.tsv.gz');
      writeFileSync(notGzip, 'sentence1\tsentence2\tlabel\na\tb\t1\n');
      await expect(readPairsFile(notGzip)).rejects.toMatchObject({
        code: 'E_DATASET_GZIP',
        message: expect.stringContaining('not a valid gzip file, or truncated'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('require: a field every record must have, and the record type that follows', () => {
  it('require: score types the records as ScoredPair (no cast) and rejects a row without one', async () => {
    const { pairs } = await readPairsFile(resolve(dataDir, 'stsb/dev.tsv.gz'), { require: 'score' });
    const scored: ScoredPair[] = pairs; // compiles: `score` is a number, not optional
    expect(scored.length).toBe(1500);
    expect(scored.every((p) => Number.isFinite(p.score))).toBe(true);
    const e = catchError(() => parsePairs('s1\ts2\tscore\na\tb\t\n', { source: 'x.tsv', require: 'score' }));
    expect(e.code).toBe('E_DATASET_SCORE');
  });

  it('a missing column fails at the header, naming the field and the aliases', () => {
    const e = catchError(() =>
      parsePairs('sentence1\tsentence2\nab\tcd\n', { source: 'x.tsv', require: 'label' }),
    );
    expect(e.code).toBe('E_DATASET_COLUMNS');
    expect(e.message).toBe(
      'x.tsv:1:1: no label column (require: \'label\'): expected one of label, is_duplicate, quality or columns.label; header has ["sentence1","sentence2"]',
    );
  });

  it('a required column may be the first one (index 0)', () => {
    expect(parsePairs('score\ts1\ts2\n1.5\ta\tb\n', { require: 'score' }).pairs).toEqual([
      { text1: 'a', text2: 'b', score: 1.5, line: 2 },
    ]);
    expect(() => parsePairs('s1\ts2\na\tb\n', { require: 'x' as never })).toThrow(
      new TypeError("require: expected 'score' or 'label', found \"x\""),
    );
  });

  it('JSONL objects without the field are skipped and reported under onError: skip', () => {
    const { pairs, report } = pairsFromObjects(
      [
        { sentence1: 'a', sentence2: 'b', label: 1 },
        { sentence1: 'c', sentence2: 'd' },
      ],
      { require: 'label', onError: 'skip' },
    );
    expect(pairs.map((p) => p.label)).toEqual([1]);
    expect(report.problems.map((p) => [p.code, p.line])).toEqual([['E_DATASET_SCORE', 2]]);
  });
});

describe('delimited text', () => {
  it('handles CRLF, BOM, blank lines and a missing final newline', () => {
    const text = '\uFEFFsentence1\tsentence2\tscore\r\na\tb\t1\r\n\r\nc\td\t2.5';
    expect(parsePairs(text).pairs).toEqual([
      { text1: 'a', text2: 'b', score: 1, line: 2 },
      { text1: 'c', text2: 'd', score: 2.5, line: 4 },
    ]);
  });

  it('strips a BOM that arrives in its own byte chunk', async () => {
    const bytes = enc.encode('\uFEFFtext1\ttext2\nx\ty\n');
    const { pairs } = await readPairs([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)]);
    expect(pairs).toEqual([{ text1: 'x', text2: 'y', line: 2 }]);
  });

  it('CSV with quoting: embedded delimiters, doubled quotes and newlines', () => {
    const csv = 'question1,question2,is_duplicate\n"a, b","say ""hi""",1\n"multi\nline",x,0\nplain,"q",1\n';
    const { pairs } = parsePairs(csv, { format: 'csv' });
    expect(pairs).toEqual([
      { text1: 'a, b', text2: 'say "hi"', label: 1, line: 2 },
      { text1: 'multi\nline', text2: 'x', label: 0, line: 3 },
      { text1: 'plain', text2: 'q', label: 1, line: 5 },
    ]);
  });

  it('CSV quoting: the last record with or without a final newline, and no empty record after it', () => {
    for (const body of ['text1,text2\na,"b"', 'text1,text2\na,"b"\n', 'text1,text2\na,b\n']) {
      const { pairs, report } = parsePairs(body, { format: 'csv', onError: 'skip' });
      expect(pairs).toEqual([{ text1: 'a', text2: 'b', line: 2 }]);
      expect(report).toMatchObject({ rows: 1, accepted: 1, skipped: 0 });
    }
    // A broken last record is one problem, and nothing of it is emitted at the end of the input.
    const { pairs, report } = parsePairs('text1,text2\na,b\n"x"y,z', { format: 'csv', onError: 'skip' });
    expect(pairs).toEqual([{ text1: 'a', text2: 'b', line: 2 }]);
    expect(report).toMatchObject({ rows: 2, accepted: 1, skipped: 1 });
  });

  it('CSV quoting: errors point at the right column on every row', () => {
    const head = 'text1,text2,score\n';
    const few = catchError(() => parsePairs(`${head}a,b\n`, { format: 'csv' }));
    expect([few.code, few.details]).toEqual(['E_DATASET_COLUMNS', { source: '<input>', line: 2, column: 4 }]);
    // The score is the third field of the second data row: column 5 ("c,d," is 4 characters).
    const bad = catchError(() => parsePairs(`${head}a,b,1\nc,d,x\n`, { format: 'csv' }));
    expect([bad.code, bad.details]).toEqual(['E_DATASET_SCORE', { source: '<input>', line: 3, column: 5 }]);
  });

  it('headers of other layouts: QQP (question1, question2) and SBERT triplets (anchor, positive)', () => {
    for (const [h1, h2] of [
      ['question1', 'question2'],
      ['anchor', 'positive'],
      ['premise', 'hypothesis'],
      ['text_a', 'text_b'],
      ['sentence_1', 'sentence_2'],
      ['s1', 's2'],
    ]) {
      expect(parsePairs(`${h1}\t${h2}\nx\ty\n`).pairs).toEqual([{ text1: 'x', text2: 'y', line: 2 }]);
    }
  });

  it('CSV quoting gives the same records whatever the chunking', async () => {
    const csv = 'text1;text2;score\r\n"a;1";"b""c"\r\n"x\r\ny";z;3\r\n';
    const opts = { delimiter: ';', quoting: true } as const;
    const expected = parsePairs(csv.replace('"b""c"\r\n', '"b""c";2\r\n'), opts).pairs;
    expect(expected).toEqual([
      { text1: 'a;1', text2: 'b"c', score: 2, line: 2 },
      { text1: 'x\r\ny', text2: 'z', score: 3, line: 3 },
    ]);
    const full = csv.replace('"b""c"\r\n', '"b""c";2\r\n');
    for (let size = 1; size < 8; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < full.length; i += size) chunks.push(full.slice(i, i + size));
      expect((await readPairs(chunks, opts)).pairs).toEqual(expected);
    }
  });

  it('quote errors name line and column', () => {
    const e = catchError(() => parsePairs('text1,text2\n"x"y,z\n', { format: 'csv' }));
    expect(e.code).toBe('E_DATASET_QUOTE');
    expect(e.details).toEqual({ source: '<input>', line: 2, column: 4 });
    const u = catchError(() => parsePairs('text1,text2\n"x,z\n', { format: 'csv', source: 'q.csv' }));
    expect(u.code).toBe('E_DATASET_QUOTE');
    expect(u.message).toBe('q.csv:2:1: quoted field is not closed before the end of the input');
  });

  it('explicit column names and indices; no header', () => {
    const t = 'id\tleft\tright\tsim\n7\tp\tq\t0.5\n';
    expect(parsePairs(t, { columns: { text1: 'left', text2: 'right', score: 'sim' } }).pairs).toEqual([
      { text1: 'p', text2: 'q', score: 0.5, line: 2 },
    ]);
    expect(parsePairs('p\tq\t4\n', { header: false, columns: { score: 2 } }).pairs).toEqual([
      { text1: 'p', text2: 'q', score: 4, line: 1 },
    ]);
    const e = catchError(() => parsePairs('foo\tbar\nx\ty\n', { source: 'f.tsv' }));
    expect(e.code).toBe('E_DATASET_COLUMNS');
    expect(e.details).toEqual({ source: 'f.tsv', line: 1, column: 1 });
  });
});

describe('row errors: code, source, line, column', () => {
  const head = 'sentence1\tsentence2\tscore\n';
  const cases: [string, string, string, number, number][] = [
    ['too few fields', 'a\tb\n', 'E_DATASET_COLUMNS', 2, 4],
    ['too many fields', 'a\tb\t1\textra\n', 'E_DATASET_COLUMNS', 2, 7],
    ['empty text1', '\tb\t1\n', 'E_DATASET_EMPTY_TEXT', 2, 1],
    ['blank text2', 'a\t  \t1\n', 'E_DATASET_EMPTY_TEXT', 2, 3],
    ['non-numeric score', 'a\tb\tfive\n', 'E_DATASET_SCORE', 2, 5],
    ['NaN score', 'a\tb\tNaN\n', 'E_DATASET_SCORE', 2, 5],
    ['empty score', 'ok\tok\t2\na\tb\t\n', 'E_DATASET_SCORE', 3, 5],
    ['score out of range', 'a\tb\t5.5\n', 'E_DATASET_SCORE_RANGE', 2, 5],
  ];
  for (const [name, body, code, line, column] of cases) {
    it(name, () => {
      const e = catchError(() => parsePairs(head + body, { source: 'stsb/x.tsv', scoreRange: [0, 5] }));
      expect(SiameseError.is(e)).toBe(true);
      expect(e.code).toBe(code);
      expect(e.details).toEqual({ source: 'stsb/x.tsv', line, column });
      expect(e.message.startsWith(`stsb/x.tsv:${line}:${column}: `)).toBe(true);
    });
  }

  it('messages say what was expected and found', () => {
    expect(catchError(() => parsePairs(`${head}a\tb\n`)).message).toBe(
      '<input>:2:4: expected 3 fields, found 2',
    );
    expect(catchError(() => parsePairs(`${head}a\tb\t7\n`, { scoreRange: [0, 5] })).message).toBe(
      '<input>:2:5: score 7 is outside the declared range [0, 5]',
    );
  });

  it('isDatasetError: only a SiameseError with an E_DATASET_ code', () => {
    expect(isDatasetError(catchError(() => parsePairs(`${head}a\tb\n`)))).toBe(true);
    expect(isDatasetError(new SiameseError('E_INVALID_ARGUMENT', 'x'))).toBe(false);
    expect(isDatasetError(Object.assign(new Error('x'), { code: 'E_DATASET_COLUMNS' }))).toBe(false);
    expect(isDatasetError(undefined)).toBe(false);
  });

  it("onError: 'skip' drops bad rows and reports counts and the first problems", async () => {
    const body = 'a\tb\t1\n\tb\t1\nc\td\tx\ne\tf\t2\ng\th\n';
    const { pairs, report } = await readPairs(head + body, {
      onError: 'skip',
      maxProblems: 2,
      source: 's.tsv',
    });
    expect(pairs.map((p) => p.line)).toEqual([2, 5]);
    expect(report.rows).toBe(5);
    expect(report.accepted).toBe(2);
    expect(report.skipped).toBe(3);
    expect(report.problems).toEqual([
      {
        code: 'E_DATASET_EMPTY_TEXT',
        message: 's.tsv:3:1: text1 is empty',
        source: 's.tsv',
        line: 3,
        column: 1,
      },
      {
        code: 'E_DATASET_SCORE',
        message: 's.tsv:4:5: score: expected a finite decimal number, found "x"',
        source: 's.tsv',
        line: 4,
        column: 5,
      },
    ]);
  });

  it('skip also recovers from a broken quoted record', () => {
    const { pairs, report } = parsePairs('text1,text2\n"x"y,z\nok,fine\n', {
      format: 'csv',
      onError: 'skip',
    });
    expect(pairs).toEqual([{ text1: 'ok', text2: 'fine', line: 3 }]);
    expect(report.skipped).toBe(1);
  });

  it('a programming error is thrown even under onError: skip (only data set errors are skipped)', () => {
    // Objects need key names: an index is a TypeError, not a bad row.
    const columns = { text1: 0 };
    expect(() => parsePairs('{"a":"x","b":"y"}\n', { format: 'jsonl', onError: 'skip', columns })).toThrow(
      new TypeError('columns.text1: objects need a key name, found number'),
    );
    expect(() => pairsFromObjects([{ a: 'x', b: 'y' }], { onError: 'skip', columns })).toThrow(
      new TypeError('columns.text1: objects need a key name, found number'),
    );
    expect(() => pairsFromObjects('[]' as never)).toThrow(
      new TypeError('objects: expected an array, found string'),
    );
    expect(() => parsePairs('a"b', { format: 'csv', delimiter: '"' })).toThrow(
      new TypeError('delimiter: cannot be the quote character when quoting is on'),
    );
  });

  it('objects and JSONL rows are checked against scoreRange too', () => {
    const e = catchError(() =>
      pairsFromObjects([{ text1: 'a', text2: 'b', score: 7 }], { scoreRange: [0, 5], source: 'o' }),
    );
    expect(e.code).toBe('E_DATASET_SCORE_RANGE');
    expect(e.message).toBe('o:1:1: score 7 is outside the declared range [0, 5]');
    expect(
      pairsFromObjects([{ text1: 'a', text2: 'b', score: 5 }], { scoreRange: [0, 5] }).pairs,
    ).toHaveLength(1);
  });

  it('rejects wrong input types with TypeError', async () => {
    await expect(readPairs(42 as never)).rejects.toThrow(TypeError);
    await expect(readPairs([42] as never)).rejects.toThrow(TypeError);
    expect(() => parsePairs(null as never)).toThrow(TypeError);
    expect(() => parsePairs('a', { format: 'xml' as never })).toThrow(TypeError);
  });
});

describe('JSONL and objects', () => {
  it('reads JSONL with aliases, numeric strings and label maps', async () => {
    const text =
      '{"sentence1":"a","sentence2":"b","score":"3.5"}\n\n{"text1":"c","text2":"d","label":"yes"}\n';
    const { pairs } = await readPairs(text, { format: 'jsonl', labelMap: { yes: 1, no: 0 } });
    expect(pairs).toEqual([
      { text1: 'a', text2: 'b', score: 3.5, line: 1 },
      { text1: 'c', text2: 'd', label: 1, line: 3 },
    ]);
  });

  it('format comes from the source extension', () => {
    const { pairs } = parsePairs('{"anchor":"a","positive":"b"}', { source: 'x.jsonl' });
    expect(pairs).toEqual([{ text1: 'a', text2: 'b', line: 1 }]);
  });

  it('JSONL errors', () => {
    expect(catchError(() => parsePairs('{"a":', { format: 'jsonl', source: 'd.jsonl' })).code).toBe(
      'E_DATASET_JSON',
    );
    expect(catchError(() => parsePairs('[1]', { format: 'jsonl' })).code).toBe('E_DATASET_JSON');
    const t = catchError(() => parsePairs('{"text1":"a","text2":3}\n', { format: 'jsonl' }));
    expect(t.code).toBe('E_DATASET_TYPE');
    expect(t.details).toEqual({ source: '<input>', line: 1, column: 1 });
  });

  it('pairsFromObjects validates and reports positions', () => {
    const objs = [{ sentence1: 'a', sentence2: 'b', label: 0 }, { sentence1: '', sentence2: 'b' }, 'nope'];
    const { pairs, report } = pairsFromObjects(objs, { onError: 'skip' });
    expect(pairs).toEqual([{ text1: 'a', text2: 'b', label: 0, line: 1 }]);
    expect(report.problems.map((p) => [p.code, p.line])).toEqual([
      ['E_DATASET_EMPTY_TEXT', 2],
      ['E_DATASET_TYPE', 3],
    ]);
    expect(() => pairsFromObjects(objs)).toThrow(expect.objectContaining({ code: 'E_DATASET_EMPTY_TEXT' }));
  });
});

describe('generic rows', () => {
  it('parseRows gives fields and header-keyed values', () => {
    const { rows, header } = parseRows('a,b\n1,"x,y"\n', { format: 'csv' });
    expect(header).toEqual(['a', 'b']);
    expect(rows).toEqual([{ line: 2, fields: ['1', 'x,y'], values: { a: '1', b: 'x,y' } }]);
  });

  it('streamRows reads a real file and checks widths', async () => {
    const bytes = readDataBytes('sick/dev.tsv');
    const rows = [];
    for await (const r of streamRows(byteStream(bytes, 1000))) rows.push(r);
    expect(rows.length).toBe(500);
    expect(rows[0]?.values).toEqual({
      sentence1: 'The young boys are playing outdoors and the man is smiling nearby',
      sentence2: 'There is no boy playing outdoors and there is no man smiling',
      score: '3.6',
      entailment: 'CONTRADICTION',
    });
    await expect(async () => {
      for await (const _ of streamRows('a\tb\n1\n')) void _;
    }).rejects.toMatchObject({
      code: 'E_DATASET_COLUMNS',
      details: { source: '<input>', line: 2, column: 2 },
    });
  });
});

describe('normalizeScores: scored records as they are read', () => {
  it('STS-B 0–5 → 0–1 on every record, typed ScoredPair', async () => {
    const path = resolve(dataDir, 'stsb/dev.tsv.gz');
    const raw = (await readPairsFile(path)).pairs;
    const { pairs, report } = await readPairsFile(path, { normalizeScores: { from: [0, 5] } });
    const scored: PairRecord<ScoredPair>[] = pairs; // no cast: the option types the records
    expect(scored.length).toBe(1500);
    expect(report.skipped).toBe(0);
    scored.forEach((p, i) => {
      expect(p.score).toBeCloseTo(raw[i]!.score! / 5, 12);
      expect(p.line).toBe(raw[i]!.line);
    });
    expect(Math.min(...scored.map((p) => p.score))).toBe(0);
    expect(Math.max(...scored.map((p) => p.score))).toBe(1);
  });

  it('maps to any target; out of range is E_DATASET_SCORE_RANGE unless clamped', () => {
    const text = 'sentence1\tsentence2\tscore\na\tb\t1\nc\td\t5\n';
    expect(
      parsePairs(text, { normalizeScores: { from: [1, 5], to: [-1, 1] } }).pairs.map((p) => p.score),
    ).toEqual([-1, 1]);
    const over = 'sentence1\tsentence2\tscore\na\tb\t5.5\n';
    expect(catchError(() => parsePairs(over, { normalizeScores: { from: [0, 5] } }))).toMatchObject({
      code: 'E_DATASET_SCORE_RANGE',
      details: { line: 2 },
    });
    expect(parsePairs(over, { normalizeScores: { from: [0, 5], clamp: true } }).pairs[0]?.score).toBe(1);
    // An explicit scoreRange is the check; the map still uses `from`.
    expect(parsePairs(over, { scoreRange: [0, 6], normalizeScores: { from: [0, 5] } }).pairs[0]?.score).toBe(
      1.1,
    );
  });

  it('a missing score is an error naming where: no column, or a JSONL row without one', () => {
    const noScore = 'sentence1\tsentence2\tlabel\na\tb\t1\n';
    const e = catchError(() => parsePairs(noScore, { normalizeScores: { from: [0, 5] } }));
    expect(e).toMatchObject({ code: 'E_DATASET_COLUMNS', details: { line: 1 } });
    expect(e.message).toMatch(/no score column \(normalizeScores needs one\)/);
    const jsonl = '{"sentence1":"a","sentence2":"b","score":2}\n{"sentence1":"c","sentence2":"d"}\n';
    expect(
      catchError(() => parsePairs(jsonl, { format: 'jsonl', normalizeScores: { from: [0, 4] } })),
    ).toMatchObject({ code: 'E_DATASET_SCORE', details: { line: 2 } });
    const skipped = parsePairs(jsonl, {
      format: 'jsonl',
      normalizeScores: { from: [0, 4] },
      onError: 'skip',
    });
    expect(skipped.pairs).toEqual([{ text1: 'a', text2: 'b', score: 0.5, line: 1 }]);
    expect(skipped.report.skipped).toBe(1);
    expect(
      pairsFromObjects([{ text1: 'a', text2: 'b', score: 3 }], { normalizeScores: { from: [0, 3] } }).pairs[0]
        ?.score,
    ).toBe(1);
  });

  it('rejects a malformed scale when called', () => {
    expect(() => parsePairs('', { normalizeScores: { from: [5, 0] } })).toThrow(
      /normalizeScores: expected finite/,
    );
    expect(() => parsePairs('', { normalizeScores: null as never })).toThrow(
      'normalizeScores: expected finite ranges with from[0] < from[1], found from=undefined to=undefined',
    );
  });
});

describe('hostile numbers and bytes (issue 19)', () => {
  it('scores and labels are decimal numbers: 0x10, 0b1, Infinity, 1e, 1e400 and 1_0 are rejected per row', () => {
    const bad = ['0x10', '0b1', '0o7', 'Infinity', '-Infinity', '1e', '1e400', '1_0', 'NaN', ''];
    const good = ['3', '-0.5', '.25', '4.', '1e-3', '+2', ' 5 '];
    const rows = [...bad, ...good].map((s, i) => `a${i}\tb${i}\t${s}`).join('\n');
    const { pairs, report } = parsePairs(`text1\ttext2\tscore\n${rows}\n`, {
      onError: 'skip',
      maxProblems: 100,
    });
    expect(pairs.map((p) => p.score)).toEqual([3, -0.5, 0.25, 4, 0.001, 2, 5]);
    expect(report.skipped).toBe(bad.length);
    expect(report.problems.map((p) => p.line)).toEqual(bad.map((_, i) => i + 2));
    expect(report.problems.every((p) => p.code === 'E_DATASET_SCORE')).toBe(true);
    expect(report.problems[0]!.message).toContain('expected a finite decimal number, found "0x10"');
    expect(() => parsePairs('text1\ttext2\tlabel\na\tb\t0x1\n')).toThrow(
      expect.objectContaining({ code: 'E_DATASET_SCORE', message: expect.stringContaining('"0x1"') }),
    );
  });

  it('invalid UTF-8 is reported with its count and first line, across chunk boundaries', async () => {
    const enc = new TextEncoder();
    const head = enc.encode('text1\ttext2\tscore\nok\tfine\t1\n'); // lines 1-2
    const bytes = new Uint8Array([
      ...head,
      ...enc.encode('caf'),
      0xff, // line 3: a byte that is never UTF-8
      ...enc.encode('\tx\t2\n€ uro\t'), // line 4: a valid 3-byte character, split below
      0xe2,
      0x82, // line 4: a truncated sequence
      ...enc.encode('\t3\n'),
    ]);
    for (const size of [1, 2, 3, 7, 64]) {
      // every chunk size splits some sequence somewhere; the count and line stay the same
      const { pairs, report } = await readPairs(byteChunks(bytes, size), { onError: 'skip' });
      expect(pairs, `chunks of ${size}`).toHaveLength(3);
      expect(report.invalidUtf8, `chunks of ${size}`).toEqual({ count: 2, line: 3 });
    }
    const clean = await readPairs(byteChunks(enc.encode('text1\ttext2\né\t€\n'), 1));
    expect(clean.report.invalidUtf8).toBeUndefined();
  });
});
