/**
 * A minimal test harness with no dependencies, so the very same test code runs in Node, Deno, Bun and workerd.
 */

/** What a runtime gives the suite: its name and a way to read the repo's golden and data fixtures. */
export interface TestContext {
  /** `node`, `deno`, `bun` or `workerd`. */
  readonly runtime: string;
  /** Parsed `fixtures/golden/<name>.json`. */
  golden(name: string): Promise<any>;
  /** Text of a data set file under `datasets/` (e.g. `stsb/dev.tsv`, stored gzipped). */
  data(path: string): Promise<string>;
  /** Bytes of a file under `fixtures/` (e.g. `interop/safetensors/dtypes.safetensors`). */
  fixture(path: string): Promise<Uint8Array>;
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

/** Runs every test of every suite in order; never throws. */
export async function runSuites(suites: readonly Suite[], ctx: TestContext): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const s of suites) {
    for (const t of s.tests) {
      const start = Date.now();
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
  return results;
}

/** Formats results as lines plus the closing `N passed, N failed` line. */
export function formatResults(runtime: string, results: readonly TestResult[]): string {
  const lines = results.map(
    (r) =>
      `${r.ok ? 'ok  ' : 'FAIL'} [${runtime}] ${r.suite} › ${r.test} (${r.ms} ms)${r.error ? `\n      ${r.error.replace(/\n/g, '\n      ')}` : ''}`,
  );
  const passed = results.filter((r) => r.ok).length;
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
