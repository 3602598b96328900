// `npm run test:release`: the pending changesets make a coherent release. Runs `changeset version` on a copy of
// the workspace manifests and changesets (outside the repository, so nothing here changes) and checks that every
// changeset parses and names packages that exist, that the published packages get one new version, and that
// every internal dependency pin follows it.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'siamese-release-'));
const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
  console.log(`${ok ? '✓' : '✗'} ${message}`);
};
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
};

try {
  const manifests = ['package.json'];
  for (const dir of ['packages', 'apps']) {
    for (const d of readdirSync(join(root, dir))) {
      if (existsSync(join(root, dir, d, 'package.json'))) manifests.push(`${dir}/${d}/package.json`);
    }
  }
  for (const m of manifests) {
    mkdirSync(dirname(join(work, m)), { recursive: true });
    cpSync(join(root, m), join(work, m));
  }
  cpSync(join(root, '.changeset'), join(work, '.changeset'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
  const pending = readdirSync(join(work, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');

  // The changelog generator reads each changeset's commit from git.
  run('git', ['init', '-q']);
  run('git', ['-c', 'user.email=release@test', '-c', 'user.name=release', 'add', '-A']);
  run('git', ['-c', 'user.email=release@test', '-c', 'user.name=release', 'commit', '-qm', 'release test']);
  const before = Object.fromEntries(manifests.map((m) => [m, readJson(join(work, m))]));
  run(join(root, 'node_modules', '.bin', 'changeset'), ['version']);

  const after = Object.fromEntries(manifests.map((m) => [m, readJson(join(work, m))]));
  const published = manifests.filter((m) => m.startsWith('packages/') && !after[m].private);
  const versions = new Set(published.map((m) => after[m].version));
  const [version] = versions;
  check(
    versions.size === 1 && version !== before[published[0]].version,
    `${pending.length} changesets give the ${published.length} published packages one new version: ${[...versions].join(', ')} (from ${before[published[0]].version})`,
  );
  const byName = Object.fromEntries(manifests.map((m) => [after[m].name, after[m]]));
  for (const m of manifests) {
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const [dep, range] of Object.entries(after[m][field] ?? {})) {
        if (!byName[dep] || byName[dep].private) continue;
        if (range !== byName[dep].version)
          failures.push(`${m}: ${field}.${dep} is ${range}, the release is ${byName[dep].version}`);
      }
    }
  }
  check(
    !failures.some((f) => f.includes('the release is')),
    'every internal dependency pin follows the release',
  );
  const left = readdirSync(join(work, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
  check(left.length === 0, `every changeset was consumed${left.length ? ` (left: ${left.join(', ')})` : ''}`);
  const noLog = published.filter((m) => !existsSync(join(work, dirname(m), 'CHANGELOG.md')));
  check(
    noLog.length === 0,
    `every published package has a CHANGELOG.md${noLog.length ? ` (missing: ${noLog.join(', ')})` : ''}`,
  );
} catch (e) {
  // `changeset version` fails on a changeset with broken frontmatter or one that names an unknown package.
  failures.push(e.message);
  console.error(e.message);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`test:release: ${failures.length} problem(s)\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('test:release: the pending changesets make a coherent release');
