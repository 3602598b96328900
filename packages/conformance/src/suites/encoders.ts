import { initBackend } from '@siamese/backend';
import {
  cnn,
  type Encoder,
  type EncoderInput,
  embedding,
  lstm,
  PRESETS,
  pooling,
  sequential,
} from '@siamese/encoders';
import * as tf from '@tensorflow/tfjs-core';
import { assert, assertClose, assertEqual, assertThrows, defineSuite, type TestContext } from '../harness.js';

const TOL = 1e-4;

type GoldenTensor = { shape: number[]; data: unknown };
const t = (x: GoldenTensor, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(x.data as number[], x.shape, dtype);

// Golden JSON is loosely typed.
function goldenInput(g: any): EncoderInput {
  return {
    ids: t(g.inputs.token_ids, 'int32') as tf.Tensor2D,
    mask: t(g.inputs.mask) as tf.Tensor2D,
    lengths: Int32Array.from(g.inputs.lengths as number[]),
  };
}

/** Assigns golden weights by name (through `rename`), then checks the output and every weight gradient. */
function checkGolden(
  ctx: TestContext,
  enc: Encoder,
  // Golden JSON is loosely typed.
  g: any,
  expected: { output: GoldenTensor; grads: Record<string, GoldenTensor> },
  label: string,
  rename: Record<string, string> = {},
): void {
  const named = enc.weights();
  for (const [key, value] of Object.entries(g.weights as Record<string, GoldenTensor>)) {
    const v = named.get(rename[key] ?? key);
    assert(v, `${label}: weight ${rename[key] ?? key} exists`);
    tf.tidy(() => v.assign(t(value)));
  }
  const input = goldenInput(g);
  const lw = t(g.loss_weights);
  const output = tf.tidy(() => enc.encode(input).arraySync());
  assertClose(output, expected.output.data, TOL, `${label} output`);
  ctx.same(`${label} output`, output);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(enc.encode(input), lw)) as tf.Scalar,
    enc.trainableVariables(),
  );
  for (const [name, grad] of Object.entries(expected.grads)) {
    const v = named.get(rename[name] ?? name)!;
    assertClose(grads[v.name]!.dataSync(), grad.data, TOL, `${label} d/d ${name}`);
    ctx.same(`${label} d/d ${name}`, grads[v.name]!.dataSync());
  }
  tf.dispose([value, lw, input.ids, input.mask, ...Object.values(grads)]);
  enc.dispose();
}

export default defineSuite('encoders', (test) => {
  test('the golden LSTM (packed and unpacked): outputs and gradients on WASM', async (ctx) => {
    await initBackend();
    assertEqual(tf.getBackend(), 'wasm', 'tf.getBackend()');
    const g = await ctx.golden('lstm');
    for (const mode of ['packed', 'unpacked'] as const) {
      const enc = sequential(
        embedding({ vocabSize: g.config.vocab, dim: g.config.emb }),
        lstm({ hidden: g.config.hidden, packed: mode === 'packed' }),
      );
      checkGolden(ctx, enc, g, { output: g[`final_${mode}`], grads: g[`grads_${mode}`] }, `lstm ${mode}`);
    }
  });

  test('the golden BiLSTM (packed and unpacked) via PRESETS.bilstm on WASM', async (ctx) => {
    const g = await ctx.golden('bilstm');
    for (const mode of ['packed', 'unpacked'] as const) {
      const enc = PRESETS.bilstm.build({
        vocabSize: g.config.vocab,
        embeddingDim: g.config.emb,
        hidden: g.config.hidden,
        output: 'last',
        packed: mode === 'packed',
      });
      checkGolden(ctx, enc, g, { output: g[`final_${mode}`], grads: g[`grads_${mode}`] }, `bilstm ${mode}`);
    }
  });

  test('the golden CNN (masked conv, max over time): output and gradients on WASM', async (ctx) => {
    assertEqual(tf.getBackend(), 'wasm', 'tf.getBackend()');
    const g = await ctx.golden('cnn');
    const enc = sequential(
      embedding({ vocabSize: g.config.vocab, dim: g.config.emb }),
      cnn({ filters: g.config.filters, kernelSizes: [g.config.kernel] }),
    );
    checkGolden(ctx, enc, g, { output: g.output, grads: g.grads }, 'cnn', {
      'conv.weight': 'conv3.weight',
      'conv.bias': 'conv3.bias',
    });
  });

  test('the golden mean-pool (masked mean, SIMD embedding bag): output and gradient on WASM', async (ctx) => {
    assertEqual(tf.getBackend(), 'wasm', 'tf.getBackend()');
    const g = await ctx.golden('meanpool');
    const enc = sequential(
      embedding({ vocabSize: g.config.vocab, dim: g.config.emb }),
      pooling({ mode: 'mean' }),
    );
    checkGolden(ctx, enc, g, { output: g.output, grads: g.grads }, 'meanpool');
  });

  test('shape misfits are reported at build time with E_ENCODER_SHAPE', async () => {
    const err = await assertThrows(() => sequential(lstm({ hidden: 4 })), 'E_ENCODER_SHAPE', 'lstm first');
    assertEqual(
      err.message,
      'encoder step 0 (lstm): expected input a sequence [B,T,D], found token ids [B,T]',
      'message',
    );
  });
});
