// `npm run bench -- [suite ...] [--json] [--quick] [--check]`
// Bundles src/ (suites are discovered in src/suites/*.ts), runs the chosen suites, prints a table on stdout
// (or one JSON array with --json). Progress goes to stderr.
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const check = args.includes('--check');
const wanted = args.filter((a) => !a.startsWith('--'));

const names = readdirSync(resolve(dir, 'src/suites'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const unknown = wanted.filter((w) => !names.includes(w));
if (unknown.length) {
  console.error(`bench: unknown suite(s) ${unknown.join(', ')}; available: ${names.join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? wanted : names;
const outDir = resolve(dir, '.out');
mkdirSync(outDir, { recursive: true });
const log = (m) => process.stderr.write(`${m}\n`);

const rows = [];
for (const name of selected) {
  const outfile = resolve(outDir, `${name}.mjs`);
  await build({
    entryPoints: [resolve(dir, 'src/suites', `${name}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const suite = (await import(pathToFileURL(outfile).href)).default;
  log(`bench: ${suite.name} — ${suite.description}${quick ? ' (quick)' : ''}`);
  const got = await suite.run({ quick, log });
  if (check) {
    if (!Array.isArray(got) || got.length === 0) throw new Error(`bench ${name}: returned no rows`);
    for (const r of got) {
      if (r.suite !== suite.name)
        throw new Error(`bench ${name}: row without suite=${suite.name}: ${JSON.stringify(r)}`);
      for (const [k, v] of Object.entries(r)) {
        if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`bench ${name}: ${k} is ${v}`);
      }
    }
  }
  rows.push(...got);
}

if (json) {
  process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
} else {
  const bySuite = Map.groupBy ? Map.groupBy(rows, (r) => r.suite) : groupBy(rows);
  for (const [suite, list] of bySuite) {
    console.log(`\n## ${suite}`);
    console.table(list.map(({ suite: _s, ...rest }) => rest));
  }
}
if (check) log(`bench: ${rows.length} rows from ${selected.length} suite(s), all well-formed`);

function groupBy(list) {
  const m = new Map();
  for (const r of list) m.set(r.suite, [...(m.get(r.suite) ?? []), r]);
  return m;
}
