// The demo page end to end: the server serves only demo/ (traversal attempts get 404), and in
// Debian's Chromium (--enable-unsafe-webgpu: SwiftShader's WebGPU adapter) the page trains the
// MLP on webgpu and on wasm; both losses fall and the devices agree on the first steps. A
// screenshot goes to test/artifacts/demo.png (git-ignored).

import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
// @ts-expect-error: a plain .mjs script without types
import { buildDemo, serve } from '../scripts/demo-server.mjs';
import { expectClose } from './helpers/compare.js';

let url = '';
let server: { close(): void };

beforeAll(async () => {
  await buildDemo();
  ({ server, url } = await serve({ port: 0 }));
});
afterAll(() => server?.close());

/** Status code of a raw GET (no client-side path normalisation, unlike fetch). */
function status(path: string): Promise<number> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => { res.resume(); ok(res.statusCode ?? 0); })
      .on('error', fail).end();
  });
}

test('the server serves the demo folder with COOP/COEP and nothing outside it', async () => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  expect(await status('/dist/app.js')).toBe(200);
  for (const p of ['/../package.json', '/%2e%2e/package.json', '/%2E%2E/%2e%2e/etc/passwd', '/..%2fpackage.json',
    '/dist/../../package.json', '/etc/passwd', '//etc/passwd', '/..\\package.json', '/%00', '/%zz', '/missing.html']) {
    expect(await status(p), p).toBe(404);
  }
  expect(new URL(url).hostname).toBe('127.0.0.1');
});

test('the page trains the MLP on webgpu (SwiftShader) and on wasm: losses fall and agree', async () => {
  const exe = execSync('command -v chromium || command -v chromium-browser', { encoding: 'utf8' }).trim();
  const profile = mkdtempSync(join(tmpdir(), 'descent-demo-'));
  let ctx: BrowserContext | null = null;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: exe, ignoreDefaultArgs: ['--headless'],
      args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { demo?: unknown }).demo !== undefined);
    const run = (device: string) => page.evaluate(async (dev) => {
      const demo = (globalThis as unknown as { demo: { ready: Promise<void>; train(o: object): Promise<number[]>; info(): { webgpu: { adapter: string } | null } } }).demo;
      await demo.ready;
      const losses = await demo.train({ device: dev, optimizer: 'Adam', lr: 0.01, steps: 10 });
      return { losses, adapter: demo.info().webgpu?.adapter ?? null };
    }, device);
    const gpu = await run('webgpu');
    const cpu = await run('wasm');
    expect(gpu.adapter).toMatch(/swiftshader/i);
    expect(gpu.losses[9]).toBeLessThan(gpu.losses[0] * 0.95);
    expect(cpu.losses[9]).toBeLessThan(cpu.losses[0] * 0.95);
    expectClose(gpu.losses.slice(0, 5), cpu.losses.slice(0, 5), { rtol: 1e-4, atol: 1e-5 }, 'first losses');
    mkdirSync(join('test', 'artifacts'), { recursive: true });
    await page.screenshot({ path: join('test', 'artifacts', 'demo.png') });
    expect(errors).toEqual([]);
  } finally {
    await ctx?.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
