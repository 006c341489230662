// Manual browser check of the bundle (not part of `npm test` / CI): loads build/descent.browser.js
// in headless Chromium and runs a set of ops there, in five pages —
//   1. 'isolated': served WITH Cross-Origin-Opener-Policy/Embedder-Policy (crossOriginIsolated:
//      shared memory, GEMM pool on Web Workers, 2 threads expected);
//   2. 'plain': served WITHOUT them (no SharedArrayBuffer: one thread on a non-shared memory);
//   3. 'isolated+CSP': isolated, plus a Content-Security-Policy that allows wasm but not blob:
//      workers (the pool cannot start: one thread expected, and init() must still succeed);
//   4. 'CSP without wasm': script-src 'self' only (no wasm may compile): the import must succeed,
//      ops must throw NOT_INITIALIZED naming the cause, init() must reject with DescentError
//      UNSUPPORTED, and init({ device: 'reference' }) must work;
//   5. 'isolated, app bundle': as 1, but the page loads the bundle after an app's own esbuild
//      (platform browser, minify, keepNames) has bundled it again, as apps using the package's
//      "browser" export do (keepNames used to break the GEMM worker's shipped source).
// Each page checks elementwise ops, reductions, a 512×512 matmul against the reference device,
// an MLP backward against the reference device, AdamW steps, a Conv2d net trained by
// MuonWithAuxAdam, fused cross-entropy against the reference device, f16/bf16 casts, kernels.sgemm,
// a DescentError, GEMM with deterministic:false, the forced 'simd' build, the library running
// inside a module Web Worker, bit-identical C across thread counts, and times a 1024² sgemm on
// 1 and 2 threads (interleaved rounds, median; the numbers are as noisy as the machine's load).
// Where the pool runs it also reads the renderer's per-thread CPU time (Linux /proc) to show
// that the DedicatedWorker thread does a share of the GEMM work.
//
// Needs a Chromium binary (`npm test` and CI never start one; playwright-core, a dev dependency,
// downloads no browser):
//   apt-get install -y --no-install-recommends chromium     # Debian 12: Chromium 156
//   npm run build            # or `npm run bundle` when build/*.wasm is current
// Run:  npm run check:browser        (CHROMIUM=/path/to/chrome to pick another binary)
// Prints one line per check and exits 1 if any failed.
import { createServer } from 'node:http';
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

const ISOLATE = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const LIB = '/build/descent.browser.js';
const MODES = [
  { name: 'isolated', headers: ISOLATE, threads: 2 },
  { name: 'plain', headers: {}, threads: 1 },
  { name: 'isolated+CSP', headers: { ...ISOLATE, 'Content-Security-Policy': "script-src 'self' 'wasm-unsafe-eval'" }, threads: 1 },
  { name: 'CSP without wasm', headers: { 'Content-Security-Policy': "script-src 'self'" }, threads: 0 },
  { name: 'isolated, app bundle', headers: ISOLATE, threads: 2, lib: '/__app.js' },
];

// A module worker that runs the library off the main thread (where Atomics.wait may block) and
// posts back its backendInfo and a 256² sgemm for the page to compare with its own.
const WORKER = `import * as d from '/build/descent.browser.js';
try {
  await d.init();
  const n = 256, a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  postMessage({ info: d.backendInfo(), c: d.kernels.sgemm(n, n, n, a, b) });
} catch (e) { postMessage({ error: String(e && e.stack || e) }); }`;

/** Serves the repo root read-only on 127.0.0.1:<free port> with the given response headers, plus the app bundle at /__app.js. */
function serve(headers, appBundle) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path === '/favicon.ico') { res.writeHead(204, headers); return res.end(); }
    if (path === '/__app.js') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' });
      return res.end(readFileSync(appBundle));
    }
    if (path === '/__worker.mjs') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' });
      return res.end(WORKER);
    }
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      return res.end('<!doctype html><title>descent browser check</title>');
    }
    const file = join(root, path);
    if (!file.startsWith(root + '/') || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res(server)));
}

/** Runs in the page: every check returns { name, ok, detail }. */
async function pageChecks(expectThreads, lib) {
  const out = [];
  const t = async (name, fn) => {
    try {
      const r = await fn();
      out.push({ name, ok: r.ok, detail: r.detail });
    } catch (e) {
      out.push({ name, ok: false, detail: `threw ${e?.code ?? ''} ${e?.stack ?? e}` });
    }
  };
  const maxDiff = (a, b) => {
    if (a.length !== b.length) return Infinity;
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
  const d = await import(lib);
  const env = { lib, crossOriginIsolated: globalThis.crossOriginIsolated, sab: typeof SharedArrayBuffer, cores: navigator.hardwareConcurrency };
  const t0 = performance.now();
  await d.init();
  const info = { ...d.backendInfo(), initMs: Math.round(performance.now() - t0) };
  // Chromium validates relaxed SIMD without flags, so the relaxed build is expected
  out.push({ name: 'init', ok: info?.build === 'relaxed' && info.threads === expectThreads, detail: JSON.stringify({ ...env, ...info }) });

  await t('elementwise', () => {
    const a = d.tensor([1, -2, 3, -4]), b = d.tensor([0.5, 2, -1, 4]);
    const got = [...a.add(b).mul(a).exp().log().relu().dataSync()];
    const want = [1.5, 0, 6, 0];
    const s = [...d.tensor([0, 1]).sigmoid().dataSync()];
    const ok = maxDiff(got, want) < 1e-5 && Math.abs(s[1] - 1 / (1 + Math.exp(-1))) < 1e-6;
    return { ok, detail: `${JSON.stringify(got)} sigmoid ${s.map((v) => v.toFixed(6))}` };
  });
  await t('reductions', () => {
    const x = d.arange(0, 24).reshape([2, 3, 4]);
    const s = x.sum().item(), mx = [...x.max(2).dataSync()], m = [...x.mean([0, 2]).dataSync()];
    const v = x.var().item(), am = [...x.argmax(1).dataSync()];
    const ok = s === 276 && maxDiff(mx, [3, 7, 11, 15, 19, 23]) === 0 && maxDiff(m, [7.5, 11.5, 15.5]) < 1e-5
      && Math.abs(v - 50) < 1e-4 && am.every((i) => i === 2);
    return { ok, detail: `sum ${s} max ${mx} mean ${m} var ${v.toFixed(4)} argmax ${am}` };
  });
  await t('matmul 512² vs reference', () => {
    d.manualSeed(1);
    const a = d.randn([512, 512]), b = d.randn([512, 512]);
    const t0 = performance.now();
    const c = a.matmul(b).dataSync();
    const ms = performance.now() - t0;
    const ref = a.to('reference').matmul(b.to('reference')).dataSync();
    const diff = maxDiff(c, ref);
    return { ok: a.device === 'wasm' && diff < 1e-3, detail: `device ${a.device}, max |Δ| ${diff.toExponential(2)}, ${ms.toFixed(1)} ms` };
  });
  await t('MLP backward vs reference', () => {
    d.manualSeed(2);
    const run = (device) => {
      const x = d.randn([32, 8]).to(device), y = d.randn([32, 1]).to(device);
      const w1 = d.randn([8, 16]).to(device).requiresGrad_(), w2 = d.randn([16, 1]).to(device).requiresGrad_();
      const loss = x.matmul(w1).tanh().matmul(w2).sub(y).square().mean();
      loss.backward();
      return [loss.item(), [...w1.grad.dataSync()], [...w2.grad.dataSync()]];
    };
    const [lw, g1w, g2w] = run('wasm');
    d.manualSeed(2);
    const [lr, g1r, g2r] = run('reference');
    const diff = Math.max(Math.abs(lw - lr), maxDiff(g1w, g1r), maxDiff(g2w, g2r));
    return { ok: diff < 1e-4, detail: `loss ${lw.toFixed(5)} (ref ${lr.toFixed(5)}), max grad |Δ| ${diff.toExponential(2)}` };
  });
  await t('optimizer (AdamW fused) steps', () => {
    d.manualSeed(3);
    const model = new d.nn.Sequential(new d.nn.Linear(4, 16), new d.nn.Tanh(), new d.nn.Linear(16, 1));
    const opt = new d.optim.AdamW(model.parameters(), { lr: 1e-2 });
    const x = d.randn([64, 4]), y = x.sum(1, { keepdim: true }).sin();
    const losses = [];
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = d.nn.functional.mseLoss(model.call(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    return { ok: losses[29] < losses[0] * 0.7, detail: `loss ${losses[0].toFixed(4)} → ${losses[29].toFixed(4)}` };
  });
  await t('Conv2d net + MuonWithAuxAdam; fused crossEntropy vs reference', () => {
    d.manualSeed(5);
    const { nn } = d;
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3));
    const x = d.randn([16, 1, 8, 8]), y = d.randint(0, 3, [16]);
    const ps = model.parameters();
    const opt = new d.optim.MuonWithAuxAdam([
      { params: ps.filter((q) => q.shape.length >= 2), useMuon: true, lr: 0.02 },
      { params: ps.filter((q) => q.shape.length < 2), useMuon: false, lr: 1e-2 }]);
    const losses = [];
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const logits = d.randn([32, 10]), labels = d.randint(0, 10, [32]);
    const ce = nn.functional.crossEntropy(logits, labels).item();
    const ceRef = nn.functional.crossEntropy(logits.to('reference'), labels.to('reference')).item();
    return { ok: losses[19] < losses[0] * 0.8 && Math.abs(ce - ceRef) < 1e-5,
      detail: `loss ${losses[0].toFixed(4)} → ${losses[19].toFixed(4)}; crossEntropy ${ce.toFixed(6)} (ref ${ceRef.toFixed(6)})` };
  });
  await t('f16/bf16 casts', () => {
    const x = d.tensor([1.337, 65504, 1e-8, -2.5, 3.140625]);
    const h = [...x.to('f16').to('f32').dataSync()], b = [...x.to('bf16').to('f32').dataSync()];
    const wantH = [1.3369140625, 65504, 0, -2.5, 3.140625];
    const wantB = [1.3359375, 65536, 1.0011717677116394e-8, -2.5, 3.140625];
    const ok = maxDiff(h, wantH) === 0 && maxDiff(b, wantB) < 1e-15;
    return { ok, detail: `f16 ${h} bf16 ${b}` };
  });
  await t('kernels.sgemm', () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i), b = Float32Array.from({ length: 6 }, (_, i) => i + 1);
    const c = [...d.kernels.sgemm(2, 2, 3, a, b, { transB: true })];
    return { ok: maxDiff(c, [8, 17, 26, 62]) === 0, detail: `A·Bᵀ = ${c}` };
  });
  await t('bad input → DescentError', () => {
    try {
      d.tensor([1, 2]).matmul(d.tensor([1, 2, 3]));
      return { ok: false, detail: 'no error' };
    } catch (e) {
      return { ok: e instanceof d.DescentError, detail: `${e.code}: ${e.message}` };
    }
  });

  await t('deterministic:false (relaxed FMA) matmul vs reference', async () => {
    await d.init({ deterministic: false });
    d.manualSeed(4);
    const a = d.randn([300, 200]), b = d.randn([200, 100]);
    const diff = maxDiff(a.matmul(b).dataSync(), a.to('reference').matmul(b.to('reference')).dataSync());
    await d.init({ deterministic: true });
    return { ok: diff < 1e-3, detail: `max |Δ| ${diff.toExponential(2)}` };
  });
  await t('library inside a module Web Worker', async () => {
    const w = new Worker('/__worker.mjs', { type: 'module' });
    const msg = await new Promise((res) => {
      w.onmessage = (e) => res(e.data);
      w.onerror = (e) => res({ error: `worker error event: ${e.message}` });
    });
    w.terminate();
    if (msg.error) return { ok: false, detail: msg.error };
    const n = 256, a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const diff = maxDiff(msg.c, d.kernels.sgemm(n, n, n, a, b));
    return { ok: diff === 0 && msg.info.threads === expectThreads,
      detail: `worker backendInfo ${JSON.stringify(msg.info)}; 256² sgemm vs page: max |Δ| ${diff}` };
  });

  // timing and thread independence: a 1024² sgemm on 1 and 2 threads, interleaved rounds
  const n = 1024;
  const A = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), B = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const ms = { 1: [], 2: [] }, used = {}, c = {};
  for (let round = 0; round < 3; round++) {
    for (const threads of [1, 2]) {
      await d.init({ threads });
      used[threads] = d.backendInfo().threads;
      c[threads] = d.kernels.sgemm(n, n, n, A, B); // warm-up
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        d.kernels.sgemm(n, n, n, A, B);
        ms[threads].push(performance.now() - t0);
      }
    }
  }
  for (const threads of [1, 2]) {
    const m = median(ms[threads]);
    out.push({ name: `sgemm 1024² threads=${threads}`, ok: used[threads] === Math.min(threads, expectThreads),
      detail: `threads in use ${used[threads]}, median of 15 ${m.toFixed(1)} ms (${(2 * n ** 3 / m / 1e6).toFixed(1)} GFLOP/s), min ${Math.min(...ms[threads]).toFixed(1)} ms` });
  }
  const same = maxDiff(c[1], c[2]);
  out.push({ name: 'bit-identical C across thread counts', ok: same === 0,
    detail: `1 vs ${used[2]} threads: max |Δ| ${same}; speedup (medians) ${(median(ms[1]) / median(ms[2])).toFixed(2)}×` });

  await t("forced 'simd' build: same GEMM bits as 'relaxed'", async () => {
    const relaxed = d.kernels.sgemm(n, n, n, A, B);
    await d.init({ build: 'simd' });
    const info = d.backendInfo(), simd = d.kernels.sgemm(n, n, n, A, B);
    const diff = maxDiff(relaxed, simd);
    return { ok: info.build === 'simd' && diff === 0, detail: `build ${info.build}, threads ${info.threads}, max |Δ| ${diff}` };
  });
  return out;
}

/** Runs in a page that may compile no wasm (threads 0): ops and init() fail cleanly, reference works. */
async function noWasmChecks() {
  const d = await import('/build/descent.browser.js');
  const out = [];
  try {
    d.ones([2]);
    out.push({ name: 'ops before a device loads throw', ok: false, detail: 'd.ones() succeeded' });
  } catch (e) {
    out.push({ name: 'ops throw NOT_INITIALIZED naming the cause', ok: e instanceof d.DescentError && e.code === 'NOT_INITIALIZED'
      && /failed to load when descent was imported/.test(e.message), detail: `${e.code}: ${e.message}` });
  }
  try {
    await d.init();
    out.push({ name: 'init() rejects', ok: false, detail: 'init() succeeded' });
  } catch (e) {
    out.push({ name: 'init() rejects with DescentError UNSUPPORTED', ok: e instanceof d.DescentError && e.code === 'UNSUPPORTED',
      detail: `${e.code}: ${e.message}` });
  }
  await d.init({ device: 'reference' });
  const x = d.tensor([1, 2, 3]);
  const s = x.mul(x).sum().item();
  out.push({ name: "reference device after init({ device: 'reference' })", ok: x.device === 'reference' && s === 14, detail: `device ${x.device}, Σx² = ${s}` });
  return out;
}

/** CPU ms per thread of Chromium's renderer processes (Linux /proc; null elsewhere), keyed "pid/tid name". */
function rendererThreadCpu() {
  if (!existsSync('/proc/self/task')) return null;
  const out = {};
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
        out[`${pid}/${tid} ${name}`] = (Number(f[11]) + Number(f[12])) * 10; // utime + stime at 100 Hz
      }
    } catch { /* the process or thread ended meanwhile */ }
  }
  return out;
}

/**
 * Evidence that the pool's Web Worker computes (wall-clock speed-ups are at the mercy of the
 * machine's load): CPU time of the renderer's DedicatedWorker threads over 20 sgemm 1024² calls.
 */
async function workerShare(page, lib) {
  const before = rendererThreadCpu();
  if (!before) return { name: 'pool worker CPU share', ok: true, detail: 'not measured (no /proc)' };
  const wall = await page.evaluate(`(async () => {
    const d = await import(${JSON.stringify(lib)}), n = 1024;
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) d.kernels.sgemm(n, n, n, a, b);
    return performance.now() - t0;
  })()`);
  const after = rendererThreadCpu();
  let worker = 0, total = 0;
  for (const [k, v] of Object.entries(after)) {
    const dv = v - (before[k] ?? 0);
    total += dv;
    if (k.includes(' DedicatedWorker')) worker += dv;
  }
  return { name: 'pool worker CPU share', ok: worker >= 0.1 * total,
    detail: `20 sgemm 1024² in ${wall.toFixed(0)} ms wall: renderer CPU ${total} ms, of which DedicatedWorker threads ${worker} ms (${(100 * worker / Math.max(1, total)).toFixed(0)}%)` };
}

async function runOnce(browser, mode, appBundle) {
  const server = await serve(mode.headers, appBundle);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // a CSP page's blocked blob: worker or wasm compile is the expected outcome there, not an error
    if (m.type() === 'error' && !(mode.headers['Content-Security-Policy'] && /Content Security Policy/i.test(m.text()))) {
      errors.push(`console: ${m.text()}`);
    }
  });
  try {
    await page.goto(url);
    const results = mode.threads === 0
      ? await page.evaluate(`(${noWasmChecks.toString()})()`)
      : await page.evaluate(`(${pageChecks.toString()})(${mode.threads}, ${JSON.stringify(mode.lib ?? LIB)})`);
    if (mode.threads === 2) results.push(await workerShare(page, mode.lib ?? LIB));
    // terminated workers (earlier pools, the module worker) leave page.workers() asynchronously
    const want = Math.max(0, mode.threads - 1);
    for (let i = 0; i < 30 && page.workers().length !== want; i++) await new Promise((r) => setTimeout(r, 100));
    results.push({ name: 'GEMM pool workers alive at the end', ok: page.workers().length === want,
      detail: `${page.workers().length} (${page.workers().map((w) => w.url().slice(0, 40)).join(', ') || 'none'})` });
    results.push({ name: 'no page errors', ok: errors.length === 0, detail: errors.join(' | ') || 'none' });
    return results;
  } finally {
    await page.close();
    server.close();
  }
}

if (!existsSync(join(root, LIB))) {
  console.error(`browser-check: ${LIB.slice(1)} is missing; run \`npm run build\` first`);
  process.exit(1);
}
const exe = process.env.CHROMIUM
  ?? execSync('command -v chromium || command -v chromium-browser || true', { encoding: 'utf8', shell: '/bin/sh' }).trim();
if (!exe) {
  console.error('browser-check: no chromium on PATH; apt-get install -y --no-install-recommends chromium, or set CHROMIUM');
  process.exit(1);
}
const profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'));
// an app's bundler resolving the package's "browser" export: it must bundle for the web as it is
const appBundle = join(profile, 'app.js');
await build({
  stdin: { contents: `export * from '.${LIB}';`, resolveDir: root, sourcefile: 'app.js' },
  bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, keepNames: true, outfile: appBundle, logLevel: 'error',
});
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: exe, ignoreDefaultArgs: ['--headless'],
  args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
let failed = 0;
try {
  console.log(`browser: ${exe} ${browser.browser()?.version() ?? ''}`);
  for (const mode of MODES) {
    console.log(`\n== ${mode.name}: ${JSON.stringify(mode.headers)}`);
    for (const r of await runOnce(browser, mode, appBundle)) {
      if (!r.ok) failed++;
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`);
    }
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`\n${failed === 0 ? 'all checks passed' : `${failed} check(s) failed`}`);
process.exit(failed === 0 ? 0 : 1);
