import { describeValue, SiameseError } from '@siamese/core';

/** Validates a positive integer option. */
export function positiveInt(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw SiameseError.expected('E_ENCODER_CONFIG', where, 'an integer >= 1', describeValue(value));
  }
  return value;
}

/** Validates a rate in [0, 1). */
export function rate(where: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw SiameseError.expected('E_ENCODER_CONFIG', where, 'a number in [0, 1)', describeValue(value));
  }
  return value;
}

/** Validates that `value` is one of `choices`. */
export function oneOf<T extends string>(where: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      where,
      `one of ${choices.map((c) => `'${c}'`).join(', ')}`,
      describeValue(value),
    );
  }
  return value as T;
}

/** Validates an optional boolean, returning `fallback` when absent. */
export function bool(where: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw SiameseError.expected('E_ENCODER_CONFIG', where, 'a boolean', describeValue(value));
  return value;
}

/** Validates an optional weight-name prefix. */
export function prefix(where: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string')
    throw SiameseError.expected('E_ENCODER_CONFIG', where, 'a string', describeValue(value));
  return value;
}

/** `prefix.local`, or `local` when the prefix is empty. */
export function qualify(prefixName: string, local: string): string {
  return prefixName ? `${prefixName}.${local}` : local;
}
