import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as sdk from '../src/index.js';

// The checked-in API report lists every name of the top level, types included (`npm run api:check` keeps it
// current); the runtime values must be exactly its non-type rows.
const report = readFileSync(new URL('../api-report.md', import.meta.url), 'utf8');
const section = report.split('## `@siamese/sdk/node`')[0]!;
const rows = [...section.matchAll(/^\| `([^`]+)` \| (\w+) \|$/gm)].map(([, name, kind]) => ({
  name: name!,
  kind: kind!,
}));

describe('@siamese/sdk (the umbrella)', () => {
  it('keeps the top level small: at most 40 names, what an application uses', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(40);
    const values = rows.filter((r) => r.kind === 'function' || r.kind === 'class' || r.kind === 'const');
    expect(Object.keys(sdk).sort()).toEqual(values.map((r) => r.name).sort());
  });

  it('exposes no backend internals, no namespaces of other packages and no *Like aliases', () => {
    const names = rows.map((r) => r.name);
    for (const internal of [
      'registerSiameseKernels',
      'registerAllGradients',
      'gradientTapeOn',
      'wasmUrl',
      'ranks',
      'TopK',
    ]) {
      expect(names).not.toContain(internal);
    }
    expect(rows.filter((r) => r.kind === 'namespace')).toEqual([]);
    expect(names.filter((n) => n.endsWith('Like'))).toEqual([]);
  });
});
