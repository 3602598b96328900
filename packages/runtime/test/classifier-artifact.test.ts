// A few-shot classifier saved with its model (issue 17, item 5): its examples, their vectors and its settings
// travel in the artifact (folder and single file, format 3), so the loaded model's classifier embeds only the
// text. Old artifacts (format 2, a committed file written before this change) still load; hostile classifier
// sections (truncated or lying vectors, bad labels, NaN, another model's vectors) are typed errors naming the
// file and the field. Real data: STS-B sentences grouped by topic, on the WASM backend.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createModel,
  FewShotClassifier,
  fit,
  initBackend,
  loadModel,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
  modelFromBytes,
  modelToBytes,
  packModel,
  type SiameseModel,
  saveModel,
} from '../src/index.js';
import { base64ToFloats, floatsToBase64, readClassifier } from '../src/io/classifier-format.js';
import { decodeSingleFile, encodeSingleFile } from '../src/io/format.js';
import { tsvPairs } from './helpers.js';

const sentences = [
  ...new Set(tsvPairs('stsb/train.tsv', 100_000).flatMap((p) => [p.text1, p.text2])),
] as string[];
const topic = (words: string[], label: string) =>
  sentences
    .filter((t) => words.some((w) => new RegExp(`\\b${w}\\b`, 'i').test(t)))
    .map((text) => ({ text, label }));
const known = [
  ...topic(['dog', 'dogs', 'puppy'], 'dogs').slice(0, 30),
  ...topic(['guitar', 'piano', 'flute'], 'music').slice(0, 30),
  ...topic(['onion', 'potato', 'slicing'], 'cooking').slice(0, 30),
];
const unknown = topic(['president', 'minister', 'government'], 'politics').slice(0, 30);
const shots = known.filter((_, i) => i % 3 === 0);
const dev = [...known, ...unknown].filter((_, i) => i % 3 === 1);
const queries = [...known, ...unknown].filter((_, i) => i % 3 === 2).map((r) => r.text);

const root = mkdtempSync(join(tmpdir(), 'siamese-classifier-'));
let model: SiameseModel;
let classifier: FewShotClassifier;

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
  model = createModel({ preset: 'meanpool', texts: sentences, hidden: 32, embeddingDim: 32, seed: 3 });
  classifier = await FewShotClassifier.create(model, shots, { k: 3, vote: 'knn', noMatchLabel: 'unknown' });
  await classifier.calibrate(dev);
});
afterAll(() => {
  model?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('a classifier saved with its model', () => {
  it('round-trips through a folder and a single file: same examples, vectors, settings, calibration and answers', async () => {
    const expected = await classifier.classifyMany(queries);
    expect(classifier.calibration!.n).toBe(dev.length);
    const folder = join(root, 'folder');
    const manifest = await saveModel(model, folder, { classifier });
    expect(manifest.formatVersion).toBe(3);
    expect(manifest.classifier).toMatchObject({
      modelId: manifest.id,
      dim: 32,
      count: shots.length,
      k: 3,
      vote: 'knn',
      noMatchLabel: 'unknown',
      threshold: classifier.threshold,
    });
    const file = join(root, 'model.siamese');
    await saveModel(model, file, { format: 'file', classifier });
    for (const source of [folder, file, await modelToBytes(model, { classifier })]) {
      const loaded = await loadModel(source);
      const c = loaded.classifier!;
      expect(c.model).toBe(loaded);
      expect(c.texts).toEqual(shots.map((s) => s.text));
      expect(c.labels).toEqual(shots.map((s) => s.label));
      expect(Array.from(c.vectors)).toEqual(Array.from(classifier.vectors)); // bit-identical float32
      expect(c.options).toEqual(classifier.options);
      expect(c.calibration).toEqual(classifier.calibration);
      // Only the texts are embedded: one call, with the queries alone.
      const spy = vi.spyOn(loaded, 'embedMatrix');
      const answers = await c.classifyMany(queries);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]![0]).toEqual(queries);
      expect(answers).toEqual(expected);
      loaded.dispose();
    }
  });

  it('a folder or a single file served over HTTP brings its classifier (no extra file to fetch)', async () => {
    const dir = join(root, 'http');
    await saveModel(model, join(dir, 'folder'), { classifier });
    await saveModel(model, join(dir, 'model.siamese'), { format: 'file', classifier });
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url!);
      try {
        res.end(readFileSync(join(dir, decodeURIComponent(req.url!))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      for (const url of [`${base}/folder/`, `${base}/model.siamese`]) {
        const loaded = await loadModel(url);
        expect(Array.from(loaded.classifier!.vectors)).toEqual(Array.from(classifier.vectors));
        loaded.dispose();
      }
      expect(requests.map((r) => r.replace(/weights-[0-9a-f]+\.bin/, 'weights.bin'))).toEqual([
        '/folder/model.json',
        '/folder/weights.bin',
        '/model.siamese',
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('the calibrated reject survives the save: unknown topics get noMatchLabel from the loaded model', async () => {
    const loaded = await modelFromBytes(await modelToBytes(model, { classifier }));
    const answers = await loaded.classifier!.classifyMany(queries);
    const rejected = answers.filter((a) => a.label === 'unknown').length;
    expect(loaded.classifier!.threshold).toBe(classifier.threshold);
    expect(rejected).toBe((await classifier.classifyMany(queries)).filter((a) => a.rejected).length);
    expect(rejected).toBeGreaterThan(0);
    // Per-call options still override the saved ones.
    const open = await loaded.classifier!.classify(queries.at(-1)!, { threshold: -2 });
    expect(open.rejected).toBe(false);
    loaded.dispose();
  });

  it('the format version: 2 without a classifier (older readers keep loading it), 3 with one; 2 still loads', async () => {
    expect(MODEL_FORMAT_VERSION).toBe(3);
    const plain = await saveModel(model, join(root, 'plain'));
    expect(plain.formatVersion).toBe(2);
    expect(plain).not.toHaveProperty('classifier');
    expect((await loadModel(join(root, 'plain'))).classifier).toBeNull();
    // Written by the format-2 build before this change (createModel meanpool, 4-d, seed 3; see the fixture's test).
    const here = dirname(fileURLToPath(import.meta.url));
    const old = await loadModel(readFileSync(join(here, 'fixtures/model-format-2.siamese')));
    expect(old.classifier).toBeNull();
    expect(Array.from((await old.embed(['the dog plays a guitar']))[0]!)).toEqual([
      0.12059932947158813, -0.5464547872543335, 0.1626185178756714, 0.17596876621246338,
    ]);
    old.dispose();
    // A newer reader's file is refused, not half-read.
    const { manifest, blob } = await decodeSingleFile(await modelToBytes(model, { classifier }), 'm');
    await expect(
      modelFromBytes(await encodeSingleFile({ ...manifest, formatVersion: 4 }, blob)),
    ).rejects.toMatchObject({
      code: 'E_FORMAT_VERSION',
    });
  });

  it('a loaded model keeps its classifier when saved again; classifier: null drops it', async () => {
    const loaded = await modelFromBytes(await modelToBytes(model, { classifier }));
    const again = await modelFromBytes(await modelToBytes(loaded));
    expect(again.classifier!.labels).toEqual(classifier.labels);
    const dropped = await modelFromBytes(await modelToBytes(loaded, { classifier: null }));
    expect(dropped.classifier).toBeNull();
    for (const m of [loaded, again, dropped]) m.dispose();
  });

  it("another model's classifier is refused at save (E_MODEL_MISMATCH) and nothing is written", async () => {
    const other = createModel({
      preset: 'meanpool',
      texts: sentences,
      hidden: 16,
      embeddingDim: 16,
      seed: 4,
    });
    const foreign = await FewShotClassifier.create(other, shots);
    const dir = join(root, 'foreign');
    await expect(saveModel(model, dir, { classifier: foreign })).rejects.toMatchObject({
      code: 'E_MODEL_MISMATCH',
      message: expect.stringMatching(/built on another model \(16-d/),
    });
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_MODEL_NOT_FOUND' });
    await expect(modelToBytes(model, { classifier: {} as never })).rejects.toMatchObject({
      code: 'E_MODEL_MISMATCH',
    });
    other.dispose();
  });

  it('a model trained after its classifier was built is refused at save: the vectors would be stale', async () => {
    const loaded = await modelFromBytes(await modelToBytes(model, { classifier }));
    const pairs = known
      .slice(0, 8)
      .map((r, i) => ({ text1: r.text, text2: known[i + 30]!.text, score: 0.2 }));
    await fit(loaded, pairs, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 1,
      batchSize: 4,
      lr: 0.05,
      seed: 1,
    });
    await expect(modelToBytes(loaded)).rejects.toMatchObject({
      code: 'E_MODEL_MISMATCH',
      message: expect.stringMatching(
        /its vectors are no longer this model's .* trained or changed after the classifier was built/,
      ),
    });
    // Rebuilt on the trained weights, it saves; or the model saves without it.
    const rebuilt = await FewShotClassifier.create(loaded, shots, loaded.classifier!.options);
    expect(
      (await modelFromBytes(await modelToBytes(loaded, { classifier: rebuilt }))).classifier!.vectors,
    ).toEqual(rebuilt.vectors);
    expect((await modelFromBytes(await modelToBytes(loaded, { classifier: null }))).classifier).toBeNull();
    loaded.dispose();
  });

  it('packModel re-embeds the examples with the packed (int8, pruned) weights and keeps the settings', async () => {
    const loaded = await modelFromBytes(await modelToBytes(model, { classifier }));
    const packed = await packModel(loaded, { weights: 'int8', maxVocab: 400 });
    const fresh = await FewShotClassifier.create(packed.model, shots, classifier.options);
    expect(Array.from(packed.model.classifier!.vectors)).toEqual(Array.from(fresh.vectors));
    const served = await loadModel(packed.bytes);
    expect(Array.from(served.classifier!.vectors)).toEqual(Array.from(fresh.vectors));
    expect(served.classifier!.options).toEqual(classifier.options);
    expect(await served.classifier!.classifyMany(queries)).toEqual(await fresh.classifyMany(queries));
    // calibrateClassifier: the reject threshold found again, on the packed weights.
    const recal = await packModel(loaded, { weights: 'int8', maxVocab: 400, calibrateClassifier: dev });
    const want = await fresh.calibrate(dev);
    const again = await loadModel(recal.bytes);
    expect(again.classifier!.calibration).toEqual(want);
    expect(again.classifier!.threshold).toBe(fresh.threshold);
    await expect(packModel(model, { classifier: null, calibrateClassifier: dev })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringMatching(/calibrateClassifier: expected a classifier to calibrate/),
    });
    for (const m of [loaded, packed.model, served, recal.model, again]) m.dispose();
  });
});

/** The single file of `model` with `classifier`, its manifest's classifier section changed by `edit`. */
async function tampered(edit: (c: Record<string, unknown>, m: ModelManifest) => void): Promise<Uint8Array> {
  const { manifest, blob } = await decodeSingleFile(await modelToBytes(model, { classifier }), 'm');
  const m = structuredClone(manifest);
  edit(m.classifier as unknown as Record<string, unknown>, m);
  return encodeSingleFile(m, blob); // a valid checksum: only the classifier checks stand in the way
}

describe('the base64 float32 coder', () => {
  it('agrees with Node’s base64 both ways, for every padding (fast-check, seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        (xs, dim) => {
          const v = Float32Array.from(xs.slice(0, xs.length - (xs.length % dim)));
          const text = floatsToBase64(v);
          expect(text).toBe(Buffer.from(v.buffer).toString('base64'));
          expect(Array.from(base64ToFloats(text, v.length / dim, dim, 'v'))).toEqual(Array.from(v));
        },
      ),
      { seed: 17, numRuns: 300 },
    );
    // 1, 2 and 3 values: 4, 8 and 12 bytes, so one or two "=" or none.
    expect(floatsToBase64(Float32Array.of(1))).toBe('AACAPw==');
    expect(() => base64ToFloats('AAC=Pw==', 1, 1, 'v')).toThrow(
      /v: expected base64 .* found "=" at character 3/,
    );
    expect(() => base64ToFloats('AACAPw=A', 1, 1, 'v')).toThrow(/found "A" at character 7/);
  });
});

describe('hostile classifier sections are typed errors naming the file and the field', () => {
  const cases: [string, (c: Record<string, any>) => void, string, RegExp][] = [
    [
      'truncated vectors',
      (c) => (c.vectors = c.vectors.slice(0, 100)),
      'E_MODEL_CORRUPT',
      /classifier\.vectors: expected \d+ base64 characters .*found 100/,
    ],
    [
      'a count that lies',
      (c) => (c.count = 1e9),
      'E_MODEL_CORRUPT',
      /classifier\.texts: expected an array of 1000000000/,
    ],
    [
      'a count and lists that agree but lie about the vectors',
      (c) => {
        c.count += 1;
        c.texts.push('x');
        c.labels.push('y');
      },
      'E_MODEL_CORRUPT',
      /classifier\.vectors: expected \d+ base64 characters/,
    ],
    ['a dimension that lies', (c) => (c.dim = 2 ** 40), 'E_MODEL_CORRUPT', /classifier\.vectors/],
    [
      'a label that is an object',
      (c) => (c.labels[2] = { a: 1 }),
      'E_MODEL_CORRUPT',
      /classifier\.labels\[2\]: expected a string or a finite number, found Object/,
    ],
    ['a label that is null', (c) => (c.labels[0] = null), 'E_MODEL_CORRUPT', /classifier\.labels\[0\]/],
    [
      'a text that is a number',
      (c) => (c.texts[1] = 7),
      'E_MODEL_CORRUPT',
      /classifier\.texts\[1\]: expected a string/,
    ],
    [
      'characters outside base64',
      (c) => (c.vectors = `!${c.vectors.slice(1)}`),
      'E_MODEL_CORRUPT',
      /classifier\.vectors: expected base64/,
    ],
    [
      'a NaN vector value',
      (c) => {
        const v = base64ToFloats(c.vectors, c.count, c.dim, 'v');
        v[40] = Number.NaN;
        c.vectors = floatsToBase64(v);
      },
      'E_MODEL_NON_FINITE',
      /classifier\.vectors: expected finite numbers, found NaN at index 40 \(example 1/,
    ],
    [
      'vectors of another model',
      (c) => (c.modelId = 'abcdef012345'),
      'E_MODEL_MISMATCH',
      /classifier: its vectors were made by model "abcdef012345"/,
    ],
    ['a bad vote', (c) => (c.vote = 'max'), 'E_MODEL_CORRUPT', /classifier\.vote/],
    ['k 0', (c) => (c.k = 0), 'E_MODEL_CORRUPT', /classifier\.k: expected a whole number ≥ 1/],
    [
      'a threshold that is a string',
      (c) => (c.threshold = '0.5'),
      'E_MODEL_CORRUPT',
      /classifier\.threshold/,
    ],
    [
      'a calibration share above 1',
      (c) => (c.calibration.accuracy = 2),
      'E_MODEL_CORRUPT',
      /classifier\.calibration\.accuracy/,
    ],
    ['texts that are a string', (c) => (c.texts = 'x'), 'E_MODEL_CORRUPT', /classifier\.texts/],
  ];
  for (const [name, edit, code, message] of cases) {
    it(name, async () => {
      const bytes = await tampered(edit);
      await expect(loadModel(bytes)).rejects.toMatchObject({
        code,
        message: expect.stringMatching(/^<bytes>: /),
      });
      await expect(loadModel(bytes)).rejects.toMatchObject({ message: expect.stringMatching(message) });
    });
  }

  it('a classifier whose dimension differs from the encoder is E_MODEL_MISMATCH', async () => {
    const bytes = await tampered((c) => {
      const v = base64ToFloats(c.vectors, c.count as number, c.dim as number, 'v');
      c.dim = 16;
      c.count = (c.count as number) * 2;
      c.texts = [...(c.texts as string[]), ...(c.texts as string[])];
      c.labels = [...(c.labels as string[]), ...(c.labels as string[])];
      c.vectors = floatsToBase64(v);
    });
    await expect(loadModel(bytes)).rejects.toMatchObject({
      code: 'E_MODEL_MISMATCH',
      message: expect.stringMatching(
        /classifier\.dim: the saved classifier holds 16-d vectors, the model makes 32-d/,
      ),
    });
  });

  it('in a folder, the error names model.json (the manifest seal is stripped, as an attacker would)', async () => {
    const dir = join(root, 'hostile-folder');
    const manifest = await saveModel(model, dir, { classifier });
    const m = structuredClone(manifest) as Omit<ModelManifest, 'classifier'> & {
      classifier: { labels: unknown[] };
    };
    delete m.manifestSha256;
    m.classifier.labels[0] = [1];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'E_MODEL_CORRUPT',
      message: expect.stringMatching(
        /hostile-folder\/model\.json: classifier\.labels\[0\]: expected a string/,
      ),
    });
    // With the seal in place, the same edit is caught as a changed manifest.
    mkdirSync(join(root, 'sealed'), { recursive: true });
    const sealed = join(root, 'sealed');
    const written = await saveModel(model, sealed, { classifier });
    const edited = structuredClone(written) as Omit<ModelManifest, 'classifier'> & {
      classifier: { labels: unknown[] };
    };
    edited.classifier.labels[0] = 'music';
    writeFileSync(join(sealed, 'model.json'), JSON.stringify(edited));
    await expect(loadModel(sealed)).rejects.toMatchObject({ code: 'E_MODEL_CHECKSUM' });
  });

  it('readClassifier throws only typed errors on any section, and reads the real one (fast-check, seeded)', async () => {
    const { manifest } = await decodeSingleFile(await modelToBytes(model, { classifier }), 'm');
    const owner = { id: manifest.id, similarity: manifest.similarity };
    expect(readClassifier(structuredClone(manifest.classifier), owner, 'm').labels).toEqual(
      classifier.labels,
    );
    const fields = [
      'modelId',
      'dim',
      'similarity',
      'count',
      'texts',
      'labels',
      'k',
      'vote',
      'threshold',
      'noMatchLabel',
      'calibration',
      'vectors',
    ];
    const change = fc.record({
      field: fc.constantFrom(...fields),
      value: fc.oneof(
        fc.anything(),
        fc.integer(),
        fc.double(),
        fc.string(),
        fc.base64String(),
        fc.array(fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null))),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.array(change, { minLength: 1, maxLength: 3 })), (edits) => {
        let input: unknown = edits;
        if (Array.isArray(edits) && edits.every((e) => e && typeof e === 'object' && 'field' in e)) {
          const c = structuredClone(manifest.classifier) as unknown as Record<string, unknown>;
          for (const { field, value } of edits as { field: string; value: unknown }[]) c[field] = value;
          input = JSON.parse(JSON.stringify(c) ?? 'null');
        }
        try {
          readClassifier(input, owner, 'm');
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^E_MODEL_(CORRUPT|MISMATCH|NON_FINITE)$/);
          expect((e as Error).message).toMatch(/^m: classifier/);
        }
      }),
      { seed: 17, numRuns: 1000 },
    );
  });
});
