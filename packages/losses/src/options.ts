import { describeValue, SiameseError } from '@siamese/core';

/**
 * Reads a loss's options with defaults and checks, then rejects keys it never read (a typo such as `margn`
 * must not silently fall back to the default). Every failure is an `E_LOSS_CONFIG` error.
 */
export class OptionReader {
  private readonly seen = new Set<string>(['type']);
  private readonly options: Readonly<Record<string, unknown>>;

  constructor(
    private readonly loss: string,
    options: unknown,
  ) {
    if (options === undefined) options = {};
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new SiameseError(
        'E_LOSS_CONFIG',
        `${loss}: options must be an object, found ${describeValue(options)}`,
      );
    }
    this.options = options as Record<string, unknown>;
  }

  /** A finite number; with `'positive'`, also > 0. */
  number(key: string, fallback: number, check: 'any' | 'positive' = 'any'): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || (check === 'positive' && v <= 0)) {
      this.fail(key, check === 'positive' ? 'a positive finite number' : 'a finite number', v);
    }
    return v as number;
  }

  /** A whole number ≥ `min`. */
  integer(key: string, fallback: number, min: number): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      this.fail(key, `a whole number ≥ ${min}`, v);
    return v as number;
  }

  /** A boolean. */
  boolean(key: string, fallback: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'a boolean', v);
    return v as boolean;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
    }
    return v as T;
  }

  /** Throws if the options hold a key that no reader call asked for. */
  done(): void {
    const unknown = Object.keys(this.options).filter(
      (k) => !this.seen.has(k) && this.options[k] !== undefined,
    );
    if (unknown.length > 0) {
      throw new SiameseError(
        'E_LOSS_CONFIG',
        `${this.loss}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ` +
          `(known: ${[...this.seen].filter((k) => k !== 'type').join(', ') || 'none'})`,
        { details: { loss: this.loss, unknown } },
      );
    }
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.options[key];
  }

  private fail(key: string, expected: string, found: unknown): never {
    throw new SiameseError(
      'E_LOSS_CONFIG',
      `${this.loss}: option ${key} must be ${expected}, found ${describeValue(found)}`,
      {
        details: {
          loss: this.loss,
          option: key,
          expected,
          found,
        },
      },
    );
  }
}
