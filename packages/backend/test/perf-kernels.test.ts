import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { FusedAdamOptimizer, fusedAdam, initBackend, tensorLeakCheck } from '../dist/index.js';
import { embeddingBag, lstmSequence } from '../dist/internals.js';

/** Runs `fn` on a backend and returns plain arrays (so results can be compared across backends). */
async function on<T>(backend: 'cpu' | 'wasm', fn: () => T): Promise<T> {
  await initBackend({ backend });
  expect(tf.getBackend()).toBe(backend);
  return fn();
}

/** Runs `fn` on cpu and on wasm with the performance kernels, and checks that both agree. */
async function matchesCpu(fn: () => ArrayLike<number>[], tol = 1e-4): Promise<void> {
  const cpu = await on('cpu', fn);
  const wasm = await on('wasm', fn);
  expect(wasm.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const a = cpu[i]!;
    const b = wasm[i]!;
    expect(b.length).toBe(a.length);
    let worst = 0;
    for (let j = 0; j < a.length; j++) {
      const scale = Math.max(1, Math.abs(a[j]!));
      worst = Math.max(worst, Math.abs(a[j]! - b[j]!) / scale);
    }
    expect(worst).toBeLessThan(tol);
  }
}

const values = (rng: Rng, n: number) => rng.fillUniform(new Float32Array(n), -1, 1);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (rng: Rng, shape: number[]) => ({ v: values(rng, size(shape)), shape });
const t = (x: { v: Float32Array; shape: number[] }) => tf.tensor(x.v, x.shape);
const arrays = (ts: tf.Tensor[]) => ts.map((x) => x.dataSync() as Float32Array);

afterAll(async () => {
  await initBackend();
});

describe('performance kernels are registered and reversible', () => {
  it('reports the overrides in kernelsAdded, keeps the stock kernels reachable, and is idempotent', async () => {
    const tuned = await initBackend();
    expect(tuned.kernelsAdded).toEqual(
      expect.arrayContaining(['BatchMatMul', 'Slice', 'SplitV', 'Unpack', 'GatherV2', 'Identity', 'Tile']),
    );
    const ours = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    const again = await initBackend();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(ours);
    expect(again.kernelsAdded).toEqual(tuned.kernelsAdded);
    const stock = await initBackend({ performanceKernels: false });
    expect(stock.kernelsAdded).toEqual([
      'UnsortedSegmentSum',
      'SiameseAdamUpdate',
      'SiameseEmbeddingBag',
      'SiameseEmbeddingBagGrad',
      'Conv2DBackpropFilter',
    ]);
    const stockFn = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    expect(stockFn).not.toBe(ours);
    // The stock kernel still works after a round trip (its setup ran on the backend).
    const y = tf.tidy(() => tf.matMul(tf.ones([4, 3]), tf.ones([4, 2]), true, false).dataSync());
    expect(Array.from(y)).toEqual([4, 4, 4, 4, 4, 4]); // 3×2 of 4s, via the stock transposed path
    await initBackend();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(ours);
  });
});

describe('BatchMatMul matches cpu, forward and gradients', () => {
  const rng = new Rng(11);
  const cases = Array.from({ length: 10 }, (_, i) => ({
    m: 1 + rng.int(70),
    k: 1 + rng.int(90),
    n: 1 + rng.int(70),
    ta: i % 2 === 1,
    tb: i % 4 >= 2,
  }));
  it.each(cases)('2-D m=$m k=$k n=$n tA=$ta tB=$tb', async ({ m, k, n, ta, tb }) => {
    const r = new Rng(m * 31 + k * 7 + n);
    const a = rand(r, ta ? [k, m] : [m, k]);
    const b = rand(r, tb ? [n, k] : [k, n]);
    const w = rand(r, [m, n]);
    await matchesCpu(() =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), t(w)));
        const [ga, gb] = tf.grads(f)([t(a), t(b)]);
        return arrays([tf.matMul(t(a), t(b), ta, tb), ga!, gb!]);
      }),
    );
  });

  const batched = [
    { name: 'broadcast 2-D right', a: [6, 20, 33], b: [33, 40], ta: false, tb: false },
    { name: 'broadcast 2-D right, transposed', a: [3, 2, 33, 20], b: [40, 33], ta: true, tb: true },
    { name: 'equal batches', a: [5, 30, 40], b: [5, 40, 25], ta: false, tb: false },
    { name: 'equal batches, tA', a: [4, 40, 30], b: [4, 40, 25], ta: true, tb: false },
    { name: 'equal batches, tB', a: [2, 3, 30, 40], b: [2, 3, 25, 40], ta: false, tb: true },
    { name: 'broadcast left', a: [30, 40], b: [7, 40, 25], ta: false, tb: false },
    { name: 'broadcast left, both', a: [1, 40, 30], b: [7, 25, 40], ta: true, tb: true },
    { name: 'tiny (stock path)', a: [3, 2, 3], b: [3, 3, 4], ta: false, tb: false },
  ];
  it.each(batched)('batched: $name', async ({ a: as, b: bs, ta, tb }) => {
    const r = new Rng(as.length * 100 + bs[0]!);
    const a = rand(r, as);
    const b = rand(r, bs);
    // tfjs-core 4.22's matMul gradient does not reduce broadcast batch dims: gradients for equal batches only.
    const equalBatches = as.length === bs.length && as.slice(0, -2).every((d, i) => d === bs[i]);
    await matchesCpu(() =>
      tf.tidy(() => {
        const y = tf.matMul(t(a), t(b), ta, tb);
        if (!equalBatches) return arrays([y]);
        const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, w, ta, tb)));
        const [ga, gb] = tf.grads(f)([t(a), t(b)]);
        return arrays([y, ga!, gb!]);
      }),
    );
  });
});

describe('cached transposes of reused matMul operands', () => {
  it('stay correct when weights are disposed, replaced and evicted, and free their memory', async () => {
    await initBackend();
    const rng = new Rng(8);
    const g = tf.tensor2d(values(rng, 40 * 64), [40, 64]);
    const expected = (w: tf.Tensor) => tf.tidy(() => tf.matMul(g, tf.transpose(w)).dataSync());
    const ids0 = tf.engine().backend.numDataIds();
    for (let round = 0; round < 5; round++) {
      const ws = [0, 1, 2].map(() => tf.tensor2d(values(rng, 50 * 64), [50, 64]));
      for (const w of [...ws, ...ws, ws[0]!]) {
        const got = tf.tidy(() => tf.matMul(g, w, false, true).dataSync());
        expect(Array.from(got)).toEqual(Array.from(expected(w)));
      }
      tf.dispose(ws);
    }
    // At most the cache's two transposes outlive their sources until the next transposed product.
    expect(tf.engine().backend.numDataIds() - ids0).toBeLessThanOrEqual(2);
    tf.tidy(() => tf.matMul(g, tf.ones([50, 64]), false, true));
    expect(tf.engine().backend.numDataIds() - ids0).toBeLessThanOrEqual(1);
    g.dispose();
  });
});

describe('Tanh and Sum match cpu', () => {
  it('tanh over small, medium and saturated inputs', async () => {
    const v = Float32Array.from({ length: 4096 }, (_, i) => {
      const u = (i - 2048) / 2048;
      return i % 3 === 0 ? u * 1e-3 : i % 3 === 1 ? u * 0.2 : u * 20;
    });
    await matchesCpu(
      () =>
        tf.tidy(() => {
          const x = tf.tensor2d(v, [64, 64]);
          return arrays([tf.tanh(x), tf.grad((y: tf.Tensor) => tf.sum(tf.tanh(y)))(x)]);
        }),
      3e-6,
    );
    await initBackend();
    const tiny = tf.tidy(() => tf.tanh(tf.fill([32, 32], 1e-6)).dataSync());
    expect(Math.abs(tiny[0]! - 1e-6) / 1e-6).toBeLessThan(1e-6);
  });

  const sums = [
    { shape: [40, 33], axes: [0], keepDims: false },
    { shape: [6, 7, 20], axes: [1], keepDims: true },
    { shape: [6, 7, 20], axes: [0, 1], keepDims: false },
    { shape: [3, 4, 5, 9], axes: [1, 2], keepDims: true },
    { shape: [9, 5, 3], axes: [2], keepDims: false },
    { shape: [4, 5, 12], axes: [0, 2], keepDims: false },
  ];
  it.each(sums)('sum $shape over $axes keepDims=$keepDims', async ({ shape, axes, keepDims }) => {
    const x = rand(new Rng(size(shape)), shape);
    await matchesCpu(() =>
      tf.tidy(() => {
        const y = tf.sum(t(x), axes, keepDims);
        expect(y.shape).toEqual(tf.sum(tf.zeros(shape), axes, keepDims).shape);
        return arrays([y, tf.mean(t(x), axes, keepDims)]);
      }),
    );
  });
});

describe('copy kernels match cpu', () => {
  const rng = new Rng(5);
  const shapes = Array.from({ length: 8 }, () =>
    Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(7)),
  );

  it.each(shapes.map((shape) => ({ shape })))(
    'Slice/SplitV/Unpack/Reverse/Tile on $shape',
    async ({ shape }) => {
      const r = new Rng(size(shape) + shape.length);
      const x = rand(r, shape);
      const begin = shape.map((d) => r.int(d));
      const sz = shape.map((d, i) => (r.int(3) === 0 ? -1 : 1 + r.int(d - begin[i]!)));
      const axis = r.int(shape.length);
      const parts = shape[axis]! > 1 ? [1, shape[axis]! - 1] : [1];
      const reps = shape.map(() => 1 + r.int(3));
      const dims = shape.map((_, i) => i).filter(() => r.int(2) === 1);
      await matchesCpu(() =>
        tf.tidy(() => {
          const xt = t(x);
          const out: tf.Tensor[] = [
            tf.slice(xt, begin, sz),
            ...tf.split(xt, parts, axis),
            ...tf.unstack(xt, axis),
            tf.reverse(xt, dims),
            tf.tile(xt, reps),
            tf.cast(tf.tile(tf.greater(xt, 0), reps), 'float32'),
            tf.clone(xt),
            tf.concat(
              [
                xt,
                tf.neg(xt),
                tf.slice(
                  xt,
                  shape.map((_, i) => (i === axis ? begin[i]! : 0)),
                  shape.map((d, i) => (i === axis ? d - begin[i]! : -1)),
                ),
              ],
              axis,
            ),
          ];
          // Gradients run Slice/Pad, Concat/Pack and Reverse backwards. (tfjs-core cannot differentiate an
          // unstack with a single output, hence the guard.)
          const restacked = (v: tf.Tensor) => (shape[axis]! > 1 ? tf.stack(tf.unstack(v, axis), axis) : v);
          const g = tf.grad((v: tf.Tensor) =>
            tf.add(
              tf.sum(tf.square(tf.slice(v, begin, sz))),
              tf.sum(tf.mul(restacked(v), tf.reverse(v, dims))),
            ),
          )(xt);
          return arrays([...out, g]);
        }),
      );
    },
  );

  it('Slice/Unpack/SplitV of int32 and bool tensors', async () => {
    const ids = Int32Array.from({ length: 60 }, (_, i) => (i * 7919) % 101);
    await matchesCpu(() =>
      tf.tidy(() => {
        const x = tf.tensor3d(ids, [3, 4, 5], 'int32');
        const b = tf.greater(x, 50);
        return arrays([
          tf.slice(x, [1, 1, 2], [2, 2, 3]),
          ...tf.unstack(x, 2),
          ...tf.split(x, [1, 3], 1),
          tf.cast(tf.slice(b, [0, 2, 0], [3, 1, 5]), 'int32'),
          tf.cast(tf.tile(b, [1, 2, 1]), 'int32'),
          tf.cast(tf.reverse(b, [0, 2]), 'int32'),
          tf.concat([x, tf.slice(x, [0, 0, 0], [3, 4, 0]), x], 2),
          tf.cast(tf.concat([b, tf.logicalNot(b)], 1), 'int32'),
        ]);
      }),
    );
  });

  it('split with a -1 size leaves the caller’s size list untouched', async () => {
    await initBackend();
    const sizes = [2, -1];
    const parts = tf.tidy(() => tf.split(tf.range(0, 10), sizes, 0).map((p) => Array.from(p.dataSync())));
    expect(parts).toEqual([
      [0, 1],
      [2, 3, 4, 5, 6, 7, 8, 9],
    ]);
    expect(sizes).toEqual([2, -1]);
  });

  const gathers = [
    { x: [50, 8], idx: [30], axis: 0 },
    { x: [50, 8], idx: [4, 6], axis: 0 },
    { x: [3, 20, 5], idx: [7], axis: 1 },
    { x: [4, 6, 9], idx: [2, 3], axis: 2 },
    { x: [200, 1], idx: [100], axis: 0 },
  ];
  it.each(gathers)('GatherV2 x=$x idx=$idx axis=$axis, with its gradient', async ({ x: xs, idx, axis }) => {
    const r = new Rng(xs[0]! + idx[0]!);
    const x = rand(r, xs);
    const ids = Int32Array.from({ length: size(idx) }, () => r.int(xs[axis]!));
    await matchesCpu(() =>
      tf.tidy(() => {
        const it = tf.tensor(ids, idx, 'int32');
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.gather(v, it, axis))))(t(x));
        return arrays([tf.gather(t(x), it, axis), g]);
      }),
    );
  });

  it('GatherV2 rejects an out-of-range index like the stock kernel, without leaking', async () => {
    await initBackend();
    const x = tf.ones([4, 3]);
    const bad = tf.tensor1d([1, 4], 'int32');
    const before = tf.memory().numTensors;
    expect(() => tf.gather(x, bad)).toThrow(/index value 4 is not in \[0, 3\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, bad]);
  });
});

describe('comparisons match cpu with and without broadcasting', () => {
  const pairs = [
    { a: [4, 5, 6], b: [4, 1, 6] },
    { a: [4, 5, 1], b: [4, 5, 6] },
    { a: [7], b: [3, 7] },
    { a: [2, 3], b: [2, 3] },
    { a: [], b: [2, 2] },
  ];
  it.each(pairs)('a=$a b=$b', async ({ a: as, b: bs }) => {
    const r = new Rng(as.length * 10 + bs.length);
    // Few distinct values so equality is exercised.
    const q = (shape: number[]) => ({
      v: Float32Array.from(values(r, size(shape)), (v) => Math.round(v * 2)),
      shape,
    });
    const a = q(as);
    const b = q(bs);
    await matchesCpu(() =>
      tf.tidy(() => {
        const [x, y] = [t(a), t(b)];
        const ops = [tf.equal, tf.notEqual, tf.less, tf.lessEqual, tf.greater, tf.greaterEqual];
        return arrays([
          ...ops.map((op) => tf.cast(op(x, y), 'float32')),
          tf.cast(tf.equal(tf.cast(x, 'int32'), tf.cast(y, 'int32')), 'float32'),
        ]);
      }),
    );
  });

  it('max over time and where with a broadcast mask, with gradients', async () => {
    const r = new Rng(3);
    const x = rand(r, [6, 9, 5]);
    const mask = Float32Array.from({ length: 6 * 9 }, () => (r.int(3) ? 1 : 0));
    await matchesCpu(() =>
      tf.tidy(() => {
        const m = tf.tensor3d(mask, [6, 9, 1]);
        const f = (v: tf.Tensor) =>
          tf.sum(tf.max(tf.where(tf.cast(m, 'bool'), v, tf.fill(v.shape, -1e9)), 1));
        return arrays([f(t(x)), tf.grad(f)(t(x))]);
      }),
    );
  });
});

describe('Conv2DBackpropInput matches cpu', () => {
  const rng = new Rng(77);
  const cases = Array.from({ length: 8 }, () => ({
    b: 1 + rng.int(4),
    h: 1 + rng.int(3),
    w: 3 + rng.int(12),
    c: 1 + rng.int(20),
    kh: 1 + rng.int(2),
    kw: 1 + rng.int(4),
    f: 1 + rng.int(40),
    stride: 1 + rng.int(2),
    pad: rng.int(2) ? ('same' as const) : ('valid' as const),
  }));
  it.each(cases)('b=$b h=$h w=$w c=$c k=$kh×$kw f=$f s=$stride $pad', async (cs) => {
    const r = new Rng(cs.b * 7 + cs.w * 13 + cs.f);
    const kh = Math.min(cs.kh, cs.h);
    const kw = Math.min(cs.kw, cs.w);
    const x = rand(r, [cs.b, cs.h, cs.w, cs.c]);
    const w = rand(r, [kh, kw, cs.c, cs.f]);
    await matchesCpu(() =>
      tf.tidy(() => {
        const f = (xv: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(xv as tf.Tensor4D, t(w) as tf.Tensor4D, cs.stride, cs.pad)));
        return arrays([tf.grad(f)(t(x))]);
      }),
    );
  });

  it('conv1d k=3 same (the CNN encoder) end to end', async () => {
    const r = new Rng(9);
    const x = rand(r, [8, 12, 16]);
    const w = rand(r, [3, 16, 24]);
    await matchesCpu(() =>
      tf.tidy(() => {
        const f = (xv: tf.Tensor, wv: tf.Tensor) =>
          tf.sum(tf.relu(tf.conv1d(xv as tf.Tensor3D, wv as tf.Tensor3D, 1, 'same')));
        const [gx, gw] = tf.grads(f)([t(x), t(w)]);
        return arrays([gx!, gw!]);
      }),
    );
  });
});

describe('lstmSequence: fused wasm kernels match the plain-op LSTM on cpu', () => {
  const cases = [
    { b: 5, t: 7, h: 6, reverse: false },
    { b: 5, t: 7, h: 6, reverse: true },
    { b: 9, t: 4, h: 16, reverse: false },
    { b: 3, t: 12, h: 33, reverse: true },
  ];
  it.each(cases)('B=$b T=$t H=$h reverse=$reverse: hs, dxp and dU', async ({ b, t: steps, h, reverse }) => {
    const r = new Rng(b * 100 + steps * 10 + h);
    const xp = rand(r, [b, steps, 4 * h]);
    const u = rand(r, [h, 4 * h]);
    const w = rand(r, [b, steps, h]);
    // Lengths from 0 (all padding) to T; a gap inside one row checks that a padded step carries the state.
    const mask = new Float32Array(b * steps);
    for (let i = 0; i < b; i++) {
      const len = i === 0 ? 0 : i === 1 ? steps : r.int(steps + 1);
      for (let j = 0; j < len; j++) mask[i * steps + j] = 1;
    }
    if (b > 2 && steps > 2) mask[2 * steps + 1] = 0;
    const run = () =>
      tf.tidy(() => {
        const m = tf.tensor2d(mask, [b, steps]);
        const f = (x: tf.Tensor, v: tf.Tensor) =>
          tf.sum(tf.mul(lstmSequence(x as tf.Tensor3D, v as tf.Tensor2D, m, { reverse }), t(w)));
        const [gx, gu] = tf.grads(f)([t(xp), t(u)]);
        return arrays([lstmSequence(t(xp) as tf.Tensor3D, t(u) as tf.Tensor2D, m, { reverse }), gx!, gu!]);
      });
    const cpu = await on('cpu', run);
    await initBackend();
    expect(tf.getKernel('SiameseLstmSequence', 'wasm')).toBeDefined();
    await matchesCpu(run);
    // The plain-op path on wasm (performanceKernels: false) agrees too.
    await initBackend({ performanceKernels: false });
    expect(tf.getKernel('SiameseLstmSequence', 'wasm')).toBeUndefined();
    const plain = run();
    for (let i = 0; i < cpu.length; i++) {
      for (let j = 0; j < cpu[i]!.length; j++)
        expect(Math.abs(plain[i]![j]! - cpu[i]![j]!)).toBeLessThan(1e-4);
    }
  });

  it('rejects inconsistent shapes with a message naming them', async () => {
    await initBackend();
    expect(() => tf.tidy(() => lstmSequence(tf.zeros([2, 3, 8]), tf.zeros([3, 8]), tf.ones([2, 3])))).toThrow(
      /expected xp \[B, T, 4H\], U \[H, 4H\], mask \[B, T\], found xp \[2,3,8\], U \[3,8\]/,
    );
  });

  it('a training step through the fused layer does not leak', async () => {
    await initBackend();
    const rng = new Rng(4);
    const u = tf.variable(tf.tensor2d(values(rng, 8 * 32), [8, 32]));
    const w = tf.variable(tf.tensor2d(values(rng, 5 * 32), [5, 32]));
    const x = tf.tensor3d(values(rng, 6 * 4 * 5), [6, 4, 5]);
    const m = tf.tensor2d([1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0], [6, 4]);
    const opt = tf.train.adam(0.01);
    const loss = () => {
      const xp = tf.reshape(tf.matMul(tf.reshape(x, [24, 5]), w), [6, 4, 32]) as tf.Tensor3D;
      const hs = lstmSequence(xp, u, m);
      const back = lstmSequence(xp, u, m, { reverse: true });
      return tf.mean(
        tf.square(tf.add(tf.slice(hs, [0, 3, 0], [6, 1, 8]), tf.slice(back, [0, 0, 0], [6, 1, 8]))),
      ) as tf.Scalar;
    };
    await tensorLeakCheck(() => opt.minimize(loss, true)?.dispose(), { iterations: 3 });
    tf.dispose([u, w, x, m]);
    opt.dispose();
  });
});

describe('embeddingBag matches gather + weighted sum', () => {
  it.each([
    { v: 30, d: 8, b: 6, t: 5 },
    { v: 200, d: 33, b: 3, t: 11 },
  ])('V=$v D=$d B=$b T=$t: value and gradients on cpu and wasm', async ({ v, d, b, t: steps }) => {
    const r = new Rng(v + d);
    const table = rand(r, [v, d]);
    const ids = Int32Array.from({ length: b * steps }, () => r.int(v));
    const w = Float32Array.from({ length: b * steps }, (_, i) =>
      i % steps < 1 + (i % 4) ? r.uniform(0, 1) : 0,
    );
    const dy = rand(r, [b, d]);
    const reference = () =>
      tf.tidy(() => {
        const idt = tf.tensor2d(ids, [b, steps], 'int32');
        const f = (e: tf.Tensor, wt: tf.Tensor) =>
          tf.sum(tf.mul(tf.sum(tf.mul(tf.gather(e, idt), tf.expandDims(wt, 2)), 1), t(dy)));
        const [ge, gw] = tf.grads(f)([t(table), tf.tensor2d(w, [b, steps])]);
        return arrays([
          tf.sum(tf.mul(tf.gather(t(table), idt), tf.expandDims(tf.tensor2d(w, [b, steps]), 2)), 1),
          ge!,
          gw!,
        ]);
      });
    const fused = () =>
      tf.tidy(() => {
        const idt = tf.tensor2d(ids, [b, steps], 'int32');
        const f = (e: tf.Tensor, wt: tf.Tensor) =>
          tf.sum(tf.mul(embeddingBag(e as tf.Tensor2D, idt, wt as tf.Tensor2D), t(dy)));
        const [ge, gw] = tf.grads(f)([t(table), tf.tensor2d(w, [b, steps])]);
        return arrays([embeddingBag(t(table) as tf.Tensor2D, idt, tf.tensor2d(w, [b, steps])), ge!, gw!]);
      });
    const want = await on('cpu', reference);
    for (const backend of ['cpu', 'wasm'] as const) {
      const got = await on(backend, fused);
      for (let i = 0; i < want.length; i++) {
        for (let j = 0; j < want[i]!.length; j++)
          expect(Math.abs(got[i]![j]! - want[i]![j]!)).toBeLessThan(1e-5);
      }
    }
  });

  it('checks shapes and ids', async () => {
    await initBackend();
    const e = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => embeddingBag(e, tf.tensor2d([[1, 9]], [1, 2], 'int32'), tf.ones([1, 2]))).toThrow(
      /id 9 is not in \[0, 3\]/,
    );
    expect(() => embeddingBag(e, tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.ones([2, 1]))).toThrow(
      /expected table float32 \[V, D\], ids int32 \[B, T\], weights float32 \[B, T\]/,
    );
    // A pad id outside the table is fine where its weight is 0.
    const y = tf.tidy(() =>
      embeddingBag(tf.ones([4, 2]), tf.tensor2d([[1, 99]], [1, 2], 'int32'), tf.tensor2d([[0.5, 0]])),
    );
    expect(Array.from(y.dataSync())).toEqual([0.5, 0.5]);
    tf.dispose([e, y]);
  });
});

describe('fusedAdam', () => {
  /** Four Adam steps on a small regression; returns the weights and the optimizer state after each. */
  const train = (make: () => tf.Optimizer) => {
    const rng = new Rng(12);
    const w = tf.variable(tf.tensor2d(values(rng, 6 * 3), [6, 3]));
    const e = tf.variable(tf.tensor2d(values(rng, 10 * 6), [10, 6]));
    const x = tf.tensor1d([1, 4, 4, 9], 'int32');
    const y = tf.tensor2d(values(rng, 4 * 3), [4, 3]);
    const opt = make();
    const out: Float32Array[] = [];
    for (let i = 0; i < 4; i++) {
      opt.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(tf.gather(e, x), w), y))) as tf.Scalar, false, [
        w,
        e,
      ]);
      out.push(w.dataSync() as Float32Array, e.dataSync() as Float32Array);
    }
    return { out, opt, dispose: () => tf.dispose([w, e, x, y]) };
  };

  it('follows tf.train.adam step for step on cpu and wasm, with the same state', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend({ backend });
      const ref = train(() => tf.train.adam(0.05));
      const got = train(() => fusedAdam(0.05));
      expect(got.opt).toBeInstanceOf(FusedAdamOptimizer);
      expect(got.opt.iterations).toBe(4);
      for (let i = 0; i < ref.out.length; i++) {
        for (let j = 0; j < ref.out[i]!.length; j++) expect(got.out[i]![j]).toBeCloseTo(ref.out[i]![j]!, 5);
      }
      const [rw, gw] = [await ref.opt.getWeights(), await got.opt.getWeights()];
      // Same layout (names differ only by the auto-numbered variables).
      const layout = (ws: { name: string }[]) => ws.map((n) => n.name.replace(/^[^/]*/, ''));
      expect(layout(gw)).toEqual(layout(rw));
      for (let i = 0; i < rw.length; i++) {
        const a = rw[i]!.tensor.dataSync();
        const b = gw[i]!.tensor.dataSync();
        for (let j = 0; j < a.length; j++) expect(Math.abs(a[j]! - b[j]!)).toBeLessThan(1e-5);
      }
      ref.dispose();
      got.dispose();
      ref.opt.dispose();
      got.opt.dispose();
    }
  });

  it('does not leak tensors across steps', async () => {
    await initBackend();
    const w = tf.variable(tf.ones([50, 8]));
    const opt = fusedAdam(0.01);
    const ids = tf.tensor1d([3, 7, 7], 'int32');
    await tensorLeakCheck(() =>
      opt.minimize(() => tf.sum(tf.square(tf.gather(w, ids))) as tf.Scalar)?.dispose(),
    );
    tf.dispose([w, ids]);
    opt.dispose();
  });
});

describe('a training step with every override does not leak', () => {
  it('LSTM-style step (gather, unstack, split, transposed matMuls) keeps numTensors constant', async () => {
    await initBackend();
    const rng = new Rng(1);
    const E = tf.variable(tf.tensor2d(values(rng, 50 * 8), [50, 8]));
    const W = tf.variable(tf.tensor2d(values(rng, 8 * 32), [8, 32]));
    const U = tf.variable(tf.tensor2d(values(rng, 8 * 32), [8, 32]));
    const ids = tf.tensor2d(
      Int32Array.from({ length: 6 * 5 }, () => rng.int(50)),
      [6, 5],
      'int32',
    );
    const opt = tf.train.adam(0.01);
    const loss = () => {
      const x = tf.reshape(tf.gather(E, tf.reshape(ids, [-1])), [6, 5, 8]);
      const xp = tf.reshape(tf.matMul(tf.reshape(x, [30, 8]), W), [6, 5, 32]);
      let h = tf.zeros([6, 8]);
      let c = tf.zeros([6, 8]);
      for (const step of tf.unstack(xp, 1)) {
        const [i, f, g, o] = tf.split(tf.add(step, tf.matMul(h, U)), 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
        h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
      }
      return tf.mean(tf.square(tf.max(tf.reverse(h, [1]), 1))) as tf.Scalar;
    };
    await tensorLeakCheck(() => opt.minimize(loss, true)?.dispose(), { iterations: 3 });
    tf.dispose([E, W, U, ids]);
    opt.dispose();
  });
});
