/**
 * The codes `@siamese/core` itself throws:
 * - `E_INVALID_ARGUMENT`: an argument has the wrong type or an out-of-range value.
 * - `E_FORMAT_VERSION`: serialised data (a vocabulary, a model) was written by a newer format than this build reads.
 * - `E_UNKNOWN_TYPE`: a config names a type no registry call has registered (see `defineRegistry`).
 * - `E_NO_FILESYSTEM`: a file path was given on a runtime without a file system (Workers, browsers).
 * - `E_CONTRACT`: an implementation fails a check of a contract test kit (`@siamese/encoders/testing`,
 *   `@siamese/losses/testing`); `details.check` names the check.
 */
export type CoreErrorCode =
  | 'E_INVALID_ARGUMENT'
  | 'E_FORMAT_VERSION'
  | 'E_UNKNOWN_TYPE'
  | 'E_NO_FILESYSTEM'
  | 'E_CONTRACT';

/** Options of the {@link SiameseError} constructor. */
export interface SiameseErrorOptions {
  /** Structured facts for tools (file, line, expected/found values…); never needed to read the message. */
  details?: Record<string, unknown>;
  /** The error that caused this one. */
  cause?: unknown;
}

// A global symbol, not a class identity: every copy of this package (a second install, or the CommonJS and ESM
// builds one CommonJS program loads) brands its errors' prototype the same way, so `SiameseError.is` and
// `instanceof` recognise an error made by any of them.
const BRAND = Symbol.for('@siamese/core:SiameseError');

/**
 * The one error class of the SDK. Every error thrown on purpose is a `SiameseError` with a stable, documented
 * `code` (each package exports the union of its codes, e.g. `EncoderErrorCode`), a message that says what was
 * expected, what was found and what to do, and optional `details`. Branch on the code, never on the message.
 *
 * @example
 * ```ts
 * try {
 *   Vocabulary.fromJSON(json);
 * } catch (e) {
 *   if (SiameseError.is(e, 'E_FORMAT_VERSION')) console.error('written by a newer siamese:', e.message);
 *   else throw e;
 * }
 * ```
 */
export class SiameseError<C extends string = string> extends Error {
  /**
   * `instanceof` also recognises errors made by another copy of this package (the dual-package hazard: a CommonJS
   * program loads the CJS build of `@siamese/core` and, through the ESM-only `@siamese/backend`, its ESM build
   * too). Across copies, a class matches a branded error whose prototype chain has a class of the same name, so a
   * subclass of your own still tells its errors apart. Prefer {@link SiameseError.is}, which also narrows the code.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof (a subclass too)
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || !(BRAND in value)) return false;
    // The base class of any copy (the brand is its prototype's own property) matches every branded error.
    // biome-ignore lint/complexity/noThisInStatic: as above
    if (Object.hasOwn(this.prototype, BRAND)) return true;
    for (let p = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      // biome-ignore lint/complexity/noThisInStatic: as above
      if (Object.hasOwn(p, 'constructor') && p.constructor.name === this.name) return true;
    }
    return false;
  }

  /** Stable, machine-readable identifier of the problem (e.g. `E_MODEL_CHECKSUM`). */
  readonly code: C;
  /** Optional structured details (file, line, column, expected/found values). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, options: SiameseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SiameseError';
    this.code = code;
    this.details = options.details;
  }

  /**
   * Whether `error` is a `SiameseError` (from any installed copy of `@siamese/core`), optionally with `code`.
   * Use it instead of `instanceof`, which fails when an application ends up with two copies of the package.
   */
  static is<C extends string = string>(error: unknown, code?: C): error is SiameseError<C> {
    return (
      typeof error === 'object' &&
      error !== null &&
      BRAND in error &&
      (code === undefined || (error as { code?: unknown }).code === code)
    );
  }

  /**
   * The SDK's message shape for a value that does not fit: `<where>: expected <expected>, found <found>`, with
   * `{ where, expected, found }` as details.
   *
   * @example
   * ```ts
   * throw SiameseError.expected('E_ENCODER_CONFIG', 'dense.units', 'an integer >= 1', describeValue(units));
   * ```
   */
  static expected<C extends string>(
    code: C,
    where: string,
    expected: string,
    found: string,
    options: { cause?: unknown } = {},
  ): SiameseError<C> {
    return new SiameseError(code, `${where}: expected ${expected}, found ${found}`, {
      details: { where, expected, found },
      ...options,
    });
  }
}
Object.defineProperty(SiameseError.prototype, BRAND, { value: true });

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

/** The error of a format version newer than `supported` (code `E_FORMAT_VERSION`). */
export function formatVersionError(
  what: string,
  supported: number,
  found: unknown,
): SiameseError<'E_FORMAT_VERSION'> {
  return new SiameseError(
    'E_FORMAT_VERSION',
    `${what}: expected format version ${supported} or older, found ${JSON.stringify(found)}`,
    { details: { what, expected: supported, found } },
  );
}
