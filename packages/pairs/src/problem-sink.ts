import type { SiameseError } from '@siamese/core';
import { type DatasetErrorCode, problemOf } from './errors.js';
import type { ReadReport } from './pair-record.js';

/** Applies the `onError` policy: rethrows, or counts the problem and keeps the first `maxProblems`. */
export class ProblemSink {
  readonly report: ReadReport;
  private readonly policy: 'throw' | 'skip';
  private readonly max: number;

  constructor(source: string, policy: 'throw' | 'skip', maxProblems: number) {
    this.report = { source, rows: 0, accepted: 0, skipped: 0, problems: [] };
    this.policy = policy;
    this.max = maxProblems;
  }

  /** Handles a bad row: throws under `throw`, records it under `skip`. */
  readonly problem = (error: SiameseError<DatasetErrorCode>): void => {
    if (this.policy === 'throw') throw error;
    this.report.skipped++;
    if (this.report.problems.length < this.max) this.report.problems.push(problemOf(error));
  };
}
