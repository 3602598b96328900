import { now } from '@siamese/core';
import type { EvaluationMetrics } from '../eval/evaluate.js';

/** Progress after each batch. */
export interface BatchEvent {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  step: number;
  loss: number;
  lr: number;
  pairsPerSec: number;
  etaSec: number;
}

/** Summary after each epoch. */
export interface EpochEvent {
  epoch: number;
  loss: number;
  /** The dev metrics (with named dev sets: those of the tracked set). */
  devMetrics?: EvaluationMetrics;
  /** With named dev sets (`dev: { sts, mrpc }`): every set's metrics, by name. */
  devSets?: Record<string, EvaluationMetrics>;
  /** The early-stopping metric's value, if a dev set was given. */
  metric?: number;
  seconds: number;
  pairsPerSec: number;
  improved: boolean;
}

/** The best dev metric seen, and the epoch (1-based) that reached it. */
export interface BestEpoch {
  metric: number;
  epoch: number;
}

/** What `fit` returns; the model keeps it too (`model.training`, saved with the model). */
export interface FitResult {
  history: EpochEvent[];
  best: BestEpoch | null;
  epochsRun: number;
  stoppedEarly: boolean;
  seconds: number;
  /** Mean training throughput over all batches. */
  pairsPerSec: number;
  resumedFrom: number;
}

/** Counts pairs and time for the progress events: per epoch (wall clock) and overall (optimisation steps only). */
export class Throughput {
  private readonly t0 = now();
  private epochStart = now();
  private seen = 0;
  private totalPairs = 0;
  private trainSeconds = 0;

  constructor(
    private readonly totalSteps: number,
    private readonly batchSize: number,
  ) {}

  startEpoch(): void {
    this.epochStart = now();
    this.seen = 0;
  }

  /** Records a finished batch of `rows` pairs whose step took `stepSeconds`; returns the live rates. */
  batchDone(rows: number, stepSeconds: number, step: number): { pairsPerSec: number; etaSec: number } {
    this.trainSeconds += stepSeconds;
    this.totalPairs += rows;
    this.seen += rows;
    const pairsPerSec = this.seen / Math.max(this.epochSeconds(), 1e-9);
    const remaining = (this.totalSteps - step) * this.batchSize;
    return { pairsPerSec, etaSec: remaining / Math.max(pairsPerSec, 1e-9) };
  }

  epochSeconds(): number {
    return (now() - this.epochStart) / 1000;
  }

  /** Seconds since training started. */
  seconds(): number {
    return (now() - this.t0) / 1000;
  }

  /** Pairs per second of optimisation steps over the whole run. */
  pairsPerSec(): number {
    return this.totalPairs / Math.max(this.trainSeconds, 1e-9);
  }
}
