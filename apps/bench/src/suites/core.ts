import { Rng } from '@siamese/core';
import { round, timeIt } from '../measure.js';
import type { BenchSuite } from '../types.js';

/** PRNG throughput: every sampler and initialiser sits on it. */
const suite: BenchSuite = {
  name: 'core',
  description: 'seeded PRNG throughput (xoshiro128**)',
  async run({ quick }) {
    const n = quick ? 100_000 : 5_000_000;
    const rng = new Rng(1);
    const out = new Float32Array(n);
    const uni = await timeIt(() => rng.fillUniform(out, -1, 1), quick ? 3 : 9);
    const nor = await timeIt(() => rng.fillNormal(out), quick ? 3 : 9);
    return [
      { suite: 'core', op: 'uniform', valuesPerSec: round((n / uni.medianMs) * 1000, 0), runs: uni.runs },
      { suite: 'core', op: 'normal', valuesPerSec: round((n / nor.medianMs) * 1000, 0), runs: nor.runs },
    ];
  },
};
export default suite;
