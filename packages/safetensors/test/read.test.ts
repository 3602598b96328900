import type { SiameseError } from '@siamese/core';
import { describe, expect, it } from 'vitest';
import {
  halfBitsToNumber,
  numberToBfloat16Bits,
  numberToHalfBits,
  parseSafetensors,
  readSafetensorsHeader,
  safetensorsHeaderLength,
  serializeSafetensors,
} from '../src/index.js';
import { codeOf, fixtureBytes, fixtureJson } from './fixtures.js';

describe('parseSafetensors on files written by PyTorch + the reference library', () => {
  const bytes = fixtureBytes('interop/safetensors/dtypes.safetensors');
  const expected = fixtureJson('interop/safetensors/dtypes.json');
  const file = parseSafetensors(bytes);

  it('reads names, dtypes, shapes and metadata', () => {
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(new Set(file.names())).toEqual(new Set(Object.keys(expected.tensors)));
    for (const [name, e] of Object.entries<any>(expected.tensors)) {
      const info = file.info(name);
      expect([name, info.dtype, info.shape]).toEqual([name, e.dtype, e.shape]);
      expect(info.size).toBe(e.shape.reduce((a: number, d: number) => a * d, 1));
    }
  });

  it('converts every dtype to the float32 values torch .float() gives (bit for bit)', () => {
    for (const [name, e] of Object.entries<any>(expected.tensors)) {
      const got = file.float32(name);
      expect([name, Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length))]).toEqual([
        name,
        e.float32_bits,
      ]);
    }
  });

  it('reads integer tensors as int32 and refuses values outside the range', () => {
    for (const name of ['i8', 'u8', 'i16', 'i32', 'bool']) {
      expect(Array.from(file.int32(name))).toEqual(expected.tensors[name].ints);
    }
    const err = (() => {
      try {
        file.int32('i64');
      } catch (e) {
        return e as SiameseError;
      }
    })();
    expect(err?.code).toBe('E_SAFETENSORS_DTYPE');
    expect(err?.message).toContain('element 1 is 1099511627776');
    expect(codeOf(() => file.int32('f32'))).toBe('E_SAFETENSORS_DTYPE');
  });

  it('F32 is a zero-copy view of the file when aligned, a copy when not', () => {
    const w = file.float32('f32');
    expect(w.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = parseSafetensors(shifted.subarray(1));
    const copy = unaligned.float32('f32');
    expect(copy.buffer).not.toBe(shifted.buffer);
    expect(Array.from(copy)).toEqual(Array.from(w));
    expect(Array.from(unaligned.float32('f16'))).toEqual(Array.from(file.float32('f16')));
    expect(Array.from(unaligned.float32('bf16'))).toEqual(Array.from(file.float32('bf16')));
    expect(Array.from(unaligned.int32('i32'))).toEqual(Array.from(file.int32('i32')));
  });

  it('bytesOf is the raw little-endian data; unknown names say which exist', () => {
    expect(Array.from(file.bytesOf('i8'))).toEqual([128, 255, 0, 127]);
    const e = (() => {
      try {
        file.info('nope');
      } catch (x) {
        return x as SiameseError;
      }
    })();
    expect(e?.code).toBe('E_SAFETENSORS_NOT_FOUND');
    expect(e?.message).toMatch(/no tensor "nope"; the file has 13: /);
  });

  it('accepts an ArrayBuffer and reads the header from a prefix with the file size', () => {
    expect(parseSafetensors(bytes.slice().buffer).names()).toEqual(file.names());
    const n = safetensorsHeaderLength(bytes.subarray(0, 8));
    const header = readSafetensorsHeader(bytes.subarray(0, 8 + n), { fileSize: bytes.length });
    expect(header.tensors.map((t) => t.name)).toEqual(file.names());
    expect(header.byteLength).toBe(bytes.length);
  });
});

describe('half and bfloat16 conversions', () => {
  it('every binary16 value round-trips through float32', () => {
    for (let h = 0; h < 65536; h++) {
      const v = halfBitsToNumber(h);
      if (Number.isNaN(v)) expect(Number.isNaN(halfBitsToNumber(numberToHalfBits(v)))).toBe(true);
      else expect(numberToHalfBits(v)).toBe(h);
    }
  });

  it('rounds to nearest even like torch (ties, subnormals, overflow)', () => {
    expect(numberToHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(numberToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(numberToHalfBits(2 ** -25)).toBe(0);
    expect(numberToHalfBits(3 * 2 ** -25)).toBe(2);
    expect(numberToHalfBits(65519)).toBe(0x7bff);
    expect(numberToHalfBits(65520)).toBe(0x7c00);
    expect(numberToHalfBits(-0)).toBe(0x8000);
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(numberToBfloat16Bits(Number.NaN) & 0x7fc0).toBe(0x7fc0); // any quiet NaN (torch writes 0x7FC0 or 0xFFFF)
    expect(numberToHalfBits(Number.NaN)).toBe(0x7e00);
  });
});

describe('the seed tutorial model (fixtures/golden/seed_model)', () => {
  const file = parseSafetensors(fixtureBytes('golden/seed_model/model.safetensors'));
  const expected = fixtureJson('golden/seed_model/expected.json');

  it('has the state_dict names and shapes PyTorch saved', () => {
    expect(file.names().slice().sort()).toEqual(expected.state_dict_keys);
    const { input_size: V, hidden_size: H } = expected.config;
    expect(file.info('encoder.embedding.weight').shape).toEqual([V, H]);
    for (const l of [0, 1]) {
      expect(file.info(`encoder.lstm.weight_ih_l${l}`).shape).toEqual([4 * H, H]);
      expect(file.info(`encoder.lstm.weight_hh_l${l}`).shape).toEqual([4 * H, H]);
      expect(file.info(`encoder.lstm.bias_ih_l${l}`).shape).toEqual([4 * H]);
      expect(file.info(`encoder.lstm.bias_hh_l${l}`).shape).toEqual([4 * H]);
    }
    expect(file.metadata).toEqual({ format: 'pt', source: 'seed SiameseNetwork' });
  });

  // The values are right if the network they describe gives PyTorch's outputs: a plain float64 re-run of
  // Embedding -> LSTM(num_layers=2) -> h[-1] (gate order i, f, g, o) must reproduce expected.json to 1e-5.
  const w = (name: string) => file.float32(name);
  function encode(ids: number[]): number[] {
    const H = expected.config.hidden_size as number;
    const emb = w('encoder.embedding.weight');
    let xs = ids.map((id) => Array.from(emb.subarray(id * H, (id + 1) * H)));
    for (const l of [0, 1]) {
      const [wi, wh, bi, bh] = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((k) =>
        w(`encoder.lstm.${k}_l${l}`),
      );
      let h = new Array(H).fill(0);
      let c = new Array(H).fill(0);
      const out: number[][] = [];
      for (const x of xs) {
        const z = Array.from({ length: 4 * H }, (_, r) => {
          let s = bi![r]! + bh![r]!;
          for (let k = 0; k < x.length; k++) s += wi![r * x.length + k]! * x[k]!;
          for (let k = 0; k < H; k++) s += wh![r * H + k]! * h[k]!;
          return s;
        });
        const sig = (v: number) => 1 / (1 + Math.exp(-v));
        c = c.map((cv, j) => sig(z[H + j]!) * cv + sig(z[j]!) * Math.tanh(z[2 * H + j]!));
        h = c.map((cv, j) => sig(z[3 * H + j]!) * Math.tanh(cv));
        out.push(h);
      }
      xs = out;
    }
    return xs[xs.length - 1]!;
  }

  it('its weights reproduce the seed encoder outputs (unbatched, and the pads-read padded batch) to 1e-5', () => {
    for (const u of expected.unbatched) {
      const h = encode(u.ids);
      h.forEach((v, j) => {
        expect(Math.abs(v - u.h[j])).toBeLessThan(1e-5);
      });
    }
    expected.padded_batch.ids.forEach((row: number[], b: number) => {
      const h = encode(row);
      h.forEach((v, j) => {
        expect(Math.abs(v - expected.padded_batch.h[b][j])).toBeLessThan(1e-5);
      });
    });
  });

  it('re-serialises to the same tensors (names, shapes, bytes)', () => {
    const again = parseSafetensors(
      serializeSafetensors(
        file.names().map((n) => [n, { data: file.float32(n), shape: file.info(n).shape }] as const),
        { metadata: { format: 'pt' } },
      ),
    );
    for (const n of file.names()) expect(again.bytesOf(n)).toEqual(file.bytesOf(n));
  });
});
