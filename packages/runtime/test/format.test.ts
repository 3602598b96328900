import { describe, expect, it } from 'vitest';
import {
  decodeSingleFile,
  encodeSingleFile,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
  packWeights,
  sha256Hex,
  unpackWeights,
  verifyWeights,
} from '../src/io/format.js';

async function sample(): Promise<{ manifest: ModelManifest; blob: Uint8Array }> {
  const { blob, entries } = packWeights([
    { name: 'a', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    { name: 'b', shape: [1], values: Float32Array.from([-0.5]) },
  ]);
  const manifest: ModelManifest = {
    format: 'siamese-model',
    formatVersion: MODEL_FORMAT_VERSION,
    id: 'x',
    createdAt: '2026-01-01T00:00:00Z',
    tokenizer: {},
    encoder: { type: 'test' },
    similarity: 'cosine',
    weights: { byteLength: blob.byteLength, sha256: await sha256Hex(blob), entries },
  };
  return { manifest, blob };
}

describe('model format', () => {
  it('sha256 of "abc" is the standard digest', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('round-trips manifest and weights through the single-file container', async () => {
    const { manifest, blob } = await sample();
    const bytes = await encodeSingleFile(manifest, blob);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([83, 73, 65, 77, 69, 83, 69, 0]);
    const back = await decodeSingleFile(bytes, 'm.siamese');
    expect(back.manifest).toEqual({ ...manifest, index: null });
    await verifyWeights(back.manifest, back.blob, 'm.siamese');
    const w = unpackWeights(back.blob, back.manifest.weights.entries);
    expect(Array.from(w.get('a')!.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(w.get('b')!.values)).toEqual([-0.5]);
  });

  it('refuses truncated, altered, foreign and newer files with the right code', async () => {
    const { manifest, blob } = await sample();
    const bytes = await encodeSingleFile(manifest, blob);
    await expect(decodeSingleFile(bytes.subarray(0, bytes.length - 4), 'm')).rejects.toMatchObject({
      code: 'E_MODEL_TRUNCATED',
      message: expect.stringMatching(/announces \d+ bytes, the file holds/),
    });
    const altered = bytes.slice();
    altered[altered.length - 1]! ^= 0x40;
    await expect(decodeSingleFile(altered, 'm')).rejects.toMatchObject({ code: 'E_MODEL_CHECKSUM' });
    await expect(
      decodeSingleFile(new TextEncoder().encode('hello world, not a model'), 'x.bin'),
    ).rejects.toMatchObject({
      code: 'E_MODEL_CORRUPT',
    });
    await expect(decodeSingleFile(bytes.subarray(0, 20), 'm')).rejects.toThrow(/56-byte header/);
    const trailing = new Uint8Array(bytes.length + 3);
    trailing.set(bytes);
    await expect(decodeSingleFile(trailing, 'm')).rejects.toMatchObject({
      code: 'E_MODEL_CORRUPT',
      message: /trailing/,
    });
    const newer = await encodeSingleFile({ ...manifest, formatVersion: MODEL_FORMAT_VERSION + 1 }, blob);
    await expect(decodeSingleFile(newer, 'm')).rejects.toMatchObject({ code: 'E_FORMAT_VERSION' });
  });

  it('rejects weight entries that point outside the blob', async () => {
    const { blob } = await sample();
    expect(() => unpackWeights(blob, [{ name: 'big', shape: [100], dtype: 'f32', byteOffset: 0 }])).toThrow(
      expect.objectContaining({ code: 'E_MODEL_TRUNCATED' }),
    );
  });
});
