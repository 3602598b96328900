// End to end in headless Chromium (driven by playwright-core; see browser.ts for which one): vite build, serve dist/
// on 127.0.0.1, train in the page on WASM, check the similarity and ranking UIs, save a screenshot.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { serveStatic } from './static-server.ts';

const appDir = join(import.meta.dirname, '..');
const EPOCHS = 6;

let browser: Browser;
let page: Page;
let server: Awaited<ReturnType<typeof serveStatic>>;
const problems: string[] = [];
const wasmResponses: { url: string; status: number; type: string | null }[] = [];

beforeAll(async () => {
  await build({ root: appDir, logLevel: 'warn' });
  server = await serveStatic(join(appDir, 'dist'));
  const launched = await launchChromium();
  browser = launched.browser;
  console.log(`playground: testing in ${launched.source}`);
  page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    if (r.url().endsWith('.wasm'))
      wasmResponses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? null });
  });
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('playground in headless Chromium', () => {
  it('initialises the WASM backend (the .wasm served by Vite as an asset)', async () => {
    await page.waitForFunction(() => document.getElementById('backend')?.textContent !== 'loading…');
    expect(await page.textContent('#backend')).toBe('wasm');
    expect(wasmResponses).toHaveLength(1);
    expect(wasmResponses[0]!.status).toBe(200);
    expect(wasmResponses[0]!.url).toMatch(/\/assets\/tfjs-backend-wasm-simd-[\w-]+\.wasm$/);
    expect(await page.textContent('#sample-size')).toBe('600');
  });

  it(`trains ${EPOCHS} epochs in the page with a live chart`, async () => {
    await page.fill('#epochs', String(EPOCHS));
    await page.click('#train');
    await page.waitForSelector('#status[data-done="true"], #status[data-error="true"]', { timeout: 120_000 });
    const status = await page.textContent('#status');
    expect(status).toMatch(
      new RegExp(`^epoch ${EPOCHS}/${EPOCHS} · loss [\\d.]+ · dev Spearman [\\d.-]+ · done$`),
    );
    expect(await page.getAttribute('#status', 'data-epoch')).toBe(String(EPOCHS));
    const spearman = Number(/dev Spearman ([\d.-]+)/.exec(status ?? '')?.[1]);
    const untrained = Number(await page.getAttribute('#status', 'data-untrained'));
    const metrics: number[] = JSON.parse((await page.getAttribute('#status', 'data-metrics')) ?? '[]');
    expect(metrics).toHaveLength(EPOCHS);
    expect(spearman).toBeCloseTo(metrics[EPOCHS - 1]!, 3);
    // Measured in Chromium: dev Spearman 0.091 untrained → 0.438 after epoch 1 → 0.538 after epoch 6.
    expect(metrics[EPOCHS - 1]).toBeGreaterThan(untrained + 0.35);
    expect(metrics[EPOCHS - 1]).toBeGreaterThan(metrics[0]! + 0.05);
    // The chart has ink: count non-blank pixels.
    const inked = await page.evaluate(() => {
      const c = document.getElementById('chart') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
  });

  it('similarity: related sentences score higher than unrelated ones', async () => {
    const related = Number(await page.textContent('#sim-value'));
    expect(related).toBeGreaterThan(0.5);
    expect(related).toBeLessThanOrEqual(1);
    await page.fill('#sim-b', 'The stock market fell sharply today.');
    await page.click('#compare');
    await page.waitForFunction(
      (r) => document.getElementById('sim-value')?.textContent !== r,
      String(related.toFixed(4)),
    );
    const unrelated = Number(await page.textContent('#sim-value'));
    expect(unrelated).toBeLessThan(related);
  });

  it('ranking: the guitar sentence comes first for a guitar query, scores descending', async () => {
    const items = await page.$$eval('#ranking li', (lis) =>
      lis.map((li) => ({ text: li.textContent ?? '', score: Number((li as HTMLElement).dataset.score) })),
    );
    expect(items).toHaveLength(7);
    expect(items[0]!.text).toContain('A man plays the guitar.');
    for (let i = 1; i < items.length; i++) expect(items[i]!.score).toBeLessThanOrEqual(items[i - 1]!.score);
  });

  it('packs the trained model into one int8 file with the ranking sentences, and loads it back in the page', async () => {
    const similarity = Number(await page.textContent('#sim-value'));
    await page.click('#pack');
    await page.waitForSelector('#pack-status[data-done="true"]', { timeout: 120_000 });
    const d = await page.$eval('#pack-status', (el) => ({ ...(el as HTMLElement).dataset }));
    // The mean-pool model's matrices in int8: the file is well under half its float32 size.
    expect(Number(d.bytes)).toBeGreaterThan(0);
    expect(Number(d.bytes)).toBeLessThan(Number(d.f32Bytes) / 2);
    expect(Number(d.references)).toBe(7);
    // The model loaded from the packed file (a Blob) answers like the trained one.
    expect(Math.abs(Number(d.similarity) - similarity)).toBeLessThan(0.01);
    expect(d.top).toBe('A man plays the guitar.');
    expect(await page.getAttribute('#pack-download', 'href')).toMatch(/^blob:/);
  });

  it('has no page errors, and saves a screenshot (artifacts/playground.png)', async () => {
    mkdirSync(join(appDir, 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(appDir, 'artifacts/playground.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
