// Hostile model files (issue 19): a manifest or checkpoint is input, so what it names cannot escape the model
// folder, what it declares cannot exhaust memory, and what it holds cannot be non-finite. Every case ends in a
// typed error and leaves every file outside the folder untouched. (The URL cases serve from 127.0.0.1.)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  fit,
  initBackend,
  loadModel,
  type SiameseModel,
  saveModel,
  search,
} from '../src/index.js';
import { checkManifest, encodeSingleFile, type ModelManifest, sha256Hex } from '../src/io/format.js';
import { checkFileName } from '../src/io/paths.js';
import { folderCheckpoints, parseTrainerState } from '../src/train/checkpoints.js';

const texts = ['a man plays a guitar', 'a woman slices an onion', 'the dog runs'];
const root = mkdtempSync(join(tmpdir(), 'siamese-hostile-'));
let model: SiameseModel;
let good: string; // a saved folder, copied by each case
let manifest: ModelManifest;
let weightsName: string;

beforeAll(async () => {
  await initBackend();
  model = createModel({ preset: 'meanpool', texts, hidden: 4, embeddingDim: 4, seed: 3 });
  good = join(root, 'good');
  manifest = await saveModel(model, good);
  weightsName = manifest.weights.file!;
});
afterAll(() => {
  model?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** A copy of the good model in a fresh folder, with its manifest changed by `edit`. */
function planted(name: string, edit: (m: ModelManifest) => void = () => {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const m = structuredClone(manifest);
  // An attacker strips the manifest's own checksum (or the folder predates it): every other check must hold.
  delete m.manifestSha256;
  edit(m);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
  writeFileSync(join(dir, weightsName), readFileSync(join(good, weightsName)));
  return dir;
}

/** A victim file outside every model folder. */
function victim(name: string, content = 'precious'): string {
  const dir = join(root, 'victim');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

describe('file names in a manifest stay inside the model folder', () => {
  it('saving over a manifest that names ../victim deletes only its own files', async () => {
    const file = victim('saved-over');
    const dir = planted('save-over', (m) => {
      m.weights.file = '../victim/saved-over';
    });
    await saveModel(model, dir);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    // and a planted absolute path, too
    const abs = victim('saved-over-abs');
    const dir2 = planted('save-over-abs', (m) => {
      m.weights.file = abs;
    });
    await saveModel(model, dir2);
    expect(readFileSync(abs, 'utf8')).toBe('precious');
    const back = await loadModel(dir2);
    expect(await back.embed(['a dog'])).toEqual(await model.embed(['a dog']));
    back.dispose();
  });

  it('loading refuses ../, absolute paths and separators as weights.file, without reading them', async () => {
    const other = victim('w.bin', 'x'.repeat(3));
    for (const [name, bad] of [
      ['dotdot', '../victim/w.bin'],
      ['absolute', other],
      ['etc', '../../../../../../etc/hostname'],
      ['backslash', '..\\victim\\w.bin'],
      ['dot', '..'],
      ['empty', ''],
    ] as const) {
      const dir = planted(`load-${name}`, (m) => {
        m.weights.file = bad;
      });
      const err = await loadModel(dir).catch((e) => e);
      expect(err, name).toMatchObject({ code: 'E_MODEL_UNSAFE_PATH' });
      expect(err.message).toContain('weights.file');
      expect(err.message).toContain('a plain file name inside the model folder');
      expect(err.message, 'no size of the foreign file leaks').not.toMatch(/found \d+$/);
    }
  });

  it('a symbolic link out of the folder (to a file or to /dev/zero) is refused; one inside it is followed', async () => {
    const outside = victim('linked.bin', 'y');
    const dir = planted('link-out', (m) => {
      m.weights.file = 'w.bin';
    });
    symlinkSync(outside, join(dir, 'w.bin'));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'E_MODEL_UNSAFE_PATH',
      message: expect.stringContaining('a symbolic link that leaves it'),
    });
    const zero = planted('link-zero', (m) => {
      m.weights.file = 'zero.bin';
    });
    symlinkSync('/dev/zero', join(zero, 'zero.bin'));
    const t0 = performance.now();
    await expect(loadModel(zero)).rejects.toMatchObject({ code: 'E_MODEL_UNSAFE_PATH' });
    expect(performance.now() - t0).toBeLessThan(5000);
    const inside = planted('link-in', (m) => {
      m.weights.file = 'alias.bin';
    });
    symlinkSync(join(inside, weightsName), join(inside, 'alias.bin'));
    const back = await loadModel(inside);
    back.dispose();
  });

  it('a device or a directory where the weights should be is refused before reading', async () => {
    // /dev/zero through a symlink inside the folder that resolves inside it is impossible; a manifest in a
    // folder that *is* /dev cannot be planted here, so the device case goes through the single-file path
    await expect(loadModel('/dev/zero')).rejects.toMatchObject({
      code: 'E_MODEL_UNSAFE_PATH',
      message: '/dev/zero: expected a regular file, found a device, pipe or socket',
    });
    const dir = planted('dir-weights', (m) => {
      m.weights.file = 'sub';
    });
    mkdirSync(join(dir, 'sub'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_MODEL_UNSAFE_PATH' });
  });

  it('a save removes the temporary files a killed save left behind (its own, older than 10 minutes)', async () => {
    const dir = planted('stale-temps');
    const stale = ['model.json.tmp-lq2x-abc', `${weightsName}.tmp-lq2x-def`];
    const kept = ['model.json.tmp-fresh-1', 'notes.txt.tmp-lq2x-abc', 'model.json.tmp'];
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const name of [...stale, ...kept]) {
      writeFileSync(join(dir, name), 'partial');
      if (!name.includes('fresh')) utimesSync(join(dir, name), hourAgo, hourAgo);
    }
    await saveModel(model, dir);
    for (const name of stale) expect(existsSync(join(dir, name)), name).toBe(false);
    for (const name of kept) expect(existsSync(join(dir, name)), name).toBe(true);
  });

  it('checkFileName accepts plain names only', () => {
    expect(checkFileName('weights-0123.bin', 'f')).toBe('weights-0123.bin');
    for (const bad of ['a/b', '/abs', '..', '.', 'c:x', 'a\\b', 'nul\0', 'x'.repeat(256), 3, null]) {
      expect(() => checkFileName(bad, 'f')).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSAFE_PATH' }));
    }
  });
});

describe('the checksum covers the whole folder: manifest, tokenizer and weights', () => {
  /** The good folder's model.json, edited in place of a copy (its checksum kept). */
  function tampered(name: string, edit: (m: any) => void): string {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const m = structuredClone(manifest) as any;
    edit(m);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m, null, 2));
    writeFileSync(join(dir, weightsName), readFileSync(join(good, weightsName)));
    return dir;
  }

  it('saveModel seals model.json; a reformatted but unchanged manifest still loads', async () => {
    expect(manifest.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    const back = await loadModel(tampered('sealed-reformatted', () => {}));
    expect(await back.embed(['a dog'])).toEqual(await model.embed(['a dog']));
    back.dispose();
  });

  it('a tampered tokenizer, threshold, encoder or similarity is E_MODEL_CHECKSUM', async () => {
    const edits: [string, (m: any) => void][] = [
      [
        'tokenizer: two tokens swapped',
        (m) => {
          const t = m.tokenizer.vocabulary.tokens;
          [t[3], t[4]] = [t[4], t[3]];
        },
      ],
      [
        'tokenizer: lowercase off',
        (m) => (m.tokenizer.options = { ...m.tokenizer.options, lowercase: false }),
      ],
      ['threshold', (m) => (m.threshold = { value: 0.99, metric: 'f1' })],
      ['similarity', (m) => (m.similarity = 'dot')],
      ['maxLength', (m) => (m.tokenizer.maxLength = 3)],
      ['weights.sha256 (with other weights)', (m) => (m.weights.sha256 = '0'.repeat(64))],
    ];
    for (const [label, edit] of edits) {
      await expect(
        loadModel(tampered(`tampered-${label.replace(/\W+/g, '-')}`, edit)),
        label,
      ).rejects.toMatchObject({
        code: 'E_MODEL_CHECKSUM',
        message: expect.stringContaining('model.json was edited after saving'),
      });
    }
  });

  it('a folder saved before the seal (no manifestSha256) still loads', async () => {
    const back = await loadModel(planted('unsealed'));
    expect(await back.embed(['a dog'])).toEqual(await model.embed(['a dog']));
    back.dispose();
  });
});

describe('checkpoint state is confined to its folder', () => {
  it('a planted trainer.json naming ../victim files deletes nothing outside and refuses to resume', async () => {
    const dir = join(root, 'ckpt');
    mkdirSync(dir, { recursive: true });
    const file = victim('opt');
    const tree = join(root, 'victim', 'tree');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'keep'), 'k');
    writeFileSync(
      join(dir, 'trainer.json'),
      JSON.stringify({
        epoch: 7,
        step: 1,
        history: [],
        best: null,
        model: '../victim/tree',
        optimizerFile: '../victim/opt',
        optimizerEntries: [],
      }),
    );
    await expect(folderCheckpoints(dir).load(model)).rejects.toMatchObject({
      code: 'E_MODEL_UNSAFE_PATH',
      message: expect.stringContaining('trainer.json: model'),
    });
    await folderCheckpoints(dir).save(model, { epoch: 1, step: 2, history: [], best: null, optimizer: [] });
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(readFileSync(join(tree, 'keep'), 'utf8')).toBe('k');
    expect(existsSync(join(dir, 'model-epoch-1', 'model.json'))).toBe(true);
  });

  it('parseTrainerState never throws anything but a typed error (fast-check, seeded)', () => {
    const names = fc.oneof(
      fc.constantFrom('model-epoch-1', 'optimizer-epoch-1.bin', '../x', '/etc/passwd', 'a/b', '..'),
      fc.string(),
    );
    const state = fc.record(
      {
        epoch: fc.oneof(fc.nat(), fc.double(), fc.string()),
        step: fc.oneof(fc.nat(), fc.constant(-1)),
        history: fc.oneof(fc.constant([]), fc.anything()),
        model: names,
        optimizerFile: names,
        bestFile: names,
        optimizerEntries: fc.oneof(
          fc.constant([]),
          fc.array(fc.record({ name: fc.string(), shape: fc.array(fc.integer()), offset: fc.integer() })),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(state, fc.anything()), (value) => {
        const bytes = new TextEncoder().encode(JSON.stringify(value) ?? 'undefined');
        try {
          const s = parseTrainerState(bytes, 'trainer.json');
          expect(s.model).toMatch(/^model-epoch-\d+$/);
          expect(s.optimizerFile).toMatch(/^optimizer-epoch-\d+\.bin$/);
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^E_MODEL_(CORRUPT|UNSAFE_PATH)$/);
        }
      }),
      { seed: 19, numRuns: 500 },
    );
  });
});

describe('declared sizes are checked before anything is read or allocated', () => {
  it('a weights file larger than the manifest declares is not read (sparse 3 GB file)', async () => {
    const dir = planted('big-file');
    truncateSync(join(dir, weightsName), 3 * 2 ** 30);
    const err = await loadModel(dir).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_MODEL_TOO_LARGE' });
    expect(err.message).toContain(
      `expected at most ${manifest.weights.byteLength} bytes, found ${3 * 2 ** 30} bytes`,
    );
  });

  it('a declared byteLength or manifest above the limits is E_MODEL_TOO_LARGE naming the option', async () => {
    const dir = planted('big-declared', (m) => {
      m.weights.byteLength = 2 ** 40;
    });
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
      message: expect.stringContaining('limits.maxWeightsBytes'),
    });
    await expect(loadModel(good, { limits: { maxManifestBytes: 100 } })).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
      message: expect.stringContaining('limits.maxManifestBytes'),
    });
    await expect(loadModel(good, { limits: { maxWeightsBytes: 0 } })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining('limits.maxWeightsBytes'),
    });
  });

  it('vocabSize 8e6 and 1e9 in the encoder config are refused fast, with no table allocated', async () => {
    for (const vocabSize of [8e6, 1e9]) {
      const dir = planted(`vocab-${vocabSize}`, (m) => {
        const steps = (m.encoder as unknown as { steps: { type: string; vocabSize?: number }[] }).steps;
        steps.find((s) => s.type === 'embedding')!.vocabSize = vocabSize;
      });
      const before = tf.memory().numBytes;
      const t0 = performance.now();
      const err = await loadModel(dir).catch((e) => e);
      expect(err, String(vocabSize)).toMatchObject({
        code: 'E_MODEL_MISMATCH',
        message: expect.stringContaining('declares larger weights than the file holds'),
      });
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(tf.memory().numBytes).toBe(before);
    }
  });

  it('entry shapes that overflow or point past the declared bytes are refused', async () => {
    for (const shape of [[1e9, 1e9], [2 ** 53], [-1], [1.5]]) {
      const dir = planted(`shape-${shape.join('x')}`, (m) => {
        m.weights.entries[0]!.shape = shape;
      });
      const err = await loadModel(dir).catch((e) => e);
      expect(err.code, String(shape)).toMatch(/^E_MODEL_(MISMATCH|CORRUPT)$/);
      expect(err.message).toContain('weights.entries[0]');
    }
  });

  it('checkManifest throws only typed errors on any JSON, and accepts the real manifest (fast-check, seeded)', () => {
    expect(checkManifest(structuredClone(manifest), 'm').weights.file).toBe(weightsName);
    const mutate = fc.record({
      path: fc.constantFrom(
        'weights.byteLength',
        'weights.entries',
        'weights.file',
        'encoder',
        'tokenizer',
        'entry.shape',
        'entry.offset',
        'entry.name',
      ),
      value: fc.oneof(fc.anything(), fc.integer(), fc.double(), fc.array(fc.integer()), fc.string()),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutate), (change) => {
        const m = structuredClone(manifest) as unknown as Record<string, any>;
        let input: unknown = change;
        if (change && typeof change === 'object' && 'path' in change && 'value' in change) {
          const { path, value } = change as { path: string; value: unknown };
          const [a, b] = path.split('.') as [string, string | undefined];
          if (a === 'entry') m.weights.entries[0][b!] = value;
          else if (b) m[a][b] = value;
          else m[a] = value;
          input = JSON.parse(JSON.stringify(m));
        }
        try {
          checkManifest(input, 'm');
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^E_(MODEL_[A-Z_]+|FORMAT_VERSION)$/);
        }
      }),
      { seed: 19, numRuns: 1000 },
    );
  });
});

describe('non-finite and disposed models are never saved or loaded', () => {
  it('saving a model with a NaN weight is E_MODEL_NON_FINITE and leaves the old save intact', async () => {
    const m = createModel({ preset: 'meanpool', texts, hidden: 4, embeddingDim: 4, seed: 4 });
    const dir = join(root, 'nan-save');
    await saveModel(m, dir);
    const [name, v] = [...m.encoder.weights()][0]!;
    v.assign(tf.fill(v.shape, Number.NaN));
    await expect(saveModel(m, dir)).rejects.toMatchObject({
      code: 'E_MODEL_NON_FINITE',
      message: `save: weight "${name}": expected finite numbers, found NaN at index 0 (the model diverged in training or the file is damaged)`,
    });
    (await loadModel(dir)).dispose();
    m.dispose();
  });

  it('a file whose weights hold Infinity (checksum correct) is refused at load', async () => {
    const blob = new Uint8Array(readFileSync(join(good, weightsName)));
    new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)[3] = Number.POSITIVE_INFINITY;
    const m = structuredClone(manifest);
    m.weights.sha256 = await sha256Hex(blob);
    delete m.weights.file;
    await expect(loadModel(await encodeSingleFile(m, blob))).rejects.toMatchObject({
      code: 'E_MODEL_NON_FINITE',
      message: expect.stringContaining('found Infinity at index'),
    });
  });

  it('saving a disposed model is E_MODEL_DISPOSED and the existing model still loads', async () => {
    const m = createModel({ preset: 'meanpool', texts, hidden: 4, embeddingDim: 4, seed: 5 });
    const dir = join(root, 'disposed');
    await saveModel(m, dir);
    const expected = await m.embed(['the dog']);
    m.dispose();
    await expect(saveModel(m, dir)).rejects.toMatchObject({ code: 'E_MODEL_DISPOSED' });
    const back = await loadModel(dir);
    expect(await back.embed(['the dog'])).toEqual(expected);
    back.dispose();
  });
});

describe('URL loading: http(s) only, same origin, capped, timed', () => {
  let server: Server;
  let base: string; // http://127.0.0.1:port
  let other: string; // http://localhost:port: the same server under another origin
  const hung: import('node:http').ServerResponse[] = [];
  let single: Uint8Array;
  beforeAll(async () => {
    single = await (await import('../src/index.js')).modelToBytes(model);
    server = createServer((req, res) => {
      const url = req.url!;
      // edited manifests lose their seal, so the checks behind it are what answers
      const json = (m: ModelManifest) =>
        res.end(JSON.stringify(m === manifest ? m : { ...m, manifestSha256: undefined }));
      // zeros for ever, after an optional prefix
      const endless = (prefix?: Uint8Array) => {
        if (prefix) res.write(prefix);
        const chunk = new Uint8Array(1 << 16);
        const pump = () => {
          while (res.write(chunk)) {}
        };
        res.on('drain', pump);
        pump();
        req.on('close', () => res.destroy());
      };
      if (url === '/endless.siamese' || url === '/endless/w.bin') return endless();
      // a valid model file, then zeros for ever: only the header's declared length can stop the download
      if (url === '/endless-after-header.siamese') return endless(single);
      if (url === '/hang.siamese') {
        hung.push(res);
        return;
      }
      if (url === '/single.siamese') return void res.end(single);
      if (url === '/liar.siamese') {
        res.setHeader('content-length', String(2 ** 40));
        return void res.end();
      }
      if (url === '/good/model.json') return json(manifest);
      if (url === `/good/${weightsName}`) return void res.end(readFileSync(join(good, weightsName)));
      if (url === '/cross/model.json')
        return json({ ...manifest, weights: { ...manifest.weights, file: `${other}/good/${weightsName}` } });
      if (url === '/file/model.json')
        return json({
          ...manifest,
          weights: { ...manifest.weights, file: `file://${join(good, weightsName)}` },
        });
      if (url === '/endless/model.json')
        return json({ ...manifest, weights: { ...manifest.weights, file: 'w.bin' } });
      if (url === '/redirect-same.siamese') {
        res.writeHead(302, { location: '/single.siamese' });
        return void res.end();
      }
      if (url === '/redirect-file.siamese' || url === '/loop.siamese') {
        res.writeHead(302, { location: url === '/loop.siamese' ? '/loop.siamese' : 'file:///etc/passwd' });
        return void res.end();
      }
      if (url === '/redirect-cross.siamese') {
        res.writeHead(302, { location: `${other}/single.siamese` });
        return void res.end();
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
    other = `http://localhost:${port}`;
  });
  afterAll(async () => {
    for (const r of hung) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a manifest naming weights by URL (another host, or file:) is refused: its names are plain names', async () => {
    for (const folder of ['cross', 'file']) {
      await expect(loadModel(`${base}/${folder}/`), folder).rejects.toMatchObject({
        code: 'E_MODEL_UNSAFE_PATH',
        message: expect.stringContaining('weights.file: expected a plain file name inside the model folder'),
      });
    }
  });

  it('a redirect to another origin is refused unless allowed; a same-origin one is followed', async () => {
    (await loadModel(`${base}/redirect-same.siamese`)).dispose();
    await expect(loadModel(`${base}/redirect-cross.siamese`)).rejects.toMatchObject({
      code: 'E_MODEL_CROSS_ORIGIN',
      message: expect.stringContaining(`pass allowedOrigins: ['${other}']`),
    });
    (await loadModel(`${base}/redirect-cross.siamese`, { allowedOrigins: [other] })).dispose();
    (await loadModel(`${base}/redirect-cross.siamese`, { allowedOrigins: ['*'] })).dispose();
  });

  it('a redirect to file: or a redirect loop is E_MODEL_URL', async () => {
    await expect(loadModel(`${base}/redirect-file.siamese`)).rejects.toMatchObject({
      code: 'E_MODEL_URL',
      message: 'model: expected an http: or https: URL, found file:///etc/passwd',
    });
    await expect(loadModel(`${base}/loop.siamese`)).rejects.toMatchObject({
      code: 'E_MODEL_URL',
      message: expect.stringContaining('more than 5 redirects'),
    });
  });

  it('an endless body or a huge Content-Length stops at the cap', async () => {
    const t0 = performance.now();
    await expect(
      loadModel(`${base}/endless.siamese`, {
        limits: { maxWeightsBytes: 2 ** 20, maxManifestBytes: 2 ** 20 },
      }),
    ).rejects.toMatchObject({
      // zeros: refused at the first bytes, which are not a model file's header
      code: 'E_MODEL_CORRUPT',
      message: expect.stringContaining('bad magic bytes'),
    });
    await expect(loadModel(`${base}/endless/`)).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
      message: expect.stringContaining('the body went on'),
    });
    expect(performance.now() - t0).toBeLessThan(10_000);
    await expect(loadModel(`${base}/liar.siamese`)).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
      message: expect.stringContaining(`Content-Length ${2 ** 40}`),
    });
  });

  it('an endless body behind a valid single-file header stops at the length the header declares', async () => {
    // Default limits: before, only the 1 GiB cap or the 60 s timeout stopped this download.
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    await expect(loadModel(`${base}/endless-after-header.siamese`)).rejects.toMatchObject({
      code: 'E_MODEL_CORRUPT',
      message: expect.stringMatching(/goes on past the \d+ bytes its header declares/),
    });
    const seconds = (performance.now() - t0) / 1000;
    const grewMiB = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(
      `endless single-file URL: stopped after ${seconds.toFixed(2)} s, RSS +${grewMiB.toFixed(1)} MiB`,
    );
    expect(seconds).toBeLessThan(5);
    expect(grewMiB).toBeLessThan(64);
  });

  it('a header declaring more than the limits is refused as soon as the header arrives', async () => {
    const manifestBytes = new DataView(single.buffer, single.byteOffset).getUint32(12, true);
    await expect(
      loadModel(`${base}/endless-after-header.siamese`, {
        limits: { maxWeightsBytes: 1, maxManifestBytes: manifestBytes },
      }),
    ).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
      message: expect.stringContaining('declared by its header'),
    });
  });

  it('a server that never answers is E_MODEL_TIMEOUT; the caller’s signal is E_ABORTED', async () => {
    await expect(loadModel(`${base}/hang.siamese`, { limits: { timeoutMs: 200 } })).rejects.toMatchObject({
      code: 'E_MODEL_TIMEOUT',
      message: expect.stringContaining('took longer than 200 ms'),
    });
    await expect(
      loadModel(`${base}/hang.siamese`, { signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({
      code: 'E_ABORTED',
    });
  });

  it('other schemes are E_MODEL_URL', async () => {
    await expect(loadModel('ftp://example.com/m.siamese')).rejects.toMatchObject({ code: 'E_MODEL_URL' });
  });
});

describe('options at the public boundary (issue 19)', () => {
  it('embed batchSize and search k must be integers ≥ 1 (0 looped forever, NaN gave zero vectors, k 0 one hit)', async () => {
    for (const batchSize of [0, Number.NaN, 1.5, -1]) {
      await expect(model.embed(['a dog'], { batchSize }), String(batchSize)).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
        message: `embed: batchSize: expected an integer in [1, 1000000], found number ${batchSize}`,
      });
    }
    for (const k of [0, 1.5, Number.NaN]) {
      await expect(search(model, 'a dog', texts, { k }), String(k)).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
        message: `search: k: expected an integer ≥ 1, found number ${k}`,
      });
    }
    expect(await search(model, 'a dog', texts, { k: 10 })).toHaveLength(texts.length);
  });
});

describe('checkpoints belong to one run (issue 19)', () => {
  const pairs = [
    { text1: 'a man plays a guitar', text2: 'a man plays music', score: 0.9 },
    { text1: 'a woman slices an onion', text2: 'the dog runs', score: 0.1 },
    { text1: 'the dog runs', text2: 'a dog is running', score: 0.8 },
    { text1: 'a man plays a guitar', text2: 'an onion', score: 0.0 },
  ];
  const fresh = () => createModel({ preset: 'meanpool', texts, hidden: 4, embeddingDim: 4, seed: 7 });
  const options = (dir: string, seed: number, epochs: number) => ({
    loss: lossFromConfig({ type: 'cosine' }),
    epochs,
    batchSize: 2,
    seed,
    checkpoints: folderCheckpoints(dir),
  });

  it('resuming with another seed or other data is refused before the model is touched; the same run resumes', async () => {
    const dir = join(root, 'run-ckpt');
    const first = fresh();
    await fit(first, pairs, options(dir, 1, 1));
    first.dispose();
    for (const [label, seed, data] of [
      ['another seed', 2, pairs],
      ['other data', 1, pairs.slice(0, 3)],
    ] as const) {
      const other = fresh();
      const before = [...other.encoder.weights().values()].map((v) => Array.from(v.dataSync()));
      await expect(fit(other, [...data], options(dir, seed, 2)), label).rejects.toMatchObject({
        code: 'E_MODEL_MISMATCH',
        message: expect.stringMatching(
          /written by another run .* to start fresh, delete the checkpoint folder or pass a new one$/,
        ),
      });
      expect(
        [...other.encoder.weights().values()].map((v) => Array.from(v.dataSync())),
        label,
      ).toEqual(before);
      other.dispose();
    }
    const same = fresh();
    const info: string[] = [];
    const r = await fit(same, pairs, { ...options(dir, 1, 2), onInfo: (m: string) => info.push(m) });
    expect(r.resumedFrom).toBe(1);
    expect(info).toContain('resumed after epoch 1');
    same.dispose();
  });
});
