import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/index.js';
import { prepareExamples } from '../src/train/prepare-data.js';
import { clipByGlobalNorm } from '../src/train/step.js';

const pairs = [
  { text1: 'a', text2: 'b', score: 0.9 },
  { text1: 'c', text2: 'd', score: 0.1 },
  { text1: 'e', text2: 'f', score: 0.85 },
  { text1: 'g', text2: 'h', score: 0.5 },
];

beforeAll(async () => {
  await initBackend();
});

describe('prepareExamples adapts data to the loss', () => {
  it('scored pairs feed scored-pairs losses as they are', () => {
    const p = prepareExamples(pairs, 'scored-pairs', 1);
    expect(p.slots).toEqual([
      ['a', 'c', 'e', 'g'],
      ['b', 'd', 'f', 'h'],
    ]);
    expect(Array.from(p.targets!)).toEqual([0.9, 0.1, 0.85, 0.5].map((x) => Math.fround(x)));
  });
  it('binary losses threshold scores at 0.5 and say so', () => {
    const p = prepareExamples(pairs, 'labelled-pairs', 1);
    expect(Array.from(p.targets!)).toEqual([1, 0, 1, 1]);
    expect(p.note).toMatch(/0.5/);
  });
  it('MNRL keeps positives (score ≥ 0.8); triplets add seeded random negatives', () => {
    const mnrl = prepareExamples(pairs, 'anchor-positive', 1);
    expect(mnrl.slots).toEqual([
      ['a', 'e'],
      ['b', 'f'],
    ]);
    const t1 = prepareExamples(pairs, 'triplets', 7);
    const t2 = prepareExamples(pairs, 'triplets', 7);
    expect(t1.slots).toEqual(t2.slots);
    expect(t1.slots[2]!.every((n, i) => n !== t1.slots[1]![i])).toBe(true);
  });
  it('class-labelled texts become int32 class ids', () => {
    const p = prepareExamples(
      [
        { text: 'x', label: 'cat' },
        { text: 'y', label: 'dog' },
        { text: 'z', label: 'cat' },
      ],
      'labelled-embeddings',
      1,
    );
    expect(p.targets).toBeInstanceOf(Int32Array);
    expect(Array.from(p.targets!)).toEqual([0, 1, 0]);
  });
  it('refuses data that cannot feed the loss, naming the row', () => {
    expect(() => prepareExamples([{ text1: 'a', text2: 'b' }], 'scored-pairs', 1)).toThrow(
      /example 0 has no numeric score or label/,
    );
    expect(() => prepareExamples([{ text: 'a', label: 1 }], 'scored-pairs', 1)).toThrow(/batch-mining loss/);
    expect(() => prepareExamples([], 'scored-pairs', 1)).toThrow(/found none/);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients together to the max norm and leaves small ones alone', () => {
    const grads: Record<string, tf.Tensor> = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    const norm = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(Array.from(grads.a!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(grads.b!.dataSync())[1]).toBeCloseTo(0.8, 5);
    const small: Record<string, tf.Tensor> = { a: tf.tensor1d([0.1]) };
    clipByGlobalNorm(small, 1);
    expect(small.a!.dataSync()[0]).toBeCloseTo(0.1, 6);
    tf.dispose([...Object.values(grads), ...Object.values(small)]);
  });
});
