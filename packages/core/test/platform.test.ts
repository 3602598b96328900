import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystem, now, readFile, runtimeKey } from '../src/index.js';

describe('platform', () => {
  it('knows it runs on Node here (the conformance suite checks deno, bun and workerd)', () => {
    expect(runtimeKey()).toBe('node');
  });

  it('now() is a monotonic millisecond clock', async () => {
    const a = now();
    await new Promise((r) => setTimeout(r, 20));
    expect(now() - a).toBeGreaterThanOrEqual(15);
  });

  it('reads and writes files through the runtime file system', async () => {
    const fs = await fileSystem();
    const dir = await mkdtemp(join(tmpdir(), 'siamese-core-'));
    try {
      await fs.writeFile(join(dir, 'a.txt'), 'hello');
      expect(new TextDecoder().decode(await readFile(join(dir, 'a.txt')))).toBe('hello');
      expect(new TextDecoder().decode(await readFile(new URL(`file://${join(dir, 'a.txt')}`)))).toBe('hello');
      expect((await fs.stat(dir)).isDirectory()).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
