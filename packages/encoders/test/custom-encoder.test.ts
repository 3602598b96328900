// The worked example of docs/custom-encoder.md: an attention-pooling encoder written outside the package,
// against the public API only. Keep the two in sync.
import { initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import {
  type EncodeOptions,
  type Encoder,
  type EncoderConfig,
  type EncoderInput,
  encoderFromConfig,
  l2Normalize,
  registerEncoder,
} from '@siamese/encoders';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batch, disposeBatch } from './helpers.js';

// ---------------------------------------------------------------------------------------- the custom encoder

interface AttentionPoolConfig extends EncoderConfig {
  type: 'attention-pool';
  vocabSize: number;
  dim: number;
  seed: number;
}

/** Token vectors → softmax attention over the real tokens → weighted sum → tanh projection → L2 norm. */
class AttentionPoolEncoder implements Encoder {
  readonly type = 'attention-pool';
  readonly outputDim: number;
  private readonly vars: Map<string, tf.Variable>;

  constructor(private readonly config: AttentionPoolConfig) {
    const { vocabSize: v, dim: d, seed } = config;
    const rng = new Rng(seed);
    const make = (shape: number[], scale: number) =>
      tf.tidy(() =>
        tf.variable(
          tf.tensor(rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b)), -scale, scale), shape),
        ),
      );
    this.outputDim = d;
    this.vars = new Map([
      ['embedding.weight', make([v, d], 0.5)], // [V, D]
      ['attention.query', make([d, 1], 1 / Math.sqrt(d))], // [D, 1]
      ['proj.weight', make([d, d], 1 / Math.sqrt(d))], // [in, out]
    ]);
  }

  encode(input: EncoderInput, _options?: EncodeOptions): tf.Tensor2D {
    const w = (name: string) => this.vars.get(name)!;
    return tf.tidy(() => {
      const [b, t] = input.ids.shape;
      const x = tf.gather(w('embedding.weight'), input.ids); // [B,T,D]
      const scores = tf.reshape(tf.matMul(tf.reshape(x, [b * t, -1]), w('attention.query')), [b, t]);
      const masked = tf.add(scores, tf.mul(tf.sub(input.mask, 1), 1e9)); // pads lose the softmax
      const attn = tf.expandDims(tf.softmax(masked), 2); // [B,T,1]
      const pooled = tf.sum(tf.mul(x, attn), 1) as tf.Tensor2D; // [B,D]
      return l2Normalize(tf.tanh(tf.matMul(pooled, w('proj.weight'))) as tf.Tensor2D);
    });
  }

  weights(): Map<string, tf.Variable> {
    return new Map(this.vars);
  }

  trainableVariables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  getConfig(): AttentionPoolConfig {
    return { ...this.config };
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}

registerEncoder('attention-pool', (config) => new AttentionPoolEncoder(config as AttentionPoolConfig));

// ------------------------------------------------------------------------------------------------- the test

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

describe('a custom encoder registered from outside the package', () => {
  it('trains, saves its config, and is rebuilt by encoderFromConfig with the same outputs', () => {
    const enc = new AttentionPoolEncoder({ type: 'attention-pool', vocabSize: 30, dim: 6, seed: 1 });
    const rng = new Rng(2);
    const sample = () =>
      Array.from({ length: 6 }, () => Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(29)));
    const a = batch(sample());
    const b = batch(sample());
    const labels = tf.tensor1d([1, 0, 1, 0, 1, 0]);
    const optimizer = tf.train.adam(0.05);
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) {
      const loss = optimizer.minimize(
        () =>
          tf.mean(tf.square(tf.sub(tf.sum(tf.mul(enc.encode(a), enc.encode(b)), 1), labels))) as tf.Scalar,
        true,
        enc.trainableVariables(),
      )!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);

    // Save: config as JSON + weights by name. Load: rebuild from config, then copy weights by name.
    const saved = JSON.stringify(enc.getConfig());
    const weights = new Map([...enc.weights()].map(([name, v]) => [name, v.dataSync().slice()] as const));
    const restored = encoderFromConfig(JSON.parse(saved));
    expect(restored).toBeInstanceOf(AttentionPoolEncoder);
    for (const [name, v] of restored.weights()) v.assign(tf.tensor(weights.get(name)!, v.shape));

    const before = tf.tidy(() => enc.encode(a).arraySync());
    const after = tf.tidy(() => restored.encode(a).arraySync());
    expect(after).toEqual(before);
    const fresh = encoderFromConfig(JSON.parse(saved));
    expect(tf.tidy(() => fresh.encode(a).arraySync())).not.toEqual(before); // trained ≠ initial weights

    for (const e of [enc, restored, fresh]) e.dispose();
    optimizer.dispose();
    labels.dispose();
    disposeBatch(a);
    disposeBatch(b);
  });
});
