import { SiameseError } from '@siamese/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors } from '../src/index.js';
import { fixtureBytes } from './fixtures.js';

/** A file from a header object (serialised as given, padded to 8) and a data section of `dataBytes` bytes. */
function craft(header: unknown, dataBytes: number, headerLength?: number): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const n = Math.ceil(h.length / 8) * 8;
  const out = new Uint8Array(8 + n + dataBytes);
  const dv = new DataView(out.buffer);
  const len = headerLength ?? n;
  dv.setUint32(0, len % 2 ** 32, true);
  dv.setUint32(4, Math.floor(len / 2 ** 32), true);
  out.set(h, 8);
  out.fill(0x20, 8 + h.length, 8 + n);
  return out;
}

function errorOf(bytes: Uint8Array): SiameseError {
  try {
    parseSafetensors(bytes);
  } catch (e) {
    return e as SiameseError;
  }
  throw new Error('expected parseSafetensors to throw');
}

const t = (dtype: string, shape: unknown, begin: unknown, end: unknown) => ({
  dtype,
  shape,
  data_offsets: [begin, end],
});

describe('malformed and hostile files get a typed error before anything large is allocated', () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ['fewer than 8 bytes', new Uint8Array(5), 'E_SAFETENSORS_TRUNCATED', /at least 8 bytes .* found 5/],
    ['a header length bomb (2^63)', craft({}, 0, 2 ** 63), 'E_SAFETENSORS_LIMIT', /more than 2\^53/],
    [
      'a header over the 100 MB cap',
      craft({}, 0, 100_000_001),
      'E_SAFETENSORS_LIMIT',
      /100000001 bytes, more than/,
    ],
    [
      'a header longer than the file',
      craft({}, 0, 4096),
      'E_SAFETENSORS_TRUNCATED',
      /declares 4096 bytes .* only 8 follow/,
    ],
    ['an empty header', craft('', 0, 0), 'E_SAFETENSORS_HEADER', /starting with "\{"/],
    ['a header that is not an object', craft('[1,2]', 0), 'E_SAFETENSORS_HEADER', /found byte 0x5b/],
    ['invalid JSON', craft('{"a":', 0), 'E_SAFETENSORS_HEADER', /not valid UTF-8 JSON/],
    [
      'invalid UTF-8',
      (() => {
        const b = craft('{"a":1}', 0);
        b[10] = 0xff;
        return b;
      })(),
      'E_SAFETENSORS_HEADER',
      /not valid UTF-8 JSON/,
    ],
    [
      'metadata that is not strings',
      craft({ __metadata__: { a: 1 } }, 0),
      'E_SAFETENSORS_HEADER',
      /"__metadata__"\."a" must be a string/,
    ],
    [
      'an unknown dtype',
      craft({ w: t('F128', [1], 0, 16) }, 16),
      'E_SAFETENSORS_TENSOR',
      /tensor "w": unknown dtype "F128"/,
    ],
    [
      'a negative dimension',
      craft({ w: t('F32', [-1, 2], 0, 8) }, 8),
      'E_SAFETENSORS_TENSOR',
      /tensor "w": shape must be .* \[-1,2\]/,
    ],
    [
      'a fractional dimension',
      craft({ w: t('F32', [1.5], 0, 6) }, 6),
      'E_SAFETENSORS_TENSOR',
      /non-negative integers, found \[1\.5\]/,
    ],
    ['a string dimension', craft({ w: t('F32', ['2'], 0, 8) }, 8), 'E_SAFETENSORS_TENSOR', /shape must be/],
    [
      'offsets that are not a pair',
      craft({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4),
      'E_SAFETENSORS_TENSOR',
      /data_offsets must be \[begin, end\]/,
    ],
    [
      'reversed offsets',
      craft({ w: t('F32', [0], 8, 4) }, 8),
      'E_SAFETENSORS_TENSOR',
      /end before they begin/,
    ],
    [
      'a shape that disagrees with the bytes',
      craft({ w: t('F32', [3, 2], 0, 16) }, 16),
      'E_SAFETENSORS_TENSOR',
      /shape \[3,2\] of F32 needs 24 bytes, but data_offsets \[0, 16\] hold 16/,
    ],
    [
      'a shape that overflows',
      craft({ w: t('F32', [2 ** 30, 2 ** 30, 2 ** 30], 0, 4) }, 4),
      'E_SAFETENSORS_TENSOR',
      /more than 2\^53 elements/,
    ],
    [
      'sub-byte elements that do not fill a byte',
      craft({ w: t('F4', [3], 0, 1) }, 1),
      'E_SAFETENSORS_TENSOR',
      /do not fill whole bytes/,
    ],
    [
      'offsets past the end of the file',
      craft({ w: t('F32', [1024], 0, 4096) }, 16),
      'E_SAFETENSORS_TRUNCATED',
      /file has \d+ bytes but tensor "w" ends at byte/,
    ],
    [
      'overlapping tensors',
      craft({ a: t('F32', [2], 0, 8), b: t('F32', [2], 4, 12) }, 12),
      'E_SAFETENSORS_LAYOUT',
      /tensor "b" starts at byte 4 of the data, expected 8: it overlaps "a"/,
    ],
    [
      'a hole between tensors',
      craft({ a: t('F32', [1], 0, 4), b: t('F32', [1], 8, 12) }, 12),
      'E_SAFETENSORS_LAYOUT',
      /leaves a hole of 4 bytes after "a"/,
    ],
    [
      'a hole at the start',
      craft({ a: t('F32', [1], 4, 8) }, 8),
      'E_SAFETENSORS_LAYOUT',
      /hole of 4 bytes at the start/,
    ],
    [
      'trailing bytes (a polyglot file)',
      craft({ a: t('F32', [1], 0, 4) }, 12),
      'E_SAFETENSORS_LAYOUT',
      /8 trailing bytes belong to no tensor/,
    ],
  ];
  for (const [what, bytes, code, message] of cases) {
    it(what, () => {
      const e = errorOf(bytes);
      expect(e).toBeInstanceOf(SiameseError);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message.startsWith('safetensors: ')).toBe(true);
    });
  }

  it('names the tensor in details', () => {
    expect(errorOf(craft({ 'layer.3.w': t('F32', [3], 0, 8) }, 8)).details).toMatchObject({
      tensor: 'layer.3.w',
      expected: 12,
      found: 8,
    });
  });

  it('accepts what the format allows: scalars, empty tensors, zero tensors, whitespace padding, any order', () => {
    const f = parseSafetensors(
      craft({ b: t('F32', [], 4, 8), e: t('F32', [0, 5], 8, 8), a: t('I8', [4], 0, 4), __metadata__: {} }, 8),
    );
    expect(f.names()).toEqual(['a', 'b', 'e']);
    expect(f.float32('e')).toHaveLength(0);
    expect(parseSafetensors(craft({}, 0)).names()).toEqual([]);
  });
});

describe('fuzz: arbitrary damage never escapes as anything but a coded error (seeded)', () => {
  const valid = fixtureBytes('interop/safetensors/dtypes.safetensors');
  const seed = fixtureBytes('golden/seed_model/model.safetensors');
  const check = (bytes: Uint8Array) => {
    try {
      const f = parseSafetensors(bytes);
      for (const n of f.names()) {
        try {
          f.float32(n);
        } catch (e) {
          expect((e as SiameseError).code).toBe('E_SAFETENSORS_DTYPE');
        }
      }
    } catch (e) {
      expect(e).toBeInstanceOf(SiameseError);
      expect((e as SiameseError).code).toMatch(/^E_SAFETENSORS_/);
    }
  };

  it('truncation at every length', () => {
    for (let n = 0; n < valid.length; n++) check(valid.slice(0, n));
  });

  it('random byte flips in the header and the length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(valid, seed),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (file, flips) => {
          const b = file.slice();
          const n = new DataView(b.buffer).getUint32(0, true) + 8;
          for (const [at, v] of flips) b[at % n] = v;
          check(b);
        },
      ),
      { seed: 1818, numRuns: 2000 },
    );
  });

  it('random headers built from plausible and implausible parts', () => {
    const num = fc.oneof(
      fc.integer({ min: -4, max: 64 }),
      fc.double(),
      fc.constant(2 ** 60),
      fc.constant('8'),
    );
    const entry = fc.record({
      dtype: fc.oneof(
        fc.constantFrom('F32', 'F16', 'BF16', 'I8', 'U8', 'I64', 'F8_E4M3', 'C64', 'F4'),
        fc.string(),
      ),
      shape: fc.oneof(fc.array(num, { maxLength: 3 }), num),
      data_offsets: fc.oneof(fc.tuple(num, num), fc.array(num, { maxLength: 3 })),
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(entry, fc.anything()), { maxKeys: 4 }),
        fc.integer({ min: 0, max: 80 }),
        (header, data) => check(craft(header, data)),
      ),
      { seed: 2718, numRuns: 2000 },
    );
  });

  it('a valid file survives re-serialisation of what it parsed (sanity for the fuzz base)', () => {
    const f = parseSafetensors(valid);
    const out = serializeSafetensors(
      f
        .names()
        .map((n) => [n, { data: f.bytesOf(n), shape: f.info(n).shape, dtype: f.info(n).dtype }] as const),
      { metadata: { format: 'pt' } },
    );
    expect(out).toEqual(valid);
  });
});
