import { SiameseError } from '@siamese/core';
import { memory } from '@tensorflow/tfjs-core';

/** Result of {@link tensorLeakCheck}. */
export interface LeakCheckResult {
  before: number;
  after: number;
  leaked: number;
}

/**
 * Test helper: runs `fn` `warmup` times (lazy caches may allocate once), then `iterations` times, and throws a
 * `SiameseError` with code `E_TENSOR_LEAK` if `tf.memory().numTensors` grew. Dispose what `fn` returns inside `fn`.
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
  if (after !== before) {
    throw new SiameseError(
      'E_TENSOR_LEAK',
      `${label}: expected the number of live tensors to stay at ${before} across ${iterations} calls, found ${after} (+${after - before})`,
      { details: { label, before, after, iterations } },
    );
  }
  return { before, after, leaked: 0 };
}
