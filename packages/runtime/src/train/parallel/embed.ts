/**
 * Parallel embedding: a large list of texts is cut into one contiguous share per thread; the calling thread
 * embeds the first share while each worker thread embeds one more with its own copy of the model, and the rows
 * come back in input order. The worker threads are the model's own (see model-threads.ts): started by its first
 * parallel call, reused after, closed by `dispose()` or when a call fails.
 *
 * @module
 */
import { SiameseError } from '@siamese/core';
import type { EmbedOptions, SiameseModel } from '../../model.js';
import { shardsOf } from './data-parallel.js';
import { leaseThreads } from './model-threads.js';
import { availableCores, threadsAvailable } from './threads.js';

/** Below this many texts `embed` stays on the calling thread unless `workers` is given: threads take time to start. */
export const PARALLEL_MIN_TEXTS = 4096;

/** The threads an `embed` call uses: `workers` as asked, else the cores for {@link PARALLEL_MIN_TEXTS} or more; 1 without threads. */
export function embedThreads(workers: number | undefined, texts: number): number {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'embed: workers',
      'a whole number ≥ 1',
      String(workers),
    );
  }
  const wanted = workers ?? (texts >= PARALLEL_MIN_TEXTS ? availableCores() : 1);
  const n = Math.min(wanted, texts);
  return n > 1 && threadsAvailable() ? n : 1;
}

/** Embeds `texts` on `n` threads (the calling thread and `n − 1` workers); the N×D matrix in input order. */
export async function embedInThreads(
  model: SiameseModel,
  texts: readonly string[],
  n: number,
  options: EmbedOptions,
): Promise<Float32Array> {
  const dim = options.truncateDim ?? model.dim;
  const ids = texts.map((_, i) => i);
  const shards = shardsOf(ids, n);
  const lease = await leaseThreads(model, shards.length - 1, {
    ...(options.workerSetup ? { workerSetup: options.workerSetup } : {}),
  });
  const { pool } = lease;
  let ok = false;
  try {
    const settings = {
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.normalize ? { normalize: true } : {}),
      ...(options.truncateDim ? { truncateDim: options.truncateDim } : {}),
    };
    for (let k = 1; k < shards.length; k++) {
      pool.post(k - 1, { type: 'embed', id: k, texts: shards[k]!.map((i) => texts[i]!), ...settings });
    }
    const own = await model.embedMatrix(
      shards[0]!.map((i) => texts[i]!),
      { ...settings, workers: 1 },
    );
    const parts = await Promise.all(shards.slice(1).map((_, k) => pool.receive(k, 'embedded')));
    const out = new Float32Array(texts.length * dim);
    out.set(own, 0);
    parts.forEach((part, k) => {
      out.set(part.matrix, shards[k + 1]![0]! * dim);
    });
    ok = true;
    return out;
  } finally {
    await lease.release(ok);
  }
}
