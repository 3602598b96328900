import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Dtype,
  dtypeBits,
  parseSafetensors,
  serializeSafetensors,
  type TensorToWrite,
} from '../src/index.js';
import { codeOf, fixtureBytes, fixtureJson, fromBits } from './fixtures.js';

describe('serializeSafetensors', () => {
  it('writes the bytes the reference writes (safetensors.torch.save): order, header, padding, F16/BF16 rounding', () => {
    const spec = fixtureJson('interop/safetensors/writer.json');
    const tensors: [string, TensorToWrite][] = Object.entries<any>(spec.tensors).map(([name, t]) => {
      const data =
        'float32_bits' in t
          ? fromBits(t.float32_bits)
          : t.dtype === 'I64'
            ? BigInt64Array.from(t.ints.map((v: number) => BigInt(v)))
            : t.dtype === 'I8'
              ? Int8Array.from(t.ints)
              : Int32Array.from(t.ints);
      return [name, { data, shape: t.shape, dtype: t.dtype as Dtype }];
    });
    const out = serializeSafetensors(tensors, { metadata: spec.metadata });
    expect(out).toEqual(fixtureBytes('interop/safetensors/writer.safetensors'));
  });

  it('round-trips any tensors (property, seeded)', () => {
    const dtypes: Dtype[] = ['F32', 'F16', 'BF16', 'F64', 'I32', 'I8', 'U8', 'I64'];
    const tensor = fc
      .record({
        dtype: fc.constantFrom(...dtypes),
        shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      })
      .chain(({ dtype, shape }) => {
        const n = shape.reduce((a, d) => a * d, 1);
        return fc
          .array(fc.integer({ min: -120, max: 120 }), { minLength: n, maxLength: n })
          .map((vals) => ({ dtype, shape, vals }));
      });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tensor, { maxKeys: 6 }),
        fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), { nil: undefined }),
        (spec, metadata) => {
          const entries = Object.entries(spec).filter(([k]) => k !== '__metadata__');
          const input = entries.map(([name, t]) => {
            const data =
              t.dtype === 'I64'
                ? BigInt64Array.from(t.vals.map(BigInt))
                : t.dtype === 'I32'
                  ? Int32Array.from(t.vals)
                  : t.dtype === 'I8'
                    ? Int8Array.from(t.vals)
                    : t.dtype === 'U8'
                      ? Uint8Array.from(t.vals.map((v) => v + 120))
                      : Float32Array.from(t.vals, (v) => v / 8);
            return [name, { data, shape: t.shape, dtype: t.dtype }] as const;
          });
          const bytes = serializeSafetensors(input, metadata ? { metadata } : {});
          expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
          const file = parseSafetensors(bytes);
          expect(file.metadata).toEqual(metadata ?? null);
          for (const [name, t] of input) {
            const info = file.info(name);
            expect(info.dtype).toBe(t.dtype);
            expect(info.shape).toEqual(t.shape);
            // Every value is exact in each dtype (small integers, eighths), so the conversion is lossless.
            const want =
              t.dtype === 'U8'
                ? Array.from(t.data as Uint8Array)
                : Array.from(t.data as ArrayLike<number | bigint>, Number);
            expect(Array.from(file.float32(name))).toEqual(want);
            // Alignment: the reference layout keeps every tensor aligned to its element size.
            expect((file.header.dataOffset + info.begin) % (dtypeBits(info.dtype) / 8)).toBe(0);
          }
        },
      ),
      { seed: 18, numRuns: 300 },
    );
  });

  it('copies a tensor read from another file unchanged from its raw bytes', () => {
    const src = parseSafetensors(fixtureBytes('interop/safetensors/dtypes.safetensors'));
    const out = parseSafetensors(
      serializeSafetensors(
        src
          .names()
          .map(
            (n) => [n, { data: src.bytesOf(n), shape: src.info(n).shape, dtype: src.info(n).dtype }] as const,
          ),
      ),
    );
    for (const n of src.names()) expect(out.bytesOf(n)).toEqual(src.bytesOf(n));
  });

  it('takes a Uint16Array as F16 / BF16 bit patterns', () => {
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x7c00]);
    const f = parseSafetensors(
      serializeSafetensors({
        h: { data: bits, shape: [3], dtype: 'F16' },
        b: { data: bits, shape: [3], dtype: 'BF16' },
      }),
    );
    expect(Array.from(f.float32('h'))).toEqual([1, -2, Number.POSITIVE_INFINITY]);
    expect(Array.from(f.float32('b'))).toEqual([0.0078125, -2, fromBits([0x7c000000])[0]]);
  });

  it('rejects inconsistent input with E_SAFETENSORS_WRITE naming the tensor', () => {
    const f = new Float32Array(6);
    expect(codeOf(() => serializeSafetensors({ a: { data: f, shape: [2, 2] } }))).toBe('E_SAFETENSORS_WRITE');
    expect(codeOf(() => serializeSafetensors({ a: { data: f, shape: [-6] } }))).toBe('E_SAFETENSORS_WRITE');
    expect(codeOf(() => serializeSafetensors({ a: { data: f, shape: [6], dtype: 'I32' } }))).toBe(
      'E_SAFETENSORS_WRITE',
    );
    expect(
      codeOf(() => serializeSafetensors({ a: { data: new Uint8Array(3), shape: [2], dtype: 'F16' } })),
    ).toBe('E_SAFETENSORS_WRITE');
    expect(codeOf(() => serializeSafetensors({ __metadata__: { data: f, shape: [6] } }))).toBe(
      'E_SAFETENSORS_WRITE',
    );
    expect(
      codeOf(() =>
        serializeSafetensors([
          ['x', { data: f, shape: [6] }],
          ['x', { data: f, shape: [6] }],
        ]),
      ),
    ).toBe('E_SAFETENSORS_WRITE');
    expect(codeOf(() => serializeSafetensors({ a: { data: [1, 2] as never, shape: [2] } }))).toBe(
      'E_SAFETENSORS_WRITE',
    );
    expect(codeOf(() => serializeSafetensors({}, { metadata: { a: 1 as never } }))).toBe(
      'E_SAFETENSORS_WRITE',
    );
    try {
      serializeSafetensors({ 'layer.weight': { data: f, shape: [4] } });
    } catch (e) {
      expect((e as Error).message).toBe(
        'safetensors: tensor "layer.weight": shape [4] has 4 elements, data has 6',
      );
    }
  });
});
