/** Timing helpers shared by the suites: warm-up, then the median of several runs. */

export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Runs `fn` `warmup` times, then `runs` times, and returns the median wall time per run. */
export async function timeIt(fn: () => unknown, runs: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), minMs: Math.min(...times), runs };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Peak resident set size of this process so far, in MB (Node only; 0 elsewhere). */
export function peakRssMB(): number {
  const p = (globalThis as { process?: { resourceUsage?: () => { maxRSS: number } } }).process;
  return p?.resourceUsage ? Math.round(p.resourceUsage().maxRSS / 1024) : 0;
}

/** Rounds to `digits` significant decimals for readable JSON. */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
