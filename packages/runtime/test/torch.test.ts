// PyTorch interop: the seed tutorial's own network (fixtures/golden/seed_model: Embedding(148, 16) → LSTM(16, 16,
// num_layers=2) → h[-1], trained by PyTorch and saved as safetensors with its word2index) imports from its
// state_dict and reproduces PyTorch's outputs; it fine-tunes here and goes back to PyTorch, where the seed's classes
// load it with load_state_dict(strict=True) and give the same outputs (run with /usr/bin/python3 when it has torch).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiameseError } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import { parseSafetensors, serializeSafetensors } from '@siamese/safetensors';
import { PretrainedTokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  exportTorch,
  fit,
  importTorch,
  inferArchitecture,
  initBackend,
  modelFromBytes,
  modelToBytes,
  type SiameseModel,
} from '../src/index.js';
import { pythonWithTorch, tsvPairs } from './helpers.js';

const FIXTURES = new URL('../../../fixtures/', import.meta.url);
const seedDir = new URL('golden/seed_model/', FIXTURES);
const weights = new Uint8Array(readFileSync(new URL('model.safetensors', seedDir)));
const word2index = JSON.parse(readFileSync(new URL('word2index.json', seedDir), 'utf8')) as Record<
  string,
  number
>;
const expected = JSON.parse(readFileSync(new URL('expected.json', seedDir), 'utf8')) as {
  unbatched: { text: string; ids: number[]; h: number[] }[];
  padded_batch: { ids: number[][]; h: number[][] };
  state_dict_keys: string[];
};
const texts = expected.unbatched.map((u) => u.text);
const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;

function maxDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i]!.length);
    for (let j = 0; j < row.length; j++) worst = Math.max(worst, Math.abs(row[j]! - b[i]![j]!));
  });
  return worst;
}

const python = pythonWithTorch('torch.test.ts');

describe.each(['cpu', 'wasm'] as const)('the seed tutorial model on %s', (backend) => {
  const tol = TOL[backend];
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  it('infers Embedding → 2-layer LSTM → h_n from the state_dict keys, named after the module paths', () => {
    const arch = inferArchitecture(parseSafetensors(weights).header.tensors, { vocabSize: 148 });
    expect(arch.steps).toEqual([
      {
        type: 'embedding',
        vocabSize: 148,
        dim: 16,
        init: 'pretrained',
        trainable: true,
        name: 'encoder.embedding',
      },
      {
        type: 'lstm',
        hidden: 16,
        layers: 2,
        bidirectional: false,
        output: 'last',
        dropout: 0,
        packed: true,
        name: 'encoder.lstm',
      },
    ]);
  });

  it('imports with its word2index: the same ids, and PyTorch outputs unbatched (packed) and padded (pads read)', async () => {
    expect(tf.getBackend()).toBe(backend);
    const model = importTorch({ weights, vocab: { word2index } });
    for (const u of expected.unbatched) expect([...model.tokenizer.encode(u.text)]).toEqual(u.ids);
    const packed = await model.embed(texts);
    expect(
      maxDiff(
        packed,
        expected.unbatched.map((u) => u.h),
      ),
    ).toBeLessThan(tol);
    model.dispose();
    const readsPads = importTorch({ weights, vocab: { word2index }, packed: false });
    const padded = await readsPads.embed(texts, { batchSize: texts.length });
    expect(maxDiff(padded, expected.padded_batch.h)).toBeLessThan(tol);
    // The two modes differ on this batch (the seed's encoder reads pads): the check above is not vacuous.
    expect(maxDiff(padded, packed)).toBeGreaterThan(1e-3);
    readsPads.dispose();
  });
});

describe('import errors name the problem', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('E_MODEL_MISMATCH lists missing and unexpected keys, or the shape, as load_state_dict(strict=True)', () => {
    const wrongNames = [
      { type: 'embedding', vocabSize: 148, dim: 16, name: 'encoder.embedding' },
      { type: 'lstm', hidden: 16, layers: 2, name: 'lstm' },
    ];
    try {
      importTorch({ weights, vocab: { word2index }, architecture: wrongNames });
      expect.unreachable();
    } catch (e) {
      expect(SiameseError.is(e, 'E_MODEL_MISMATCH')).toBe(true);
      const { missing, unexpected } = (e as SiameseError).details as {
        missing: string[];
        unexpected: string[];
      };
      expect(missing).toContain('lstm.weight_ih_l0');
      expect(unexpected).toContain('encoder.lstm.weight_ih_l0');
      expect((e as Error).message).toMatch(/missing keys lstm\.weight_ih_l0/);
    }
    const wrongShape = [
      { type: 'embedding', vocabSize: 148, dim: 16, name: 'encoder.embedding' },
      { type: 'lstm', hidden: 16, layers: 2, bidirectional: true, name: 'encoder.lstm' },
    ];
    expect(() => importTorch({ weights, vocab: { word2index }, architecture: wrongShape })).toThrow(
      /missing keys encoder\.lstm\.weight_ih_l0_reverse/,
    );
    const wideLstm = [
      { type: 'embedding', vocabSize: 148, dim: 16, name: 'encoder.embedding' },
      { type: 'lstm', hidden: 32, layers: 2, name: 'encoder.lstm' },
    ];
    expect(() => importTorch({ weights, vocab: { word2index }, architecture: wideLstm })).toThrow(
      /"encoder.lstm.weight_ih_l0" has shape \[64, 16\] in the file, the architecture expects \[128, 16\]/,
    );
  });

  it('E_IMPORT_ARCHITECTURE when the keys make no chain; E_MODEL_MISMATCH when the vocabulary outgrows the table', () => {
    const stray = serializeSafetensors({
      'emb.weight': { data: new Float32Array(12), shape: [4, 3] },
      'head.weight': { data: new Float32Array(10), shape: [2, 5] },
      'head.bias': { data: new Float32Array(2), shape: [2] },
    });
    expect(() => importTorch({ weights: stray, vocab: { word2index: { '<unk>': 0, a: 1 } } })).toThrow(
      expect.objectContaining({
        code: 'E_IMPORT_ARCHITECTURE',
        message: expect.stringMatching(
          /no module takes the 3-wide output of emb \(left: head \[2, 5\] \+ bias\)/,
        ),
      }),
    );
    const odd = serializeSafetensors({ 'x.running_mean': { data: new Float32Array(3), shape: [3] } });
    expect(() => importTorch({ weights: odd, vocab: { word2index } })).toThrow(
      expect.objectContaining({
        code: 'E_IMPORT_ARCHITECTURE',
        message: expect.stringMatching(/x\.running_mean/),
      }),
    );
    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`w${i}`, i]));
    big['<unk>'] = 200;
    expect(() => importTorch({ weights, vocab: { word2index: big } })).toThrow(
      expect.objectContaining({
        code: 'E_IMPORT_ARCHITECTURE',
        message: expect.stringMatching(/at least 201 rows/),
      }),
    );
    const given = [
      { type: 'embedding', vocabSize: 148, dim: 16, name: 'encoder.embedding' },
      { type: 'lstm', hidden: 16, layers: 2, name: 'encoder.lstm' },
    ];
    expect(() => importTorch({ weights, vocab: { word2index: big }, architecture: given })).toThrow(
      expect.objectContaining({
        code: 'E_MODEL_MISMATCH',
        message: expect.stringMatching(/201 ids but the embedding has 148 rows/),
      }),
    );
  });
});

describe('round trip: import → fine-tune 1 epoch → export → PyTorch', () => {
  let tuned: SiameseModel;
  let exported: Awaited<ReturnType<typeof exportTorch>>;
  const before: Float32Array[] = [];
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    tuned = importTorch({ weights, vocab: { word2index } });
    before.push(...(await tuned.embed(texts)));
    const result = await fit(tuned, tsvPairs('stsb/train.tsv', 48), {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 1,
      batchSize: 8,
      lr: 1e-3,
      seed: 1,
    });
    expect(result.history).toHaveLength(1);
    exported = await exportTorch(tuned);
  });

  it('fine-tuning moved every weight, and the export keeps the seed keys and its word2index', async () => {
    const after = await tuned.embed(texts);
    expect(maxDiff(after, before)).toBeGreaterThan(1e-4);
    expect(exported.keys).toEqual(expected.state_dict_keys);
    expect(JSON.parse(exported.vocabFiles['word2index.json']!)).toEqual(word2index);
    const file = parseSafetensors(exported.weights);
    for (const [name, v] of tuned.encoder.weights()) {
      expect(file.info(name).dtype).toBe('F32');
      expect(file.float32(name)).toEqual(await v.data());
    }
  });

  it('the exported file alone imports back (architecture and tokenizer in its metadata) with the same outputs', async () => {
    const again = importTorch({ weights: exported.weights });
    expect(again.tokenizer).toBeInstanceOf(PretrainedTokenizer);
    expect(maxDiff(await again.embed(texts), await tuned.embed(texts))).toBe(0);
    // And it saves and loads as an SDK model, its tokenizer included.
    const reloaded = await modelFromBytes(await modelToBytes(again));
    expect([...reloaded.tokenizer.encode(texts[0]!)]).toEqual(expected.unbatched[0]!.ids);
    expect(maxDiff(await reloaded.embed(texts), await tuned.embed(texts))).toBe(0);
    again.dispose();
    reloaded.dispose();
  });

  it.skipIf(!python)(
    'PyTorch (python3-torch): the seed classes load the export with strict=True and match, unbatched and padded',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'siamese-torch-'));
      writeFileSync(join(dir, 'model.safetensors'), exported.weights);
      const ids = texts.map((t) => [...tuned.tokenizer.encode(t)]);
      writeFileSync(join(dir, 'ids.json'), JSON.stringify({ ids }));
      const script = new URL('interop/torch/load_seed.py', FIXTURES).pathname;
      const out = JSON.parse(
        execFileSync(python!, [script, join(dir, 'model.safetensors'), join(dir, 'ids.json')], {
          encoding: 'utf8',
        }),
      ) as {
        keys: string[];
        missing: string[];
        unexpected: string[];
        unbatched: number[][];
        padded: number[][];
      };
      expect(out.missing).toEqual([]);
      expect(out.unexpected).toEqual([]);
      expect(out.keys).toEqual(expected.state_dict_keys);
      expect(maxDiff(await tuned.embed(texts), out.unbatched)).toBeLessThan(1e-5);
      const readsPads = importTorch({
        weights: exported.weights,
        packed: false,
        architecture: [
          { type: 'embedding', vocabSize: 148, dim: 16, name: 'encoder.embedding' },
          { type: 'lstm', hidden: 16, layers: 2, packed: false, name: 'encoder.lstm' },
        ],
      });
      expect(maxDiff(await readsPads.embed(texts, { batchSize: texts.length }), out.padded)).toBeLessThan(
        1e-5,
      );
      readsPads.dispose();
    },
  );
});
