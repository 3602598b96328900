// One-file models: compact weights (f16, int8), a packed reference index, vocabulary pruning, every source
// loadModel accepts, and typed errors for damaged or hostile files (fast-check, seeded).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiameseError } from '@siamese/core';
import type { Tokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildIndex,
  calibrateThreshold,
  createModel,
  initBackend,
  keptTokenIds,
  loadModel,
  MODEL_FORMAT_VERSION,
  modelFromBytes,
  modelToBytes,
  packModel,
  pruneVocabulary,
  type SiameseModel,
  saveModel,
  search,
  vectorSimilarity,
} from '../src/index.js';
import { sha256Hex } from '../src/io/format.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 120);
const texts = train.flatMap((p) => [p.text1, p.text2]);
const probe = ['A man is playing a guitar.', 'A woman is slicing an onion.', 'zzqx unknown words here'];
const references = ['A man plays the flute.', 'A woman cuts vegetables.', 'Two dogs run in a field.'];
const dir = mkdtempSync(join(tmpdir(), 'siamese-pack-'));
let model: SiameseModel;
let f32Bytes: Uint8Array;

beforeAll(async () => {
  await initBackend();
  model = createModel({ preset: 'cnn', texts, hidden: 8, embeddingDim: 16, seed: 5 });
  f32Bytes = await modelToBytes(model);
});
afterAll(() => {
  model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const cos = (a: Float32Array, b: Float32Array) => vectorSimilarity(a, b, 'cosine');

describe('compact weights', () => {
  it('f16 halves and int8 quarters the file; the loaded embeddings stay close to float32', async () => {
    const before = await model.embed(probe);
    const sizes: Record<string, number> = { f32: f32Bytes.byteLength };
    for (const weights of ['f16', 'int8'] as const) {
      const bytes = await modelToBytes(model, { weights });
      sizes[weights] = bytes.byteLength;
      const loaded = await modelFromBytes(bytes);
      const after = await loaded.embed(probe);
      before.forEach((v, i) => {
        expect(cos(v, after[i]!)).toBeGreaterThan(weights === 'f16' ? 0.99999 : 0.999);
      });
      // Every weight matrix is stored compactly; the biases stay float32.
      const table = loaded.encoder.weights().get('embedding.weight')!;
      const original = model.encoder.weights().get('embedding.weight')!;
      const err = tf.tidy(() => tf.max(tf.abs(tf.sub(table, original))).dataSync()[0]!);
      expect(err).toBeGreaterThan(0);
      expect(err).toBeLessThan(weights === 'f16' ? 2e-3 : 0.03);
      expect(Array.from(loaded.encoder.weights().get('conv1.bias')!.dataSync())).toEqual(
        Array.from(model.encoder.weights().get('conv1.bias')!.dataSync()),
      );
      loaded.dispose();
    }
    // The tokenizer's JSON is the same in each: the matrices shrink 2× (f16) and 4× plus a scale per slice (int8).
    const matrices = [...model.encoder.weights().values()].filter((v) => v.rank >= 2);
    const saved16 = matrices.reduce((s, v) => s + v.size * 2, 0);
    const saved8 = matrices.reduce((s, v) => s + v.size * 3, 0);
    expect(sizes.f32! - sizes.f16!).toBeGreaterThan(saved16 - 200); // minus the manifest's longer entries
    expect(sizes.f32! - sizes.int8!).toBeGreaterThan(saved8 - 4 * 16 * 200);
  });

  it('saveModel writes compact weights to folders and files alike', async () => {
    const folder = join(dir, 'int8-folder');
    const manifest = await saveModel(model, folder, { weights: 'int8' });
    expect(manifest.formatVersion).toBe(2); // no classifier: still readable by format-2 builds
    expect(manifest.weights.entries.find((e) => e.name === 'embedding.weight')).toMatchObject({
      dtype: 'int8',
      scales: { axis: 0 },
    });
    expect(manifest.weights.entries.find((e) => e.name === 'conv2.weight')!.scales!.axis).toBe(2);
    const file = join(dir, 'f16.siamese');
    await saveModel(model, file, { format: 'file', weights: 'f16' });
    const a = await loadModel(folder);
    const b = await loadModel(file);
    const [va] = await a.embed([probe[0]!]);
    const [vb] = await b.embed([probe[0]!]);
    const [v] = await model.embed([probe[0]!]);
    expect(cos(v!, va!)).toBeGreaterThan(0.999);
    expect(cos(v!, vb!)).toBeGreaterThan(0.99999);
    a.dispose();
    b.dispose();
    await expect(modelToBytes(model, { weights: 'int4' as never })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringMatching(/weights: expected f32\|f16\|int8/),
    });
  });
});

describe('packModel', () => {
  it('packs a reference index embedded by the packed weights; the loaded model searches it without embedding it', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const packed = await packModel(model, { weights: 'int8', references });
    const loaded = await loadModel(packed.bytes);
    expect(loaded.index?.size).toBe(3);
    expect(loaded.index?.similarity).toBe(model.similarity);
    // The packed vectors are what the served (dequantized) model computes, bit for bit.
    const fresh = await buildIndex(loaded, references);
    expect(loaded.index!.toJSON()).toEqual(fresh.toJSON());
    expect(packed.model.index!.toJSON()).toEqual(fresh.toJSON());
    const hits = await search(loaded, 'a man playing the flute', loaded.index!, { k: 2 });
    // (Scores agree to float32 rounding: a model's later embed calls may run folded tables.)
    const direct = await search(loaded, 'a man playing the flute', references, { k: 2 });
    expect(hits.map((h) => [h.index, h.text])).toEqual(direct.map((h) => [h.index, h.text]));
    hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo(direct[i]!.score, 6);
    });
    expect(hits[0]!.text).toBe(references[0]);
    // Re-packing keeps the index (re-embedded by the new weights) unless told otherwise.
    const again = await packModel(loaded, { weights: 'f16' });
    const reloaded = await loadModel(again.bytes);
    expect(reloaded.index!.toJSON().texts).toEqual(references);
    for (const m of [loaded, packed.model, again.model, reloaded]) m.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('calibrates the match threshold on the packed weights when given labelled pairs', async () => {
    const pairs = train
      .slice(0, 60)
      .map((p) => ({ text1: p.text1, text2: p.text2, label: p.score >= 0.6 ? 1 : 0 }));
    const packed = await packModel(model, { weights: 'int8', calibrate: pairs, calibrateMetric: 'accuracy' });
    const loaded = await loadModel(packed.bytes);
    expect(loaded.threshold).toEqual(packed.model.threshold);
    expect(loaded.threshold?.metric).toBe('accuracy');
    // The threshold is the one the served (int8) weights give, not the float32 model's.
    expect(loaded.threshold).toEqual(await calibrateThreshold(loaded, pairs, 'accuracy'));
    await expect(packModel(model, { calibrate: [] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    loaded.dispose();
    packed.model.dispose();
  });

  it('prunes the vocabulary to corpus words by frequency, then the vector words in file order', async () => {
    const vocab = (model.tokenizer as Tokenizer).vocab;
    const kept = keptTokenIds(vocab, 50);
    expect(kept).toHaveLength(50);
    expect(kept.slice(0, 2)).toEqual([0, 1]); // [PAD], [UNK]
    const minKept = Math.min(...kept.slice(2).map((i) => vocab.count(i)));
    const dropped = Array.from({ length: vocab.size }, (_, i) => i).filter((i) => !kept.includes(i));
    expect(Math.max(...dropped.map((i) => vocab.count(i)))).toBeLessThanOrEqual(minKept);
    expect(() => keptTokenIds(vocab, 1)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));

    const small = pruneVocabulary(model, 50);
    expect(small.tokenizer.vocabSize).toBe(50);
    expect(small.encoder.weights().get('embedding.weight')!.shape).toEqual([50, 16]);
    // A text made of kept words embeds exactly as before; a dropped word now reads as [UNK].
    const keptWords = kept.slice(2, 8).map((i) => vocab.tokenOf(i));
    const [a] = await model.embed([keptWords.join(' ')]);
    const [b] = await small.embed([keptWords.join(' ')]);
    b!.forEach((x, i) => {
      expect(x).toBeCloseTo(a![i]!, 6);
    });
    const rare = vocab.tokenOf(dropped[0]!);
    expect(small.tokenizer.encode(rare)[0]).toBe((small.tokenizer as Tokenizer).vocab.unkId);
    const packed = await packModel(model, { maxVocab: 50, weights: 'int8' });
    expect(packed.bytes.byteLength).toBeLessThan(f32Bytes.byteLength / 4);
    const reloaded = await modelFromBytes(packed.bytes);
    expect(reloaded.tokenizer.vocabSize).toBe(50);
    reloaded.dispose();
    small.dispose();
    packed.model.dispose();
  });
});

describe('loadModel sources', () => {
  it('reads bytes, an ArrayBuffer (an R2/KV value), a Blob or R2 object body, and says what a null get() means', async () => {
    const bytes = await modelToBytes(model, { weights: 'int8' });
    const buffer = bytes.slice().buffer;
    const body = bytes as Uint8Array<ArrayBuffer>;
    const r2Object = { key: 'models/demo.siamese', arrayBuffer: async () => buffer };
    const [want] = await model.embed([probe[0]!]);
    for (const source of [bytes, buffer, new Blob([body]), r2Object, new Response(body)]) {
      const m = await loadModel(source);
      expect(cos((await m.embed([probe[0]!]))[0]!, want!)).toBeGreaterThan(0.999);
      m.dispose();
    }
    await expect(loadModel(null as never)).rejects.toMatchObject({
      code: 'E_MODEL_NOT_FOUND',
      message: expect.stringMatching(/R2 or KV get\(\) answers null/),
    });
    const cut = { key: 'models/x', arrayBuffer: async () => bytes.slice(0, 1000).buffer };
    await expect(loadModel(cut)).rejects.toMatchObject({
      code: 'E_MODEL_TRUNCATED',
      message: /^models\/x: /,
    });
  });

  it('still reads the version-1 file and folder formats (float32 offsets, no file checksum)', async () => {
    const v2 = await modelFromBytes(f32Bytes);
    const folder = join(dir, 'v1');
    await saveModel(model, folder);
    const manifestPath = join(folder, 'model.json');
    const { readFileSync } = await import('node:fs');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.formatVersion = 1;
    delete m.manifestSha256; // version-1 folders were not sealed
    m.weights.entries = m.weights.entries.map(
      ({ byteOffset, dtype: _, ...e }: { byteOffset: number; dtype: string }) => ({
        ...e,
        offset: byteOffset / 4,
      }),
    );
    writeFileSync(manifestPath, JSON.stringify(m));
    const json = new TextEncoder().encode(JSON.stringify(m));
    const weights = readFileSync(join(folder, m.weights.file));
    const pad = (4 - ((16 + json.length) % 4)) % 4;
    const file = new Uint8Array(16 + json.length + pad + weights.length);
    file.set([0x53, 0x49, 0x41, 0x4d, 0x45, 0x53, 0x45, 0]);
    new DataView(file.buffer).setUint32(8, 1, true);
    new DataView(file.buffer).setUint32(12, json.length, true);
    file.set(json, 16);
    file.set(weights, 16 + json.length + pad);
    const [want] = await v2.embed([probe[0]!]);
    for (const source of [folder, file]) {
      const old = await loadModel(source);
      expect(Array.from((await old.embed([probe[0]!]))[0]!)).toEqual(Array.from(want!));
      old.dispose();
    }
    v2.dispose();
  });
});

describe('damaged and hostile files (properties)', () => {
  const codes = [
    'E_MODEL_CORRUPT',
    'E_MODEL_TRUNCATED',
    'E_MODEL_CHECKSUM',
    'E_FORMAT_VERSION',
    'E_MODEL_MISMATCH',
    'E_MODEL_TOO_LARGE', // a declared size over the loader's limits
  ];
  const typed = async (bytes: Uint8Array, allowed = codes) => {
    try {
      (await modelFromBytes(bytes)).dispose();
      return null;
    } catch (e) {
      if (!SiameseError.is(e)) throw e; // a crash, not a typed error: fails the property with its stack
      expect(allowed).toContain(e.code);
      return e.code;
    }
  };
  let packed: Uint8Array;
  beforeAll(async () => {
    packed = (await packModel(model, { weights: 'int8', references, maxVocab: 60 })).bytes;
  });

  it('a truncated file is E_MODEL_TRUNCATED, wherever it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: packed.length - 1 }), async (n) => {
        const code = await typed(packed.subarray(0, n));
        expect(n < 8 ? ['E_MODEL_TRUNCATED', 'E_MODEL_CORRUPT'] : ['E_MODEL_TRUNCATED']).toContain(code);
      }),
      { numRuns: 60 },
    );
  });

  it('a changed byte anywhere is refused with a typed error (the checksum, or the header that frames it)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: packed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, x) => {
          const bytes = packed.slice();
          bytes[at]! ^= x;
          const code = await typed(bytes);
          expect(code).not.toBeNull();
          if (at >= 56) expect(code).toBe('E_MODEL_CHECKSUM');
        },
      ),
      { numRuns: 80 },
    );
  });

  it('a manifest edited with a valid checksum (a forged file) gets typed errors and allocates nothing huge', async () => {
    const { manifest, payload } = split(packed);
    const edits: ((m: Record<string, any>) => void)[] = [
      (m) => (m.weights.entries[0].shape = [2 ** 40, 2 ** 40]),
      (m) => (m.weights.entries[0].byteOffset = -4),
      (m) => (m.weights.entries[0].dtype = 'f64'),
      (m) => (m.weights.entries[0].scales = { axis: 9, byteOffset: 0 }),
      (m) => (m.weights.entries[1].name = m.weights.entries[0].name),
      (m) => (m.weights.byteLength = 2 ** 31),
      (m) => (m.index.count = 1e9),
      (m) => (m.index.vectors.byteOffset = 2),
      (m) => (m.index.similarity = 'jaccard'),
      (m) => (m.index.texts = [1, 2, 3]),
      (m) => (m.formatVersion = MODEL_FORMAT_VERSION + 1),
      (m) => (m.format = 'onnx'),
      (m) => (m.weights = null),
      (m) => m.weights.entries.pop(),
    ];
    await fc.assert(
      fc.asyncProperty(fc.subarray(edits, { minLength: 1 }), async (chosen) => {
        const m = structuredClone(manifest);
        for (const edit of chosen) {
          try {
            edit(m);
          } catch {
            // an earlier edit removed what this one changes
          }
        }
        expect(await typed(await reframe(m, payload))).not.toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});

/** The manifest and payload of a version-2 file. */
function split(bytes: Uint8Array): { manifest: Record<string, any>; payload: Uint8Array } {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(56, 56 + len)));
  return { manifest, payload: bytes.subarray(56 + Math.ceil(len / 8) * 8) };
}

/** A version-2 file around any manifest and payload, with a correct length and sha256: a forged file. */
async function reframe(manifest: unknown, payload: Uint8Array): Promise<Uint8Array> {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const at = 56 + Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(at + payload.length);
  out.set([0x53, 0x49, 0x41, 0x4d, 0x45, 0x53, 0x45, 0]);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, 2, true);
  dv.setUint32(12, json.length, true);
  dv.setBigUint64(16, BigInt(payload.length), true);
  out.set(json, 56);
  out.set(payload, at);
  const sha = await sha256Hex(out.subarray(56));
  out.set(
    sha.match(/../g)!.map((h) => Number.parseInt(h, 16)),
    24,
  );
  return out;
}
