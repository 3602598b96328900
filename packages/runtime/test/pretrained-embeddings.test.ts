// A BERT vocab.txt and its word-embedding matrix (fixtures/interop/bert_vocab: `embeddings.word_embeddings.weight`
// of a BertModel state_dict) as the starting point of any preset: the seed tutorial's "initialise with pre-trained
// embeddings like GloVe or BERT". The WordPiece tokenizer gives BertTokenizerFast's ids and saves with the model.
import { readFileSync } from 'node:fs';
import { SiameseError } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import { parseSafetensors } from '@siamese/safetensors';
import { PretrainedTokenizer } from '@siamese/tokenizer';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fit, initBackend, modelFromBytes, modelToBytes } from '../src/index.js';
import { tsvPairs } from './helpers.js';

const bert = new URL('../../../fixtures/interop/bert_vocab/', import.meta.url);
const vocabTxt = readFileSync(new URL('vocab.txt', bert), 'utf8');
const file = parseSafetensors(new Uint8Array(readFileSync(new URL('model.safetensors', bert))));
const expected = JSON.parse(readFileSync(new URL('expected.json', bert), 'utf8')) as {
  embedding: string;
  texts: string[];
  uncased: { ids: number[][] };
};
const matrix = file.float32(expected.embedding);

describe('BERT word embeddings as the initialisation of a preset', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it.each(['bilstm', 'cnn', 'meanpool'] as const)(
    "%s: the table is the BERT matrix, the ids are BertTokenizerFast's, and both survive training and saving",
    async (preset) => {
      const tokenizer = PretrainedTokenizer.fromVocabTxt(vocabTxt);
      const notes: string[] = [];
      const model = createModel({
        preset,
        tokenizer,
        embeddings: matrix,
        hidden: 8,
        seed: 3,
        onInfo: (m) => notes.push(m),
      });
      expect(notes).toEqual(['vocabulary 65 from the tokenizer; pretrained 8-d embeddings']);
      const table = model.encoder.weights().get('embedding.weight')!;
      expect(table.shape).toEqual([65, 8]);
      expect(await table.data()).toEqual(matrix);
      expect(expected.texts.map((t) => [...model.tokenizer.encode(t)])).toEqual(expected.uncased.ids);

      const result = await fit(model, tsvPairs('stsb/train.tsv', 32), {
        loss: lossFromConfig({ type: 'cosine' }),
        epochs: 1,
        batchSize: 8,
        lr: 0.01,
        seed: 1,
      });
      expect(result.history).toHaveLength(1);
      const tuned = (await table.data()) as Float32Array;
      expect(tuned.some((x, i) => Math.abs(x - matrix[i]!) > 1e-4)).toBe(true);

      const reloaded = await modelFromBytes(await modelToBytes(model));
      expect(reloaded.tokenizer).toBeInstanceOf(PretrainedTokenizer);
      expect(expected.texts.map((t) => [...reloaded.tokenizer.encode(t)])).toEqual(expected.uncased.ids);
      const texts = expected.texts.slice(0, 4);
      expect(await reloaded.embed(texts)).toEqual(await model.embed(texts));
      model.dispose();
      reloaded.dispose();
    },
  );

  it('a matrix that does not fit the tokenizer is E_MODEL_MISMATCH; neither texts nor a tokenizer is E_INVALID_ARGUMENT', () => {
    const tokenizer = PretrainedTokenizer.fromVocabTxt(vocabTxt);
    const short = () => createModel({ preset: 'cnn', tokenizer, embeddings: matrix.subarray(0, 64 * 8 + 3) });
    expect(short).toThrow(SiameseError);
    expect(short).toThrow(/expected a Float32Array of 65 rows/);
    try {
      short();
    } catch (e) {
      expect((e as SiameseError).code).toBe('E_MODEL_MISMATCH');
    }
    expect(() => createModel({ preset: 'cnn' })).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_ARGUMENT',
        message: expect.stringMatching(/texts .* or a tokenizer/),
      }),
    );
    expect(() => createModel({ preset: 'cnn', embeddings: matrix })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
  });
});
