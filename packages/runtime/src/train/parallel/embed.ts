/**
 * Parallel embedding: a large list of texts is cut into one contiguous share per worker thread, each thread
 * embeds its share with its own copy of the model, and the rows come back in input order. The threads are the
 * model's own (see model-threads.ts): started by its first parallel call, reused after, closed by `dispose()` or
 * when a call fails.
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

/** Embeds `texts` on `n` worker threads; the N×D matrix in input order. */
export async function embedInThreads(
  model: SiameseModel,
  texts: readonly string[],
  n: number,
  options: EmbedOptions,
): Promise<Float32Array> {
  const dim = options.truncateDim ?? model.dim;
  const ids = texts.map((_, i) => i);
  const shards = shardsOf(ids, n);
  const lease = await leaseThreads(model, shards.length, {
    ...(options.workerSetup ? { workerSetup: options.workerSetup } : {}),
  });
  const { pool } = lease;
  let ok = false;
  try {
    shards.forEach((shard, k) => {
      pool.post(k, {
        type: 'embed',
        id: k,
        texts: shard.map((i) => texts[i]!),
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        ...(options.normalize ? { normalize: true } : {}),
        ...(options.truncateDim ? { truncateDim: options.truncateDim } : {}),
      });
    });
    const parts = await Promise.all(shards.map((_, k) => pool.receive(k, 'embedded')));
    const out = new Float32Array(texts.length * dim);
    parts.forEach((part, k) => {
      out.set(part.matrix, shards[k]![0]! * dim);
    });
    ok = true;
    return out;
  } finally {
    await lease.release(ok);
  }
}
