import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tensorLeakCheck } from '../dist/index.js';
import { loadWasmBinary } from '../dist/internals.js';

const wasmUrl = new URL('../dist/tfjs-backend-wasm-simd.wasm', import.meta.url);

/** Runs `fn` on a backend and returns plain arrays (so results can be compared across backends). */
async function on<T>(backend: 'cpu' | 'wasm', fn: () => T): Promise<T> {
  await initBackend({ backend });
  expect(tf.getBackend()).toBe(backend);
  return fn();
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

afterAll(async () => {
  await initBackend();
});

describe('supplied kernels match a reference on random shapes', () => {
  const rng = new Rng(2024);
  const shapes = Array.from({ length: 8 }, () => ({
    n: 1 + rng.int(200),
    d: 1 + rng.int(40),
    v: 1 + rng.int(500),
  }));

  it.each(shapes)(
    'UnsortedSegmentSum n=$n d=$d v=$v (cpu and wasm against a float64 loop)',
    async ({ n, d, v }) => {
      const r = new Rng(n * 1000 + d);
      const x = r.fillUniform(new Float32Array(n * d), -2, 2);
      const ids = Int32Array.from({ length: n }, () => r.int(v));
      const run = () =>
        tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [n, d]), tf.tensor1d(ids, 'int32'), v).dataSync());
      // Both backends run the SDK's own kernel, so the reference is an independent loop.
      const expected = new Float64Array(v * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) expected[ids[i]! * d + j]! += x[i * d + j]!;
      const cpu = await on('cpu', run);
      const wasm = await on('wasm', run);
      expect(maxAbsDiff(cpu, expected)).toBeLessThan(1e-5);
      expect(maxAbsDiff(wasm, expected)).toBeLessThan(1e-5);
    },
  );

  const convCases = Array.from({ length: 8 }, () => ({
    b: 1 + rng.int(4),
    h: 1 + rng.int(3),
    w: 3 + rng.int(12),
    c: 1 + rng.int(6),
    kh: 1 + rng.int(2),
    kw: 1 + rng.int(4),
    f: 1 + rng.int(6),
    stride: 1 + rng.int(2),
    pad: rng.int(2) ? ('same' as const) : ('valid' as const),
  }));

  it.each(convCases)('Conv2DBackpropFilter b=$b h=$h w=$w c=$c k=$kh×$kw f=$f s=$stride $pad', async (cs) => {
    const r = new Rng(cs.b * 7 + cs.w * 13 + cs.f);
    const kh = Math.min(cs.kh, cs.h);
    const kw = Math.min(cs.kw, cs.w);
    const x = r.fillUniform(new Float32Array(cs.b * cs.h * cs.w * cs.c), -1, 1);
    const w = r.fillUniform(new Float32Array(kh * kw * cs.c * cs.f), -1, 1);
    const run = () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, [cs.b, cs.h, cs.w, cs.c]);
        const f = (filter: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(xt, filter as tf.Tensor4D, cs.stride, cs.pad)));
        return tf
          .grad(f)(tf.tensor4d(w, [kh, kw, cs.c, cs.f]))
          .dataSync();
      });
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    expect(maxAbsDiff(cpu, wasm)).toBeLessThan(1e-4);
  });
});

describe('initBackend', () => {
  it('reports what it set up and does not leak across repeated training steps', async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const table = tf.variable(tf.randomNormal([100, 8], 0, 1, 'float32', 1));
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const ids = tf.tensor1d([1, 5, 5, 99], 'int32');
    await tensorLeakCheck(() => {
      const l = opt.minimize(() => tf.sum(tf.square(tf.gather(table, ids))), true);
      l?.dispose();
    });
    tf.dispose([table, ids]);
    opt.dispose();
  });

  it('throws a typed error for an unknown backend, keeping the active one', async () => {
    await initBackend();
    await expect(initBackend({ backend: 'nope' })).rejects.toMatchObject({ code: 'E_BACKEND_UNKNOWN' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('throws E_BACKEND_INIT for a corrupted binary and never falls back to cpu', async () => {
    await initBackend({ backend: 'cpu' });
    const err = await initBackend({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }).catch(
      (e) => e,
    );
    expect(SiameseError.is(err)).toBe(true);
    expect(err.code).toBe('E_BACKEND_INIT');
    expect(tf.getBackend()).toBe('cpu');
    // A good binary afterwards still works.
    await initBackend({ wasm: wasmUrl });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('names the file when the wasm binary cannot be read', async () => {
    await expect(loadWasmBinary('/nonexistent/x.wasm')).rejects.toMatchObject({
      code: 'E_WASM_LOAD',
      message: expect.stringContaining('/nonexistent/x.wasm'),
    });
  });

  it('accepts bytes, a compiled module and a file URL', async () => {
    const bytes = (await loadWasmBinary(wasmUrl)) as Uint8Array;
    expect(bytes.byteLength).toBeGreaterThan(100_000);
    await initBackend({ wasm: bytes });
    expect(tf.getBackend()).toBe('wasm');
    await initBackend({ wasm: await WebAssembly.compile(bytes as BufferSource) });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0])).toBe(5);
  });

  it('reads a Response, a data: URL and http(s); a non-200 answer is E_WASM_LOAD naming the status', async () => {
    const bytes = new Uint8Array((await loadWasmBinary(wasmUrl)) as Uint8Array);
    // A byte loop: toEqual on 10⁵-element arrays takes seconds on a busy machine.
    const same = (b: unknown) => {
      const got = new Uint8Array(b as ArrayBuffer);
      expect(got.length).toBe(bytes.length);
      expect(got.findIndex((x, i) => x !== bytes[i])).toBe(-1);
    };
    same(await loadWasmBinary(new Response(bytes)));
    same(await loadWasmBinary(Promise.resolve(new Response(bytes))));
    await expect(loadWasmBinary(new Response('gone', { status: 404 }))).rejects.toMatchObject({
      code: 'E_WASM_LOAD',
      message: expect.stringContaining('expected HTTP 200, found 404'),
    });
    const small = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    const dataUrl = `data:application/wasm;base64,${btoa(String.fromCharCode(...small))}`;
    expect(new Uint8Array((await loadWasmBinary(dataUrl)) as ArrayBuffer)).toEqual(small);
    expect(new Uint8Array((await loadWasmBinary(new URL(dataUrl))) as ArrayBuffer)).toEqual(small);
    // Over HTTP from a local server: the file, then a missing path (the status is in the message).
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url === '/k.wasm') res.end(bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      same(await loadWasmBinary(`http://127.0.0.1:${port}/k.wasm`));
      const missing = `http://127.0.0.1:${port}/missing.wasm`;
      await expect(loadWasmBinary(missing)).rejects.toMatchObject({
        code: 'E_WASM_LOAD',
        message: `wasm binary: could not read ${missing}: HTTP 404`,
        details: { source: missing },
      });
    } finally {
      server.close();
    }
  });
});
