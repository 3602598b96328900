// The worked examples of docs/custom-encoder.md, written outside the package against the public API only: a
// custom step (attention pooling) inside a sequential, and a whole custom encoder. Keep the two in sync.
import { initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import {
  type BuildContext,
  type EncodeOptions,
  type Encoder,
  type EncoderConfig,
  type EncoderInput,
  embedding,
  encoderFromConfig,
  l2Normalize,
  lstm,
  type Port,
  registerEncoder,
  registerStep,
  type Step,
  type StepSpec,
  sequential,
} from '@siamese/encoders';
import { runEncoderContract, runStepContract } from '@siamese/encoders/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batch, disposeBatch } from './helpers.js';

// ------------------------------------------------------------------------------------------- the custom step

/** Options of {@link attentionPooling}. */
interface AttentionPoolingOptions {
  /** Weight-name prefix (default `attention` → `attention.query`). */
  name?: string;
}

/**
 * Attention pooling, a step from a sequence `[B,T,D]` to a vector `[B,D]`: a learned query scores every token,
 * and the softmax of the scores over the real tokens (pads get -1e9) weighs their sum.
 */
function attentionPooling(options: AttentionPoolingOptions = {}): StepSpec {
  const name = options.name ?? 'attention';
  return {
    type: 'attentionPooling',
    config: { type: 'attentionPooling', ...(options.name === undefined ? {} : { name }) },
    build(input: Port, ctx: BuildContext): Step {
      if (input.kind !== 'sequence') throw ctx.shapeError('input a sequence [B,T,D]', `a ${input.kind}`);
      const d = input.dim;
      const bound = 1 / Math.sqrt(d);
      const query = tf.tidy(() =>
        tf.variable(tf.tensor(ctx.rng.fillUniform(new Float32Array(d), -bound, bound), [d, 1])),
      );
      return {
        output: { kind: 'vector', dim: d },
        weights: [[`${name}.query`, query]],
        apply: (x, batch) => {
          const seq = x as tf.Tensor3D;
          const [b, t] = seq.shape;
          const scores = tf.reshape(tf.matMul(tf.reshape(seq, [b * t, d]), query), [b, t]);
          const masked = tf.add(scores, tf.mul(tf.sub(batch.mask, 1), 1e9)); // pads lose the softmax
          return tf.sum(tf.mul(seq, tf.expandDims(tf.softmax(masked), 2)), 1);
        },
      };
    },
  };
}

// Without this, a model using the step trains and saves, but loading it fails with E_UNKNOWN_TYPE.
registerStep('attentionPooling', (config) => attentionPooling(config as AttentionPoolingOptions));

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

describe('a custom step registered from outside the package', () => {
  it('passes the Step contract: shapes, pads, gradients, config round trip through the registry, no leaks', async () => {
    const report = await runStepContract({ newStep: () => attentionPooling() });
    expect(report.checks).toContain('in a sequential: getConfig round trip: same outputs');
  });

  it('composes with the built-in steps; the saved config rebuilds the same encoder', () => {
    const enc = sequential(
      embedding({ vocabSize: 30, dim: 8 }),
      lstm({ hidden: 4, bidirectional: true, output: 'sequence' }),
      attentionPooling(),
    );
    expect(enc.outputDim).toBe(8);
    expect([...enc.weights().keys()]).toContain('attention.query');
    const input = batch([[1, 2, 3], [4]]);
    const config = JSON.parse(JSON.stringify(enc.getConfig()));
    expect(config.steps[2]).toEqual({ type: 'attentionPooling' });
    const again = encoderFromConfig(config);
    for (const [name, v] of again.weights()) v.assign(enc.weights().get(name)!);
    expect(tf.tidy(() => again.encode(input).arraySync())).toEqual(
      tf.tidy(() => enc.encode(input).arraySync()),
    );
    expect(() =>
      sequential(embedding({ vocabSize: 30, dim: 8 }), attentionPooling(), attentionPooling()),
    ).toThrow('encoder step 2 (attentionPooling): expected input a sequence [B,T,D], found a vector');
    for (const e of [enc, again]) e.dispose();
    disposeBatch(input);
  });
});

describe('a custom encoder registered from outside the package', () => {
  it('passes the Encoder contract', async () => {
    await runEncoderContract({
      newEncoder: () => new AttentionPoolEncoder({ type: 'attention-pool', vocabSize: 30, dim: 6, seed: 1 }),
    });
  });

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
