import { readFileSync } from 'node:fs';
import { initBackend } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cnn, embedding, lstm, pooling, type Step, type StepSpec, sequential } from '../src/index.js';
import {
  assignWeights,
  disposeInput,
  FIXTURES,
  type Golden,
  type GoldenTensor,
  goldenInput,
  loadGolden,
  maxAbsDiff,
  outputAndGrads,
  toTensor,
} from './golden.js';
import { batch, disposeBatch } from './helpers.js';

/** Builds steps outside a sequential (public StepSpec API), e.g. to read a sequence output. */
function buildSteps(specs: StepSpec[]): Step[] {
  let port = { kind: 'tokens' as const, dim: 0 } as Step['output'];
  return specs.map((spec, index) => {
    const step = spec.build(port, {
      rng: new Rng(index),
      index,
      shapeError: (e, f) => SiameseError.expected('E_ENCODER_SHAPE', `step ${index} (${spec.type})`, e, f),
    });
    port = step.output;
    return step;
  });
}

function assignStepWeights(steps: Step[], weights: Record<string, GoldenTensor>) {
  for (const s of steps) for (const [name, v] of s.weights) tf.tidy(() => v.assign(toTensor(weights[name]!)));
}

const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;

/** fixtures/golden/seed_model: `model.safetensors` (8-byte LE header length, JSON header, raw LE float32) and
 * `expected.json`, from the PyTorch seed network (see fixtures/golden/README.md). */
function loadSeedModel() {
  const bytes = readFileSync(new URL('golden/seed_model/model.safetensors', FIXTURES));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const tensors: Record<string, { shape: number[]; values: Float32Array }> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    expect(entry.dtype).toBe('F32');
    const [from, to] = entry.data_offsets;
    const raw = bytes.slice(8 + headerLength + from, 8 + headerLength + to);
    const values = new Float32Array(raw.length / 4);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = dv.getFloat32(4 * i, true);
    tensors[name] = { shape: entry.shape, values };
  }
  const expected = JSON.parse(
    new TextDecoder().decode(readFileSync(new URL('golden/seed_model/expected.json', FIXTURES))),
  ) as { unbatched: { ids: number[]; h: number[] }[]; padded_batch: { ids: number[][]; h: number[][] } };
  return { tensors, expected };
}

describe.each(['cpu', 'wasm'] as const)('golden PyTorch cases on %s', (backend) => {
  const tol = TOL[backend];
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  for (const file of ['lstm', 'bilstm'] as const) {
    for (const mode of ['packed', 'unpacked'] as const) {
      it(`${file} ${mode}: final state, per-step outputs and gradients of every weight`, () => {
        expect(tf.getBackend()).toBe(backend);
        const g = loadGolden(file);
        const { vocab, emb, hidden } = g.config;
        const bidirectional = file === 'bilstm';
        const enc = sequential(
          embedding({ vocabSize: vocab, dim: emb }),
          lstm({ hidden, bidirectional, packed: mode === 'packed' }),
        );
        expect(enc.outputDim).toBe(hidden * (bidirectional ? 2 : 1));
        assignWeights(enc, g.weights);
        const input = goldenInput(g);
        const res = outputAndGrads(enc, input, g.loss_weights);
        expect(maxAbsDiff(res.output, g[`final_${mode}`].data)).toBeLessThan(tol);
        expect(Math.abs(res.loss - g[`loss_${mode}`].data)).toBeLessThan(tol);
        for (const [name, expected] of Object.entries(g[`grads_${mode}`]) as [string, { data: unknown }][]) {
          expect(maxAbsDiff(res.grads[name], expected.data), `grad ${name}`).toBeLessThan(tol);
        }
        // The per-step outputs (sequence mode, steps built directly) match outputs_{mode}; packed pads are 0.
        const steps = buildSteps([
          embedding({ vocabSize: vocab, dim: emb }),
          lstm({ hidden, bidirectional, packed: mode === 'packed', output: 'sequence' }),
        ]);
        assignStepWeights(steps, g.weights);
        const run = { training: false, rng: new Rng(0) };
        const seq = tf.tidy(() => steps[1]!.apply(steps[0]!.apply(null, input, run), input, run).arraySync());
        expect(maxAbsDiff(seq, g[`outputs_${mode}`].data)).toBeLessThan(tol);
        for (const s of steps) for (const [, v] of s.weights) v.dispose();
        enc.dispose();
        disposeInput(input);
      });
    }
  }

  it('cnn: masked conv + max-over-time output and gradients', () => {
    const g = loadGolden('cnn');
    const enc = sequential(
      embedding({ vocabSize: g.config.vocab, dim: g.config.emb }),
      cnn({ filters: g.config.filters, kernelSizes: [3] }),
    );
    const rename = { 'conv.weight': 'conv3.weight', 'conv.bias': 'conv3.bias' };
    assignWeights(enc, g.weights, rename);
    const input = goldenInput(g);
    const res = outputAndGrads(enc, input, g.loss_weights);
    expect(maxAbsDiff(res.output, g.output.data)).toBeLessThan(tol);
    expect(Math.abs(res.loss - g.loss.data)).toBeLessThan(tol);
    for (const [name, expected] of Object.entries(g.grads) as [string, { data: unknown }][]) {
      const ours = rename[name as keyof typeof rename] ?? name;
      expect(maxAbsDiff(res.grads[ours], expected.data), `grad ${name}`).toBeLessThan(tol);
    }
    enc.dispose();
    disposeInput(input);
  });

  // sentence-transformers' CNN module (linear, widths 1/3/5) and an even width with ReLU, each followed by pooling.
  const cnnSequence = loadGolden('cnn_sequence');
  for (const c of cnnSequence.cases as Golden[]) {
    const widths = c.kernel_sizes as number[];
    // The golden names the widths as sentence-transformers saves them (convs.{i}); the step as conv{k}.
    const rename: Record<string, string> = {};
    widths.forEach((k, i) => {
      rename[`convs.${i}.weight`] = `conv${k}.weight`;
      rename[`convs.${i}.bias`] = `conv${k}.bias`;
    });
    const build = (mode: 'mean' | 'max' | 'first') => {
      const enc = sequential(
        embedding({ vocabSize: cnnSequence.config.vocab, dim: cnnSequence.config.emb }),
        cnn({
          filters: cnnSequence.config.filters,
          kernelSizes: widths,
          activation: c.activation,
          output: 'sequence',
        }),
        pooling({ mode }),
      );
      assignWeights(enc, c.weights, rename);
      return enc;
    };

    it(`cnn output 'sequence' (${c.name}): per-token outputs, pads zero, folded and unfolded`, () => {
      const input = goldenInput(cnnSequence);
      const steps = buildSteps([
        embedding({ vocabSize: cnnSequence.config.vocab, dim: cnnSequence.config.emb }),
        cnn({
          filters: cnnSequence.config.filters,
          kernelSizes: widths,
          activation: c.activation,
          output: 'sequence',
        }),
      ]);
      expect(steps[1]!.output).toEqual({ kind: 'sequence', dim: cnnSequence.config.filters * widths.length });
      const named = new Map(steps.flatMap((s) => s.weights.map(([n, v]) => [n, v] as const)));
      for (const [key, value] of Object.entries(c.weights as Record<string, GoldenTensor>)) {
        tf.tidy(() => named.get(rename[key] ?? key)!.assign(toTensor(value)));
      }
      const table = steps[0]!.tokenTable!;
      for (const fold of [0, 1 << 20]) {
        const run = { training: false, rng: new Rng(0), foldMaxBytes: fold };
        const fromTable = tf.tidy(() => steps[1]!.applyFromTable!(table, input, run).arraySync());
        expect(maxAbsDiff(fromTable, c.sequence.data), `fold ${fold}`).toBeLessThan(tol);
      }
      // From a sequence (another step before it), the same numbers.
      const run = { training: false, rng: new Rng(0) };
      const fromSequence = tf.tidy(() =>
        steps[1]!.apply(steps[0]!.apply(null, input, run), input, run).arraySync(),
      );
      expect(maxAbsDiff(fromSequence, c.sequence.data)).toBeLessThan(tol);
      for (const s of steps) for (const [, v] of s.weights) v.dispose();
      disposeInput(input);
    });

    for (const [mode, g] of Object.entries(c.poolings as Record<string, Golden>)) {
      it(`cnn output 'sequence' (${c.name}) → ${mode} pooling: output, loss and gradients of every weight`, () => {
        const enc = build(mode === 'first' ? 'first' : (mode as 'mean' | 'max'));
        const input = goldenInput(cnnSequence);
        const res = outputAndGrads(enc, input, g.loss_weights);
        expect(maxAbsDiff(res.output, g.output.data)).toBeLessThan(tol);
        expect(Math.abs(res.loss - g.loss.data)).toBeLessThan(tol);
        for (const [name, expected] of Object.entries(g.grads) as [string, GoldenTensor][]) {
          expect(maxAbsDiff(res.grads[rename[name] ?? name], expected.data), `grad ${name}`).toBeLessThan(
            tol,
          );
        }
        enc.dispose();
        disposeInput(input);
      });
    }
  }

  it('seed_model: a PyTorch state_dict (safetensors, 2-layer LSTM) loads by name; packed and padded outputs match', () => {
    const { tensors, expected } = loadSeedModel();
    for (const packed of [true, false]) {
      const enc = sequential(embedding({ vocabSize: 148, dim: 16 }), lstm({ hidden: 16, layers: 2, packed }));
      const named = enc.weights();
      expect([...named.keys()].sort()).toEqual(
        Object.keys(tensors)
          .map((k) => k.replace(/^encoder\.(lstm\.)?/, ''))
          .sort(),
      );
      for (const [key, t] of Object.entries(tensors)) {
        tf.tidy(() =>
          named.get(key.replace(/^encoder\.(lstm\.)?/, ''))!.assign(tf.tensor(t.values, t.shape)),
        );
      }
      // packed: one padded batch must give each text its own unbatched state; unpacked reads the pads, as the seed.
      const input = batch(packed ? expected.unbatched.map((u) => u.ids) : expected.padded_batch.ids);
      const want = packed ? expected.unbatched.map((u) => u.h) : expected.padded_batch.h;
      const got = tf.tidy(() => enc.encode(input).arraySync());
      expect(maxAbsDiff(got, want), packed ? 'packed' : 'padded').toBeLessThan(tol);
      disposeBatch(input);
      enc.dispose();
    }
  });

  it('meanpool: masked mean (divides by the true length) and embedding gradient', () => {
    const g = loadGolden('meanpool');
    const enc = sequential(
      embedding({ vocabSize: g.config.vocab, dim: g.config.emb }),
      pooling({ mode: 'mean' }),
    );
    assignWeights(enc, g.weights);
    const input = goldenInput(g);
    const res = outputAndGrads(enc, input, g.loss_weights);
    expect(maxAbsDiff(res.output, g.output.data)).toBeLessThan(tol);
    expect(maxAbsDiff(res.grads['embedding.weight'], g.grads['embedding.weight'].data)).toBeLessThan(tol);
    enc.dispose();
    disposeInput(input);
  });
});
