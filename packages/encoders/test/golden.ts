import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderInput } from '../src/index.js';

/** The repo's test fixtures (`fixtures/`: PyTorch goldens; see fixtures/README.md). */
export const FIXTURES: URL = new URL('../../../fixtures/', import.meta.url);

// Golden JSON is loosely typed.
export type Golden = any;
export type GoldenTensor = { shape: number[]; data: unknown };

export function loadGolden(name: string): Golden {
  return JSON.parse(readFileSync(new URL(`golden/${name}.json`, FIXTURES), 'utf8'));
}

export const toTensor = (x: GoldenTensor, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(x.data as number[], x.shape, dtype);

/** The encoder input of a golden file (`token_ids`, `mask`, `lengths`). */
export function goldenInput(g: Golden): EncoderInput {
  return {
    ids: toTensor(g.inputs.token_ids, 'int32') as tf.Tensor2D,
    mask: toTensor(g.inputs.mask) as tf.Tensor2D,
    lengths: Int32Array.from(g.inputs.lengths as number[]),
  };
}

export function disposeInput(input: EncoderInput): void {
  input.ids.dispose();
  input.mask.dispose();
  input.ngramIds?.dispose();
}

/** Assigns golden weights by name; `rename` maps golden names to encoder names. */
export function assignWeights(
  enc: Encoder,
  weights: Record<string, GoldenTensor>,
  rename: Record<string, string> = {},
) {
  const named = enc.weights();
  for (const [key, value] of Object.entries(weights)) {
    const v = named.get(rename[key] ?? key);
    if (!v) throw new Error(`no weight ${rename[key] ?? key} in [${[...named.keys()].join(', ')}]`);
    tf.tidy(() => v.assign(toTensor(value)));
  }
}

/** Output and d(sum(output·lossWeights))/d(every weight), as plain arrays keyed by encoder weight name. */
export function outputAndGrads(enc: Encoder, input: EncoderInput, lossWeights: GoldenTensor) {
  const output = tf.tidy(() => enc.encode(input).arraySync());
  const lw = toTensor(lossWeights);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(enc.encode(input), lw)) as tf.Scalar,
    enc.trainableVariables(),
  );
  const byName: Record<string, number[]> = {};
  for (const [name, v] of enc.weights()) byName[name] = Array.from(grads[v.name]!.dataSync());
  const loss = value.dataSync()[0]!;
  tf.dispose([lw, value, ...Object.values(grads)]);
  return { output, grads: byName, loss };
}

export function flat(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.flatMap((v) => flat(v));
  throw new Error(`not numeric: ${typeof x}`);
}

export function maxAbsDiff(actual: unknown, expected: unknown): number {
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length) throw new Error(`length ${a.length} vs ${e.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (!(d <= m)) m = d;
  }
  return m;
}
