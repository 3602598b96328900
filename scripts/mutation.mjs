// `npm run test:mutation [-- losses pairs tokenizer]`: Stryker mutation testing, one package at a time (not in CI:
// slow on 2 cores), with scripts/stryker.config.mjs; reports land in `packages/<pkg>/.out/`.
// Incremental: a rerun only retests mutants whose code or covering tests changed. `--full` forces a fresh run.
// `--sample N`: test only the mutants on about N mutants' worth of source lines drawn at random (seeded, so every
// rerun draws the same lines): a score estimate in a fraction of the time, for a busy machine. Mutants that
// span several lines (mostly `{}` block bodies) are never drawn. Report: `.out/mutation-sample.json`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const PACKAGES = ['losses', 'pairs', 'tokenizer'];
const args = process.argv.slice(2);
const full = args.includes('--full');
const sampleAt = args.indexOf('--sample');
const sampleSize = sampleAt >= 0 ? Number(args[sampleAt + 1]) : undefined;
if (sampleSize !== undefined && !(Number.isInteger(sampleSize) && sampleSize > 0)) {
  console.error(`test:mutation: --sample expects a positive integer, found ${args[sampleAt + 1]}`);
  process.exit(2);
}
const chosen = args.filter((a, i) => !a.startsWith('--') && !(sampleAt >= 0 && i === sampleAt + 1));
for (const p of chosen) {
  if (!PACKAGES.includes(p)) {
    console.error(`test:mutation: unknown package "${p}" (expected ${PACKAGES.join(', ')})`);
    process.exit(2);
  }
}
const scores = [];
let failed = 0;
for (const pkg of chosen.length ? chosen : PACKAGES) {
  const cwd = join(root, 'packages', pkg);
  console.log(`\n=== mutation testing @siamese/${pkg}`);
  const env = { ...process.env, SIAMESE_MUTATION: '1' };
  if (sampleSize) env.SIAMESE_MUTATION_SAMPLE = await writeSample(cwd, sampleSize);
  const res = spawnSync(
    join(root, 'node_modules', '.bin', 'stryker'),
    ['run', join(root, 'scripts', 'stryker.config.mjs'), ...(full ? ['--force'] : [])],
    { cwd, stdio: 'inherit', env },
  );
  if (res.status !== 0) failed++;
  const suffix = sampleSize ? '-sample' : '';
  const what = sampleSize ? ' in the sample' : '';
  let statuses;
  try {
    const report = JSON.parse(readFileSync(join(cwd, '.out', `mutation${suffix}.json`), 'utf8'));
    statuses = Object.values(report.files).flatMap((f) => f.mutants.map((m) => m.status));
  } catch (e) {
    // No report: the run was cut short. The live log (scripts/stryker-live-reporter.mjs) has what was tested.
    try {
      const log = readFileSync(join(cwd, '.out', `mutants${suffix}.jsonl`), 'utf8')
        .trim()
        .split('\n');
      statuses = log.filter(Boolean).map((line) => JSON.parse(line).status);
      scores.push(`@siamese/${pkg}: no report (${e.message}); partial, from the live log:`);
    } catch {
      scores.push(`@siamese/${pkg}: no report (${e.message})`);
      continue;
    }
  }
  scores.push(`@siamese/${pkg}: ${score(statuses)}${what}`);
}
console.log(`\nmutation scores:\n  ${scores.join('\n  ')}`);
process.exit(failed ? 1 : 0);

/** Stryker's mutation score: killed or timed out, over all but the mutants that could not run or were ignored. */
function score(statuses) {
  const ignored = statuses.filter((s) => s === 'Ignored').length;
  const counted = statuses.filter((s) => !['Ignored', 'CompileError', 'RuntimeError'].includes(s));
  const killed = counted.filter((s) => s === 'Killed' || s === 'Timeout').length;
  const timeouts = counted.filter((s) => s === 'Timeout').length;
  return (
    `${((100 * killed) / counted.length).toFixed(2)}% (${killed}/${counted.length} killed, ${timeouts} of them ` +
    `by timeout; ${ignored} ignored: static or disabled with a reason)`
  );
}

/**
 * Lists the package's mutants with Stryker's own instrumenter, draws source lines at random (seeded) until they
 * hold `size` single-line mutants, and writes them as Stryker `mutate` ranges (`src/x.ts:12-12`) to
 * `.out/sample.json`, whose path it returns.
 */
async function writeSample(cwd, size) {
  const { Instrumenter } = await import('@stryker-mutator/instrumenter');
  const quiet = () => {};
  const logger = { isDebugEnabled: () => false, isTraceEnabled: () => false };
  for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) logger[level] = quiet;
  const files = listTs(join(cwd, 'src')).map((name) => ({
    name,
    content: readFileSync(name, 'utf8'),
    mutate: true,
  }));
  const { mutants } = await new Instrumenter(logger).instrument(files, {
    plugins: null,
    excludedMutations: [],
    ignorers: [],
    noHeader: true,
  });
  const lines = new Map();
  for (const m of mutants) {
    if (m.location.start.line !== m.location.end.line) continue;
    // Stryker's locations are 0-based lines; `mutate` ranges are 1-based.
    const key = `${relative(cwd, m.fileName)}:${m.location.start.line + 1}`;
    lines.set(key, (lines.get(key) ?? 0) + 1);
  }
  const keys = [...lines.keys()].sort();
  const rand = mulberry32(20261201);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const picked = [];
  let count = 0;
  for (const key of keys) {
    if (count >= size) break;
    picked.push(key);
    count += lines.get(key);
  }
  const ranges = picked.sort().map((key) => {
    const at = key.lastIndexOf(':');
    return `${key.slice(0, at)}:${key.slice(at + 1)}-${key.slice(at + 1)}`;
  });
  console.log(
    `sample: ${picked.length} of ${keys.length} lines, ${count} of ${mutants.length} mutants ` +
      `(${mutants.length - [...lines.values()].reduce((a, b) => a + b, 0)} span several lines and are never drawn)`,
  );
  mkdirSync(join(cwd, '.out'), { recursive: true });
  const path = join(cwd, '.out', 'sample.json');
  writeFileSync(path, `${JSON.stringify(ranges, null, 1)}\n`);
  return path;
}

function listTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
