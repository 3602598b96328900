import { tensorLeakCheck } from '@siamese/backend';
import { SiameseError } from '@siamese/core';

/** What a passing run checked. */
export interface ContractReport {
  /** What was tested: the encoder or step type. */
  subject: string;
  /** The checks that passed, in order. */
  checks: string[];
}

export type Check = (name: string, ok: boolean, expected: string, found: string) => void;

export function checker(report: ContractReport): Check {
  return (name, ok, expected, found) => {
    if (!ok) throw contractError(report, name, expected, found);
    report.checks.push(name);
  };
}

export function contractError(
  report: ContractReport,
  name: string,
  expected: string,
  found: string,
): SiameseError<'E_CONTRACT'> {
  return new SiameseError('E_CONTRACT', `${report.subject}: ${name}: expected ${expected}, found ${found}`, {
    details: { subject: report.subject, check: name, expected, found },
  });
}

export async function noLeaks(report: ContractReport, name: string, fn: () => void): Promise<void> {
  try {
    await tensorLeakCheck(fn, { label: report.subject });
  } catch (e) {
    if (!SiameseError.is(e, 'E_TENSOR_LEAK')) throw e;
    throw contractError(report, name, 'no tensor left behind', e.message);
  }
  report.checks.push(name);
}
