import { memory } from '@tensorflow/tfjs-core';
import { TensorLeakError } from './errors.js';

/** Result of {@link tensorLeakCheck}. */
export interface LeakCheckResult {
  before: number;
  after: number;
  leaked: number;
}

/**
 * Test helper: runs `fn` `warmup` times (lazy caches may allocate once), then `iterations` times, and throws a
 * {@link TensorLeakError} if `tf.memory().numTensors` grew. Dispose what `fn` returns inside `fn`.
 */
export async function tensorLeakCheck(
  fn: () => unknown,
  options: { iterations?: number; warmup?: number; label?: string } = {},
): Promise<LeakCheckResult> {
  const { iterations = 3, warmup = 1, label = 'tensorLeakCheck' } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const before = memory().numTensors;
  for (let i = 0; i < iterations; i++) await fn();
  const after = memory().numTensors;
  if (after !== before) throw new TensorLeakError(label, before, after, iterations);
  return { before, after, leaked: 0 };
}
