import { Rng } from '@siamese/core';
import { assertEqual, defineSuite } from '../harness.js';

/** `new Rng(1).normal()` × 12, recorded once on Node 20 (as in packages/core/test/rng.test.ts). */
const NORMAL_1 = [
  0.02622853725481447, -1.0622839226707652, -0.48322824174978224, 0.03033979269555185, 1.22113300497699,
  -0.12807240778861692, -1.407920588881797, -0.3170442684014997, 0.9329442434415134, -1.143752579176185,
  0.17683431172943756, -1.1587022247106131,
];

export default defineSuite('core', (test) => {
  test('Rng(42) gives the recorded sequence on this runtime', (ctx) => {
    const r = new Rng(42);
    const seq = Array.from({ length: 5 }, () => r.nextUint32());
    assertEqual(seq, [2837322924, 544945897, 479756282, 3500138142, 339756180], 'Rng(42)');
    ctx.same(
      'uint32 × 1000',
      Array.from({ length: 1000 }, () => r.nextUint32()),
    );
  });

  test('normal() is bit-identical on every runtime (its own log/sin/cos, not the engine’s)', (ctx) => {
    const n = new Rng(1);
    // assertEqual compares the shortest round-trip text of each double: every bit counts.
    assertEqual(
      Array.from({ length: 12 }, () => n.normal()),
      NORMAL_1,
      'new Rng(1).normal() × 12',
    );
    // The engines' Math.log/cos disagreed in ~6% of draws: 100k draws catch any such difference.
    const r = new Rng(7);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    let h = 0;
    for (let i = 0; i < 100_000; i++) {
      f[0] = r.normal();
      h = (Math.imul(h ^ u[0]!, 0x9e3779b1) + u[1]!) >>> 0;
    }
    ctx.same('hash of 100k normal() draws', h);
    ctx.same('fillNormal(float32) × 256', new Rng(3).fillNormal(new Float32Array(256), 0, 0.1));
    ctx.same('uniform × 256', new Rng(4).fillUniform(new Float32Array(256), -1, 1));
  });
});
