// `npm run test:docs`: every TypeScript/JavaScript code block of the docs is a program that is type-checked and
// run, or an excerpt marked as such with a reason.
//
// Markdown files: README.md, docs/*.md, packages/*/README.md, apps/*/README.md and the READMEs of fixtures/,
// fixtures/golden/ and datasets/. Blocks fenced as ts/typescript are type-checked with `tsc --strict` (module nodenext,
// against the BUILT packages, resolved through their `exports` like an application's imports) and run with
// Node; js/mjs blocks are run. Markers (an HTML comment on the line right before the fence, invisible on GitHub
// and npm):
//   <!-- excerpt: why it cannot run -->  not tested; the reason is printed in the report
//   <!-- continues -->                  appended to the previous block of the same file: one program
//   <!-- output: REGEX -->              the program's stdout must match REGEX (JavaScript syntax, no slashes)
// Programs run one at a time with a timeout, in a fresh folder where `datasets/` and `fixtures/` are linked,
// so they read data as they would from the repo root and write nothing into the repo.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.out', 'docs');
const TIMEOUT_MS = 600_000; // per program; the README quick start trains for about a minute
const only = process.argv.slice(2); // optional: only these markdown files (repo-relative)

const TS = new Set(['ts', 'typescript']);
const JS = new Set(['js', 'javascript', 'mjs']);

function markdownFiles() {
  const list = ['README.md', 'fixtures/README.md', 'fixtures/golden/README.md', 'datasets/README.md'];
  for (const dir of ['docs']) {
    for (const f of readdirSync(join(root, dir)).sort()) if (f.endsWith('.md')) list.push(`${dir}/${f}`);
  }
  for (const dir of ['packages', 'apps']) {
    for (const p of readdirSync(join(root, dir)).sort()) {
      if (existsSync(join(root, dir, p, 'README.md'))) list.push(`${dir}/${p}/README.md`);
    }
  }
  return list.filter((f) => existsSync(join(root, f)) && (only.length === 0 || only.includes(f)));
}

/** Code blocks of one markdown file: language, body, first body line (1-based) and the marker before it. */
function blocksOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const lang = open[2].toLowerCase();
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j++;
    const body = lines.slice(i + 1, j).map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)[0].length)));
    const before = lines[i - 1] ?? '';
    const marker = /^\s*<!--\s*(excerpt|continues|output)\s*:?\s*(.*?)\s*-->\s*$/.exec(before);
    blocks.push({
      file,
      lang,
      body,
      line: i + 2,
      marker: marker ? { kind: marker[1], text: marker[2] } : undefined,
    });
    i = j;
  }
  return blocks;
}

// Collect programs: consecutive `continues` blocks join the program before them.
const programs = [];
const excerpts = [];
let tested = 0;
for (const file of markdownFiles()) {
  let last;
  for (const b of blocksOf(file)) {
    if (!TS.has(b.lang) && !JS.has(b.lang)) continue;
    if (b.marker?.kind === 'excerpt') {
      if (!b.marker.text) throw new Error(`${file}:${b.line - 1}: an excerpt marker needs a reason`);
      excerpts.push({ where: `${file}:${b.line}`, reason: b.marker.text });
      last = undefined;
      continue;
    }
    tested++;
    if (b.marker?.kind === 'continues') {
      if (!last || TS.has(last.lang) !== TS.has(b.lang)) {
        throw new Error(
          `${file}:${b.line - 1}: 'continues' needs a tested block of the same language before it`,
        );
      }
      last.parts.push(b);
      continue;
    }
    last = {
      file,
      lang: b.lang,
      parts: [b],
      output: b.marker?.kind === 'output' ? b.marker.text : undefined,
    };
    programs.push(last);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'src'), { recursive: true });
// One source file per program. Lines map 1:1 back to the markdown (line k of a part sits at part.line + k), so
// compiler errors are reported at the markdown line; a part after the first starts where its own block starts.
for (const [n, p] of programs.entries()) {
  const slug = `${String(n + 1).padStart(2, '0')}-${p.file.replace(/[^\w]+/g, '-').replace(/-md$/, '')}`;
  p.name = `${slug}.${TS.has(p.lang) ? 'mts' : 'mjs'}`;
  const text = [];
  const map = []; // source line (0-based) -> [file, markdown line]
  for (const part of p.parts) {
    part.body.forEach((l, k) => {
      text.push(l);
      map.push(part.line + k);
    });
  }
  // Top-level await needs a module: a block without import/export becomes one.
  if (!text.some((l) => /^\s*(import|export)\b/.test(l))) text.push('export {};');
  p.map = map;
  writeFileSync(join(out, 'src', p.name), `${text.join('\n')}\n`);
}

function fail(message) {
  console.error(`test:docs: ${message}`);
  process.exit(1);
}

// Type-check every TypeScript program in one strict compilation, then emit JavaScript next to the sources.
const tsPrograms = programs.filter((p) => TS.has(p.lang));
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        skipLibCheck: true,
        noEmitOnError: true,
        outDir: 'js',
        rootDir: 'src',
      },
      files: tsPrograms.map((p) => `src/${p.name}`),
    },
    null,
    2,
  ),
);
if (tsPrograms.length) {
  const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', out, '--pretty', 'false'], {
    cwd: out,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) {
    // src/NN-file.mts(line,col): error TSxxxx: … → README.md:line:col: error TSxxxx: …
    const text = `${tsc.stdout}${tsc.stderr}`.replace(
      /src\/([\w-]+\.mts)\((\d+),(\d+)\)/g,
      (m, name, line, col) => {
        const p = programs.find((q) => q.name === name);
        const mdLine = p?.map[Number(line) - 1];
        return p && mdLine ? `${p.file}:${mdLine}:${col}` : m;
      },
    );
    fail(`type errors in doc blocks:\n${text}`);
  }
}
for (const p of programs.filter((q) => JS.has(q.lang))) {
  mkdirSync(join(out, 'js'), { recursive: true });
  writeFileSync(join(out, 'js', p.name), readFileSync(join(out, 'src', p.name)));
}

// Run each program in its own folder (datasets/ and fixtures/ linked in), one at a time.
let failed = 0;
for (const p of programs) {
  const dir = join(out, 'run', p.name.replace(/\.m[jt]s$/, ''));
  mkdirSync(dir, { recursive: true });
  for (const d of ['datasets', 'fixtures']) symlinkSync(join(root, d), join(dir, d), 'dir');
  const js = join(out, 'js', p.name.replace(/\.mts$/, '.mjs'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [js], {
    cwd: dir,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const where = `${p.file}:${p.parts[0].line}${p.parts.length > 1 ? ` (+${p.parts.length - 1} continued)` : ''}`;
  const outputOk = p.output === undefined || new RegExp(p.output).test(r.stdout ?? '');
  if (r.status === 0 && outputOk) {
    console.log(`✓ ${where}  ${secs} s`);
    continue;
  }
  failed++;
  const why = r.error
    ? r.error.code === 'ETIMEDOUT'
      ? `timed out after ${TIMEOUT_MS / 1000} s`
      : r.error.message
    : r.status !== 0
      ? `exit ${r.status ?? r.signal}`
      : `stdout does not match /${p.output}/`;
  console.log(`✗ ${where}  ${why}\n${(r.stdout ?? '').trim()}\n${(r.stderr ?? '').trim()}\n`);
}
for (const e of excerpts) console.log(`- ${e.where}  excerpt: ${e.reason}`);
console.log(
  `test:docs: ${tested} blocks tested (${programs.length} programs), ${excerpts.length} excerpts excluded, ${failed} failed`,
);
if (failed) process.exit(1);
