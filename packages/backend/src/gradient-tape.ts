import { engine } from '@tensorflow/tfjs-core';

/**
 * True while tfjs records a gradient tape (inside `tf.grad`, `tf.variableGrads`, `optimizer.minimize`…): then an
 * op must keep what its gradient needs. tfjs-core 4.22 has no public API for it; its engine's `isTapeOn()` is
 * read, and an engine without it counts as recording (the safe answer).
 */
export function gradientTapeOn(): boolean {
  return (engine() as unknown as { isTapeOn?: () => boolean }).isTapeOn?.() ?? true;
}
