import { SiameseError } from '@siamese/core';

/** Learning-rate schedule: constant, or linear warm-up followed by linear or cosine decay to zero. */
export type LrSchedule =
  | { type: 'constant' }
  | { type: 'warmupLinear'; warmupSteps?: number; warmupRatio?: number }
  | { type: 'warmupCosine'; warmupSteps?: number; warmupRatio?: number };

/** The learning rate at optimisation `step` (0-based) of `totalSteps`, for a base rate `lr`. */
export function learningRateAt(schedule: LrSchedule, lr: number, step: number, totalSteps: number): number {
  if (schedule.type === 'constant') return lr;
  const warm = Math.round(schedule.warmupSteps ?? (schedule.warmupRatio ?? 0.1) * totalSteps);
  if (warm < 0)
    throw new SiameseError('E_INVALID_ARGUMENT', `lr schedule: expected warmupSteps ≥ 0, found ${warm}`);
  if (step < warm) return (lr * (step + 1)) / warm;
  const rest = Math.max(1, totalSteps - warm);
  const progress = Math.min(1, (step - warm) / rest);
  if (schedule.type === 'warmupLinear') return lr * (1 - progress);
  return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
}
