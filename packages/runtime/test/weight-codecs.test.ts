import { halfBitsToNumber as fromFloat16Bits, numberToHalfBits as toFloat16Bits } from '@siamese/safetensors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packWeights, unpackWeights } from '../src/io/format.js';
import { dequantizeInt8, quantizeInt8 } from '../src/io/weight-codecs.js';

const f16 = (x: number) => fromFloat16Bits(toFloat16Bits(x));

// The model format's f16 goes through @siamese/safetensors' converters: its bit patterns are checked here too.
describe('float16', () => {
  it('encodes the IEEE binary16 bit patterns', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(toFloat16Bits(65520)).toBe(0x7c00); // rounds up past it: Infinity
    expect(toFloat16Bits(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(toFloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toFloat16Bits(2 ** -26)).toBe(0); // below half the smallest subnormal
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
    expect(f16(0.1)).toBe(0.0999755859375);
  });

  it('rounds half to even', () => {
    expect(f16(1 + 2 ** -11)).toBe(1); // halfway, even below
    expect(f16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // halfway, even above
    expect(f16(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10); // just over halfway
    expect(f16(3 * 2 ** -25)).toBe(2 ** -23); // subnormal halfway rounds to even (2 units)
  });

  it('is the nearest half for every float in range (property)', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const y = f16(x);
        const a = Math.abs(x);
        // One unit in the last place of a half near x: 2^(e-10) for normals, 2^-24 for subnormals.
        const ulp = a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
        expect(Math.abs(y - x)).toBeLessThanOrEqual(ulp / 2 + 1e-12 * a);
      }),
    );
  });
});

describe('int8 with per-slice scales', () => {
  it('gives each row of a table (axis 0) and each output channel (last axis) its own scale', () => {
    const values = Float32Array.from([1, -0.5, 0.25, 100, 50, -25]); // [2, 3]
    const rows = quantizeInt8(values, [2, 3], 0);
    expect(Array.from(rows.scales)).toEqual([Math.fround(1 / 127), Math.fround(100 / 127)]);
    expect(Array.from(rows.q)).toEqual([127, -64, 32, 127, 64, -32]);
    const cols = quantizeInt8(values, [2, 3], 1);
    expect(Array.from(cols.scales)).toEqual([100, 50, 25].map((m) => Math.fround(m / 127)));
    expect(Array.from(cols.q)).toEqual([1, -1, 1, 127, 127, -127]);
  });

  it('keeps zero rows zero (the padding row) and errs by at most half a step (property)', () => {
    const tensor = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1 }))
      .chain(([r, c, axis]) =>
        fc.tuple(
          fc.constant([r, c]),
          fc.constant(axis),
          fc.float32Array({
            minLength: r * c,
            maxLength: r * c,
            noNaN: true,
            noDefaultInfinity: true,
            min: -1e6,
            max: 1e6,
          }),
        ),
      );
    fc.assert(
      fc.property(tensor, ([shape, axis, values]) => {
        values.fill(0, 0, shape[1]!); // a padding row
        const { q, scales } = quantizeInt8(values, shape, axis);
        const back = dequantizeInt8(q, scales, shape, axis);
        for (let i = 0; i < values.length; i++) {
          const s = scales[axis === 0 ? Math.floor(i / shape[1]!) : i % shape[1]!]!;
          expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(s / 2 + 1e-6 * Math.abs(values[i]!));
        }
        if (axis === 0) expect(Array.from(back.subarray(0, shape[1]!)).every((x) => x === 0)).toBe(true);
      }),
    );
  });
});

describe('packWeights with compact encodings', () => {
  const tensors = [
    {
      name: 'embedding.weight',
      shape: [4, 3],
      values: Float32Array.from([0, 0, 0, 1, 2, 3, -1, 0.5, 0.25, 9, -9, 1]),
    },
    { name: 'dense.weight', shape: [3, 2], values: Float32Array.from([0.1, -0.2, 0.3, -0.4, 0.5, -0.6]) },
    { name: 'dense.bias', shape: [2], values: Float32Array.from([0.123456789, -1e-7]) },
  ];
  const axisOf = (t: { name: string; shape: number[] }) =>
    t.shape.length < 2 ? null : t.name.startsWith('embedding') ? 0 : t.shape.length - 1;

  it('stores matrices as f16 or int8 (+ scales) and vectors as f32, and reads them back as float32', () => {
    const f32 = packWeights(tensors, 'f32');
    const half = packWeights(tensors, 'f16');
    const int8 = packWeights(tensors, 'int8', axisOf);
    expect(f32.blob.byteLength).toBe((12 + 6 + 2) * 4);
    expect(half.entries.map((e) => e.dtype)).toEqual(['f16', 'f16', 'f32']);
    expect(half.blob.byteLength).toBe(24 + 12 + 8);
    expect(int8.entries.map((e) => e.dtype)).toEqual(['int8', 'int8', 'f32']);
    expect(int8.entries[0]!.scales).toEqual({ axis: 0, byteOffset: 12 });
    expect(int8.entries[1]!.scales!.axis).toBe(1);
    expect(int8.blob.byteLength).toBe(12 + 16 + 8 + 8 + 8); // values, 4 row scales, 6 values padded, 2 scales, bias
    for (const { blob, entries } of [f32, half, int8]) {
      expect(entries.every((e) => e.byteOffset % 4 === 0)).toBe(true);
      const back = unpackWeights(blob, entries);
      expect(Array.from(back.get('dense.bias')!.values)).toEqual(Array.from(tensors[2]!.values));
      tensors.forEach((t) => {
        const got = back.get(t.name)!.values;
        t.values.forEach((x, i) => {
          expect(Math.abs(got[i]! - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 9 / 254 + 1e-9);
        });
      });
    }
    expect(Array.from(unpackWeights(f32.blob, f32.entries).get('embedding.weight')!.values)).toEqual(
      Array.from(tensors[0]!.values),
    );
  });

  it('refuses entries whose int8 scales or values lie outside the blob', () => {
    const { blob, entries } = packWeights(tensors, 'int8', axisOf);
    const bad = entries.map((e) =>
      e.scales ? { ...e, scales: { ...e.scales, byteOffset: blob.byteLength } } : e,
    );
    expect(() => unpackWeights(blob, bad)).toThrow(expect.objectContaining({ code: 'E_MODEL_CORRUPT' }));
    const far = entries.map((e, i) => (i === 1 ? { ...e, byteOffset: 2 ** 40 } : e));
    expect(() => unpackWeights(blob, far)).toThrow(expect.objectContaining({ code: 'E_MODEL_TRUNCATED' }));
    const odd = entries.map((e, i) => (i === 0 ? { ...e, dtype: 'bf16' as never } : e));
    expect(() => unpackWeights(blob, odd)).toThrow(/expected dtype f32\|f16\|int8, found "bf16"/);
  });
});
