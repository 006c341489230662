// The data/train/io half in headless Chromium, on the browser bundle: fetch the bundled gzip IDX
// files, parse them with parseIdxAsync (DecompressionStream), build datasets, fit an MLP for one
// epoch, round-trip the model through saveBuffer/loadBuffer, and check that the Node-only entry
// points (loadFashionMnist, save) fail with a DescentError that names the browser alternative.
//   npm run build && npm run verify -- browser-data      (needs chromium on PATH, or CHROMIUM=...)
import { execSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = { '/lib.js': 'build/descent.browser.js', '/images.gz': 'data/fashion-mnist-small/t10k-images-idx3-ubyte.gz',
  '/labels.gz': 'data/fashion-mnist-small/t10k-labels-idx1-ubyte.gz' };

async function pageChecks() {
  const d = await import('/lib.js');
  await d.init();
  const out = [];
  const bytes = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
  const images = await d.data.parseIdxAsync(await bytes('/images.gz'), 'images.gz');
  const labels = await d.data.parseIdxAsync(await bytes('/labels.gz'), 'labels.gz');
  out.push(['parseIdxAsync (DecompressionStream)', images.shape.join() === '10000,28,28' && labels.shape.join() === '10000', images.shape.join('x')]);
  const rows = (a, b) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const norm = d.data.pixelStats(images, rows(0, 2000));
  const train = d.data.toDataset({ images, labels }, rows(0, 2000), norm), test = d.data.toDataset({ images, labels }, rows(8000, 10000), norm);
  d.manualSeed(0);
  const model = new d.nn.Sequential(new d.nn.Flatten(), new d.nn.Linear(784, 64), new d.nn.ReLU(), new d.nn.Linear(64, 10));
  const r = await d.train.fit(model, new d.optim.Adam(model.parameters(), { lr: 3e-3 }), {
    train: new d.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 }), epochs: 2 });
  const { accuracy } = d.train.evaluate(model, new d.data.DataLoader(test, { batchSize: 500 }));
  out.push(['fit 2 epochs on 2000 images, test accuracy > 0.7', accuracy > 0.7, `loss ${r.epochs.map((e) => e.trainLoss.toFixed(3))}, accuracy ${accuracy}`]);
  const back = d.loadBuffer(d.saveBuffer(model));
  const same = Object.entries(model.stateDict()).every(([k, t]) => t.dataSync().every((v, i) => v === back[k].dataSync()[i]));
  out.push(['saveBuffer/loadBuffer round trip', same, Object.keys(back).join(', ')]);
  for (const [what, f] of [['loadFashionMnist', () => d.data.loadFashionMnist()], ['save', () => d.save(model, 'x.safetensors')]]) {
    try { await f(); out.push([`${what} rejects in a browser`, false, 'no error']); } catch (e) {
      out.push([`${what} rejects in a browser`, e.name === 'DescentError' && /in a browser use/.test(e.message), e.message]);
    }
  }
  return out;
}

export default async function run() {
  if (!existsSync(join(root, FILES['/lib.js']))) { console.error('run `npm run build` first'); return false; }
  const exe = process.env.CHROMIUM ?? execSync('command -v chromium || command -v chromium-browser || true', { encoding: 'utf8', shell: '/bin/sh' }).trim();
  if (!exe) { console.error('no chromium on PATH (apt-get install chromium) or CHROMIUM=...'); return false; }
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url, 'http://x').pathname);
    if (path === '/') { res.writeHead(200, { 'Content-Type': 'text/html' }); return res.end('<!doctype html><title>data</title>'); }
    if (!(path in FILES)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'Content-Type': path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' });
    res.end(readFileSync(join(root, FILES[path])));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: exe, ignoreDefaultArgs: ['--headless'],
    args: ['--headless=new', '--no-sandbox', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = browser.pages()[0] ?? await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const results = await page.evaluate(`(${pageChecks.toString()})()`);
    for (const [name, ok, detail] of results) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    return results.every(([, ok]) => ok);
  } finally {
    await browser.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
