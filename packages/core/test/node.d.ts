// The Node APIs the tests use, declared here so the package keeps `types: []` and `src/` can never
// pick up Node globals by accident.
declare module 'node:fs/promises' {
  export function mkdtemp(prefix: string): Promise<string>;
  export function rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
}
declare module 'node:os' {
  export function tmpdir(): string;
}
declare module 'node:path' {
  export function join(...parts: string[]): string;
}
declare module 'node:vm' {
  export function runInNewContext(code: string, context?: object): unknown;
}
