import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The repo's data sets (`datasets/`, gzipped; see datasets/README.md). */
export const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../datasets');

/** The first `n` pairs of a data set TSV (`stsb/train.tsv`), scores scaled to [0, 1] by `scale`. */
export function tsvPairs(
  file: string,
  n: number,
  scale = 5,
): { text1: string; text2: string; score: number }[] {
  const lines = gunzipSync(readFileSync(resolve(dataDir, `${file}.gz`)))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1, n + 1);
  return lines.map((l) => {
    const [text1, text2, score] = l.split('\t');
    return { text1: text1!, text2: text2!, score: Number(score) / scale };
  });
}

/**
 * `python3`, else `/usr/bin/python3` (Debian's, where python3-torch installs), if it can `import torch`; else null,
 * after a warning that names the missing tool (`test` is the file that skips its PyTorch check).
 */
export function pythonWithTorch(test: string): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  console.warn(
    `${test}: PyTorch is missing (neither python3 nor /usr/bin/python3 can \`import torch\`): the strict-load ` +
      'check in PyTorch is skipped. Install it with `apt-get install -y python3-torch` (.ci/run does).',
  );
  return null;
}
