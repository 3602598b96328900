import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dtype, serializeSafetensors } from '@siamese/safetensors';
import { median, round } from '../measure.js';
import type { BenchSuite } from '../types.js';

/**
 * Importing a pretrained embedding matrix (the GloVe/fastText size: 400k × 300) from safetensors. Each run is a
 * fresh Node process, so the memory it adds is the import's alone (`importRssMiB`, and `overFileSize` = that
 * over the file's size): read the file, parse + validate the header, get the matrix as a Float32Array. The
 * reference is the raw file read in the same process (the I/O floor), so `importOverRead` is what parsing and
 * conversion add; `convertOverLoop` compares the conversion with the plainest JS loop writing as many float32
 * values, timed in the same process (the machine's speed for this work).
 */
const CHILD = `
import { readFileSync } from 'node:fs';
import { parseSafetensors } from '@siamese/safetensors';
// Current RSS, sampled after each step (nothing is freed in between, so the last sample is the peak). The
// kernel's maxRSS is no use here: a child starts with its parent's high-water mark.
const rss = () => process.memoryUsage().rss / 2 ** 20;
const base = rss();
const t0 = performance.now();
const bytes = readFileSync(process.argv[1]); // a Buffer is a Uint8Array: no copy
const t1 = performance.now();
const afterRead = rss();
const file = parseSafetensors(bytes);
const t2 = performance.now();
const m = file.float32('embeddings');
const t3 = performance.now();
let s = 0;
for (let i = 0; i < m.length; i += 4099) s += m[i];
if (!Number.isFinite(s) || m.length !== Number(process.argv[2])) throw new Error('bad matrix');
const peakMB = Math.max(afterRead, rss());
// Same-run reference for the conversion: the simplest loop writing as many float32 values from 16-bit words.
const src = new Uint16Array(bytes.buffer, bytes.byteOffset, Math.min(m.length, bytes.byteLength >> 1));
const t4 = performance.now();
const ref = new Uint32Array(m.length);
for (let i = 0; i < ref.length; i++) ref[i] = src[i % src.length] << 16;
const loopMs = performance.now() - t4;
console.log(JSON.stringify({ readMs: t1 - t0, parseMs: t2 - t1, convertMs: t3 - t2, loopMs, baseMB: base,
  afterReadMB: afterRead, peakMB, zeroCopy: m.buffer === bytes.buffer }));
`;

/**
 * The whole model import, `importPretrained` on a model2vec folder of the same matrix (a WordLevel tokenizer.json of
 * as many tokens): read, parse, tokenizer built, the table uploaded into the embedding variable (cpu backend). The
 * raw read of model.safetensors in the same process is the reference (`modelOverRead`).
 */
const MODEL_CHILD = `
import { readFileSync } from 'node:fs';
import { importPretrained, initBackend } from '@siamese/runtime';
const rss = () => process.memoryUsage().rss / 2 ** 20;
await initBackend({ backend: 'cpu' });
const base = rss();
let peak = base;
const timer = setInterval(() => { peak = Math.max(peak, rss()); }, 5);
const t0 = performance.now();
const model = await importPretrained(process.argv[1]);
const t1 = performance.now();
clearInterval(timer);
peak = Math.max(peak, rss());
const [v] = await model.embed(['token1 token2 token3']);
if (!v || v.length !== Number(process.argv[2])) throw new Error('bad model');
const r0 = performance.now();
const bytes = readFileSync(process.argv[1] + '/model.safetensors');
const readMs = performance.now() - r0;
if (bytes.byteLength < 8) throw new Error('bad file');
console.log(JSON.stringify({ importMs: t1 - t0, readMs, baseMB: base, peakMB: peak }));
`;

/** A model2vec folder: the matrix as `embeddings`, a WordLevel tokenizer.json of `rows` tokens, config.json. */
function writeModel2VecFolder(dir: string, bytes: Uint8Array, rows: number, dim: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  const vocab: Record<string, number> = { '[UNK]': 0 };
  for (let i = 1; i < rows; i++) vocab[`token${i}`] = i;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ model_type: 'model2vec', hidden_dim: dim, normalize: true }),
  );
}

interface ChildResult {
  readMs: number;
  parseMs: number;
  convertMs: number;
  loopMs: number;
  baseMB: number;
  afterReadMB: number;
  peakMB: number;
  zeroCopy: boolean;
}

const suite: BenchSuite = {
  name: 'safetensors',
  description:
    'import a 400k × 300 embedding matrix from safetensors (F32, F16, BF16): time and peak RSS per process',
  async run({ quick, log }) {
    const rows = quick ? 20_000 : 400_000;
    const dim = 300;
    const runs = quick ? 2 : 5;
    const n = rows * dim;
    const matrix = new Float32Array(n);
    for (let i = 0; i < n; i++) matrix[i] = ((Math.imul(i, 2654435761) >>> 0) / 4294967296 - 0.5) * 0.8;
    const dir = mkdtempSync(join(tmpdir(), 'siamese-bench-safetensors-'));
    const cwd = fileURLToPath(new URL('../', import.meta.url));
    const out = [];
    try {
      for (const dtype of ['F32', 'F16', 'BF16'] as Dtype[]) {
        const path = join(dir, `embeddings-${dtype}.safetensors`);
        const bytes = serializeSafetensors({ embeddings: { data: matrix, shape: [rows, dim], dtype } });
        writeFileSync(path, bytes);
        const fileMB = bytes.byteLength / 2 ** 20;
        log(`safetensors: ${rows} × ${dim} ${dtype} (${round(fileMB)} MiB), ${runs} fresh processes`);
        const results: ChildResult[] = [];
        for (let r = 0; r < runs; r++) {
          const res = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, path, String(n)], {
            cwd,
            encoding: 'utf8',
          });
          if (res.status !== 0) throw new Error(`safetensors bench child failed: ${res.stderr}`);
          results.push(JSON.parse(res.stdout.trim()));
        }
        const med = (k: keyof ChildResult) => median(results.map((x) => Number(x[k])));
        const importMs = median(results.map((x) => x.readMs + x.parseMs + x.convertMs));
        out.push({
          suite: 'safetensors',
          op: `import ${rows}x${dim} ${dtype}`,
          fileMiB: round(fileMB),
          readMs: round(med('readMs')),
          parseMs: round(med('parseMs'), 2),
          convertMs: round(med('convertMs')),
          plainLoopMs: round(med('loopMs')),
          convertOverLoop: round(med('convertMs') / med('loopMs'), 2),
          importMs: round(importMs),
          importOverRead: round(importMs / med('readMs'), 2),
          peakRssMiB: round(med('peakMB')),
          importRssMiB: round(med('peakMB') - med('baseMB')),
          overFileSize: round((med('peakMB') - med('baseMB')) / fileMB, 2),
          zeroCopy: results.every((x) => x.zeroCopy),
          runs,
        });
        if (dtype !== 'F32') continue;
        const folder = join(dir, 'model2vec');
        writeModel2VecFolder(folder, bytes, rows, dim);
        log(`safetensors: importPretrained of a ${rows} × ${dim} model2vec folder, ${runs} fresh processes`);
        const models: { importMs: number; readMs: number; baseMB: number; peakMB: number }[] = [];
        for (let r = 0; r < runs; r++) {
          const res = spawnSync(
            process.execPath,
            ['--input-type=module', '-e', MODEL_CHILD, folder, String(dim)],
            {
              cwd,
              encoding: 'utf8',
            },
          );
          if (res.status !== 0) throw new Error(`importPretrained bench child failed: ${res.stderr}`);
          models.push(JSON.parse(res.stdout.trim()));
        }
        const mm = (k: keyof (typeof models)[number]) => median(models.map((x) => x[k]));
        out.push({
          suite: 'safetensors',
          op: `importPretrained ${rows}x${dim} F32 model2vec folder (cpu)`,
          fileMiB: round(fileMB),
          importMs: round(mm('importMs')),
          readMs: round(mm('readMs')),
          modelOverRead: round(mm('importMs') / mm('readMs'), 2),
          peakRssMiB: round(mm('peakMB')),
          importRssMiB: round(mm('peakMB') - mm('baseMB')),
          overFileSize: round((mm('peakMB') - mm('baseMB')) / fileMB, 2),
          loadAverage1m: round(loadavg()[0]!, 2),
          runs,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};
export default suite;
