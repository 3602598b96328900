/**
 * A minimal test harness with no dependencies, so the very same test code runs in Node, Deno, Bun and workerd.
 */

/** What a runtime gives the suite: its name and a way to read the repo's golden and data fixtures. */
export interface RuntimeContext {
  /** `node`, `deno`, `bun` or `workerd`. */
  readonly runtime: string;
  /** Parsed `fixtures/golden/<name>.json`. */
  golden(name: string): Promise<any>;
  /** Text of a data set file under `datasets/` (e.g. `stsb/dev.tsv`, stored gzipped). */
  data(path: string): Promise<string>;
  /** Bytes of a file under `fixtures/` (e.g. `interop/safetensors/dtypes.safetensors`). */
  fixture(path: string): Promise<Uint8Array>;
  /** Parsed `.out/saved/<name>.json`, written by another process (`scripts/save-extensions.mjs`). */
  saved(name: string): Promise<any>;
  /**
   * Node's values from a Node run of this same build (`null` on Node itself, which records them): what
   * {@link TestContext.same} compares with.
   */
  readonly reference: Readonly<Record<string, string>> | null;
}

/** What a test gets: the runtime context plus the cross-runtime check. */
export interface TestContext extends RuntimeContext {
  /**
   * The value must be the same on every runtime, bit for bit. On Node it is recorded as the reference; on Deno,
   * Bun and workerd it is compared with Node's value from the same build (numbers by their exact bits). `key`
   * only needs to be unique within the test.
   */
  same(key: string, value: unknown): void;
}

/** Parsed JSON of a file under `fixtures/`. */
export async function fixtureJson(ctx: TestContext, path: string): Promise<any> {
  return JSON.parse(await fixtureText(ctx, path));
}

/** Text of a file under `fixtures/`. */
export async function fixtureText(ctx: TestContext, path: string): Promise<string> {
  return new TextDecoder().decode(await ctx.fixture(path));
}

export type TestFn = (ctx: TestContext) => void | Promise<void>;

export interface Suite {
  readonly name: string;
  readonly tests: ReadonlyArray<{ readonly name: string; readonly fn: TestFn }>;
}

/** Declares a suite: `defineSuite('tokenizer', (test) => { test('encodes', async (ctx) => {...}) })`. */
export function defineSuite(name: string, body: (test: (name: string, fn: TestFn) => void) => void): Suite {
  const tests: { name: string; fn: TestFn }[] = [];
  body((n, fn) => tests.push({ name: n, fn }));
  return { name, tests };
}

export interface TestResult {
  suite: string;
  test: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * Exact text of a value for the cross-runtime comparison: typed arrays as arrays, numbers in their shortest
 * round-trip form (which tells every bit apart), `-0`, `NaN` and `±Infinity` spelled out.
 */
export function exactText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView))
      return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === 'number') {
      if (Object.is(v, -0)) return '-0';
      if (!Number.isFinite(v)) return String(v);
    }
    if (typeof v === 'bigint') return `${v}n`;
    return v;
  });
}

/** What {@link runSuites} returns: the results and, on Node, the values recorded by `same()`. */
export interface RunOutcome {
  results: TestResult[];
  /** key → exact text, for the other runtimes to compare with. */
  recorded: Record<string, string>;
  /** How many `same()` values matched Node's (0 on Node). */
  compared: number;
}

/** Runs every test of every suite in order; never throws. A suite without tests is a failure. */
export async function runSuites(suites: readonly Suite[], runtime: RuntimeContext): Promise<RunOutcome> {
  const results: TestResult[] = [];
  const recorded: Record<string, string> = {};
  const checked = new Set<string>();
  for (const s of suites) {
    if (s.tests.length === 0) {
      results.push({
        suite: s.name,
        test: '(suite)',
        ok: false,
        ms: 0,
        error: 'the suite registers no tests',
      });
    }
    for (const t of s.tests) {
      const start = Date.now();
      const seen = new Set<string>();
      const ctx: TestContext = {
        ...runtime,
        same(key, value) {
          const id = `${s.name} › ${t.name} › ${key}`;
          if (seen.has(id)) throw new AssertionError(`same(): key "${key}" used twice in one test`);
          seen.add(id);
          const text = exactText(value);
          if (!runtime.reference) {
            recorded[id] = text;
            return;
          }
          const expected = runtime.reference[id];
          if (expected === undefined)
            throw new AssertionError(`${key}: Node recorded no value (rebuild and rerun test:node)`);
          if (text !== expected)
            throw new AssertionError(
              `${key}: differs from Node\n  node: ${clip(expected)}\n  here: ${clip(text)}`,
            );
          checked.add(id);
        },
      };
      try {
        await t.fn(ctx);
        results.push({ suite: s.name, test: t.name, ok: true, ms: Date.now() - start });
      } catch (e) {
        const err = e as Error;
        results.push({
          suite: s.name,
          test: t.name,
          ok: false,
          ms: Date.now() - start,
          error: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}${err?.stack ? `\n${err.stack.split('\n').slice(1, 6).join('\n')}` : ''}`,
        });
      }
    }
  }
  if (runtime.reference) {
    // Every value Node recorded must have been checked here too (a test cannot skip its comparison).
    const missing = Object.keys(runtime.reference).filter((k) => !checked.has(k));
    if (missing.length) {
      results.push({
        suite: '(cross-runtime)',
        test: 'every Node value was compared',
        ok: false,
        ms: 0,
        error: `${missing.length} value(s) Node recorded were never compared here: ${missing.slice(0, 5).join('; ')}`,
      });
    }
  }
  return { results, recorded, compared: checked.size };
}

function clip(text: string): string {
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
}

/** Formats results as lines plus the closing `N passed, N failed` line (and the cross-runtime count). */
export function formatResults(runtime: string, outcome: RunOutcome): string {
  const { results } = outcome;
  const lines = results.map(
    (r) =>
      `${r.ok ? 'ok  ' : 'FAIL'} [${runtime}] ${r.suite} › ${r.test} (${r.ms} ms)${r.error ? `\n      ${r.error.replace(/\n/g, '\n      ')}` : ''}`,
  );
  const passed = results.filter((r) => r.ok).length;
  const recorded = Object.keys(outcome.recorded).length;
  lines.push(
    recorded
      ? `cross-runtime: recorded ${recorded} reference values (the other runtimes must match them bit for bit)`
      : `cross-runtime: ${outcome.compared} values identical to Node's, bit for bit`,
  );
  lines.push(`conformance(${runtime}): ${passed} passed, ${results.length - passed} failed`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- assertions

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}

export function assertEqual<T>(actual: T, expected: T, label: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(`${label}: expected ${e}, found ${a}`);
}

/** Flattens nested arrays / typed arrays / numbers into one number array. */
export function flat(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.flatMap((v) => flat(v));
  throw new AssertionError(`flat: not numeric: ${typeof x}`);
}

/** Asserts elementwise |actual - expected| <= tol and returns the worst difference. */
export function assertClose(actual: unknown, expected: unknown, tol: number, label: string): number {
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length)
    throw new AssertionError(`${label}: expected ${e.length} values, found ${a.length}`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (!(worst <= tol)) {
    throw new AssertionError(
      `${label}: max |diff| ${worst} > ${tol} at index ${at} (found ${a[at]}, expected ${e[at]})`,
    );
  }
  return worst;
}

/** Asserts that `fn` throws (or rejects) an error whose `code` (or name) is `code`. */
export async function assertThrows(fn: () => unknown, code: string, label: string): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === code || err.name === code) return err;
    throw new AssertionError(`${label}: expected error ${code}, got ${err.code ?? err.name}: ${err.message}`);
  }
  throw new AssertionError(`${label}: expected error ${code}, nothing was thrown`);
}
