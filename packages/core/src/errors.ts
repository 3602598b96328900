/**
 * Base class of every error the SDK throws on purpose. `code` is stable across versions, so callers can
 * branch on it (`err.code === 'E_TSV_COLUMNS'`) instead of parsing messages.
 *
 * @example
 * ```ts
 * try { vocab.fromJSON(json) } catch (e) { if (e instanceof SiameseError && e.code === 'E_VERSION') ... }
 * ```
 */
export class SiameseError extends Error {
  /**
   * `instanceof` also recognises errors made by another copy of this package. A CommonJS program loads the CJS
   * build of `@siamese/core` and, through the ESM-only `@siamese/backend`, its ESM build too (the dual-package
   * hazard): without this, `e instanceof SiameseError` would be false for a `BackendError`. Errors carry a
   * global brand; across copies, a class matches an error whose prototype chain has a class of the same name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof (a subclass too)
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || !(BRAND in value)) return false;
    for (let p = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      // biome-ignore lint/complexity/noThisInStatic: as above
      if (Object.hasOwn(p, 'constructor') && p.constructor.name === this.name) return true;
    }
    return false;
  }

  /** Stable, machine-readable identifier of the problem (e.g. `E_BACKEND_INIT`). */
  readonly code: string;
  /** Optional structured details (file, line, column, expected/found values). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

/** The brand of every SiameseError, shared by all copies of this package (a global symbol). */
const BRAND = Symbol.for('@siamese/core:SiameseError');
Object.defineProperty(SiameseError.prototype, BRAND, { value: true });

/** Thrown when an argument has the wrong type or an out-of-range value. */
export class InvalidArgumentError extends SiameseError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_INVALID_ARGUMENT', message, details ? { details } : undefined);
  }
}

/** Thrown when serialised data (a vocabulary, a model manifest) has a format version this build cannot read. */
export class FormatVersionError extends SiameseError {
  constructor(what: string, expected: number, found: unknown) {
    super(
      'E_FORMAT_VERSION',
      `${what}: expected format version ${expected} or older, found ${JSON.stringify(found)}`,
      { details: { what, expected, found } },
    );
  }
}

/** Describes a value for error messages: `string "abc"`, `number 3`, `array(2)`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Throws a `TypeError` naming the argument when `value` is not a string. Non-string input is a programming
 * error, so it is a plain `TypeError`, as in the platform.
 */
export function assertString(value: unknown, argName: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`${argName}: expected a string, found ${describeValue(value)}`);
  }
}
