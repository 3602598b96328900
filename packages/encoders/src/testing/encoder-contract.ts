import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { registeredEncoders } from '../registry.js';
import type { Encoder, EncoderInput } from '../types.js';
import {
  checkGradients,
  checkPadsIgnored,
  checkRoundTrip,
  checkWeights,
  gradients,
  maxDiff,
  randomBatch,
} from './checks.js';
import { type ContractReport, checker, noLeaks } from './report.js';

/** Options of {@link runEncoderContract}. */
export interface EncoderContractOptions {
  /** Builds a fresh, untrained encoder (called several times). */
  newEncoder: () => Encoder;
  /** Token ids of the generated batches are drawn from `[1, vocabSize)` (default 20). */
  vocabSize?: number;
  /** Builds the input batch yourself (e.g. with `ngramIds`); the kit disposes it. Default: ragged random ids. */
  batch?: (rng: Rng) => EncoderInput;
  /** Largest difference tolerated between outputs that must agree (default 1e-5). */
  tolerance?: number;
  /** Set false for an encoder that reads pads on purpose (like `lstm({ packed: false })`). Default true. */
  ignoresPads?: boolean;
}

/**
 * Runs the `Encoder` contract against `newEncoder()`: output shape and finiteness, pads never read, repeatable
 * inference, a finite gradient for every trainable variable, unique weights that include the trainable ones,
 * `getConfig()` rebuilt through the registry (`encoderFromConfig`) with equal outputs once the weights are
 * copied (what saving and loading do), no tensor leaks, and a `dispose()` that frees every variable.
 */
export async function runEncoderContract(options: EncoderContractOptions): Promise<ContractReport> {
  const tol = options.tolerance ?? 1e-5;
  const rng = new Rng(7);
  const makeBatch = options.batch ?? ((r: Rng) => randomBatch(r, options.vocabSize ?? 20));
  const before = tf.memory().numTensors;
  const enc = options.newEncoder();
  const report: ContractReport = { subject: `encoder ${String(enc?.type)}`, checks: [] };
  const check = checker(report);
  const input = makeBatch(rng);
  try {
    check(
      'type',
      typeof enc.type === 'string' && enc.type === enc.getConfig()?.type,
      'type equal to getConfig().type',
      `${enc.type} / ${enc.getConfig()?.type}`,
    );
    check(
      'registered',
      registeredEncoders().includes(enc.type),
      `a type registered with registerEncoder (${registeredEncoders().join(', ')})`,
      JSON.stringify(enc.type),
    );
    const out = tf.tidy(() => enc.encode(input).arraySync());
    const [b] = input.ids.shape;
    check(
      'output shape',
      out.length === b && out.every((row) => row.length === enc.outputDim),
      `[${b}, ${enc.outputDim}]`,
      `[${out.length}, ${out[0]?.length}]`,
    );
    check('finite output', out.flat().every(Number.isFinite), 'finite values', 'NaN or Infinity');
    // Within the tolerance: a second call may read folded tables, equal to float rounding.
    const again = maxDiff(
      tf.tidy(() => enc.encode(input).arraySync()),
      out,
    );
    check(
      'repeatable inference',
      again <= tol,
      `the same output twice (tolerance ${tol})`,
      `a difference of ${again}`,
    );
    if (options.ignoresPads !== false) checkPadsIgnored(enc, input, out, tol, check);
    checkWeights(enc, check);
    checkGradients(enc, input, check);
    checkRoundTrip(enc, input, out, tol, check);
    await noLeaks(report, 'no leaks (inference)', () => tf.dispose(enc.encode(input)));
    await noLeaks(report, 'no leaks (gradients)', () => {
      const { value, grads } = gradients(enc, input);
      tf.dispose([value, ...Object.values(grads)]);
    });
  } finally {
    tf.dispose([input.ids, input.mask, ...(input.ngramIds ? [input.ngramIds] : [])]);
    enc.dispose?.();
  }
  check(
    'dispose frees every tensor',
    tf.memory().numTensors === before,
    `${before} live tensors after dispose()`,
    `${tf.memory().numTensors}`,
  );
  return report;
}
