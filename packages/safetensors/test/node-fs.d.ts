// The Node APIs the tests use, declared here so the package keeps `types: []` and `src/` can never
// pick up Node globals by accident.
declare module 'node:fs' {
  export function readFileSync(path: URL | string): Uint8Array;
  export function readFileSync(path: URL | string, encoding: 'utf8'): string;
}
