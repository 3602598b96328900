import { parseSafetensors, serializeSafetensors } from '@siamese/safetensors';
import { assert, assertClose, assertEqual, assertThrows, defineSuite, fixtureJson } from '../harness.js';

/** float32 values from bit patterns (exact, NaN and ±Infinity included). */
const fromBits = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);

export default defineSuite('safetensors', (test) => {
  test('the seed model: names, shapes and values as numpy reads them', async (ctx) => {
    const file = parseSafetensors(await ctx.fixture('golden/seed_model/model.safetensors'));
    const stats = await fixtureJson(ctx, 'interop/seed_model_stats.json');
    assertEqual(file.metadata, stats.metadata, 'metadata');
    assertEqual(file.names().slice().sort(), Object.keys(stats.tensors).sort(), 'names');
    for (const [name, s] of Object.entries<any>(stats.tensors)) {
      const v = file.float32(name);
      assertEqual(file.info(name).shape, s.shape, `${name} shape`);
      assertEqual(Array.from(v.subarray(0, 3)), s.first.map(Math.fround), `${name} first values`);
      let sum = 0;
      let sq = 0;
      for (const x of v) {
        sum += x;
        sq += x * x;
      }
      assertClose([sum, sq], [s.sum, s.sum_of_squares], 1e-9, `${name} sums`);
      assert(v.buffer === file.bytesOf(name).buffer, `${name}: F32 is a zero-copy view`);
    }
  });

  test('every dtype converts bit for bit as torch .float() does', async (ctx) => {
    const file = parseSafetensors(await ctx.fixture('interop/safetensors/dtypes.safetensors'));
    const expected = await fixtureJson(ctx, 'interop/safetensors/dtypes.json');
    for (const [name, e] of Object.entries<any>(expected.tensors)) {
      const got = file.float32(name);
      assertEqual(Array.from(new Uint32Array(got.slice().buffer)), e.float32_bits, `${name} bits`);
    }
    assertEqual(Array.from(file.int32('i8')), expected.tensors.i8.ints, 'i8 as int32');
  });

  test('the writer reproduces safetensors.torch.save byte for byte (F16/BF16 rounding, order, padding)', async (ctx) => {
    const spec = await fixtureJson(ctx, 'interop/safetensors/writer.json');
    const tensors = Object.entries<any>(spec.tensors).map(([name, t]) => {
      const data =
        'float32_bits' in t
          ? fromBits(t.float32_bits)
          : t.dtype === 'I64'
            ? BigInt64Array.from(t.ints.map((v: number) => BigInt(v)))
            : t.dtype === 'I8'
              ? Int8Array.from(t.ints)
              : Int32Array.from(t.ints);
      return [name, { data, shape: t.shape, dtype: t.dtype }] as const;
    });
    const out = serializeSafetensors(tensors, { metadata: spec.metadata });
    const ref = await ctx.fixture('interop/safetensors/writer.safetensors');
    assertEqual(out.length, ref.length, 'length');
    assert(
      out.every((b, i) => b === ref[i]),
      'bytes',
    );
  });

  test('a hostile header gets a typed error, not an allocation', async () => {
    const bomb = new Uint8Array(16);
    new DataView(bomb.buffer).setUint32(4, 0x7fffffff, true);
    await assertThrows(() => parseSafetensors(bomb), 'E_SAFETENSORS_LIMIT', 'length bomb');
    const h = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}');
    const file = new Uint8Array(8 + h.length);
    new DataView(file.buffer).setUint32(0, h.length, true);
    file.set(h, 8);
    await assertThrows(() => parseSafetensors(file), 'E_SAFETENSORS_TRUNCATED', 'offsets past the end');
  });
});
