// Starting and stopping local servers for the tests (127.0.0.1 only): workerd, Deno, Bun.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs `start(port)` on a port that was free a moment ago. Another process can bind it between the probe and the
 * server's own bind; the server then fails with "address in use" and this tries a fresh port, up to `tries` times.
 * Any other failure is thrown at once.
 * @template T
 * @param {(port: number) => Promise<T>} start
 * @param {number} [tries]
 * @returns {Promise<T>}
 */
export async function onFreePort(start, tries = 3) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (e) {
      if (attempt >= tries || !/address already in use|EADDRINUSE/i.test(String(e?.message))) throw e;
    }
  }
}

/**
 * Spawns a server and resolves once `GET /health` answers 200. The base URL is `options.url`, or read from a
 * `listening on http://…` line on stdout. `startMs` is the time from spawn to that first good answer: the cold
 * start (process, runtime, WASM, model, index).
 * @param {string} command
 * @param {string[]} args
 * @param {{url?: string, cwd?: string, env?: Record<string, string>, timeoutMs?: number}} [options]
 */
export async function spawnServer(command, args, { url, cwd, env, timeoutMs = 60_000 } = {}) {
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let base = url;
  child.stdout.on('data', (d) => {
    output += d;
    base ??= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (;;) {
    if (base) {
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok) break;
      } catch {
        // not listening yet
      }
    }
    if (child.exitCode !== null || performance.now() - t0 > timeoutMs) {
      await stop();
      throw new Error(
        `${command} did not serve /health within ${timeoutMs} ms (exit ${child.exitCode}):\n${output}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { url: base, startMs: performance.now() - t0, output: () => output, stop };
}
