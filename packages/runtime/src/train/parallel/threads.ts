/**
 * Threads on every runtime that has them: Node's `worker_threads`, the web `Worker` of Deno, Bun and browsers.
 * Cloudflare Workers have none, so {@link threadsAvailable} is false there and callers stay on one thread.
 *
 * @module
 */
import { runtimeKey } from '@siamese/core';

/** A worker thread, whatever the runtime's API: messages in order, errors, termination. */
export interface Thread {
  post(message: unknown, transfer?: Transferable[]): void;
  /** Every message from the thread; `onError` gets its uncaught errors and an exit before it was asked to. */
  listen(onMessage: (message: unknown) => void, onError: (error: Error) => void): void;
  terminate(): Promise<void>;
  /**
   * Whether an idle thread may keep the process alive: `false` lets the process exit while the thread waits for
   * work (Node and Bun). Returns whether the runtime could do it (Deno's and browsers' workers cannot).
   */
  keepAlive(on: boolean): boolean;
}

interface NodeWorker {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message' | 'error' | 'exit', handler: (value: never) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}
interface NodeWorkerThreads {
  Worker: new (url: URL, options?: { workerData?: unknown }) => NodeWorker;
  parentPort: {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(event: 'message', h: (m: unknown) => void): void;
  } | null;
}
interface Globals {
  Worker?: new (url: URL | string, options?: { type?: 'module'; name?: string }) => WebWorker;
  navigator?: { hardwareConcurrency?: number };
  process?: { getBuiltinModule?: (name: string) => unknown };
  crossOriginIsolated?: boolean;
}
interface WebWorker {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string; error?: unknown; preventDefault?: () => void }) => void) | null;
  terminate(): void;
  ref?(): void;
  unref?(): void;
}

const g = (): Globals => globalThis as Globals;

/** Node's `worker_threads` (Node only: Deno and Bun use their web `Worker`, which is what they document). */
function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  if (runtimeKey() !== 'node') return undefined;
  return g().process?.getBuiltinModule?.('worker_threads') as NodeWorkerThreads | undefined;
}

/** Whether this runtime can start threads (false on Cloudflare Workers). */
export function threadsAvailable(): boolean {
  if (runtimeKey() === 'workerd') return false;
  return nodeWorkerThreads() !== undefined || typeof g().Worker === 'function';
}

/** Whether threads can share memory: `SharedArrayBuffer` exists (browsers: only when cross-origin isolated). */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics === 'undefined') return false;
  return g().crossOriginIsolated !== false;
}

/**
 * Whether this thread may block on shared memory (`Atomics.wait`): true in Node, Deno, Bun and any worker;
 * false on a browser page's main thread, where it throws.
 */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** The number of logical cores (1 where threads are unavailable). */
export function availableCores(): number {
  if (!threadsAvailable()) return 1;
  const os = g().process?.getBuiltinModule?.('os') as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? g().navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.floor(n));
}

/** Starts the module at `url` (an ES module) as a thread. */
export function startThread(url: URL): Thread {
  const node = nodeWorkerThreads();
  if (node) {
    const w = new node.Worker(url);
    let closing = false;
    return {
      post: (m, transfer) => w.postMessage(m, transfer),
      listen(onMessage, onError) {
        w.on('message', onMessage as (v: never) => void);
        w.on('error', ((e: Error) => onError(e)) as (v: never) => void);
        w.on('exit', ((code: number) => {
          if (!closing) onError(new Error(`the worker thread exited with code ${code}`));
        }) as (v: never) => void);
      },
      async terminate() {
        closing = true;
        await w.terminate();
      },
      keepAlive(on) {
        if (on) w.ref();
        else w.unref();
        return true;
      },
    };
  }
  const Web = g().Worker;
  // Callers check threadsAvailable() first and stay on one thread without threads.
  if (!Web) throw new Error(`startThread: this runtime (${runtimeKey()}) has no worker threads`);
  const w = new Web(url, { type: 'module', name: 'siamese' });
  return {
    post: (m, transfer) => w.postMessage(m, transfer ?? []),
    listen(onMessage, onError) {
      w.onmessage = (e) => onMessage(e.data);
      w.onerror = (e) => {
        e.preventDefault?.();
        onError(e.error instanceof Error ? e.error : new Error(e.message ?? 'worker error'));
      };
    },
    async terminate() {
      w.terminate();
    },
    keepAlive(on) {
      // Bun's Worker has ref/unref; Deno's and browsers' have neither.
      const toggle = on ? w.ref : w.unref;
      if (typeof toggle !== 'function') return false;
      toggle.call(w);
      return true;
    },
  };
}

/** Inside a thread: the channel to the thread that started it. */
export function parentChannel(): {
  post(message: unknown, transfer?: Transferable[]): void;
  listen(onMessage: (message: unknown) => void): void;
} {
  const port = nodeWorkerThreads()?.parentPort;
  if (port) {
    return {
      post: (m, transfer) => port.postMessage(m, transfer),
      listen: (h) => port.on('message', h),
    };
  }
  const self = globalThis as unknown as {
    postMessage(m: unknown, transfer?: Transferable[]): void;
    onmessage: ((e: { data: unknown }) => void) | null;
  };
  return {
    post: (m, transfer) => self.postMessage(m, transfer ?? []),
    listen: (h) => {
      self.onmessage = (e) => h(e.data);
    },
  };
}
