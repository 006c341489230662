// Optimizer benchmarks (issue 5), all in one run, f32 on the wasm device, 1 thread unless said:
//  1. One Adam step over 1M and 10M parameters (one tensor): the fused multi-tensor kernel through
//     optim.Adam (fused path), the same optimizer composed of our tensor ops (setFusedUpdates(false)),
//     and a memcpy inside wasm memory of the same bytes. Adam moves 28 B/param (reads p, g, m, v;
//     writes p, m, v); GB/s = 28·n / time; the memcpy row copies 14·n bytes (14·n read + 14·n written).
//     Then Adam with bf16 moments (stateDtype 'bf16', 1M): the fused bf16-state kernel vs composed.
//  2. Newton–Schulz, 5 steps, on 256×256, 1024×1024, 768×3072: our kernel (GEMM driver, symmetric
//     products), the time spent inside its GEMM calls during the same runs (timed by wrapping the
//     GEMM executor), the same iteration as full GEMMs (X·Xᵀ, A·A, B·X, no symmetry), and
//     @tensorflow/tfjs-backend-wasm composed from tf.matMul (threads set to 1).
// Median of the samples after warm-up (sizes and counts printed with each table).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleSource, gbps, machine, measure, ratio, table } from './util.mjs';

const ENTRY = `
export * as d from './ts/index.ts';
export * as optim from './ts/optim/index.ts';
export { resolveNewtonSchulz } from './ts/optim/newton-schulz.ts';
export { newtonSchulzPtr as newtonSchulzWasm } from './ts/backend/wasm/newton-schulz.ts';
export { gemm, f32Kernel, setGemmExecutor, OPERAND_SAME } from './ts/backend/wasm/gemm.ts';
export { getBackend } from './ts/engine.ts';
export { startPool, stopPool } from './ts/backend/wasm/threads.ts';
`;

async function load() {
  const file = await bundleSource(ENTRY, join('build', 'bench', 'optim-entry.js'));
  const m = await import(file);
  await m.d.init({ device: 'wasm', build: 'simd', threads: 1 }); // the 1-thread tables
  return { ...m, rt: m.getBackend('wasm').rt };
}

async function adamRows(m) {
  const { d, optim, rt } = m;
  const rows = [];
  for (const n of [1 << 20, 10 * (1 << 20)]) {
    const p = d.randn([n], { requiresGrad: true });
    p.grad = d.randn([n]);
    const opt = new optim.Adam([p], { lr: 1e-3 });
    const step = (fused) => () => { optim.setFusedUpdates(fused); opt.step(); };
    const fused = await measure(step(true), { warmup: 2, runs: 7, minSampleMs: 20 });
    const composed = await measure(step(false), { warmup: 1, runs: 5, minSampleMs: 1 });
    optim.setFusedUpdates(true);
    const half = 14 * n;
    const buf = rt.malloc(2 * half);
    const u8 = () => rt.views.u8(buf, 2 * half);
    const memcpy = await measure(() => u8().copyWithin(half, 0, half), { warmup: 2, runs: 7, minSampleMs: 20 });
    rt.release(buf);
    const bytes = 28 * n;
    rows.push([`${n / (1 << 20)}M`, fused.ms, composed.ms, ratio(composed.ms, fused.ms), gbps(bytes, fused.ms),
      gbps(bytes, memcpy.ms), `${((memcpy.ms / fused.ms) * 100).toFixed(0)}%`]);
    opt.zeroGrad();
    p.dispose();
  }
  return rows;
}

/** Adam with bf16 moments over 1M parameters: the fused bf16-state kernel against the composed path (and f32 state). */
async function bf16StateRows(m) {
  const { d, optim } = m;
  const n = 1 << 20;
  const p = d.randn([n], { requiresGrad: true });
  p.grad = d.randn([n]);
  const rows = [];
  for (const stateDtype of ['f32', 'bf16']) {
    const opt = new optim.Adam([p], { lr: 1e-3, stateDtype });
    const step = (fused) => () => { optim.setFusedUpdates(fused); opt.step(); };
    const fused = await measure(step(true), { warmup: 2, runs: 7, minSampleMs: 20 });
    const composed = await measure(step(false), { warmup: 1, runs: 5, minSampleMs: 1 });
    optim.setFusedUpdates(true);
    rows.push([stateDtype, fused.ms, composed.ms, ratio(composed.ms, fused.ms)]);
  }
  p.grad.dispose();
  p.dispose();
  return rows;
}

function fullGemmIteration(m, rows, cols, bufs) {
  const { gemm, f32Kernel, OPERAND_SAME, rt } = m;
  const r = Math.min(rows, cols), c = Math.max(rows, cols), k = f32Kernel(rt), S = OPERAND_SAME;
  const { x, y, a, b } = bufs;
  for (let s = 0; s < 5; s++) {
    gemm(rt, { kernel: k, m: r, n: r, k: c, a: x, aRs: c, aCs: 1, aKind: S, b: x, bRs: 1, bCs: c, bKind: S, c: a, ldc: r, alpha: 1, beta: 0 });
    gemm(rt, { kernel: k, m: r, n: r, k: r, a, aRs: r, aCs: 1, aKind: S, b: a, bRs: r, bCs: 1, bKind: S, c: b, ldc: r, alpha: -4.775, beta: 2.0315 });
    gemm(rt, { kernel: k, m: r, n: c, k: r, a: b, aRs: r, aCs: 1, aKind: S, b: x, bRs: c, bCs: 1, bKind: S, c: y, ldc: c, alpha: 1, beta: 3.4445 });
  }
}

/** NS5 on `threads` GEMM threads (the pool restarted here; init() above asked for one thread). */
async function nsThreaded(m, threads) {
  const { rt, newtonSchulzWasm, resolveNewtonSchulz, startPool, stopPool } = m;
  const got = await startPool(rt, threads);
  const o = resolveNewtonSchulz('bench', { steps: 5 });
  const rows = [];
  for (const [R, C] of [[256, 256], [1024, 1024], [768, 3072]]) {
    const n = R * C;
    const g = rt.malloc(n * 4), y = rt.malloc(n * 4);
    rt.views.f32(g, n).set(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731) + 0.05 * Math.cos(i * 0.017)));
    const r = await measure(() => newtonSchulzWasm(rt, g, y, R, C, o), { warmup: 1, runs: n > 1e6 ? 3 : 7, minSampleMs: 1 });
    rows.push([`${R}×${C}`, r.ms]);
    rt.release(g);
    rt.release(y);
  }
  await stopPool();
  return { got, rows };
}

async function nsRows(m, tf) {
  const { rt, newtonSchulzWasm, resolveNewtonSchulz, setGemmExecutor } = m;
  const o = resolveNewtonSchulz('bench', { steps: 5 });
  const rows = [];
  for (const [R, C] of [[256, 256], [1024, 1024], [768, 3072]]) {
    const n = R * C, r = Math.min(R, C);
    const g = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731) + 0.05 * Math.cos(i * 0.017));
    const bufs = { g: rt.malloc(n * 4), x: rt.malloc(n * 4), y: rt.malloc(n * 4), a: rt.malloc(r * r * 4), b: rt.malloc(r * r * 4) };
    rt.views.f32(bufs.g, n).set(g);
    rt.views.f32(bufs.x, n).set(g.map((v) => v * 1e-3));
    const runs = R * C > 1e6 ? 3 : 7;
    let gemmMs = 0;
    const prev = setGemmExecutor((rt2, job, flops) => {
      const t0 = performance.now();
      prev(rt2, job, flops);
      gemmMs += performance.now() - t0;
    });
    let calls = 0;
    const ns = await measure(() => { newtonSchulzWasm(rt, bufs.g, bufs.y, R, C, o); calls += 1; }, { warmup: 1, runs, minSampleMs: 1 });
    setGemmExecutor(prev);
    const inside = gemmMs / calls;
    const full = await measure(() => fullGemmIteration(m, R, C, bufs), { warmup: 1, runs, minSampleMs: 1 });
    const tfMs = await tfNs(tf, g, R, C, runs);
    rows.push([`${R}×${C}`, ns.ms, inside, ratio(ns.ms, inside), full.ms, ratio(ns.ms, full.ms), tfMs, ratio(tfMs, ns.ms)]);
    for (const p of Object.values(bufs)) rt.release(p);
  }
  return rows;
}

async function tfNs(tf, g, R, C, runs) {
  const G = tf.tensor2d(g, [R, C]);
  const run = () => tf.tidy(() => {
    let X = R > C ? tf.transpose(G) : G;
    X = tf.div(X, tf.add(tf.norm(X), 1e-7));
    for (let s = 0; s < 5; s++) {
      const A = tf.matMul(X, X, false, true);
      const B = tf.add(tf.mul(A, -4.775), tf.mul(tf.matMul(A, A), 2.0315));
      X = tf.add(tf.mul(X, 3.4445), tf.matMul(B, X));
    }
    return R > C ? tf.transpose(X) : X;
  }).dispose();
  const r = await measure(run, { warmup: 1, runs, minSampleMs: 1 });
  G.dispose();
  return r.ms;
}

export default async function run() {
  const m = await load();
  const tf = await import('@tensorflow/tfjs-core');
  const tfw = await import('@tensorflow/tfjs-backend-wasm');
  tfw.setThreadsCount?.(1);
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(`${machine()}; descent wasm build 'simd', 1 thread; tfjs-backend-wasm ${tf.version_core}, threads ${tfw.getThreadsCount?.() ?? 'n/a'}\n`);
  console.log('### Adam step (f32, one tensor; fused: 7 samples after 2 warm-ups; composed: 5 after 1)\n');
  console.log(table(['params', 'fused ms', 'composed ms', 'fused speed-up', 'fused GB/s', 'memcpy GB/s', 'of memcpy'], await adamRows(m)));
  console.log('\n### Adam step with bf16 moments (1M params; stochastic rounding on the Philox stream; same samples as above)\n');
  console.log(table(['stateDtype', 'fused ms', 'composed ms', 'fused speed-up'], await bf16StateRows(m)));
  console.log('\n### Newton–Schulz, 5 steps (f32; 7 samples, 3 for the two large shapes, after 1 warm-up)\n');
  const one = await nsRows(m, tf);
  console.log(table(['shape', 'ns5 ms', 'its GEMMs ms', 'ns5 / GEMMs', 'full-GEMM iteration ms', 'ns5 / full', 'tfjs-wasm ms', 'tfjs / ns5'], one));
  const two = await nsThreaded(m, 2);
  console.log(`\n### Newton–Schulz, 5 steps, ${two.got} GEMM threads (pool started directly), vs tfjs-wasm on 1 thread above\n`);
  console.log(table(['shape', 'ns5 ms', 'speed-up vs 1 thread', 'tfjs-wasm (1 thread) / ns5'],
    two.rows.map(([s, ms], i) => [s, ms, ratio(one[i][1], ms), ratio(one[i][6], ms)])));
}
