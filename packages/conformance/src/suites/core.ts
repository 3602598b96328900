import { Rng } from '@siamese/core';
import { assertEqual, defineSuite } from '../harness.js';

export default defineSuite('core', (test) => {
  test('Rng(42) gives the recorded sequence on this runtime', () => {
    const r = new Rng(42);
    assertEqual(
      Array.from({ length: 5 }, () => r.nextUint32()),
      [2837322924, 544945897, 479756282, 3500138142, 339756180],
      'Rng(42)',
    );
    const n = new Rng(1);
    const normals = Array.from({ length: 3 }, () => n.normal().toFixed(12));
    const again = new Rng(1);
    assertEqual(
      Array.from({ length: 3 }, () => again.normal().toFixed(12)),
      normals,
      'normal() repeatable',
    );
  });
});
