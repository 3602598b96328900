// A bounded load test against a local server (127.0.0.1 only): a fixed number of requests, fixed concurrency.
import { call } from './routes.ts';

/** Latency percentiles (ms) and error count of a load run. */
export interface LoadReport {
  requests: number;
  concurrency: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  seconds: number;
}

const BODIES: [string, unknown][] = [
  ['/similarity', { a: 'A man is playing a guitar.', b: 'A person plays the guitar.' }],
  ['/search', { query: 'A dog runs across the grass.', k: 5 }],
  ['/match', { text: 'A woman is slicing an onion.' }],
  ['/embed', { texts: ['A child rides a bike.', 'Two dogs are running.', 'The market fell.'] }],
  [
    '/classify',
    {
      text: 'A man plays a flute.',
      examples: [
        { text: 'A man is playing a guitar.', label: 'music' },
        { text: 'A woman is slicing an onion.', label: 'cooking' },
      ],
    },
  ],
  ['/health', undefined],
];

/** Sends `requests` requests over the route mix with `concurrency` in flight; any non-200 counts as an error. */
export async function loadTest(base: string, requests = 2000, concurrency = 8): Promise<LoadReport> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < requests) {
      const i = next++;
      const [path, body] = BODIES[i % BODIES.length]!;
      const start = performance.now();
      try {
        const r = await call(base, path, body);
        if (r.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    requests,
    concurrency,
    errors,
    p50Ms: round(pct(50)),
    p99Ms: round(pct(99)),
    maxMs: round(latencies.at(-1)!),
    seconds: round((performance.now() - t0) / 1000),
  };
}
