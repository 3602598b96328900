// Hostile model files and URLs (issue 19), on every runtime: each case ends in a typed error, within a bounded
// time, with no tensor memory left behind. URLs go through a stand-in `fetch` (workerd cannot reach a server of
// the test's own), so the loader's own checks are what runs; the Node unit tests repeat them over real HTTP.
import { runtimeKey } from '@siamese/core';
import { createModel, loadModel, modelToBytes, type SiameseModel } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { assert, assertEqual, assertThrows, defineSuite } from '../harness.js';

const MAGIC = [0x53, 0x49, 0x41, 0x4d, 0x45, 0x53, 0x45, 0x00];

/** The single-file container around `manifest` and `blob` (as the runtime writes it). */
function container(manifest: unknown, blob: Uint8Array, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const head = 16 + json.byteLength;
  const pad = (4 - (head % 4)) % 4;
  const out = new Uint8Array(head + pad + blob.byteLength);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, 1, true);
  dv.setUint32(12, declaredLength ?? json.byteLength, true);
  out.set(json, 16);
  out.set(blob, head + pad);
  return out;
}

/** Splits a single-file model (container 1 or 2) into its manifest (parsed) and weights. */
function parts(bytes: Uint8Array): { manifest: any; blob: Uint8Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const v2 = dv.getUint32(8, true) === 2;
  const head = v2 ? 56 : 16;
  const len = dv.getUint32(12, true);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(head, head + len)));
  const start = v2 ? head + Math.ceil(len / 8) * 8 : head + len + ((4 - ((head + len) % 4)) % 4);
  return { manifest, blob: bytes.slice(start, start + manifest.weights.byteLength) };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A body that never ends (`first`, then 64 KiB chunks of zeros), and how much of it was pulled. */
function endless(first?: Uint8Array): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      if (first) {
        pulled += first.byteLength;
        c.enqueue(first.slice());
      }
    },
    pull(c) {
      pulled += 65536;
      c.enqueue(new Uint8Array(65536));
    },
  });
  return { stream, pulled: () => pulled };
}

/** Runs `body` with `fetch` replaced by `fake` (restored afterwards). */
async function withFetch(
  fake: (url: URL, init: RequestInit | undefined) => Promise<Response>,
  body: () => Promise<void>,
) {
  const real = globalThis.fetch;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    fake(new URL(String(input instanceof Request ? input.url : input)), init)) as typeof fetch;
  try {
    await body();
  } finally {
    globalThis.fetch = real;
  }
}

export default defineSuite('hostile', (test) => {
  let model: SiameseModel;
  let good: { manifest: any; blob: Uint8Array };
  let bytes: Uint8Array;
  const setup = async () => {
    if (model) return;
    model = createModel({ preset: 'meanpool', texts: ['a b c', 'c d'], hidden: 4, embeddingDim: 4, seed: 1 });
    bytes = await modelToBytes(model);
    good = parts(bytes);
  };

  test('names that leave the folder, shape bombs and vocabSize 1e9 are typed errors, allocating nothing', async () => {
    await setup();
    assertEqual(tf.getBackend(), 'wasm', 'backend');
    const cases: [string, (m: any) => void, string][] = [
      ['weights.file ../x', (m) => (m.weights.file = '../victim/w.bin'), 'E_MODEL_UNSAFE_PATH'],
      ['weights.file /etc/hostname', (m) => (m.weights.file = '/etc/hostname'), 'E_MODEL_UNSAFE_PATH'],
      ['weights.file URL', (m) => (m.weights.file = 'https://evil.example/w.bin'), 'E_MODEL_UNSAFE_PATH'],
      ['shape [1e9, 1e9]', (m) => (m.weights.entries[0].shape = [1e9, 1e9]), 'E_MODEL_CORRUPT'],
      ['byteLength 2^40', (m) => (m.weights.byteLength = 2 ** 40), 'E_MODEL_TOO_LARGE'],
      [
        'vocabSize 1e9',
        (m) => (m.encoder.steps.find((s: any) => s.type === 'embedding').vocabSize = 1e9),
        'E_MODEL_MISMATCH',
      ],
      [
        'vocabSize 8e6',
        (m) => (m.encoder.steps.find((s: any) => s.type === 'embedding').vocabSize = 8e6),
        'E_MODEL_MISMATCH',
      ],
    ];
    const before = tf.memory().numBytes;
    for (const [label, edit, code] of cases) {
      const m = structuredClone(good.manifest);
      edit(m);
      const t0 = performance.now();
      await assertThrows(() => loadModel(container(m, good.blob)), code, label);
      assert(performance.now() - t0 < 5000, `${label}: refused within 5 s`);
    }
    assertEqual(tf.memory().numBytes, before, 'tensor bytes after the hostile loads');
  });

  test('NaN weights are refused at load (checksum correct) and at save', async () => {
    await setup();
    const blob = good.blob.slice();
    new Float32Array(blob.buffer, 0, 2)[1] = Number.NaN; // the first weight is float32 in every encoding
    const m = structuredClone(good.manifest);
    m.weights.sha256 = await sha256Hex(blob);
    const err = await assertThrows(() => loadModel(container(m, blob)), 'E_MODEL_NON_FINITE', 'NaN weights');
    assert(/found NaN at index 1/.test(err.message), `message names the index: ${err.message}`);
    const poisoned = createModel({ preset: 'meanpool', texts: ['a b'], hidden: 4, embeddingDim: 4, seed: 2 });
    const [, v] = [...poisoned.encoder.weights()][0]!;
    v.assign(tf.fill(v.shape, Number.POSITIVE_INFINITY));
    await assertThrows(() => modelToBytes(poisoned), 'E_MODEL_NON_FINITE', 'saving Infinity');
    poisoned.dispose();
    await assertThrows(() => modelToBytes(poisoned), 'E_MODEL_DISPOSED', 'saving a disposed model');
  });

  test('a manifest length bomb and an endless Response body stop at the caps', async () => {
    await setup();
    await assertThrows(
      () => loadModel(container(good.manifest, good.blob, 2 ** 31)),
      'E_MODEL_CORRUPT',
      'declared manifest 2 GiB',
    );
    // a version-1 header does not declare the file's length: only the cap stops what follows
    const body = endless(container(good.manifest, new Uint8Array(0)));
    await assertThrows(
      () =>
        loadModel(new Response(body.stream), {
          limits: { maxWeightsBytes: 2 ** 20, maxManifestBytes: 2 ** 20 },
        }),
      'E_MODEL_TOO_LARGE',
      'endless Response',
    );
    assert(body.pulled() <= 2 ** 21 + 2 * 65536 + 65536 * 4, `read ${body.pulled()} bytes, at most the cap`);
  });

  test('URL loads: cross-origin and file: redirects, endless bodies and hung servers are typed errors', async () => {
    await setup();
    const origin = 'http://127.0.0.1:9';
    const served = endless(container(good.manifest, new Uint8Array(0)));
    const afterHeader = endless(bytes);
    await withFetch(
      async (url, init) => {
        if (init?.redirect !== 'manual') throw new Error('redirects must be followed by hand');
        switch (url.pathname) {
          case '/ok.siamese':
            return new Response(bytes as Uint8Array<ArrayBuffer>);
          case '/cross.siamese':
            return new Response(null, {
              status: 302,
              headers: { location: 'http://evil.example/m.siamese' },
            });
          case '/file.siamese':
            return new Response(null, { status: 302, headers: { location: 'file:///etc/passwd' } });
          case '/same.siamese':
            return new Response(null, { status: 302, headers: { location: '/ok.siamese' } });
          case '/endless.siamese':
            return new Response(served.stream);
          case '/endless-after-header.siamese':
            return new Response(afterHeader.stream);
          case '/hang.siamese':
            return new Promise((_, reject) =>
              init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }),
            );
          default:
            return new Response('not found', { status: 404 });
        }
      },
      async () => {
        (await loadModel(`${origin}/same.siamese`)).dispose();
        await assertThrows(
          () => loadModel(`${origin}/cross.siamese`),
          'E_MODEL_CROSS_ORIGIN',
          'cross-origin',
        );
        // allowed, the redirect is followed (to the stand-in's 404)
        await assertThrows(
          () => loadModel(`${origin}/cross.siamese`, { allowedOrigins: ['http://evil.example'] }),
          'E_MODEL_NOT_FOUND',
          'an allowed cross-origin redirect',
        );
        await assertThrows(() => loadModel(`${origin}/file.siamese`), 'E_MODEL_URL', 'redirect to file:');
        await assertThrows(
          () =>
            loadModel(`${origin}/endless.siamese`, {
              limits: { maxWeightsBytes: 2 ** 20, maxManifestBytes: 2 ** 20 },
            }),
          'E_MODEL_TOO_LARGE',
          'endless body',
        );
        // a valid file, then zeros for ever, under the default limits (1 GiB, 60 s): its header's length stops it
        const t0 = performance.now();
        const err = await assertThrows(
          () => loadModel(`${origin}/endless-after-header.siamese`),
          'E_MODEL_CORRUPT',
          'endless body after a valid header',
        );
        assert(/its header declares/.test(err.message), `names the declared length: ${err.message}`);
        assert(performance.now() - t0 < 5000, 'stopped within 5 s');
        assert(
          afterHeader.pulled() <= bytes.byteLength + 4 * 65536,
          `read ${afterHeader.pulled()} bytes of a ${bytes.byteLength}-byte file`,
        );
        await assertThrows(
          () => loadModel(`${origin}/hang.siamese`, { limits: { timeoutMs: 100 } }),
          'E_MODEL_TIMEOUT',
          'hung server',
        );
        await assertThrows(() => loadModel('ftp://127.0.0.1/m.siamese'), 'E_MODEL_URL', 'ftp:');
      },
    );
    assert(runtimeKey() !== 'other', 'a known runtime');
  });
});
