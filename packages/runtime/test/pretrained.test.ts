// Static embedding models from their folders (fixtures/interop, built by make_fixtures.py from the published
// layouts): model2vec (WordPiece + float32, Unigram + float16) and sentence-transformers' StaticEmbedding + Normalize.
// Each embeds as the reference library does (expected.json), fine-tunes one epoch on STS-B pairs with the loss
// falling, saves back in its own layout and reloads equal.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiameseError } from '@siamese/core';
import { encoderFromConfig, type SequentialConfig } from '@siamese/encoders';
import { lossFromConfig } from '@siamese/losses';
import { parseSafetensors, serializeSafetensors } from '@siamese/safetensors';
import { PretrainedTokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  exportPretrained,
  fit,
  importPretrained,
  initBackend,
  modelFromBytes,
  modelToBytes,
  SiameseModel,
  savePretrained,
} from '../src/index.js';
import { pythonWithTorch, tsvPairs } from './helpers.js';

const INTEROP = new URL('../../../fixtures/interop/', import.meta.url);
const dirOf = (name: string) => new URL(`${name}/`, INTEROP).pathname;
const expectedOf = (name: string) =>
  JSON.parse(readFileSync(new URL(`${name}/expected.json`, INTEROP), 'utf8')) as {
    texts: string[];
    ids: number[][];
    embeddings: number[][];
    embeddings_float32?: number[][];
  };
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

/** The files of a fixture folder as a `PretrainedFiles` object (how a Worker or a browser passes them). */
function filesOf(name: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dirOf(name), rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else out[path] = new Uint8Array(readFileSync(join(dirOf(name), path)));
    }
  };
  walk('');
  return out;
}

const CASES = [
  { name: 'model2vec_wordpiece', format: 'model2vec', normalized: true, key: 'embeddings' },
  { name: 'model2vec_unigram', format: 'model2vec', normalized: false, key: 'embeddings' },
  { name: 'st_static', format: 'sentence-transformers', normalized: true, key: 'embedding.weight' },
] as const;

describe.each(['cpu', 'wasm'] as const)('static models on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  it.each(CASES)(
    '$name: the ids and embeddings of the reference ($format)',
    async ({ name, format, normalized }) => {
      const expected = expectedOf(name);
      const notes: string[] = [];
      const model = await importPretrained(dirOf(name), { onInfo: (m) => notes.push(m) });
      expect(notes[0]).toMatch(new RegExp(`^${format}: `));
      expect(model.tokenizer).toBeInstanceOf(PretrainedTokenizer);
      expect(expected.texts.map((t) => [...model.tokenizer.encode(t)])).toEqual(expected.ids);
      expect(model.encoder.getConfig()).toMatchObject({
        steps: [
          { type: 'embedding' },
          { type: 'pooling', mode: 'mean' },
          ...(normalized ? [{ type: 'normalize' }] : []),
        ],
      });
      const got = await model.embed(expected.texts);
      // model2vec averages a float16 matrix in float16; converted to float32 first, it gives embeddings_float32.
      const want = expected.embeddings_float32 ?? expected.embeddings;
      expect(maxDiff(got, want)).toBeLessThan(TOL[backend]);
      // The same folder given as files (Workers, browsers) gives the same model.
      const fromFiles = await importPretrained(filesOf(name));
      expect(maxDiff(await fromFiles.embed(expected.texts), got)).toBe(0);
      model.dispose();
      fromFiles.dispose();
    },
  );
});

describe.each(CASES)(
  '$name: fine-tune one epoch, save back in its layout, reload equal',
  ({ name, format, key }) => {
    const texts = expectedOf(name).texts;
    beforeAll(async () => {
      await initBackend({ backend: 'cpu' });
    });

    it('the loss falls, the table moves, and the folder it writes reloads with the same embeddings', async () => {
      const model = await importPretrained(dirOf(name));
      const before = await model.embed(texts);
      const pairs = tsvPairs('stsb/train.tsv', 64);
      const loss = lossFromConfig({ type: 'cosent' });
      // The loss over all 64 pairs in one batch with lr 0: measured, nothing moves.
      const lossOnPairs = async () =>
        (await fit(model, pairs, { loss, epochs: 1, batchSize: 64, lr: 0, seed: 1 })).history[0]!.loss;
      const lossBefore = await lossOnPairs();
      expect(maxDiff(await model.embed(texts), before)).toBe(0);
      const result = await fit(model, pairs, { loss, epochs: 1, batchSize: 8, lr: 0.05, seed: 1 });
      expect(result.history).toHaveLength(1);
      const lossAfter = await lossOnPairs();
      expect(lossAfter).toBeLessThan(lossBefore - 0.05);
      const after = await model.embed(texts);
      expect(maxDiff(after, before)).toBeGreaterThan(1e-3);

      const dir = mkdtempSync(join(tmpdir(), `siamese-${name}-`));
      const written = await savePretrained(model, dir);
      expect(written).toContain('model.safetensors');
      expect(written).toContain('tokenizer.json');
      expect(written).toContain(format === 'model2vec' ? 'config.json' : 'config_sentence_transformers.json');
      const file = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
      expect(file.names()).toEqual([key]);
      expect(file.info(key).dtype).toBe('F32');
      expect(file.float32(key)).toEqual(await model.encoder.weights().get('embedding.weight')!.data());
      if (format === 'model2vec') {
        const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
        expect(config).toMatchObject({ model_type: 'model2vec', normalize: name === 'model2vec_wordpiece' });
      }

      const again = await importPretrained(dir);
      expect(maxDiff(await again.embed(texts), after)).toBe(0);
      expect(again.tokenizer.toJSON()).toEqual(model.tokenizer.toJSON());
      // As an SDK model too: the tokenizer (model2vec's dropped unknowns included) saves with it.
      const reloaded = await modelFromBytes(await modelToBytes(model));
      expect(texts.map((t) => [...reloaded.tokenizer.encode(t)])).toEqual(expectedOf(name).ids);
      expect(maxDiff(await reloaded.embed(texts), after)).toBe(0);
      for (const m of [model, again, reloaded]) m.dispose();
    });
  },
);

describe('pretrained import and export errors', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  const base = filesOf('model2vec_wordpiece');
  const catchError = async (p: Promise<unknown>): Promise<SiameseError> => {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(SiameseError);
    return e as SiameseError;
  };

  it('E_IMPORT_UNSUPPORTED names a module or a tensor it cannot reproduce', async () => {
    const modules = JSON.stringify([
      { idx: 0, name: '0', path: '0_Transformer', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ]);
    const e1 = await catchError(importPretrained({ 'modules.json': modules }));
    expect(e1.code).toBe('E_IMPORT_UNSUPPORTED');
    expect(e1.message).toMatch(
      /WordEmbeddings or StaticEmbedding module first, found sentence_transformers\.models\.Transformer/,
    );
    // A CNN with an even kernel size: sentence-transformers pads (k-1)/2 each side, so its own module cannot run it.
    const cnnFiles = filesOf('st_cnn_v6');
    const evenWidth = {
      ...cnnFiles,
      '1_CNN/cnn_config.json': '{"in_embedding_dimension": 8, "out_channels": 4, "kernel_sizes": [1, 2, 5]}',
    };
    const e0 = await catchError(importPretrained(evenWidth));
    expect(e0.code).toBe('E_IMPORT_UNSUPPORTED');
    expect(e0.message).toMatch(/1_CNN\/cnn_config\.json: the even kernel size 2/);
    // A CNN's per-token output with no Pooling after it.
    const listed = JSON.parse(new TextDecoder().decode(cnnFiles['modules.json']!)) as { type: string }[];
    const noPooling = { ...cnnFiles, 'modules.json': JSON.stringify([listed[0], listed[1], listed[3]]) };
    const e5 = await catchError(importPretrained(noPooling));
    expect(e5.code).toBe('E_IMPORT_UNSUPPORTED');
    expect(e5.message).toMatch(/a CNN module followed by sentence_transformers\.base\.modules\.dense\.Dense/);
    // The CNN's weights must fit its config: a width missing from model.safetensors is named.
    const fewer = {
      ...cnnFiles,
      '1_CNN/cnn_config.json':
        '{"in_embedding_dimension": 8, "out_channels": 4, "kernel_sizes": [1, 3, 5, 7]}',
    };
    const e6 = await catchError(importPretrained(fewer));
    expect(e6.code).toBe('E_MODEL_MISMATCH');
    expect(e6.message).toMatch(/missing 1\.conv7\.weight, 1\.conv7\.bias/);
    const hostile = {
      ...cnnFiles,
      '1_CNN/cnn_config.json': '{"in_embedding_dimension": 8, "out_channels": 1e12}',
    };
    const e7 = await catchError(importPretrained(hostile));
    expect(e7.code).toBe('E_MODEL_CORRUPT');
    expect(e7.message).toMatch(
      /1_CNN\/cnn_config\.json: out_channels: expected an integer from 1 to 1048576/,
    );

    const table = parseSafetensors(base['model.safetensors']!);
    const [rows, dim] = table.info('embeddings').shape as [number, number];
    const withWeights = serializeSafetensors([
      ['embeddings', { data: table.float32('embeddings'), shape: [rows, dim] }],
      ['weights', { data: new Float32Array(rows).fill(1), shape: [rows] }],
    ]);
    const e2 = await catchError(importPretrained({ ...base, 'model.safetensors': withWeights }));
    expect(e2.code).toBe('E_IMPORT_UNSUPPORTED');
    expect(e2.message).toMatch(/"weights" tensor/);
  });

  it('E_MODEL_NOT_FOUND for a missing file or an unknown folder; E_MODEL_MISMATCH when the table is too small', async () => {
    const { 'tokenizer.json': _t, ...noTokenizer } = base;
    const e1 = await catchError(importPretrained(noTokenizer));
    expect(e1.code).toBe('E_MODEL_NOT_FOUND');
    expect(e1.message).toMatch(/no tokenizer\.json/);
    const e2 = await catchError(importPretrained({ 'README.md': 'hi' }));
    expect(e2.code).toBe('E_MODEL_NOT_FOUND');
    expect(e2.message).toMatch(/not a model2vec folder/);
    const small = serializeSafetensors([['embeddings', { data: new Float32Array(8 * 3), shape: [3, 8] }]]);
    const e3 = await catchError(importPretrained({ ...base, 'model.safetensors': small }));
    expect(e3.code).toBe('E_MODEL_MISMATCH');
    expect(e3.message).toMatch(/has 3 rows/);
    const e4 = await catchError(importPretrained({ ...base, 'config.json': '{"model_type": "model2vec",' }));
    expect(e4.code).toBe('E_MODEL_CORRUPT');
  });

  it('E_EXPORT_UNSUPPORTED for a model that is not a static one', async () => {
    const model = createModel({
      texts: ['a man plays a guitar', 'dogs run'],
      preset: 'lstm',
      embeddingDim: 8,
      hidden: 8,
    });
    const e = await catchError(exportPretrained(model));
    expect(e.code).toBe('E_EXPORT_UNSUPPORTED');
    expect(e.message).toMatch(/embedding → lstm/);
    model.dispose();
  });
});

describe('sentence-transformers v5 module chain: WordEmbeddings → BiLSTM → max Pooling → Dense(tanh) → Normalize', () => {
  const name = 'st_bilstm_v5';
  const expected = JSON.parse(readFileSync(new URL(`${name}/expected.json`, INTEROP), 'utf8')) as {
    texts: string[];
    ids: number[][];
    embeddings: number[][];
    batch_embeddings: number[][];
  };
  it.each(['cpu', 'wasm'] as const)(
    'embeds as the reference on %s, one by one and as a batch',
    async (backend) => {
      await initBackend({ backend });
      expect(tf.getBackend()).toBe(backend);
      const notes: string[] = [];
      const model = await importPretrained(dirOf(name), { onInfo: (m) => notes.push(m) });
      expect(notes).toEqual(['sentence-transformers: WordEmbeddings → LSTM → Pooling → Dense → Normalize']);
      expect(expected.texts.map((t) => [...model.tokenizer.encode(t)])).toEqual(expected.ids);
      const one: Float32Array[] = [];
      for (const t of expected.texts) one.push((await model.embed([t]))[0]!);
      expect(maxDiff(one, expected.embeddings)).toBeLessThan(TOL[backend]);
      expect(maxDiff(await model.embed(expected.texts), expected.batch_embeddings)).toBeLessThan(
        TOL[backend],
      );
      model.dispose();
    },
  );

  it('fine-tunes (the frozen table stays, as update_embeddings: false says), saves back in the v5 layout, reloads equal', async () => {
    await initBackend({ backend: 'cpu' });
    const model = await importPretrained(dirOf(name));
    const table = await model.encoder.weights().get('0.emb_layer.weight')!.data();
    const pairs = tsvPairs('stsb/train.tsv', 64);
    const loss = lossFromConfig({ type: 'cosent' });
    const lossOnPairs = async () =>
      (await fit(model, pairs, { loss, epochs: 1, batchSize: 64, lr: 0, seed: 1 })).history[0]!.loss;
    const lossBefore = await lossOnPairs();
    await fit(model, pairs, { loss, epochs: 1, batchSize: 8, lr: 0.05, seed: 1 });
    expect(await lossOnPairs()).toBeLessThan(lossBefore - 0.05);
    expect(await model.encoder.weights().get('0.emb_layer.weight')!.data()).toEqual(table);

    const dir = mkdtempSync(join(tmpdir(), 'siamese-st-bilstm-'));
    const written = await savePretrained(model, dir);
    expect(written.sort()).toEqual(
      [
        '0_WordEmbeddings/model.safetensors',
        '0_WordEmbeddings/whitespacetokenizer_config.json',
        '0_WordEmbeddings/wordembedding_config.json',
        '1_LSTM/lstm_config.json',
        '1_LSTM/model.safetensors',
        '2_Pooling/config.json',
        '3_Dense/config.json',
        '3_Dense/model.safetensors',
        'config_sentence_transformers.json',
        'modules.json',
      ].sort(),
    );
    // The module files keep the reference's keys and configs.
    for (const [folder, file] of [
      ['1_LSTM', 'lstm_config.json'],
      ['2_Pooling', 'config.json'],
      ['3_Dense', 'config.json'],
    ] as const) {
      expect(JSON.parse(readFileSync(join(dir, folder, file), 'utf8'))).toEqual(
        JSON.parse(readFileSync(new URL(`${name}/${folder}/${file}`, INTEROP), 'utf8')),
      );
    }
    const lstmKeys = parseSafetensors(
      new Uint8Array(readFileSync(join(dir, '1_LSTM/model.safetensors'))),
    ).names();
    expect(lstmKeys).toEqual(
      parseSafetensors(
        new Uint8Array(readFileSync(new URL(`${name}/1_LSTM/model.safetensors`, INTEROP))),
      ).names(),
    );
    const again = await importPretrained(dir);
    const tuned = await model.embed(expected.texts);
    expect(maxDiff(await again.embed(expected.texts), tuned)).toBe(0);
    // PyTorch modules with sentence-transformers' names load the folder strictly and embed as the SDK does.
    if (python) {
      const torch = embedInTorch(python, dir, expected.ids);
      expect(torch.keys.filter((k) => k.startsWith('1.encoder.'))).toHaveLength(16);
      expect(maxDiff(torch.alone, tuned)).toBeLessThan(1e-5);
      expect(maxDiff(torch.batch, tuned)).toBeLessThan(1e-5);
    }
    model.dispose();
    again.dispose();
  });
});

/**
 * fixtures/interop/torch/load_st_chain.py on a folder: PyTorch modules load it strictly and embed `ids` (written to
 * a temporary file: the folder may be a fixture, which a test never writes into).
 */
function embedInTorch(python: string, dir: string, ids: number[][]) {
  const idsFile = join(mkdtempSync(join(tmpdir(), 'siamese-ids-')), 'ids.json');
  writeFileSync(idsFile, JSON.stringify({ ids }));
  const script = new URL('torch/load_st_chain.py', INTEROP).pathname;
  return JSON.parse(execFileSync(python, [script, dir, idsFile], { encoding: 'utf8' })) as {
    keys: string[];
    alone: number[][];
    batch: number[][];
  };
}

const python = pythonWithTorch('pretrained.test.ts');

const CNN_CHAINS = [
  {
    name: 'st_cnn_v6',
    modules: 'WordEmbeddings → CNN → Pooling → Dense → Normalize',
    steps: ['embedding', 'cnn', 'pooling', 'dense', 'normalize'],
    pooling: 'mean',
    widths: [1, 3, 5],
    trainableTable: false,
  },
  {
    name: 'st_cnn_v5',
    modules: 'WordEmbeddings → CNN → Pooling → Dense',
    steps: ['embedding', 'cnn', 'pooling', 'dense'],
    pooling: 'max',
    widths: [3, 1],
    trainableTable: true,
  },
] as const;

describe.each(CNN_CHAINS)(
  'sentence-transformers CNN chain $name: $modules',
  ({ name, modules, steps, pooling, widths, trainableTable }) => {
    const expected = JSON.parse(readFileSync(new URL(`${name}/expected.json`, INTEROP), 'utf8')) as {
      texts: string[];
      ids: number[][];
      embeddings: number[][];
      batch_embeddings: number[][];
    };

    it.each(['cpu', 'wasm'] as const)(
      'embeds as the reference on %s, one by one and as a batch, from a directory and from its files',
      async (backend) => {
        await initBackend({ backend });
        expect(tf.getBackend()).toBe(backend);
        const notes: string[] = [];
        const model = await importPretrained(dirOf(name), { onInfo: (m) => notes.push(m) });
        expect(notes).toEqual([`sentence-transformers: ${modules}`]);
        const config = model.encoder.getConfig() as SequentialConfig;
        expect(config.steps.map((s) => s.type)).toEqual(steps);
        expect(config.steps[1]).toMatchObject({
          type: 'cnn',
          kernelSizes: widths,
          activation: 'linear',
          output: 'sequence',
          name: '1',
        });
        expect(config.steps[2]).toEqual({ type: 'pooling', mode: pooling });
        expect(expected.texts.map((t) => [...model.tokenizer.encode(t)])).toEqual(expected.ids);
        const one: Float32Array[] = [];
        for (const t of expected.texts) one.push((await model.embed([t]))[0]!);
        expect(maxDiff(one, expected.embeddings)).toBeLessThan(TOL[backend]);
        const batched = await model.embed(expected.texts);
        expect(maxDiff(batched, expected.batch_embeddings)).toBeLessThan(TOL[backend]);
        const fromFiles = await importPretrained(filesOf(name));
        // (to float rounding: the first call of a model does not fold its tables yet)
        expect(maxDiff(await fromFiles.embed(expected.texts), batched)).toBeLessThan(1e-6);
        // A text without a known word is an all-pad row, as in sentence-transformers: nothing to pool (mean: 0),
        // so the embedding is Dense(0) = act(bias) (normalized with Normalize). The pad row is never read.
        const dense = parseSafetensors(
          new Uint8Array(readFileSync(new URL(`${name}/3_Dense/model.safetensors`, INTEROP))),
        ).float32('linear.bias');
        const [empty] = await model.embed(['zzz qqq']);
        if (pooling === 'mean') {
          const norm = Math.hypot(...dense);
          expect(maxDiff([empty!], [Array.from(dense, (v) => v / norm)])).toBeLessThan(TOL[backend]);
        } else {
          expect(maxDiff([empty!], [Array.from(dense, Math.tanh)])).toBeLessThan(TOL[backend]);
        }
        model.dispose();
        fromFiles.dispose();
      },
    );

    it('fine-tunes one epoch, saves back as module folders that reload equal and that PyTorch loads strictly and matches', async () => {
      await initBackend({ backend: 'cpu' });
      const model = await importPretrained(dirOf(name));
      const tableBefore = await model.encoder.weights().get('0.emb_layer.weight')!.data();
      const convBefore = await model.encoder.weights().get(`1.conv${widths[0]}.weight`)!.data();
      const pairs = tsvPairs('stsb/train.tsv', 64);
      const loss = lossFromConfig({ type: 'cosent' });
      const lossOnPairs = async () =>
        (await fit(model, pairs, { loss, epochs: 1, batchSize: 64, lr: 0, seed: 1 })).history[0]!.loss;
      const lossBefore = await lossOnPairs();
      await fit(model, pairs, { loss, epochs: 1, batchSize: 8, lr: 0.05, seed: 1 });
      expect(await lossOnPairs()).toBeLessThan(lossBefore - 0.05);
      expect(
        maxDiff([await model.encoder.weights().get(`1.conv${widths[0]}.weight`)!.data()], [convBefore]),
      ).toBeGreaterThan(1e-3);
      const tableAfter = await model.encoder.weights().get('0.emb_layer.weight')!.data();
      // update_embeddings: false freezes the table (v6 fixture); true trains it (v5 fixture).
      if (trainableTable) expect(maxDiff([tableAfter], [tableBefore])).toBeGreaterThan(1e-3);
      else expect(tableAfter).toEqual(tableBefore);

      const dir = mkdtempSync(join(tmpdir(), `siamese-${name}-`));
      const written = await savePretrained(model, dir);
      expect(written.sort()).toEqual(
        [
          '0_WordEmbeddings/model.safetensors',
          '0_WordEmbeddings/whitespacetokenizer_config.json',
          '0_WordEmbeddings/wordembedding_config.json',
          '1_CNN/cnn_config.json',
          '1_CNN/model.safetensors',
          '2_Pooling/config.json',
          '3_Dense/config.json',
          '3_Dense/model.safetensors',
          'config_sentence_transformers.json',
          'modules.json',
        ].sort(),
      );
      const source = (p: string) => readFileSync(new URL(`${name}/${p}`, INTEROP));
      const cnnConfig = JSON.parse(source('1_CNN/cnn_config.json').toString('utf8'));
      // v5's key; a v6 config says in_embedding_dimension (v6 reads both: `config_key_renames`).
      expect(JSON.parse(readFileSync(join(dir, '1_CNN/cnn_config.json'), 'utf8'))).toEqual({
        in_word_embedding_dimension:
          cnnConfig.in_word_embedding_dimension ?? cnnConfig.in_embedding_dimension,
        out_channels: cnnConfig.out_channels,
        kernel_sizes: cnnConfig.kernel_sizes,
      });
      const names = (bytes: Uint8Array) => parseSafetensors(bytes).names().sort();
      expect(names(new Uint8Array(readFileSync(join(dir, '1_CNN/model.safetensors'))))).toEqual(
        names(new Uint8Array(source('1_CNN/model.safetensors'))),
      );
      const saved = parseSafetensors(new Uint8Array(readFileSync(join(dir, '1_CNN/model.safetensors'))));
      expect(saved.float32(`convs.0.weight`)).toEqual(
        await model.encoder.weights().get(`1.conv${widths[0]}.weight`)!.data(),
      );
      if (name === 'st_cnn_v5') {
        for (const file of ['1_CNN/cnn_config.json', '2_Pooling/config.json', '3_Dense/config.json']) {
          expect(JSON.parse(readFileSync(join(dir, file), 'utf8'))).toEqual(
            JSON.parse(source(file).toString('utf8')),
          );
        }
      }
      const again = await importPretrained(dir);
      const tuned = await model.embed(expected.texts);
      expect(maxDiff(await again.embed(expected.texts), tuned)).toBe(0);
      // As an SDK model too (saveModel / loadModel).
      const reloaded = await modelFromBytes(await modelToBytes(model));
      expect(maxDiff(await reloaded.embed(expected.texts), tuned)).toBe(0);

      if (python) {
        const ids = expected.texts.map((t) => [...model.tokenizer.encode(t)]);
        const torch = embedInTorch(python, dir, ids);
        expect(torch.keys).toEqual([
          '0.emb_layer.weight',
          ...widths.flatMap((_, i) => [`1.convs.${i}.bias`, `1.convs.${i}.weight`]).sort(),
          '3.linear.bias',
          '3.linear.weight',
        ]);
        expect(maxDiff(torch.alone, tuned)).toBeLessThan(1e-5);
        expect(maxDiff(torch.batch, tuned)).toBeLessThan(1e-5);
      }
      for (const m of [model, again, reloaded]) m.dispose();
    });

    it.skipIf(!python)('PyTorch (python3-torch) reads the fixture itself as the reference embeds it', () => {
      const torch = embedInTorch(python!, dirOf(name), expected.ids);
      expect(maxDiff(torch.alone, expected.embeddings)).toBeLessThan(1e-6);
    });
  },
);

describe('sentence-transformers exports of CNN steps it has no module for', () => {
  it('E_EXPORT_UNSUPPORTED for a max-pooling or activated cnn step, naming what the module needs', async () => {
    await initBackend({ backend: 'cpu' });
    const model = await importPretrained(dirOf('st_cnn_v6'));
    const config = model.encoder.getConfig() as SequentialConfig;
    for (const change of [{ activation: 'relu' }, { output: 'max' }, { kernelSizes: [1, 2] }]) {
      const steps = config.steps.map((s) => (s.type === 'cnn' ? { ...s, ...change } : s));
      const encoder = encoderFromConfig({
        ...config,
        steps: change.output ? steps.filter((s) => s.type !== 'pooling') : steps,
      });
      const other = new SiameseModel({ tokenizer: model.tokenizer, encoder, similarity: 'cosine' });
      const e = await exportPretrained(other).then(
        () => null,
        (err: unknown) => err as SiameseError,
      );
      expect(e?.code).toBe('E_EXPORT_UNSUPPORTED');
      expect(e?.message).toMatch(
        /sentence-transformers' CNN is cnn\(\{ activation: 'linear', output: 'sequence' \}\) with odd kernel sizes/,
      );
      other.dispose();
    }
    model.dispose();
  });
});
