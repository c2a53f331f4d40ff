/**
 * End to end in a real browser: `irisk serve` on loopback over a data directory with a credit
 * champion, live decisions and an iris evaluation report; Debian's chromium driven by
 * playwright-core opens every dashboard page, goes into the error gallery, and checks that charts
 * (SVG) and images rendered (decoded, non-zero size). A screenshot of each page is written to
 * $IRISK_SCREENSHOT_DIR (default .test-screenshots/ at the repository root).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../src/platform/server/config.js';
import { createService, type Service } from '../src/platform/server/service.js';
import { cli } from './cli-harness.js';
import { creditDataDir } from './service-world.js';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'browser-test-key-0123456789';
const shots = resolve(process.env.IRISK_SCREENSHOT_DIR ?? join(import.meta.dirname, '..', '.test-screenshots'));

let dir: string;
let service: Service;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  dir = await mkdtemp(join(tmpdir(), 'irisk-browser-'));
  const data = await creditDataDir(dir, 1200, 6);
  expect((await cli('synth', 'iris', '--out', join(dir, 'eyes'), '--subjects', '4', '--captures', '3', '--size', '320x280', '--seed', '5')).code).toBe(0);
  const evalRun = await cli('iris', 'eval', join(dir, 'eyes'), '--report', join(data, 'reports', 'iris'), '--worst', '3', '--bootstrap', '50');
  expect(evalRun.code, evalRun.stderr).toBe(0);
  process.env.IRISK_API_KEYS = `${KEY}:admin`;
  const config = await loadServeConfig(data, undefined, { port: 0 });
  delete process.env.IRISK_API_KEYS;
  service = await createService(config);
  base = await service.app.listen({ host: '127.0.0.1', port: 0 });
  for (let c = 1; c <= 80; c++) {
    const asOf = new Date(Date.UTC(2024, 9 + Math.floor(c / 20), 3)).toISOString();
    const r = await fetch(`${base}/v1/credit/decisions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ customerId: `C${String(c).padStart(7, '0')}`, amount: 400 + 10 * c, asOf }) });
    expect(r.status).toBe(200);
  }
  await mkdir(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the dashboard in a browser', () => {
  it('renders every page with its charts, and the error gallery with its images', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    for (const [path, name, needsChart] of [['/', 'overview', true], ['/models', 'models', false], ['/drift', 'drift', true]] as const) {
      await page.goto(base + path);
      await expect(page.locator('h1').textContent()).resolves.toBeTruthy();
      if (needsChart) {
        const box = await page.locator('.plot svg').first().boundingBox();
        expect(box!.width).toBeGreaterThan(300);
        expect(box!.height).toBeGreaterThan(150);
      }
      if (name === 'models') {
        expect(await page.locator('table').first().textContent()).toContain('champion');
        // The iris evaluation's DET curve and histograms, drawn by the browser.
        const plots = page.locator('.gallery img');
        expect(await plots.count()).toBeGreaterThan(0);
        await page.waitForFunction(() => Array.from(document.querySelectorAll('.gallery img')).every((i) => (i as HTMLImageElement).complete));
        expect((await plots.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth))).every((w) => w > 0)).toBe(true);
      }
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    }
    // Into the error gallery from the navigation, as a person would.
    await page.goto(`${base}/`);
    await page.click('text=Error gallery');
    await page.waitForURL(`${base}/errors`);
    const images = page.locator('.gallery img');
    expect(await images.count()).toBeGreaterThan(0);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.gallery img')).every((i) => (i as HTMLImageElement).complete));
    const sizes = await images.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth));
    expect(sizes.every((w) => w > 0)).toBe(true);
    await page.screenshot({ path: join(shots, 'errors.png'), fullPage: true });
    expect(failed).toEqual([]);
    for (const name of ['overview', 'models', 'drift', 'errors']) expect((await stat(join(shots, `${name}.png`))).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
