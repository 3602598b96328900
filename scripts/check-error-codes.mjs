// `npm run check:error-codes` (part of `npm test`): every error code the code can raise is expected by a test,
// and every code the docs cite exists.
// - Raised: each `'E_…'` string literal in the code (not the comments) of packages/*/src and apps/*/src.
// - Expected: the same literal in a test: packages/*/test, apps/*/test, or the conformance suites.
// - Cited: `E_…` in a comment of src, in docs/*.md or in a README. A cited code nobody raises is a stale doc.
// Literals that are prefixes (`code.startsWith('E_DATASET')`) are not codes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
const CODE = /^E_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

function walk(dir, keep) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    if (n === 'node_modules' || n === 'dist' || n.startsWith('.')) return [];
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
  });
}
const isSource = (p) => /\.(ts|tsx|mjs|js)$/.test(p) && !p.endsWith('.d.ts');
const workspaces = ['packages', 'apps'].flatMap((w) =>
  readdirSync(join(root, w)).map((n) => join(root, w, n)),
);

/** String literals in code and the text of comments, with their lines (parsed, so strings in comments,
 * templates and regular expressions are told apart). */
function scan(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const literals = [];
  const comments = new Map(); // pos -> { text, line }
  const addComments = (ranges) => {
    for (const r of ranges ?? [])
      comments.set(r.pos, { text: text.slice(r.pos, r.end), line: lineOf(r.pos) });
  };
  const visit = (node) => {
    addComments(ts.getLeadingCommentRanges(text, node.pos));
    addComments(ts.getTrailingCommentRanges(text, node.end));
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const call = node.parent;
      // `x.startsWith('E_MODEL')` names a family of codes, not one.
      const prefixUse =
        ts.isCallExpression(call) &&
        ts.isPropertyAccessExpression(call.expression) &&
        call.expression.name.text === 'startsWith';
      if (CODE.test(node.text) && !prefixUse)
        literals.push({ value: node.text, line: lineOf(node.getStart()) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { literals, comments: [...comments.values()] };
}

const raised = new Map(); // code -> ["file:line"]
const cited = new Map(); // code -> ["file:line"] (comments, docs)
const expected = new Map(); // code -> ["file"]
const add = (map, code, where) => map.set(code, [...(map.get(code) ?? []), where]);

for (const ws of workspaces) {
  const isConformance = ws.endsWith(join('packages', 'conformance'));
  for (const file of walk(join(ws, 'src'), isSource)) {
    const { literals, comments } = scan(file);
    const where = (line) => `${relative(root, file)}:${line}`;
    // The conformance package's src/ is a test suite.
    for (const l of literals) add(isConformance ? expected : raised, l.value, where(l.line));
    for (const c of comments)
      for (const m of c.text.matchAll(/\bE_[A-Z0-9_]*[A-Z0-9]\b/g)) add(cited, m[0], where(c.line));
  }
  for (const file of walk(join(ws, 'test'), isSource)) {
    for (const l of scan(file).literals) add(expected, l.value, relative(root, file));
  }
}
const docs = [
  ...walk(join(root, 'docs'), (p) => p.endsWith('.md')),
  join(root, 'README.md'),
  ...workspaces.map((w) => join(w, 'README.md')),
];
for (const file of docs) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue;
  }
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\bE_[A-Z0-9_]*[A-Z0-9]\b/g))
      add(cited, m[0], `${relative(root, file)}:${i + 1}`);
  });
}

const untested = [...raised.keys()].filter((c) => !expected.has(c)).sort();
const stale = [...cited.keys()].filter((c) => !raised.has(c)).sort();
console.log(
  `error codes: ${raised.size} raised in src/, ${raised.size - untested.length} of them expected by a test, ${cited.size} cited in comments and docs`,
);
console.log(`  raised: ${[...raised.keys()].sort().join(' ')}`);
for (const c of untested)
  console.error(`  ${c}: raised at ${raised.get(c).join(', ')}, but no test expects it`);
for (const c of stale) console.error(`  ${c}: cited at ${cited.get(c).join(', ')}, but nothing raises it`);
if (untested.length || stale.length) process.exit(1);
