// The Deno and Bun apps are tested alike: train in the runtime, check the saved model loads (in Node) and that
// the runtime reported the wasm backend, then serve it and run every route case plus a short load test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, loadModel, similarity } from '@siamese/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../scripts/serve.mjs';
import { trainTinyModel } from '../scripts/train-model.mjs';
import { loadTest } from './load.ts';
import { call, routeCases, TINY } from './routes.ts';

/** How to run a runtime's scripts: `command(script, args)` → argv (binary first). */
export interface RuntimeApp {
  name: string;
  cwd: string;
  train: (args: string[]) => string[];
  serve: (args: string[]) => string[];
}

/** Registers the shared tests for one runtime app. */
export function describeRuntimeApp(app: RuntimeApp): void {
  describe(`${app.name} app`, () => {
    const dir = mkdtempSync(join(tmpdir(), `siamese-${app.name}-`));
    const modelDir = join(dir, 'model');
    const report: Record<string, unknown> = {};
    let training: Record<string, any>;
    let nodeTraining: Awaited<ReturnType<typeof trainTinyModel>>;
    let server: Awaited<ReturnType<typeof spawnServer>>;

    beforeAll(async () => {
      const [cmd, ...args] = app.train(['--out', modelDir]);
      const res = spawnSync(cmd!, args, {
        cwd: app.cwd,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      });
      if (res.status !== 0)
        throw new Error(`${app.name} training failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
      training = JSON.parse(res.stdout.trim().split('\n').at(-1)!);
      // The same recipe trained in Node, in this run: the reference the runtime must reproduce exactly.
      nodeTraining = await trainTinyModel({ out: join(dir, 'node-model') });
      const [scmd, ...sargs] = app.serve(['--model', modelDir, '--port', '0']);
      server = await spawnServer(scmd!, sargs, { cwd: app.cwd, env: { DEBUG: '1' } });
      report.coldStartMs = Math.round(server.startMs);
      report.trainSeconds = Math.round(training.seconds * 100) / 100;
    });

    afterAll(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
      console.log(`${app.name} report: ${JSON.stringify(report)}`);
    });

    it('training ran on wasm in the runtime and saved a loadable model', async () => {
      expect(training.runtime).toMatch(new RegExp(`^${app.name} \\d+\\.\\d+`));
      expect(training.backend).toBe('wasm');
      expect(training.losses).toHaveLength(3);
      // Measured: loss 0.071 → 0.038 → 0.025; dev Spearman 0.426 untrained → 0.733 trained.
      expect(training.losses[2]).toBeLessThan(0.5 * training.losses[0]);
      expect(training.devSpearman.trained).toBeGreaterThan(training.devSpearman.untrained + 0.2);
      await initBackend();
      const model = await loadModel(modelDir);
      try {
        expect(model.id).toBe(training.id);
        expect(model.threshold?.value).toBeCloseTo(training.threshold.value, 10);
        expect(await similarity(model, 'A man plays a guitar.', 'A man plays a guitar.')).toBeCloseTo(1, 5);
      } finally {
        model.dispose();
      }
    });

    it('the runtime trained the very model Node trains: identical model id, losses and threshold', () => {
      expect(nodeTraining.backend).toBe('wasm');
      expect(training.id).toMatch(/^[0-9a-f]{12}$/);
      expect(training.id).toBe(nodeTraining.id);
      expect(training.losses).toEqual(nodeTraining.losses);
      expect(training.threshold).toEqual(nodeTraining.threshold);
      expect(training.devSpearman).toEqual(nodeTraining.devSpearman);
    });

    for (const [name, check] of routeCases(TINY)) it(name, () => check(server.url!));

    it('load: 500 requests, 8 concurrent, no errors, flat tensor count', async () => {
      const before = (await call(server.url!, '/health')).json.numTensors;
      const load = await loadTest(server.url!, 500, 8);
      const after = (await call(server.url!, '/health')).json.numTensors;
      report.load = load;
      expect(load.errors).toBe(0);
      expect(after).toBe(before);
    });
  });
}
