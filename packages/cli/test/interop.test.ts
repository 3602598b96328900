// `siamese import` / `siamese export --format safetensors` on the seed tutorial's PyTorch model
// (fixtures/golden/seed_model): the imported model embeds as PyTorch did, and the export gives back the seed's
// state_dict (same keys, same float32 values), which the PyTorch round trip in packages/runtime/test/torch.test.ts
// loads with strict=True.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors } from '@siamese/safetensors';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../dist/cli.js');
const seed = resolve(here, '../../../fixtures/golden/seed_model');
const expected = JSON.parse(readFileSync(join(seed, 'expected.json'), 'utf8')) as {
  unbatched: { text: string; h: number[] }[];
  state_dict_keys: string[];
};
const tmp = mkdtempSync(join(tmpdir(), 'siamese-cli-interop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input,
    cwd: tmp,
    timeout: 600_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('siamese import / export', () => {
  it('imports the seed state_dict with its word2index; embed gives PyTorch outputs; export gives the state_dict back', () => {
    const imported = run([
      'import',
      '--weights',
      join(seed, 'model.safetensors'),
      '--word2index',
      join(seed, 'word2index.json'),
      '--out',
      'seed-model',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout);
    expect(summary).toMatchObject({ dim: 16, vocabSize: 148 });
    expect(summary.architecture).toBe(
      'architecture: embedding encoder.embedding → lstm encoder.lstm; vocabulary 148',
    );
    const texts = expected.unbatched.map((u) => u.text);
    const embedded = spawnSync(
      process.execPath,
      [cli, 'embed', '--model', 'seed-model', '--backend', 'cpu', '--format', 'f32'],
      {
        input: texts.join('\n'),
        cwd: tmp,
        timeout: 600_000,
      },
    );
    expect(embedded.status).toBe(0);
    const raw = embedded.stdout as Buffer;
    const vectors = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    expect(vectors.length).toBe(texts.length * 16);
    let worst = 0;
    expected.unbatched.forEach((u, i) => {
      for (let j = 0; j < 16; j++) worst = Math.max(worst, Math.abs(vectors[i * 16 + j]! - u.h[j]!));
    });
    expect(worst).toBeLessThan(1e-5);

    const exported = run([
      'export',
      '--model',
      'seed-model',
      '--format',
      'safetensors',
      '--out',
      'torch',
      '--json',
    ]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).files).toEqual([
      'model.safetensors',
      'tokenizer.json',
      'word2index.json',
      'architecture.json',
    ]);
    const original = parseSafetensors(readFileSync(join(seed, 'model.safetensors')));
    const back = parseSafetensors(readFileSync(join(tmp, 'torch', 'model.safetensors')));
    expect(back.names()).toEqual(expected.state_dict_keys);
    for (const name of original.names()) expect(back.float32(name)).toEqual(original.float32(name));
    expect(JSON.parse(readFileSync(join(tmp, 'torch', 'word2index.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(seed, 'word2index.json'), 'utf8')),
    );
  }, 1_800_000);

  it('usage errors exit 2 with one line naming the flag or file', () => {
    const noWeights = run(['import', '--out', 'x']);
    expect(noWeights.code).toBe(2);
    expect(noWeights.stderr).toMatch(/--weights model\.safetensors is required/);
    const missing = run([
      'import',
      '--weights',
      'nope.safetensors',
      '--word2index',
      join(seed, 'word2index.json'),
      '--out',
      'x',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--weights nope\.safetensors: file not found/);
    const notSafetensors = run([
      'import',
      '--weights',
      join(seed, 'word2index.json'),
      '--out',
      'x',
      '--backend',
      'cpu',
    ]);
    expect(notSafetensors.code).toBe(2);
    expect(notSafetensors.stderr).toMatch(/safetensors/);
    const format = run(['export', '--model', 'seed-model', '--format', 'onnx', '--out', 'y']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/safetensors/);
  }, 1_800_000);
});

describe('siamese import / export --format model2vec | sentence-transformers', () => {
  const interop = resolve(here, '../../../fixtures/interop');
  it('imports a model2vec folder (its embeddings as model2vec computes them) and exports the layout back', () => {
    const imported = run([
      'import',
      '--format',
      'model2vec',
      join(interop, 'model2vec_wordpiece'),
      '--out',
      'm2v-model',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      dim: 8,
      vocabSize: 66,
      architecture: 'model2vec: 66 × 8 table ("embeddings", F32), WordPiece tokenizer, mean, normalized',
    });
    const m2v = JSON.parse(readFileSync(join(interop, 'model2vec_wordpiece/expected.json'), 'utf8')) as {
      texts: string[];
      embeddings: number[][];
    };
    const embedded = spawnSync(
      process.execPath,
      [cli, 'embed', '--model', 'm2v-model', '--backend', 'cpu', '--format', 'f32'],
      { input: m2v.texts.slice(0, 3).join('\n'), cwd: tmp, timeout: 600_000 },
    );
    expect(embedded.status).toBe(0);
    const raw = embedded.stdout as Buffer;
    const vectors = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    expect(vectors.length).toBe(24);
    for (let i = 0; i < 24; i++)
      expect(vectors[i]!).toBeCloseTo(m2v.embeddings[Math.floor(i / 8)]![i % 8]!, 5);

    const exported = run([
      'export',
      '--model',
      'm2v-model',
      '--format',
      'model2vec',
      '--out',
      'm2v-back',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(exported.stderr).toBe('');
    expect(JSON.parse(exported.stdout).files).toEqual([
      'model.safetensors',
      'tokenizer.json',
      'config.json',
      'modules.json',
    ]);
    const original = parseSafetensors(readFileSync(join(interop, 'model2vec_wordpiece/model.safetensors')));
    const back = parseSafetensors(readFileSync(join(tmp, 'm2v-back/model.safetensors')));
    expect(back.float32('embeddings')).toEqual(original.float32('embeddings'));
  }, 1_800_000);

  it('usage errors: a missing folder argument, stray state_dict flags', () => {
    const none = run(['import', '--format', 'sentence-transformers', '--out', 'x']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/expected one FOLDER/);
    const stray = run([
      'import',
      '--format',
      'model2vec',
      join(interop, 'model2vec_wordpiece'),
      '--weights',
      'w.safetensors',
      '--out',
      'x',
    ]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/drop --weights/);
  }, 600_000);
});
