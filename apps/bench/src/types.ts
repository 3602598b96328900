/** One benchmark row. `suite` names the entry; other keys are the suite's own figures. */
export interface BenchRow {
  suite: string;
  [key: string]: unknown;
}

/** Options every suite receives. */
export interface BenchOptions {
  /** Short mode for CI: few runs, small inputs; checks the output shape, not the speed. */
  quick: boolean;
  /** Logs progress to stderr (stdout is reserved for the JSON/table output). */
  log(message: string): void;
}

/** A benchmark entry: `apps/bench/src/suites/<name>.ts` default-exports one; it is discovered automatically. */
export interface BenchSuite {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}
