// Seeds every fast-check property of a package's tests (vitest `setupFiles`). CI replays the same inputs on every
// run; a failing property prints its seed and path (fast-check's report), so `FC_SEED=<seed>` replays it.
// Explore new inputs locally with `FC_SEED=random` (the seed is printed) and more runs with `FC_NUM_RUNS=10000`.
import fc from 'fast-check';

const fixed = 20261201;
const env = process.env.FC_SEED;
const seed =
  env === 'random' ? (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0 : env ? Number(env) : fixed;
if (!Number.isInteger(seed)) throw new Error(`FC_SEED: expected an integer or "random", found ${env}`);
if (env === 'random') console.log(`fast-check: seed ${seed} (replay with FC_SEED=${seed})`);
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : undefined;
fc.configureGlobal({ seed, ...(numRuns ? { numRuns } : {}) });
