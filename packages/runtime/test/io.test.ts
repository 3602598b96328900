// Public paths of model creation and loading that the README, the demo and the browser/edge docs rely on:
// createModel({ vectors }) and loadModel(URL | Response | data: URL) over real HTTP (the no-file-system error:
// @siamese/core's platform test).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVectorsSync, type Tokenizer } from '@siamese/tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  initBackend,
  loadModel,
  modelToBytes,
  type SiameseModel,
  saveModel,
} from '../src/index.js';

const texts = ['a man plays a guitar', 'a woman slices an onion', 'the dog runs'];
const VECTORS = ['guitar 0.5 -0.25 1', 'onion -1 0.125 0.75', 'dog 0.25 0.25 -0.5', 'zebra 2 2 2'].join('\n');
const dir = mkdtempSync(join(tmpdir(), 'siamese-io-'));
let model: SiameseModel;
let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  await initBackend();
  model = createModel({ preset: 'meanpool', texts, hidden: 4, embeddingDim: 4, seed: 3 });
  await saveModel(model, join(dir, 'folder'));
  await saveModel(model, join(dir, 'model.siamese'), { format: 'file' });
  // A static file server on 127.0.0.1 (an OS-chosen port), as a CDN or the app's own origin would serve the model.
  server = createServer((req, res) => {
    requests.push(req.url!);
    try {
      res.end(readFileSync(join(dir, decodeURIComponent(req.url!))));
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  model?.dispose();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const probe = ['a man plays a guitar', 'an unseen word'];

describe('createModel({ vectors })', () => {
  it('adds the vector file’s words to the vocabulary and starts their rows from the vectors', async () => {
    const vectors = parseVectorsSync(VECTORS);
    const info: string[] = [];
    const m = createModel({
      preset: 'meanpool',
      texts,
      vectors,
      hidden: 4,
      seed: 1,
      onInfo: (s) => info.push(s),
    });
    // 2 specials + 11 corpus words + 1 word only in the vectors ("zebra").
    const corpusWords = new Set(texts.join(' ').split(' ')).size;
    expect(corpusWords).toBe(11);
    expect(m.tokenizer.vocabSize).toBe(2 + corpusWords + 1);
    expect(info).toEqual([
      'vocabulary 14 (13 from the corpus + 1 from the vectors); vectors cover 4/12 types',
    ]);
    const table = m.encoder.weights().get('embedding.weight')!;
    expect(table.shape).toEqual([m.tokenizer.vocabSize, 3]);
    const rows = table.arraySync() as number[][];
    const row = (w: string) => rows[(m.tokenizer as Tokenizer).vocab.idOf(w)]!;
    expect(row('guitar')).toEqual([0.5, -0.25, 1]);
    expect(row('onion')).toEqual([-1, 0.125, 0.75]);
    expect(row('dog')).toEqual([0.25, 0.25, -0.5]);
    expect(row('zebra')).toEqual([2, 2, 2]);
    expect(rows[0]).toEqual([0, 0, 0]); // [PAD]
    // maxVectorWords caps the words taken from the file beyond the corpus.
    const capped = createModel({ preset: 'meanpool', texts, vectors, hidden: 4, maxVectorWords: 0 });
    expect(capped.tokenizer.vocabSize).toBe(2 + corpusWords);
    for (const x of [m, capped]) x.dispose();
  });
});

describe('loadModel from a URL, a Response or bytes (the browser and edge path)', () => {
  it('loads a folder (URL ending in / or model.json) and a single file over HTTP, identical to the original', async () => {
    const expected = await model.embed(probe);
    for (const url of [`${base}/folder/`, `${base}/folder/model.json`, `${base}/model.siamese`]) {
      for (const source of [url, new URL(url)]) {
        const loaded = await loadModel(source);
        expect(await loaded.embed(probe), String(source)).toEqual(expected);
        expect(loaded.id).toBe(model.id ?? loaded.id);
        loaded.dispose();
      }
    }
    // The folder form fetched its manifest, then the weights file the manifest names.
    expect(requests).toContain('/folder/model.json');
    expect(requests.some((r) => /^\/folder\/weights-[0-9a-f]{16}\.bin$/.test(r))).toBe(true);
  });

  it('loads a Response, a data: URL and raw bytes', async () => {
    const expected = await model.embed(probe);
    const bytes = await modelToBytes(model);
    const sources = [
      new Response(bytes as Uint8Array<ArrayBuffer>),
      await fetch(`${base}/model.siamese`),
      `data:application/octet-stream;base64,${Buffer.from(bytes).toString('base64')}`,
      bytes,
      bytes.slice().buffer,
    ];
    for (const source of sources) {
      const loaded = await loadModel(source);
      expect(await loaded.embed(probe)).toEqual(expected);
      loaded.dispose();
    }
  });

  it('an HTTP 404 (file, folder manifest or weights) is E_MODEL_NOT_FOUND naming the URL', async () => {
    await expect(loadModel(`${base}/nope.siamese`)).rejects.toMatchObject({
      code: 'E_MODEL_NOT_FOUND',
      message: `model: HTTP 404 for ${base}/nope.siamese`,
    });
    await expect(loadModel(`${base}/nope/`)).rejects.toMatchObject({
      code: 'E_MODEL_NOT_FOUND',
      message: `model: HTTP 404 for ${base}/nope/model.json`,
    });
    // A manifest whose weights file is not there.
    mkdirSync(join(dir, 'no-weights'));
    copyFileSync(join(dir, 'folder', 'model.json'), join(dir, 'no-weights', 'model.json'));
    await expect(loadModel(`${base}/no-weights/`)).rejects.toMatchObject({
      code: 'E_MODEL_NOT_FOUND',
      message: expect.stringMatching(/^model: HTTP 404 for .*\/no-weights\/weights-[0-9a-f]{16}\.bin$/),
    });
    // A Response that is not the model (an HTML error page served with 200) is refused as corrupt.
    await expect(loadModel(new Response('<html>oops</html>'))).rejects.toMatchObject({
      code: 'E_MODEL_CORRUPT',
    });
  });
});
