/**
 * "User code": a custom step, a custom encoder and a custom loss written against the public API only, as an
 * application would write them. `scripts/save-extensions.mjs` trains models with them and saves the models in
 * one Node process; the `extensions` suite registers them again and loads those files in a fresh process on
 * Node, Deno, Bun and workerd.
 */

import { Rng } from '@siamese/core';
import {
  type BuildContext,
  type EncodeOptions,
  type Encoder,
  type EncoderConfig,
  type EncoderInput,
  embedding,
  lstm,
  maskedMax,
  maskedMean,
  type Port,
  registerEncoder,
  registerStep,
  type Step,
  type StepSpec,
  sequential,
} from '@siamese/encoders';
import {
  checkBatch,
  distances,
  type Loss,
  type LossBatch,
  type LossConfig,
  registerLoss,
} from '@siamese/losses';
import { fit, SiameseModel } from '@siamese/runtime';
import { Tokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';

/** A step: attention pooling from a sequence `[B,T,D]` to a vector `[B,D]` (a learned query, softmax over real tokens). */
export function attentionPooling(options: { name?: string } = {}): StepSpec {
  const name = options.name ?? 'attention';
  return {
    type: 'attentionPooling',
    config: { type: 'attentionPooling', ...(options.name === undefined ? {} : { name }) },
    build(input: Port, ctx: BuildContext): Step {
      if (input.kind !== 'sequence') throw ctx.shapeError('input a sequence [B,T,D]', `a ${input.kind}`);
      const d = input.dim;
      const query = tf.tidy(() =>
        tf.variable(tf.tensor(ctx.rng.fillUniform(new Float32Array(d), -0.5, 0.5), [d, 1])),
      );
      return {
        output: { kind: 'vector', dim: d },
        weights: [[`${name}.query`, query]],
        apply: (x, batch) => {
          const seq = x as tf.Tensor3D;
          const [b, t] = seq.shape;
          const scores = tf.reshape(tf.matMul(tf.reshape(seq, [b * t, d]), query), [b, t]);
          const masked = tf.add(scores, tf.mul(tf.sub(batch.mask, 1), 1e9));
          return tf.sum(tf.mul(seq, tf.expandDims(tf.softmax(masked), 2)), 1);
        },
      };
    },
  };
}

interface MeanMaxConfig extends EncoderConfig {
  type: 'meanMax';
  vocabSize: number;
  dim: number;
  seed: number;
}

/** A whole encoder: token vectors → `[masked mean, masked max]`, `[B, 2D]`. */
export class MeanMaxEncoder implements Encoder {
  readonly type = 'meanMax';
  readonly outputDim: number;
  private readonly table: tf.Variable;

  constructor(private readonly config: MeanMaxConfig) {
    const rng = new Rng(config.seed);
    this.outputDim = 2 * config.dim;
    this.table = tf.tidy(() =>
      tf.variable(
        tf.tensor(rng.fillNormal(new Float32Array(config.vocabSize * config.dim), 0, 0.5), [
          config.vocabSize,
          config.dim,
        ]),
      ),
    );
  }

  encode(input: EncoderInput, _options?: EncodeOptions): tf.Tensor2D {
    return tf.tidy(() => {
      const x = tf.gather(this.table, input.ids) as tf.Tensor3D;
      return tf.concat([maskedMean(x, input.mask), maskedMax(x, input.mask)], 1) as tf.Tensor2D;
    });
  }

  weights(): Map<string, tf.Variable> {
    return new Map([['table', this.table]]);
  }

  trainableVariables(): tf.Variable[] {
    return [this.table];
  }

  getConfig(): MeanMaxConfig {
    return { ...this.config };
  }

  dispose(): void {
    this.table.dispose();
  }
}

/** A loss: the mean absolute difference between cos(a, b) and the target score, times `weight`. */
export class CosineL1Loss implements Loss {
  readonly type = 'cosineL1';
  readonly batchKind = 'scored-pairs' as const;
  readonly similarity = 'cosine' as const;

  constructor(readonly weight = 1) {}

  compute(batch: LossBatch): tf.Scalar {
    const { a, b, scores } = checkBatch(this.type, this.batchKind, batch);
    return tf.tidy(() =>
      tf.mul(this.weight, tf.mean(tf.abs(tf.sub(distances.cosineSimilarity(a, b), scores)))),
    );
  }

  getConfig(): LossConfig {
    return { type: this.type, weight: this.weight };
  }
}

/** What an application does at start-up, in every process that loads these models. */
export function registerUserExtensions(): void {
  registerStep('attentionPooling', (config) => attentionPooling(config as { name?: string }));
  registerEncoder('meanMax', (config) => new MeanMaxEncoder(config as MeanMaxConfig));
  registerLoss('cosineL1', (config) => new CosineL1Loss((config.weight as number | undefined) ?? 1));
}

/** Scored pairs the runtime and extensions suites train on (scores in [0, 1]). */
export const TRAIN = [
  { text1: 'A man is playing a guitar.', text2: 'A man plays the guitar.', score: 0.95 },
  { text1: 'A woman is slicing an onion.', text2: 'A woman cuts an onion.', score: 0.9 },
  { text1: 'A dog runs in a field.', text2: 'A man is playing a guitar.', score: 0.05 },
  { text1: 'Two kids are playing soccer.', text2: 'Children play football.', score: 0.8 },
  { text1: 'The stock market fell today.', text2: 'A woman cuts an onion.', score: 0.0 },
  { text1: 'A cat sleeps on the sofa.', text2: 'A cat is sleeping on a couch.', score: 0.92 },
  { text1: 'A man is playing a guitar.', text2: 'A dog runs in a field.', score: 0.02 },
  { text1: 'A woman is slicing an onion.', text2: 'The stock market fell today.', score: 0.0 },
];
export const PROBE = ['a man plays a guitar', 'an unseen zyzzyva sentence', 'two cats sleep'];

/** Trains one model per extension point with the custom loss: a sequential with the custom step, the custom encoder. */
export async function trainUserModels(): Promise<{ step: SiameseModel; encoder: SiameseModel }> {
  const tokenizer = Tokenizer.build(TRAIN.flatMap((p) => [p.text1, p.text2]));
  const vocabSize = tokenizer.vocab.size;
  const step = new SiameseModel({
    tokenizer,
    encoder: sequential(
      [
        embedding({ vocabSize, dim: 8, paddingIdx: 0 }),
        lstm({ hidden: 4, bidirectional: true, output: 'sequence' }),
        attentionPooling(),
      ],
      { seed: 11 },
    ),
  });
  const encoder = new SiameseModel({
    tokenizer,
    encoder: new MeanMaxEncoder({ type: 'meanMax', vocabSize, dim: 6, seed: 3 }),
  });
  for (const model of [step, encoder]) {
    await fit(model, TRAIN, { loss: new CosineL1Loss(2), epochs: 2, batchSize: 4, lr: 0.01, seed: 42 });
  }
  return { step, encoder };
}
