import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend, tensorLeakCheck } from '../dist/index.js';

describe('tensorLeakCheck (the helper behind the suites’ leak checks) catches a real leak', () => {
  it('flags a step that forgets to dispose an intermediate, naming the label and the count', async () => {
    await initBackend();
    // A "training step" written as people often do by mistake: the input tensor lives outside tidy.
    const leaky = () => {
      const x = tf.tensor1d([1, 2, 3]);
      tf.tidy(() => tf.sum(tf.mul(x, 2))).dispose();
    };
    const err = await tensorLeakCheck(leaky, { iterations: 4, label: 'leaky step' }).catch((e) => e);
    expect(SiameseError.is(err, 'E_TENSOR_LEAK')).toBe(true);
    expect(err).toMatchObject({
      code: 'E_TENSOR_LEAK',
      details: { label: 'leaky step', iterations: 4, after: err.details.before + 4 },
      message: expect.stringMatching(
        /^leaky step: expected the number of live tensors to stay at \d+ across 4 calls, found \d+ \(\+4\)$/,
      ),
    });
    // The same step written right passes, and an async function is awaited before counting.
    const fixed = () => {
      tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2))).dispose();
    };
    expect(await tensorLeakCheck(fixed, { iterations: 4 })).toMatchObject({ leaked: 0 });
    const held: tf.Tensor[] = [];
    const lateLeak = async () => {
      await new Promise((r) => setTimeout(r, 1));
      held.push(tf.ones([1]));
    };
    await expect(tensorLeakCheck(lateLeak)).rejects.toMatchObject({ code: 'E_TENSOR_LEAK' });
    // Lazy one-time allocations (caches) happen in the warm-up and are not counted.
    let cache: tf.Tensor | undefined;
    await tensorLeakCheck(() => {
      cache ??= tf.ones([4]);
    });
    tf.dispose([...held, cache!]);
  });
});
