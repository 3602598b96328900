/**
 * The worker threads a model keeps: started on its first parallel `embed` or `fit`, reused by later calls, and
 * closed by `model.dispose()`. Starting a thread costs far more than most calls (a WASM instance, the model
 * built and loaded: about half a second of CPU each), so paying it once per model, not once per call, is what
 * lets a second core speed up embedding a corpus.
 *
 * Between calls the threads do not keep the process alive (Node and Bun `unref` them); where a runtime cannot
 * say so (Deno, browsers) they are closed after {@link IDLE_CLOSE_MS} without work. A call whose model weights
 * changed since the threads last saw them (any `Variable.assign`: training, loading, user code) sends them the
 * new weights first. Calls on one model run one at a time.
 *
 * @module
 */
import type { SiameseModel } from '../../model.js';
import { type ThreadOptions, ThreadPool } from './pool.js';

/** Where idle threads cannot be unref'd, they are closed after this long without work. */
export const IDLE_CLOSE_MS = 3000;

interface Kept {
  pool: ThreadPool;
  setup: string | undefined;
  /** The `dataId` of each weight when the threads last received them: `assign` replaces it. */
  weights: unknown[];
  idle?: ReturnType<typeof setTimeout> | undefined;
}

const kept = new WeakMap<SiameseModel, Kept>();
const locks = new WeakMap<SiameseModel, Promise<unknown>>();
/** Models whose threads a call holds right now (between its lease and its release). */
const held = new WeakSet<SiameseModel>();

/**
 * Whether a call holds the model's threads now: a call made from inside it (a parallel `fit` evaluating its dev
 * set) must not wait for them, or neither would finish.
 */
export function threadsHeld(model: SiameseModel): boolean {
  return held.has(model);
}

/** A model's threads, held by one call until {@link ThreadLease.release}. */
export interface ThreadLease {
  pool: ThreadPool;
  /** Milliseconds spent starting threads for this call (0 when reused). */
  startMs: number;
  /** Ends the call: `keep` false (a failure, an abort) closes the threads. */
  release(keep: boolean): Promise<void>;
}

const weightIds = (model: SiameseModel) =>
  [...model.encoder.weights().values()].map((v) => (v as unknown as { dataId: unknown }).dataId);

/**
 * Takes the model's `n` threads (started, restarted for another count or setup module, or refreshed with the
 * model's current weights), waiting for the call before to release them.
 */
export async function leaseThreads(
  model: SiameseModel,
  n: number,
  options: ThreadOptions,
): Promise<ThreadLease> {
  const before = locks.get(model) ?? Promise.resolve();
  let unlock!: () => void;
  const mine = new Promise<void>((resolve) => {
    unlock = resolve;
  });
  locks.set(
    model,
    before.then(() => mine),
  );
  await before.catch(() => undefined);
  held.add(model);
  try {
    const setup = options.workerSetup === undefined ? undefined : String(options.workerSetup);
    let entry = kept.get(model);
    if (entry && (entry.pool.size !== n || entry.setup !== setup || entry.pool.broken)) {
      await closeEntry(model, entry);
      entry = undefined;
    }
    let startMs = 0;
    if (!entry) {
      const t0 = performance.now();
      const pool = await ThreadPool.start(model, n, options);
      startMs = performance.now() - t0;
      entry = { pool, setup, weights: weightIds(model) };
      kept.set(model, entry);
    } else {
      clearTimeout(entry.idle);
      // Referenced again before any message: an unreferenced thread's answer would not keep the process alive.
      entry.pool.keepAlive(true);
      const ids = weightIds(model);
      if (ids.some((id, i) => id !== entry!.weights[i])) {
        const values = [...model.encoder.weights().values()].map((v) => v.dataSync() as Float32Array);
        await entry.pool.broadcast({ type: 'weights', values });
        entry.weights = ids;
      }
    }
    const lease = entry;
    return {
      pool: lease.pool,
      startMs,
      async release(keep: boolean) {
        try {
          if (!keep || lease.pool.broken) await closeEntry(model, lease);
          else {
            // lease.weights stays as the threads last received them: a fit leaves the model's weights replaced
            // (new dataIds; restoring the best epoch may even differ from the replicas), so the next call resends.
            if (!lease.pool.keepAlive(false)) {
              lease.idle = setTimeout(() => void closeEntry(model, lease), IDLE_CLOSE_MS);
            }
          }
        } finally {
          held.delete(model);
          unlock();
        }
      },
    };
  } catch (e) {
    const entry = kept.get(model);
    if (entry) await closeEntry(model, entry);
    held.delete(model);
    unlock();
    throw e;
  }
}

async function closeEntry(model: SiameseModel, entry: Kept): Promise<void> {
  clearTimeout(entry.idle);
  if (kept.get(model) === entry) kept.delete(model);
  await entry.pool.close();
}

/** Closes the threads a model keeps (what `model.dispose()` calls); resolves when they are terminated. */
export async function closeThreads(model: SiameseModel): Promise<void> {
  const entry = kept.get(model);
  if (entry) await closeEntry(model, entry);
}

/** How many threads a model keeps now (0 when none): for tests and diagnostics. */
export function keptThreads(model: SiameseModel): number {
  return kept.get(model)?.pool.size ?? 0;
}
