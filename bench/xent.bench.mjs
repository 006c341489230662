// Softmax cross-entropy forward+backward at (rows, cols) = (4096, 1000), (512, 10), (64, 50257).
// Contenders, measured in one process, single-threaded, same logits and labels:
//   fused kernel   — assembly/f32-softmaxce on preallocated wasm buffers: loss rows + dlogits
//                    (already scaled by 1/rows for the mean) in one call; the default plain-SIMD
//                    kernel, and its relaxed-SIMD (FMA) variant used when setDeterministic(false)
//   fused API      — d.nn.functional.crossEntropy(X, labels).backward() inside tidy (label check,
//                    allocation, mean, autograd included); X.grad disposed each time
//   unfused API    — the composite specification (logSoftmax → gather → mean) + backward, same harness
//   tfjs-wasm      — @tensorflow/tfjs-backend-wasm 4.22: tf.valueAndGrad of tf.losses.softmaxCrossEntropy
//                    with one-hot labels (its mean reduction), value and gradient disposed
//   naive JS       — plain loops over Float32Arrays: max, Σexp, loss and dlogits
//   memcpy         — Float32Array.prototype.set of rows·cols floats (reads and writes the same bytes),
//                    and a JS for-loop copy of them (the "JS memcpy" of the 11.5 GB/s)
// Bytes counted for every contender: the logits read plus the dlogits written, 8·rows·cols.
// Median of 9 samples after 3 warm-up calls (each sample ≥ 25 ms of repeated calls).
import { join } from 'node:path';
import { benchBuildDir, bundleSource, gbps, machine, measure, ratio, table } from './util.mjs';

const SHAPES = [[4096, 1000], [512, 10], [64, 50257]];

async function loadDescent() {
  const file = await bundleSource([
    "export * from './ts/index.ts';",
    "export { crossEntropyUnfused } from './ts/nn/functional/cross-entropy.ts';",
    "export { getBackend } from './ts/engine.ts';",
    "export { softmaxCrossEntropyPtr } from './ts/backend/wasm/softmaxce.ts';",
  ].join('\n'), join('build', 'bench', 'xent.js'));
  const d = await import(file);
  await d.init({ device: 'wasm' });
  return d;
}

async function loadTf() {
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core's node bundle ships without gradients; its ESM registry (extensionless imports, so
  // bundled here) fills the global gradient registry the node bundle's engine reads.
  const { build } = await import('esbuild');
  const grads = join(benchBuildDir, 'tf-grads.mjs');
  await build({ stdin: { contents: "import '@tensorflow/tfjs-core/dist/register_all_gradients';", resolveDir: process.cwd() },
    bundle: true, format: 'esm', platform: 'node', outfile: grads, logLevel: 'error' });
  await import(grads);
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  return { tf, threads: wasm.getThreadsCount?.() ?? 'n/a' };
}

function naive(x, y, rows, cols, loss, grad) {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
    loss[r] = m - x[o + y[r]] + Math.log(s);
    const k = 1 / (s * rows);
    for (let j = 0; j < cols; j++) grad[o + j] = Math.exp(x[o + j] - m) * k;
    grad[o + y[r]] -= 1 / rows;
  }
}

function inputs(rows, cols) {
  let seed = rows * 7919 + cols;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const x = Float32Array.from({ length: rows * cols }, () => (rnd() - 0.5) * 8);
  const y = Int32Array.from({ length: rows }, () => Math.floor(rnd() * cols));
  return { x, y };
}

async function timeShape(d, tf, rows, cols) {
  const { x, y } = inputs(rows, cols);
  const n = rows * cols;
  const rt = d.getBackend('wasm').rt;
  const [pX, pY, pL, pD] = [rt.malloc(4 * n), rt.malloc(4 * rows), rt.malloc(4 * rows), rt.malloc(4 * n)];
  rt.views.f32(pX, n).set(x);
  rt.views.i32(pY, rows).set(y);
  const X = d.tensor(x, { shape: [rows, cols], device: 'wasm', requiresGrad: true });
  const Y = d.tensor(y, { device: 'wasm', dtype: 'i32' });
  const api = (fn) => () => {
    d.tidy(() => fn(X, Y).backward());
    X.grad.dispose();
    X.grad = null;
  };
  const tl = tf.tensor2d(x, [rows, cols]);
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), cols), 'float32'));
  const vg = tf.valueAndGrad((l) => tf.losses.softmaxCrossEntropy(onehot, l));
  const [loss, grad, copy] = [new Float32Array(rows), new Float32Array(n), new Float32Array(n)];
  const t = {
    kernel: (await measure(() => d.softmaxCrossEntropyPtr(rt, pX, pY, rows, cols, pL, pD, 1 / rows))).ms,
    relaxed: rt.exports.f32_softmaxce_wasmrelaxedsimd
      ? (await measure(() => rt.exports.f32_softmaxce_wasmrelaxedsimd(pX, pY, rows, cols, pL, pD, 1 / rows))).ms : NaN,
    fused: (await measure(api(d.nn.functional.crossEntropy))).ms,
    unfused: (await measure(api(d.crossEntropyUnfused))).ms,
    tf: (await measure(() => { const r = vg(tl); r.value.dispose(); r.grad.dispose(); })).ms,
    js: (await measure(() => naive(x, y, rows, cols, loss, grad), { runs: 7 })).ms,
    memcpy: (await measure(() => copy.set(x))).ms,
    jsCopy: (await measure(() => { for (let i = 0; i < n; i++) copy[i] = x[i]; })).ms,
  };
  for (const p of [pX, pY, pL, pD]) rt.release(p);
  for (const z of [X, Y]) z.dispose();
  for (const z of [tl, onehot]) z.dispose();
  return { t, bytes: 8 * n };
}

export default async function run() {
  const d = await loadDescent();
  const { tf, threads } = await loadTf();
  console.log(`${machine()}; descent wasm build '${d.backendInfo()?.build ?? '?'}', 1 thread; ` +
    `tfjs-backend-wasm ${tf.version_core}, threads ${threads}`);
  console.log('f32 logits, i32 labels, mean reduction; forward + backward; GB/s = 8·rows·cols bytes / time.\n');
  const rows = [];
  const summary = [];
  for (const [r, c] of SHAPES) {
    const { t, bytes } = await timeShape(d, tf, r, c);
    const bw = (ms) => gbps(bytes, ms);
    const pct = (a, b) => `${((100 * bw(a)) / bw(b)).toFixed(0)}%`;
    rows.push([`${r}×${c}`, t.kernel, bw(t.kernel), t.relaxed, t.fused, bw(t.fused), t.unfused, t.tf, t.js,
      t.memcpy, bw(t.memcpy), t.jsCopy, bw(t.jsCopy)]);
    summary.push([`${r}×${c}`, ratio(t.unfused, t.fused), ratio(t.tf, t.fused), ratio(t.tf, t.kernel), ratio(t.js, t.kernel),
      pct(t.kernel, t.memcpy), pct(t.fused, t.memcpy), pct(t.kernel, t.jsCopy)]);
  }
  console.log(table(['shape', 'fused kernel ms', 'GB/s', 'relaxed kernel ms', 'fused API ms', 'GB/s', 'unfused API ms',
    'tfjs-wasm ms', 'naive JS ms', 'memcpy (set) ms', 'GB/s', 'JS copy loop ms', 'GB/s'], rows));
  console.log();
  console.log(table(['shape', 'unfused/fused API', 'tfjs/fused API', 'tfjs/kernel', 'JS/kernel', 'kernel % set-memcpy',
    'API % set-memcpy', 'kernel % JS-copy'], summary));
  console.log('\nratios > 1 mean the fused path is faster (time of the other ÷ time of the fused path).');
  console.log('Targets (issue 4, at 4096×1000): < 8.4 ms (PyTorch, 1 thread), ≥ 3× unfused, ≥ 15× tfjs-wasm, ≥ 50% of memcpy GB/s.');
}
