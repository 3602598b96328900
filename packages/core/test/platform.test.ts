import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
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

  it('without process.getBuiltinModule (Node before 20.16, some bundles) it imports node:fs/promises', async () => {
    const proc = (globalThis as unknown as { process: { getBuiltinModule?: unknown } }).process;
    const builtin = proc.getBuiltinModule;
    const dir = await mkdtemp(join(tmpdir(), 'siamese-core-'));
    proc.getBuiltinModule = undefined;
    try {
      const fs = await fileSystem();
      expect(fs).toBe(await import('node:fs/promises'));
      await fs.writeFile(join(dir, 'b.txt'), 'imported');
      expect(new TextDecoder().decode(await readFile(join(dir, 'b.txt')))).toBe('imported');
    } finally {
      proc.getBuiltinModule = builtin;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file path where there is no file system (a browser-like realm) is E_NO_FILESYSTEM', async () => {
    // The platform module, bundled and run in a fresh V8 context: no `process`, and `import()` of
    // node:fs/promises fails there, as in a browser.
    const out = await build({
      entryPoints: [new URL('../src/platform.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'platform',
      platform: 'neutral',
      logLevel: 'silent',
    });
    const sandbox: { platform?: { fileSystem: () => Promise<unknown> } } = {};
    runInNewContext(out.outputFiles[0]!.text, sandbox);
    const err = await sandbox.platform!.fileSystem().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'E_NO_FILESYSTEM',
      message:
        'file paths need a runtime with a file system (Node, Deno, Bun), found other: on Workers and in browsers pass bytes, a URL or a Response',
      details: { runtime: 'other' },
    });
  });
});
