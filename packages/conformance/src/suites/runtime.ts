import { tensorLeakCheck } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import { embedding, lstm, sequential } from '@siamese/encoders';
import { lossFromConfig } from '@siamese/losses';
import {
  type CheckpointStore,
  createModel,
  evaluate,
  exportPretrained,
  FewShotClassifier,
  fit,
  importPretrained,
  indexFromBytes,
  indexToBytes,
  initBackend,
  loadModel,
  modelFromBytes,
  modelToBytes,
  packModel,
  SiameseModel,
  type TrainerCheckpoint,
  VectorIndex,
} from '@siamese/runtime';
import { Tokenizer, Vocabulary } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import {
  assert,
  assertClose,
  assertEqual,
  assertThrows,
  defineSuite,
  fixtureJson,
  type TestContext,
} from '../harness.js';
import { TRAIN } from '../user-extensions.js';

const WASM_TOL = 1e-4;

const PROBE = ['a man plays a guitar', 'an unseen zyzzyva sentence', ''];

/** sha256 (hex) of the encoder's weights, in order, as float32 bytes: "the same model" in one string. */
async function weightsHash(model: SiameseModel): Promise<string> {
  const parts = [...model.encoder.weights().values()].map((v) => v.dataSync() as Float32Array);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(all.buffer));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** First `n` rows of an STS-B TSV, scores scaled to [0, 1]. */
async function stsb(ctx: TestContext, file: string, n: number) {
  return (await ctx.data(`stsb/${file}`))
    .trim()
    .split('\n')
    .slice(1, n + 1)
    .map((line) => {
      const [text1, text2, score] = line.split('\t');
      return { text1: text1!, text2: text2!, score: Number(score) / 5 };
    });
}

/** A checkpoint store in memory: lets a resume run on workerd too (no file system there). */
function memoryCheckpoints(): CheckpointStore & { saves: number } {
  let saved: { state: TrainerCheckpoint; weights: Map<string, Float32Array> } | null = null;
  return {
    saves: 0,
    async save(model, state) {
      this.saves++;
      const weights = new Map(
        [...model.encoder.weights()].map(([n, v]) => [n, v.dataSync().slice() as Float32Array]),
      );
      saved = { state: structuredClone(state), weights };
    },
    async load(model) {
      if (!saved) return null;
      for (const [n, v] of model.encoder.weights())
        tf.tidy(() => v.assign(tf.tensor(saved!.weights.get(n)!, v.shape)));
      return structuredClone(saved.state);
    },
  };
}

// Golden JSON is loosely typed.
type Golden = any;

/** The golden tutorial model as a SiameseModel: `tK` has id K; the golden's weights. */
function goldenModel(g: Golden, packed: boolean): SiameseModel {
  const { vocab, emb, hidden } = g.config;
  const tokens = ['[PAD]', '[UNK]', ...Array.from({ length: vocab - 2 }, (_, i) => `t${i + 2}`)];
  const tokenizer = new Tokenizer(Vocabulary.fromTokens(tokens));
  const encoder = sequential([embedding({ vocabSize: vocab, dim: emb }), lstm({ hidden, packed })], {
    seed: 1,
  });
  const weights = encoder.weights();
  for (const [name, w] of Object.entries(g.weights as Record<string, { shape: number[]; data: number[] }>)) {
    const v = weights.get(name);
    assert(v, `weight ${name} exists`);
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape)));
  }
  return new SiameseModel({ tokenizer, encoder });
}

export default defineSuite('runtime', (test) => {
  test('a seeded CNN trains on WASM; save → load is exact; initial and trained weights, losses, embeddings and the model id are identical on every runtime', async (ctx) => {
    await initBackend();
    const model = createModel({
      preset: 'cnn',
      texts: TRAIN.flatMap((p) => [p.text1, p.text2]),
      hidden: 8,
      embeddingDim: 8,
      seed: 42,
    });
    ctx.same('initial weights sha256', await weightsHash(model));
    const result = await fit(model, TRAIN, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 3,
      batchSize: 4,
      lr: 0.01,
      seed: 42,
    });
    assertEqual(tf.getBackend(), 'wasm', 'trained on');
    const losses = result.history.map((h) => h.loss);
    // Measured: 0.332 → 0.235 → 0.167 (a ratio of 0.50).
    assert(losses[2]! < 0.6 * losses[0]!, `the loss falls below 60% of the first epoch's: ${losses}`);
    ctx.same('epoch losses', losses);
    ctx.same('trained weights sha256', await weightsHash(model));
    const before = await model.embed(PROBE);
    ctx.same('embeddings', before);
    const bytes = await modelToBytes(model);
    const loaded = await modelFromBytes(bytes);
    ctx.same('model id', loaded.id);
    assert(/^[0-9a-f]{12}$/.test(loaded.id ?? ''), `model id is 12 hex digits: ${loaded.id}`);
    const after = await loaded.embed(PROBE);
    for (let i = 0; i < PROBE.length; i++)
      assertClose(after[i], before[i], 0, `embedding ${i} after save → load`);
    await tensorLeakCheck(() => loaded.embed(PROBE), { label: 'embed', iterations: 3 });
    const altered = bytes.slice();
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    await assertThrows(() => modelFromBytes(altered), 'E_MODEL_CHECKSUM', 'altered weights');
    await assertThrows(
      () => modelFromBytes(bytes.subarray(0, bytes.length - 4)),
      'E_MODEL_TRUNCATED',
      'truncated file',
    );
    model.dispose();
    loaded.dispose();
  });

  test('training on STS-B beats the untrained model on dev by a margin', async (ctx) => {
    const train = await stsb(ctx, 'train.tsv', 400);
    const dev = await stsb(ctx, 'dev.tsv', 200);
    const model = createModel({
      preset: 'meanpool',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      hidden: 16,
      embeddingDim: 16,
      seed: 5,
    });
    assertEqual(tf.getBackend(), 'wasm', 'backend');
    const untrained = (await evaluate(model, dev)).spearman;
    await fit(model, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 3,
      batchSize: 32,
      lr: 2e-2,
      seed: 5,
    });
    const trained = (await evaluate(model, dev)).spearman;
    // Measured on Node: untrained 0.095, trained 0.521.
    assert(
      trained > untrained + 0.3,
      `dev Spearman ${trained} should beat the untrained ${untrained} by 0.3`,
    );
    ctx.same('dev Spearman untrained, trained', [untrained, trained]);
    model.dispose();
  });

  for (const mode of ['unpacked', 'packed'] as const) {
    test(`the SDK's own step (embedding + lstm, the cosine loss, fit with fusedAdam ε 1e-8) matches PyTorch (${mode})`, async (ctx) => {
      assertEqual(tf.getBackend(), 'wasm', 'backend');
      const g = await ctx.golden('siamese_lstm_step');
      const ref = g[mode];
      const model = goldenModel(g, mode === 'packed');
      const toText = (ids: number[]) =>
        ids
          .filter((id) => id !== 0)
          .map((id) => `t${id}`)
          .join(' ');
      const a = (g.inputs.token_ids_a.data as number[][]).map(toText);
      const b = (g.inputs.token_ids_b.data as number[][]).map(toText);
      const scores = g.inputs.labels.data as number[];
      const encoded = await model.embed([...a, ...b]);
      assertClose(encoded.slice(0, 3), ref.encoded_a.data, WASM_TOL, 'encoded_a');
      assertClose(encoded.slice(3), ref.encoded_b.data, WASM_TOL, 'encoded_b');
      const losses: number[] = [];
      await fit(
        model,
        a.map((text1, i) => ({ text1, text2: b[i]!, score: scores[i]! })),
        {
          loss: lossFromConfig({ type: 'cosine' }),
          epochs: 1,
          batchSize: 3,
          lr: 1e-3,
          onBatch: (e) => void losses.push(e.loss),
        },
      );
      assertClose(losses, [ref.loss.data], WASM_TOL, 'loss');
      for (const [name, v] of model.encoder.weights()) {
        assertClose(v.dataSync(), ref.weights_after_adam_step[name].data, WASM_TOL, `${name} after the step`);
      }
      ctx.same('loss and weights after the step', [
        losses,
        ...[...model.encoder.weights().values()].map((v) => v.dataSync()),
      ]);
      model.dispose();
    });
  }

  test('an interrupted run resumed from its checkpoint ends bit-identical to an uninterrupted one', async (ctx) => {
    const train = await stsb(ctx, 'train.tsv', 96);
    const make = () =>
      createModel({
        preset: 'lstm',
        texts: train.flatMap((p) => [p.text1, p.text2]),
        hidden: 8,
        embeddingDim: 8,
        seed: 3,
      });
    // 6 epochs of 6 steps (lr 1e-2: β-power drift would show).
    const options = { loss: lossFromConfig({ type: 'cosine' }), epochs: 6, batchSize: 16, lr: 1e-2, seed: 3 };
    const full = make();
    await fit(full, train, options);
    const store = memoryCheckpoints();
    const ctrl = new AbortController();
    const first = make();
    const err = await fit(first, train, {
      ...options,
      checkpoints: store,
      signal: ctrl.signal,
      onEpoch: (e) => {
        if (e.epoch === 4) ctrl.abort();
      },
    }).catch((e) => e);
    assert(SiameseError.is(err, 'E_ABORTED'), `aborted: ${err}`);
    assertEqual(store.saves, 4, 'checkpoints saved');
    first.dispose();
    const resumed = make();
    const r = await fit(resumed, train, { ...options, checkpoints: store });
    assertEqual(r.resumedFrom, 4, 'resumed from');
    const [fullHash, resumedHash] = [await weightsHash(full), await weightsHash(resumed)];
    assertEqual(resumedHash, fullHash, 'weights of the resumed run');
    ctx.same('weights sha256', fullHash);
    full.dispose();
    resumed.dispose();
  });

  test('loadModel(Response | bytes); a missing path is E_MODEL_NOT_FOUND (workerd too: it has a virtual fs)', async () => {
    const model = createModel({ preset: 'meanpool', texts: ['a b c'], hidden: 4, embeddingDim: 4, seed: 1 });
    const bytes = await modelToBytes(model);
    const [expected] = await model.embed(['a b']);
    for (const [label, source] of [
      ['Response', new Response(bytes as Uint8Array<ArrayBuffer>)],
      ['ArrayBuffer', bytes.slice().buffer],
    ] as const) {
      const loaded = await loadModel(source);
      assertClose((await loaded.embed(['a b']))[0], expected, 0, `loadModel(${label})`);
      loaded.dispose();
    }
    await assertThrows(() => loadModel('/no/such/model'), 'E_MODEL_NOT_FOUND', 'a missing path');
    model.dispose();
  });

  test('quantized indexes (float32, int8, binary): the same bytes, hits and scores on every runtime; a damaged file is refused', async (ctx) => {
    const dim = 48;
    const rng = new Rng(21);
    const vectors = rng.fillNormal(new Float32Array(300 * dim));
    const query = rng.fillNormal(new Float32Array(dim));
    for (const [precision, similarity] of [
      ['float32', 'cosine'],
      ['int8', 'euclidean'],
      ['binary', 'cosine'],
    ] as const) {
      const index = new VectorIndex(dim, { precision, similarity });
      index.add(
        vectors,
        Array.from({ length: 300 }, (_, i) => `text ${i}`),
      );
      index.remove([3, 30, 299]);
      const bytes = indexToBytes(index);
      const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
      ctx.same(
        `${precision} index sha256`,
        Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''),
      );
      const hits = index.search(query, 5);
      ctx.same(
        `${precision} hits`,
        hits.map((h) => [h.index, h.score, h.text ?? null]),
      );
      const loaded = indexFromBytes(bytes);
      assertEqual(
        JSON.stringify(loaded.search(query, 5)),
        JSON.stringify(hits),
        `${precision} hits after loading`,
      );
      const damaged = bytes.slice();
      damaged[100]! ^= 1;
      await assertThrows(() => indexFromBytes(damaged), 'E_INDEX_CHECKSUM', `${precision}: a flipped bit`);
    }
  });

  test('a packed model (int8 weights, pruned vocabulary, reference index) loads and searches the same everywhere', async (ctx) => {
    const train = await stsb(ctx, 'train.tsv', 60);
    const model = createModel({
      preset: 'cnn',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      hidden: 8,
      embeddingDim: 16,
      seed: 3,
    });
    const references = train.slice(0, 12).map((p) => p.text1);
    const before = tf.memory().numTensors;
    const packed = await packModel(model, { weights: 'int8', maxVocab: 120, references });
    const loaded = await loadModel(packed.bytes.slice().buffer);
    assertEqual(loaded.index?.size, 12, 'packed references');
    assertEqual(loaded.tokenizer.vocabSize, 120, 'pruned vocabulary');
    ctx.same('packed int8 model id (sha256 of its weights)', loaded.id);
    ctx.same('packed int8 weights sha256 as loaded', await weightsHash(loaded));
    const vectors = await loaded.embed(PROBE);
    ctx.same(
      'packed int8 embeddings',
      vectors.map((v) => Array.from(v)),
    );
    const [query] = await loaded.embed(['a man is playing a guitar']);
    ctx.same('packed index hits', loaded.index!.search(query!, 3));
    const damaged = packed.bytes.slice();
    damaged[damaged.length - 1]! ^= 1;
    await assertThrows(() => loadModel(damaged), 'E_MODEL_CHECKSUM', 'a damaged packed file');
    await assertThrows(
      () => loadModel(packed.bytes.subarray(0, 100)),
      'E_MODEL_TRUNCATED',
      'a truncated packed file',
    );
    for (const m of [model, packed.model, loaded]) m.dispose();
    assertEqual(tf.memory().numTensors, before - 7, 'tensors left (the source model: 7 weights)');
  });
  test('a classifier saved with its model (examples, vectors, calibrated reject) loads and classifies the same everywhere', async (ctx) => {
    const train = await stsb(ctx, 'train.tsv', 60);
    const texts = train.flatMap((p) => [p.text1, p.text2]);
    const model = createModel({ preset: 'meanpool', texts, hidden: 8, embeddingDim: 16, seed: 5 });
    const before = tf.memory().numTensors;
    // Labels as numbers and strings; the dev rows labelled 'unknown' should be rejected.
    const examples = texts.slice(0, 24).map((text, i) => ({ text, label: i % 3 === 0 ? 'first' : i % 3 }));
    const dev = texts
      .slice(24, 48)
      .map((text, i) => ({ text, label: i % 4 === 3 ? 'unknown' : examples[i]!.label }));
    const built = await FewShotClassifier.create(model, examples, {
      k: 2,
      vote: 'knn',
      noMatchLabel: 'none',
    });
    ctx.same('classifier calibration', await built.calibrate(dev));
    const bytes = await modelToBytes(model, { classifier: built });
    const loaded = await loadModel(bytes.slice().buffer);
    const c = loaded.classifier!;
    assert(c !== null, 'the loaded model has its classifier');
    assertEqual(Array.from(c.vectors).join(), Array.from(built.vectors).join(), 'saved vectors, bit for bit');
    ctx.same('saved classifier vectors', Array.from(c.vectors));
    ctx.same('saved classifier settings', {
      options: c.options,
      calibration: c.calibration,
      labels: c.labels,
    });
    const queries = texts.slice(48, 72);
    const answers = await c.classifyMany(queries);
    assertEqual(
      JSON.stringify(answers),
      JSON.stringify(await built.classifyMany(queries)),
      'answers before and after the save',
    );
    ctx.same('saved classifier answers', answers);
    const weights = model.encoder.weights().size;
    loaded.dispose();
    model.dispose();
    assertEqual(
      tf.memory().numTensors,
      before - weights,
      'tensors left (none but the source model’s, disposed)',
    );
  });
  test('static models (model2vec F16 Unigram, sentence-transformers StaticEmbedding, a BiLSTM and two CNN module chains) import from their files, embed as the reference, export and reimport equal', async (ctx) => {
    await initBackend();
    const layouts: [string, string[]][] = [
      ['model2vec_unigram', ['config.json', 'modules.json', 'model.safetensors', 'tokenizer.json']],
      [
        'st_bilstm_v5',
        [
          'modules.json',
          'config_sentence_transformers.json',
          '0_WordEmbeddings/model.safetensors',
          '0_WordEmbeddings/whitespacetokenizer_config.json',
          '0_WordEmbeddings/wordembedding_config.json',
          '1_LSTM/lstm_config.json',
          '1_LSTM/model.safetensors',
          '2_Pooling/config.json',
          '3_Dense/config.json',
          '3_Dense/model.safetensors',
        ],
      ],
      [
        'st_cnn_v6',
        [
          'modules.json',
          'config_sentence_transformers.json',
          'model.safetensors',
          'whitespacetokenizer_config.json',
          'wordembedding_config.json',
          '1_CNN/cnn_config.json',
          '1_CNN/model.safetensors',
          '2_Pooling/config.json',
          '3_Dense/config.json',
          '3_Dense/model.safetensors',
          '4_Normalize/config.json',
        ],
      ],
      [
        'st_cnn_v5',
        [
          'modules.json',
          'config_sentence_transformers.json',
          '0_WordEmbeddings/model.safetensors',
          '0_WordEmbeddings/whitespacetokenizer_config.json',
          '0_WordEmbeddings/wordembedding_config.json',
          '1_CNN/cnn_config.json',
          '1_CNN/model.safetensors',
          '2_Pooling/config.json',
          '3_Dense/config.json',
          '3_Dense/model.safetensors',
        ],
      ],
      [
        'st_static',
        [
          'modules.json',
          'config_sentence_transformers.json',
          '1_Normalize/config.json',
          'model.safetensors',
          'tokenizer.json',
        ],
      ],
    ];
    for (const [name, paths] of layouts) {
      const files: Record<string, Uint8Array> = {};
      for (const p of paths) files[p] = await ctx.fixture(`interop/${name}/${p}`);
      const expected = await fixtureJson(ctx, `interop/${name}/expected.json`);
      const model = await importPretrained(files);
      const got = await model.embed(expected.texts);
      assertEqual(tf.getBackend(), 'wasm', 'embedded on');
      const want: number[][] = expected.embeddings_float32 ?? expected.embeddings;
      const rows = got.map((row) => Array.from(row));
      assertClose(rows, want, WASM_TOL, `${name} embeddings`);
      const again = await importPretrained(await exportPretrained(model));
      const back = await again.embed(expected.texts);
      assertClose(
        back.map((row) => Array.from(row)),
        rows,
        0,
        `${name} reimported`,
      );
      ctx.same(`${name} embeddings`, rows);
      model.dispose();
      again.dispose();
    }
  });
});
