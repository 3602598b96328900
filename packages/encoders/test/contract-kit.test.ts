// The contract test kit (`@siamese/encoders/testing`): every built-in passes it, and it catches the mistakes
// it is there to catch.
import { initBackend } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cnn,
  dense,
  dropout,
  type EncodeOptions,
  type Encoder,
  type EncoderConfig,
  type EncoderInput,
  embedding,
  lstm,
  normalize,
  PRESETS,
  pooling,
  registerEncoder,
} from '../src/index.js';
import { runEncoderContract, runStepContract } from '../src/testing/index.js';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

const base = { vocabSize: 20, embeddingDim: 6, hidden: 4, seed: 1 };

describe('the built-ins pass the contract', () => {
  it.each(Object.keys(PRESETS) as (keyof typeof PRESETS)[])('preset %s', async (name) => {
    const report = await runEncoderContract({ newEncoder: () => PRESETS[name].build(base) });
    expect(report.checks).toEqual(
      expect.arrayContaining([
        'pads are never read',
        'getConfig round trip: same outputs',
        'dispose frees every tensor',
      ]),
    );
  });

  it.each([
    ['embedding', () => embedding({ vocabSize: 20, dim: 5 }), { kind: 'tokens', dim: 0 }],
    ['pooling max', () => pooling({ mode: 'max' }), undefined],
    ['dense', () => dense({ units: 3, activation: 'tanh' }), undefined],
    ['dropout', () => dropout({ rate: 0.2 }), undefined],
    ['normalize', () => normalize(), undefined],
    ['lstm sequence', () => lstm({ hidden: 3, bidirectional: true, output: 'sequence' }), undefined],
    ['cnn', () => cnn({ filters: 2, kernelSizes: [2, 3] }), undefined],
    [
      'cnn sequence',
      () => cnn({ filters: 2, kernelSizes: [1, 3], activation: 'linear', output: 'sequence' }),
      undefined,
    ],
  ] as const)('step %s', async (_name, newStep, input) => {
    const report = await runStepContract({ newStep, ...(input ? { input } : {}) });
    expect(report.checks).toContain('config round trip');
    expect(report.checks).toContain('in a sequential: getConfig round trip: same outputs');
  });

  it('an unpacked LSTM reads pads on purpose: ignoresPads: false skips that one check', async () => {
    const newStep = () => lstm({ hidden: 3, packed: false });
    await expect(runStepContract({ newStep })).rejects.toMatchObject({
      code: 'E_CONTRACT',
      details: { check: 'pads are never read' },
    });
    await expect(runStepContract({ newStep, ignoresPads: false })).resolves.toBeDefined();
  });
});

/** A small encoder with switchable mistakes, to show the kit catches each one. */
interface FaultyConfig extends EncoderConfig {
  type: 'faulty';
  dim: number;
  fault: 'none' | 'reads-pads' | 'leaks' | 'unused-weight' | 'forgets-option';
  scale?: number;
}

class FaultyEncoder implements Encoder {
  readonly type = 'faulty';
  readonly outputDim: number;
  private readonly table: tf.Variable;
  private readonly extra: tf.Variable;
  private readonly scale: number;

  constructor(private readonly config: FaultyConfig) {
    const rng = new Rng(3);
    this.outputDim = config.dim;
    this.scale = config.scale ?? 1;
    this.table = tf.tidy(() =>
      tf.variable(tf.tensor(rng.fillNormal(new Float32Array(20 * config.dim)), [20, config.dim])),
    );
    this.extra = tf.tidy(() => tf.variable(tf.ones([config.dim])));
  }

  encode(input: EncoderInput, _options?: EncodeOptions): tf.Tensor2D {
    if (this.config.fault === 'leaks') tf.keep(tf.zeros([1]));
    return tf.tidy(() => {
      const x = tf.gather(this.table, input.ids) as tf.Tensor3D;
      const mask = this.config.fault === 'reads-pads' ? tf.onesLike(input.mask) : input.mask;
      const summed = tf.sum(tf.mul(x, tf.expandDims(mask, 2)), 1);
      const pooled = tf.div(summed, tf.sum(mask, 1, true)) as tf.Tensor2D;
      const y = this.config.fault === 'unused-weight' ? pooled : tf.mul(pooled, this.extra);
      return tf.mul(y, this.scale);
    });
  }

  weights(): Map<string, tf.Variable> {
    return new Map([
      ['table', this.table],
      ['extra', this.extra],
    ]);
  }

  trainableVariables(): tf.Variable[] {
    return [this.table, this.extra];
  }

  getConfig(): FaultyConfig {
    const { scale, ...rest } = this.config;
    return this.config.fault === 'forgets-option' ? rest : { ...this.config };
  }

  dispose(): void {
    this.table.dispose();
    this.extra.dispose();
  }
}

registerEncoder('faulty', (c) => new FaultyEncoder(c as FaultyConfig));

describe('the kit catches broken encoders, naming the check', () => {
  const make = (fault: FaultyConfig['fault'], scale?: number) => () =>
    new FaultyEncoder({ type: 'faulty', dim: 4, fault, ...(scale === undefined ? {} : { scale }) });

  it('a correct one passes', async () => {
    await expect(runEncoderContract({ newEncoder: make('none') })).resolves.toMatchObject({
      subject: 'encoder faulty',
    });
  });

  it.each([
    ['reads-pads', undefined, 'pads are never read'],
    ['leaks', undefined, 'no leaks (inference)'],
    ['unused-weight', undefined, 'gradient of extra'],
    ['forgets-option', 2, 'getConfig round trip: same outputs'],
  ] as const)('%s → %s', async (fault, scale, check) => {
    const error = await runEncoderContract({ newEncoder: make(fault, scale) }).catch((e) => e);
    expect(SiameseError.is(error, 'E_CONTRACT')).toBe(true);
    expect(error.details.check).toBe(check);
    expect(error.message.startsWith(`encoder faulty: ${check}: expected `)).toBe(true);
  });

  it('an unregistered type', async () => {
    const error = await runEncoderContract({
      newEncoder: () => Object.assign(make('none')(), { type: 'nobody' }) as Encoder,
    }).catch((e) => e);
    expect(error.details.check).toBe('type');
  });
});
