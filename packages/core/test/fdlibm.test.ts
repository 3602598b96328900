import { describe, expect, it } from 'vitest';
import { cos, log, sin, TRIG_MAX } from '../src/fdlibm.js';
import { Rng } from '../src/index.js';

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const d = buf.getBigInt64(0) - buf.getBigInt64(8);
  return Number(d < 0n ? -d : d);
}

describe('fdlibm log/sin/cos (the SDK’s engine-independent math)', () => {
  it('stay within 1 ulp of the engine’s Math functions over the ranges Rng.normal() uses and beyond', () => {
    const rng = new Rng(2024);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const u = (rng.nextUint32() + 1) / 4294967296;
      const t = 2 * Math.PI * rng.next();
      const wide = (rng.next() - 0.5) * 2e5;
      const big = rng.next() * 1e300;
      for (const [ours, engine] of [
        [log(u), Math.log(u)],
        [log(big), Math.log(big)],
        [sin(t), Math.sin(t)],
        [cos(t), Math.cos(t)],
        [sin(wide), Math.sin(wide)],
        [cos(wide), Math.cos(wide)],
      ] as const) {
        // Near a zero of sin/cos the absolute error bound matters, not ulps of a tiny result.
        const d = Math.abs(engine) < 1e-6 ? (Math.abs(ours - engine) <= 1e-22 ? 0 : 99) : ulps(ours, engine);
        if (d > worst) worst = d;
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('handle the special values like Math', () => {
    expect(log(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(log(-0)).toBe(Number.NEGATIVE_INFINITY);
    expect(log(-1)).toBeNaN();
    expect(log(Number.NaN)).toBeNaN();
    expect(log(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(log(1)).toBe(0);
    expect(log(Math.E)).toBe(1);
    expect(log(Number.MIN_VALUE)).toBe(-744.4400719213812); // subnormal input
    expect(log(2)).toBe(Math.LN2);
    expect(log(1 + 2 ** -30)).toBe(9.313225741817976e-10); // |f| < 2^-20 branch
    expect(Object.is(sin(-0), -0)).toBe(true);
    expect(sin(1e-300)).toBe(1e-300);
    expect(cos(1e-300)).toBe(1);
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(sin(x)).toBeNaN();
      expect(cos(x)).toBeNaN();
    }
    expect(() => sin(TRIG_MAX * 2)).toThrow(RangeError);
  });

  it('give the recorded bits (the same on Node, Deno, Bun, workerd and browsers)', () => {
    // Values checked against Node 20 (V8 fdlibm), where Math.* and these ports agree bit for bit.
    expect([log(0.2), log(0.75), log(1e-5), log(123456.789)]).toEqual([
      -1.6094379124341003, -0.2876820724517809, -11.512925464970229, 11.723646487185881,
    ]);
    expect([sin(1), sin(2), sin(4), sin(6), sin(-3), sin(Math.PI / 2)]).toEqual([
      0.8414709848078965, 0.9092974268256817, -0.7568024953079282, -0.27941549819892586, -0.1411200080598672,
      1,
    ]);
    expect([cos(1), cos(2), cos(4), cos(6), cos(-3), cos(0.5)]).toEqual([
      0.5403023058681398, -0.4161468365471424, -0.6536436208636119, 0.9601702866503661, -0.9899924966004454,
      0.8775825618903728,
    ]);
  });
});
