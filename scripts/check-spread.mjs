// `npm run check:spread` (part of `npm test`): no spread of an array into a call's arguments in packages/*/src
// (`f(...xs)`, `push(...xs)`, `Math.max(...xs)`). Every argument is a stack slot: from about 125k elements the
// call throws RangeError (a scored file of 125k rows crashed `siamese train` this way). Loop, or use
// `reduce`/`for…of` instead. A spread of something bounded by construction (an argv tail, a tuple of tensors) is
// allowed with a `// spread-ok: <why it is bounded>` comment on the line above or the same line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    if (n === 'node_modules' || n === 'dist' || n.startsWith('.')) return [];
    const p = join(dir, n);
    return statSync(p).isDirectory()
      ? walk(p)
      : /\.(ts|tsx|mjs|js)$/.test(p) && !p.endsWith('.d.ts')
        ? [p]
        : [];
  });
}

/** Each spread argument of a call or `new` in `file`: its line and the call's text. */
export function spreadCalls(file, text = readFileSync(file, 'utf8')) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const found = [];
  const visit = (node) => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      for (const arg of node.arguments) {
        if (!ts.isSpreadElement(arg)) continue;
        const line = source.getLineAndCharacterOfPosition(arg.getStart()).line;
        const allowed = /spread-ok:/.test(lines[line] ?? '') || /spread-ok:/.test(lines[line - 1] ?? '');
        if (!allowed) found.push({ line: line + 1, call: node.getText().split('\n')[0].slice(0, 100) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = readdirSync(join(root, 'packages')).flatMap((p) => {
    const src = join(root, 'packages', p, 'src');
    try {
      return statSync(src).isDirectory() ? walk(src) : [];
    } catch {
      return [];
    }
  });
  let bad = 0;
  for (const f of files) {
    for (const s of spreadCalls(f)) {
      bad++;
      console.error(`  ${relative(root, f)}:${s.line}: ${s.call}`);
    }
  }
  if (bad) {
    console.error(
      `check-spread: ${bad} spread argument(s) in packages/*/src. A spread of a user-sized array overflows the stack from ~125k elements: loop instead, or mark a bounded one with // spread-ok: <why>.`,
    );
    process.exit(1);
  }
  console.log(`check-spread: ${files.length} files, no unbounded spread arguments`);
}
