/**
 * A group of worker threads that each hold a copy of a model: started together, read in message order, and
 * terminated together (also when one of them fails or the caller aborts).
 *
 * @module
 */
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { modelToBytes } from '../../io/model-io.js';
import type { SiameseModel } from '../../model.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { startThread, type Thread } from './threads.js';

/** Where the worker module is: next to this file in `dist/` (the ESM build; the CJS build shims `import.meta.url`). */
export function workerUrl(): URL {
  // Run from source (this package's own tests), the worker is the built one.
  // @vite-ignore: Node, Deno and Bun read the file; bundlers must not copy it as an asset.
  return import.meta.url.endsWith('.ts')
    ? new URL(/* @vite-ignore */ '../../../dist/parallel-worker.js', import.meta.url)
    : new URL(/* @vite-ignore */ './parallel-worker.js', import.meta.url);
}

/** Options shared by parallel training and embedding. */
export interface ThreadOptions {
  /**
   * A module (URL or specifier resolvable from the worker file) each worker thread imports before it loads the
   * model: register custom encoders, steps and losses there, as the calling thread did.
   */
  workerSetup?: string | URL;
}

class Inbox {
  private readonly messages: FromWorker[] = [];
  private waiter: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  failure: Error | undefined;

  push(m: FromWorker): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(m);
    } else this.messages.push(m);
  }

  fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  next(): Promise<FromWorker> {
    const m = this.messages.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}

/** Started worker threads, each with the model loaded. */
export class ThreadPool {
  private closed = false;

  private constructor(
    private readonly threads: Thread[],
    private readonly inboxes: Inbox[],
  ) {}

  get size(): number {
    return this.threads.length;
  }

  /** Whether a thread failed or the pool was closed: such a pool is not reused. */
  get broken(): boolean {
    return this.closed || this.inboxes.some((inbox) => inbox.failure !== undefined);
  }

  /** Lets idle threads keep the process alive (`true`) or not; false when a runtime cannot say so. */
  keepAlive(on: boolean): boolean {
    return this.threads.map((t) => t.keepAlive(on)).every(Boolean);
  }

  /** Posts `message` to every thread and waits until each answers `ready`. */
  async broadcast(message: ToWorker): Promise<void> {
    for (const t of this.threads) t.post(message);
    for (let k = 0; k < this.size; k++) await this.receive(k, 'ready');
  }

  /** Starts `n` threads and loads `model` in each. */
  static async start(model: SiameseModel, n: number, options: ThreadOptions): Promise<ThreadPool> {
    const bytes = await modelToBytes(model);
    const url = workerUrl();
    const threads: Thread[] = [];
    const inboxes: Inbox[] = [];
    const pool = new ThreadPool(threads, inboxes);
    try {
      for (let k = 0; k < n; k++) {
        const thread = startThread(url);
        const inbox = new Inbox();
        thread.listen(
          (m) => inbox.push(m as FromWorker),
          (e) => inbox.fail(workerFailed(k, e.message, e)),
        );
        threads.push(thread);
        inboxes.push(inbox);
        const init: ToWorker = {
          type: 'init',
          model: bytes,
          backend: tf.getBackend(),
          ...(options.workerSetup ? { setup: String(options.workerSetup) } : {}),
        };
        thread.post(init);
      }
      // In order, so that when several fail the first one's error is reported.
      for (let k = 0; k < n; k++) await pool.receive(k, 'ready');
      return pool;
    } catch (e) {
      await pool.close();
      throw e;
    }
  }

  post(k: number, message: ToWorker, transfer?: Transferable[]): void {
    this.threads[k]!.post(message, transfer);
  }

  /** The next message of thread `k`, which must be of `type` (a worker's error is rethrown here). */
  async receive<T extends FromWorker['type']>(k: number, type: T): Promise<Extract<FromWorker, { type: T }>> {
    const m = await this.inboxes[k]!.next();
    if (m.type === 'error') {
      const error = m.code
        ? new SiameseError(
            m.code as never,
            `worker ${k + 1}: ${m.message}`,
            m.details ? { details: m.details } : {},
          )
        : workerFailed(k, m.message);
      this.inboxes[k]!.fail(error);
      throw error;
    }
    if (m.type !== type) throw workerFailed(k, `expected a '${type}' message, received '${m.type}'`);
    return m as Extract<FromWorker, { type: T }>;
  }

  /** Terminates every thread (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.terminate().catch(() => undefined)));
  }
}

function workerFailed(k: number, message: string, cause?: unknown): SiameseError<'E_WORKER_FAILED'> {
  return new SiameseError('E_WORKER_FAILED', `worker thread ${k + 1} failed: ${message}`, {
    details: { worker: k + 1 },
    ...(cause ? { cause } : {}),
  });
}
