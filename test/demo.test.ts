// The demo page end to end: the server serves demo/ and the bundled Fashion-MNIST folder and
// nothing else (traversal attempts get 404), with COOP/COEP unless told not to. In Debian's
// Chromium (--enable-unsafe-webgpu: SwiftShader's WebGPU adapter) the page trains the MLP on the
// Fashion-MNIST subset on webgpu and on wasm (losses fall, the devices agree on the first
// steps), races optimizers on Himmelblau (every step drawn), uses wasm threads only when
// cross-origin isolated. Screenshots go to test/artifacts/ (git-ignored).

import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs script without types
import { buildDemo, serve } from '../scripts/demo-server.mjs';
import { expectClose } from './helpers/compare.js';

type Server = { server: { close(): void }; url: string };
let isolated: Server, plain: Server, ctx: BrowserContext, profile: string;

beforeAll(async () => {
  await buildDemo();
  isolated = await serve({ port: 0 });
  plain = await serve({ port: 0, isolate: false });
  const exe = execSync('command -v chromium || command -v chromium-browser', { encoding: 'utf8' }).trim();
  profile = mkdtempSync(join(tmpdir(), 'descent-demo-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: exe, ignoreDefaultArgs: ['--headless'], viewport: { width: 1100, height: 900 },
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, 60_000);
afterAll(async () => {
  await ctx?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  isolated?.server.close();
  plain?.server.close();
});

/** Status code of a raw GET (no client-side path normalisation, unlike fetch). */
function status(path: string): Promise<number> {
  const u = new URL(isolated.url);
  return new Promise((ok, fail) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => { res.resume(); ok(res.statusCode ?? 0); })
      .on('error', fail).end();
  });
}

test('the server serves the demo folder and the Fashion-MNIST subset with COOP/COEP, and nothing else', async () => {
  const res = await fetch(isolated.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  expect(await status('/dist/app.js')).toBe(200);
  expect(await status('/data/fashion-mnist-small/t10k-labels-idx1-ubyte.gz')).toBe(200);
  for (const p of ['/../package.json', '/%2e%2e/package.json', '/%2E%2E/%2e%2e/etc/passwd', '/..%2fpackage.json',
    '/dist/../../package.json', '/etc/passwd', '//etc/passwd', '/..\\package.json', '/%00', '/%zz', '/missing.html',
    '/data/fashion-mnist-small/../../package.json', '/data/fashion-mnist-small/%2e%2e/%2e%2e/package.json',
    '/data/fashion-mnist-small/..%2f..%2fpackage.json', '/data/fashion-mnist-small', '/data/', '/README.md', '/scripts/demo-server.mjs']) {
    expect(await status(p), p).toBe(404);
  }
  expect(new URL(isolated.url).hostname).toBe('127.0.0.1');
  const open = await fetch(plain.url);
  expect(open.status).toBe(200);
  expect([open.headers.get('cross-origin-opener-policy'), open.headers.get('cross-origin-embedder-policy')]).toEqual([null, null]);
});

interface Demo {
  ready: Promise<{ picked: string; threads: number; isolated: boolean }>;
  train(o: object): Promise<{ losses: number[]; accuracy: number }>;
  race(o: object): Promise<{ label: string; points: number }[]>;
  info(): { webgpu: { adapter: string } | null };
  memory(): Record<'wasm' | 'webgpu', { tensors: number; bytes: number }>;
  lossRows(): number;
}

async function open(url: string): Promise<{ page: Page; errors: string[]; ready: Awaited<Demo['ready']> }> {
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { demo?: unknown }).demo !== undefined);
  const ready = await page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.ready);
  return { page, errors, ready };
}

/** Trains through window.demo; also says whether a run left tensors behind on any device. */
const train = (page: Page, o: object) => page.evaluate(async (opts) => {
  const demo = (globalThis as unknown as { demo: Demo }).demo;
  const before = demo.memory();
  const r = await demo.train(opts);
  return { ...r, adapter: demo.info().webgpu?.adapter ?? null, before, after: demo.memory() };
}, o);

test('cross-origin isolated, the page trains on webgpu (SwiftShader) and wasm threads: losses fall and agree; a toy race is drawn step by step', async () => {
  const { page, errors, ready } = await open(isolated.url);
  // no hardware adapter here, so the bundle picks wasm; isolation gives it worker threads
  expect(ready).toEqual({ picked: 'wasm', threads: expect.any(Number), isolated: true });
  expect(ready.threads).toBeGreaterThan(1);
  // small: SwiftShader runs WGSL on the CPU (≈ 1 s a step here, the first one compiling the shaders)
  const o = { optimizer: 'adam', lr: 2e-3, steps: 5, batch: 32, testImages: 250 };
  const gpu = await train(page, { ...o, device: 'webgpu' });
  const cpu = await train(page, { ...o, device: 'wasm' });
  expect(gpu.adapter).toMatch(/swiftshader/i);
  for (const r of [gpu, cpu]) {
    expect(r.after).toEqual(r.before); // model, optimizer state and batches all freed
    expect(r.losses[4]).toBeLessThan(r.losses[0] * 0.8);
    expect(r.accuracy).toBeGreaterThan(0.3); // chance is 0.1
  }
  expectClose(gpu.losses, cpu.losses, { rtol: 1e-4, atol: 1e-5 }, 'losses');
  expect(Math.abs(gpu.accuracy - cpu.accuracy)).toBeLessThanOrEqual(2 / 250); // a near-tie may flip
  expect(await page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.lossRows())).toBe(10);
  expect(await page.textContent('#train-status')).toMatch(/on wasm .*test accuracy \d+\.\d% on 250 held-out images/);

  const results = await page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.race(
    { fn: 'himmelblau', optimizers: 'gd,momentum,adam', steps: 40, frameMs: 0 }));
  expect(results.map((r) => [r.label, r.points])).toEqual([['gd', 41], ['momentum', 41], ['adam', 41]]);
  // one SVG line per optimizer, with a vertex per recorded point
  const vertices = await page.$$eval('#race .trajectory path', (ps) => ps.map((p) => (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0));
  expect(vertices).toEqual([41, 41, 41]);
  mkdirSync(join('test', 'artifacts'), { recursive: true });
  await page.screenshot({ path: join('test', 'artifacts', 'demo.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test('without cross-origin isolation the page trains on one wasm thread, and its controls run a race', async () => {
  const { page, errors, ready } = await open(plain.url);
  expect(ready).toEqual({ picked: 'wasm', threads: 1, isolated: false });
  const r = await train(page, { device: 'wasm', optimizer: 'sgd', lr: 0.1, steps: 5, batch: 64 });
  expect(r.losses[4]).toBeLessThan(r.losses[0]);
  expect(r.after).toEqual(r.before);
  // the race through the page's own controls: five optimizers, five lines
  await page.selectOption('#fn', 'beale');
  await page.fill('#race-steps', '25');
  await page.click('#race-button');
  await expect.poll(() => page.textContent('#race-status'), { timeout: 20_000 }).toMatch(/^lion \(lr [\d.e-]+\): /m);
  expect(await page.$$eval('#race .trajectory path', (ps) => ps.length)).toBe(5);
  await page.screenshot({ path: join('test', 'artifacts', 'demo-not-isolated.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
