import { Rng, SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, INDEX_FORMAT_VERSION, indexFromBytes, indexToBytes } from '../src/infer/index-format.js';
import type { IndexPrecision } from '../src/infer/quantize.js';
import { VectorIndex, type VectorIndexOptions } from '../src/infer/vector-index.js';

const FC = { seed: Number(process.env.FC_SEED ?? 15) || undefined };

function sample(options: VectorIndexOptions, n = 60, dim = 37, texts = true): VectorIndex {
  const rng = new Rng(3);
  const index = new VectorIndex(dim, { capacity: 1, ...options });
  const vectors = rng.fillNormal(new Float32Array(n * dim));
  index.add(
    vectors,
    texts ? Array.from({ length: n }, (_, i) => (i % 7 === 3 ? '' : `text ${i} — ünïcödé 🙂`)) : undefined,
  );
  index.remove([0, 5, 17, 59]);
  return index;
}

/** A copy of a valid file with the header JSON replaced and the checksum recomputed (a hostile, consistent file). */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const len = dv.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + len)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(16 + json.byteLength + (bytes.byteLength - 16 - len));
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, json.byteLength, true);
  out.set(json, 16);
  out.set(bytes.subarray(16 + len), 16 + json.byteLength);
  return reseal(out);
}

/** Recomputes the trailing CRC-32 so that only the structural checks can catch an edit. */
function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(
    bytes.byteLength - 4,
    crc32(bytes.subarray(0, -4)),
    true,
  );
  return bytes;
}

function errorOf(fn: () => unknown): SiameseError {
  try {
    fn();
  } catch (e) {
    if (SiameseError.is(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('the binary index format', () => {
  const cases: [IndexPrecision, Similarity, VectorIndexOptions['rescoreTier']][] = [
    ['float32', 'cosine', undefined],
    ['float32', 'manhattan', undefined],
    ['int8', 'dot', undefined],
    ['int8', 'euclidean', undefined],
    ['binary', 'cosine', 'int8'],
    ['binary', 'dot', 'none'],
  ];
  for (const [precision, similarity, rescoreTier] of cases) {
    it(`round-trips a ${precision} ${similarity} index (tier ${rescoreTier ?? 'none'}): same ids, texts, hits and bytes`, () => {
      const index = sample({ precision, similarity, ...(rescoreTier ? { rescoreTier } : {}) });
      const bytes = indexToBytes(index);
      const back = indexFromBytes(bytes);
      expect([back.dim, back.similarity, back.precision, back.rescoreTier]).toEqual([
        index.dim,
        index.similarity,
        index.precision,
        index.rescoreTier,
      ]);
      expect([back.count(), back.nextId]).toEqual([56, 60]);
      expect(back.text(11)).toBe('text 11 — ünïcödé 🙂');
      expect(back.text(3)).toBe('');
      expect(back.has(5)).toBe(false);
      const q = new Rng(9).fillNormal(new Float32Array(37));
      expect(back.search(q, 8)).toEqual(index.search(q, 8));
      expect(indexToBytes(back)).toEqual(bytes);
      // Still an index after loading: adds continue the ids, removes work.
      expect(back.add(q)).toEqual([60]);
      expect(back.remove([60, 1])).toBe(2);
    });
  }

  it('is compact: int8 ≈ ¼ and binary ≈ 1/32 of float32 (without texts)', () => {
    const size = (precision: IndexPrecision) =>
      indexToBytes(sample({ precision, rescoreTier: 'none' }, 2000, 256, false)).byteLength;
    const float = size('float32');
    expect(float).toBeGreaterThan(1996 * 256 * 4);
    expect(float / size('int8')).toBeGreaterThan(3.8);
    expect(float / size('binary')).toBeGreaterThan(20); // the u32 ids are 4 of each binary row's 36 bytes
  });

  it('an index without texts, an empty one, and a vector without text all survive', () => {
    const plain = sample({ precision: 'int8' }, 10, 4, false);
    expect(
      indexFromBytes(indexToBytes(plain)).search(Float32Array.from([1, 0, 0, 0]), 1)[0]!.text,
    ).toBeUndefined();
    const empty = new VectorIndex(3, { precision: 'binary' });
    const back = indexFromBytes(indexToBytes(empty));
    expect([back.count(), back.calibration, back.rescoreTier]).toEqual([0, undefined, 'int8']);
    back.add(Float32Array.from([1, 2, 3]));
    expect(back.search(Float32Array.from([1, 2, 3]), 1)[0]!.index).toBe(0);
    const mixed = new VectorIndex(2);
    mixed.add(Float32Array.from([1, 0]), ['a']);
    mixed.add(Float32Array.from([0, 1]));
    const m = indexFromBytes(indexToBytes(mixed));
    expect([m.text(0), m.text(1)]).toEqual(['a', undefined]);
  });

  it('names what is wrong with a damaged or hostile file', () => {
    const good = indexToBytes(sample({ precision: 'binary', rescoreTier: 'int8' }));
    const copy = () => good.slice();
    const flip = (at: number) => {
      const b = copy();
      b[at]! ^= 0x40;
      return b;
    };
    const expectations: [Uint8Array, string, RegExp][] = [
      [
        new TextEncoder().encode('{"dim": 3}'),
        'E_INDEX_CORRUPT',
        /not a siamese index file \(bad magic bytes/,
      ],
      [new Uint8Array(3), 'E_INDEX_CORRUPT', /bad magic/],
      [flip(200), 'E_INDEX_CHECKSUM', /CRC-32 is [0-9a-f]{8}, the file says [0-9a-f]{8}/],
      [flip(good.byteLength - 10), 'E_INDEX_CHECKSUM', /file altered, damaged or cut short/],
      [good.slice(0, good.byteLength - 100), 'E_INDEX_CHECKSUM', /CRC-32/],
      [good.slice(0, 300), 'E_INDEX_CHECKSUM', /CRC-32/],
      [flip(20), 'E_INDEX_CHECKSUM', /CRC-32/], // inside the header: caught before the header is read
      [
        reseal(Object.assign(copy(), { 8: 2 })),
        'E_FORMAT_VERSION',
        /expected format version 1 or older, found 2/,
      ],
      [reseal(Object.assign(copy(), { 8: 0 })), 'E_INDEX_CORRUPT', /format version 0 does not exist/],
      [
        withHeader(good, (h) => Object.assign(h, { count: 2 ** 31, nextId: 2 ** 32 - 1 })),
        'E_INDEX_TRUNCATED',
        /2147483648 vectors/,
      ],
      [
        withHeader(good, (h) => (h.count = 57)),
        'E_INDEX_CORRUPT',
        /count 57 and nextId 60|repeated|after the last/,
      ],
      [withHeader(good, (h) => (h.dim = 0)), 'E_INDEX_CORRUPT', /dim 0 \(expected 1\.\.65536\)/],
      [withHeader(good, (h) => (h.similarity = 'jaccard')), 'E_INDEX_CORRUPT', /similarity "jaccard"/],
      [withHeader(good, (h) => (h.precision = 'int4')), 'E_INDEX_CORRUPT', /precision "int4"/],
      [
        withHeader(good, (h) => (h.rescoreTier = 'float32')),
        'E_INDEX_CORRUPT',
        /rescoreTier "float32" for a binary index/,
      ],
      [
        withHeader(good, (h) => (h.nextId = 40)),
        'E_INDEX_CORRUPT',
        /count 56 and nextId 40|not below nextId 40/,
      ],
      [
        withHeader(good, (h) => delete h.texts),
        'E_INDEX_CORRUPT',
        /without the booleans "texts" and "calibrated"/,
      ],
      [
        withHeader(good, (h) => (h.calibrated = false)),
        'E_INDEX_CORRUPT',
        /uncalibrated binary index holding 56 vectors/,
      ],
      [withHeader(good, () => undefined).slice(0, 20), 'E_INDEX_TRUNCATED', /the header need/],
    ];
    for (const [bytes, code, message] of expectations) {
      const e = errorOf(() => indexFromBytes(bytes, 'refs.idx'));
      expect(e.code, `${message}: ${e.message}`).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message.startsWith('refs.idx')).toBe(true);
    }
    // A header that is not JSON, with a valid checksum.
    const junk = copy();
    junk.set(new TextEncoder().encode('{{'), 16);
    expect(errorOf(() => indexFromBytes(reseal(junk))).message).toMatch(/an unreadable header/);
    const big = copy();
    new DataView(big.buffer).setUint32(12, 10_000_000, true);
    expect(errorOf(() => indexFromBytes(reseal(big))).message).toMatch(
      /a header of 10000000 bytes \(at most 65536\)/,
    );
    expect(() => indexFromBytes('SIAMVIDX' as never)).toThrow(/expected a Uint8Array, found string/);
  });

  it('refuses values no writer produces: repeated ids, stray bits, NaN, invalid UTF-8 (checksum valid)', () => {
    const at = (bytes: Uint8Array) => 16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    const ids = indexToBytes(sample({}));
    new DataView(ids.buffer).setUint32(at(ids) + 4, new DataView(ids.buffer).getUint32(at(ids), true), true);
    expect(errorOf(() => indexFromBytes(reseal(ids))).message).toMatch(/id \d+ of vector 1 is repeated/);

    const bits = indexToBytes(sample({ precision: 'binary', rescoreTier: 'none' }));
    const rows = at(bits) + 56 * 4 + 37 * 8;
    bits[rows + 7]! |= 0x80; // bit 63 of vector 0: past dimension 37
    expect(errorOf(() => indexFromBytes(reseal(bits))).message).toMatch(
      /bits past dimension 37 set in vector 0/,
    );

    const floats = indexToBytes(sample({ precision: 'float32' }));
    new DataView(floats.buffer).setFloat32(at(floats) + 56 * 4 + 8, Number.NaN, true);
    expect(errorOf(() => indexFromBytes(reseal(floats))).message).toMatch(/a non-finite value in vector 0/);

    const cal = indexToBytes(sample({ precision: 'int8' }));
    new DataView(cal.buffer).setFloat32(at(cal) + 56 * 4, Number.POSITIVE_INFINITY, true);
    expect(errorOf(() => indexFromBytes(reseal(cal))).message).toMatch(/a non-finite calibration value/);

    const text = new VectorIndex(1);
    text.add(Float32Array.from([1]), ['é']);
    const t = indexToBytes(text);
    t[t.byteLength - 6] = 0xff; // the first byte of "é" (2 bytes, before the checksum)
    expect(errorOf(() => indexFromBytes(reseal(t))).message).toMatch(/text 0 is not valid UTF-8/);
  });

  it('every truncation and every single-byte change is a typed error, never a crash or a wrong index (property)', () => {
    const good = indexToBytes(sample({ precision: 'int8' }, 12, 5));
    const codes = ['E_INDEX_CORRUPT', 'E_INDEX_TRUNCATED', 'E_INDEX_CHECKSUM', 'E_FORMAT_VERSION'];
    fc.assert(
      fc.property(
        fc.nat(good.byteLength - 1),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (at, xor, cut) => {
          const bad = cut ? good.slice(0, at) : good.slice();
          if (!cut) bad[at]! ^= xor;
          const e = errorOf(() => indexFromBytes(bad));
          expect(codes).toContain(e.code);
        },
      ),
      FC,
    );
  });

  it('writes its version and the CRC-32 of zip and gzip', () => {
    expect(INDEX_FORMAT_VERSION).toBe(1);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
    const bytes = indexToBytes(new VectorIndex(2));
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('SIAMVIDX');
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(1);
  });
});
