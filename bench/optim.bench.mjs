// Optimizer benchmarks (issue 5), all in one run, f32 on the wasm device, 1 thread unless said:
//  1. One Adam step over 1M and 10M parameters (one tensor): the fused multi-tensor kernel through
//     optim.Adam (fused path), the same optimizer composed of our tensor ops (setFusedUpdates(false)),
//     and a memcpy inside wasm memory of the same bytes. Adam moves 28 B/param (reads p, g, m, v;
//     writes p, m, v); GB/s = 28·n / time; the memcpy row copies 14·n bytes (14·n read + 14·n written).
//     Then Adam with bf16 moments (stateDtype 'bf16', 1M): the fused bf16-state kernel vs composed.
//  2. Newton–Schulz, 5 steps, on 256×256, 1024×1024, 768×3072, on 1 and 2 threads: before (X·Xᵀ
//     and A² as full GEMMs, newtonSchulzPtr's 'general' products) and after (symmetric products),
//     each with the plain and the FMA kernel, and @tensorflow/tfjs-backend-wasm composed from
//     tf.matMul (threads set to 1).
// Median of the samples after warm-up (sizes and counts printed with each table).
// `npm run bench -- optim --adam-threads` prints only the 1-vs-2-thread Adam table.
import { join } from 'node:path';
import { bundleSource, gbps, machine, measure, ratio, table } from './util.mjs';

const ENTRY = `
export * as d from './ts/index.ts';
export * as optim from './ts/optim/index.ts';
export { resolveNewtonSchulz } from './ts/optim/newton-schulz.ts';
export { newtonSchulzPtr as newtonSchulzWasm } from './ts/backend/wasm/newton-schulz.ts';
export { setDeterministic } from './ts/backend/wasm/gemm.ts';
export { getBackend } from './ts/engine.ts';
export { startPool, stopPool } from './ts/backend/wasm/threads.ts';
export { POOL_MIN_UPDATE, setPoolMinUpdate } from './ts/backend/wasm/fused.ts';
`;

async function load() {
  const file = await bundleSource(ENTRY, join('build', 'bench', 'optim-entry.js'));
  const m = await import(file);
  await m.d.init({ device: 'wasm', threads: 1 }); // the relaxed build where it validates (FMA columns); 1-thread tables
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

const NS_SHAPES = [[256, 256], [1024, 1024], [768, 3072]];
/** before: the symmetric products as full GEMMs ('general'); after: syrk.ts ('symmetric'); each on both kernels. */
const NS_VARIANTS = [['general', true], ['symmetric', true], ['general', false], ['symmetric', false]];
const nsInput = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731) + 0.05 * Math.cos(i * 0.017));

/**
 * One Adam step on 1 thread, and on 2 threads with every update split (setPoolMinUpdate(0)), to
 * choose POOL_MIN_UPDATE: the MLP bench's parameters (4 tensors, 203,530) and one tensor of each size.
 */
async function adamThreaded(m) {
  const { d, optim, rt, startPool, POOL_MIN_UPDATE, setPoolMinUpdate } = m;
  const rows = [];
  const sets = [['MLP 784-256-10', [[256, 784], [256], [10, 256], [10]]], ...[1 << 16, 1 << 18, 1 << 20, 1 << 22].map((n) => [`${n / 1024}K`, [[n]]])];
  const prev = setPoolMinUpdate(0);
  for (const [label, shapes] of sets) {
    const ps = shapes.map((s) => { const p = d.randn(s, { requiresGrad: true }); p.grad = d.randn(s); return p; });
    const n = ps.reduce((s, p) => s + p.size, 0);
    const opt = new optim.Adam(ps, { lr: 1e-3 });
    const ms = [];
    for (const threads of [1, 2]) {
      await startPool(rt, threads);
      ms.push((await measure(() => opt.step(), { warmup: 20, runs: 15, minSampleMs: 20 })).ms);
    }
    rows.push([label, String(n), n >= POOL_MIN_UPDATE ? 'yes' : 'no', ms[0], ms[1], ratio(ms[0], ms[1])]);
    for (const p of ps) { p.grad.dispose(); p.dispose(); }
  }
  setPoolMinUpdate(prev);
  await startPool(rt, 1);
  return rows;
}

/** NS5 ms per shape and variant on `threads` GEMM threads (the pool restarted here). */
async function nsTimes(m, threads) {
  const { rt, newtonSchulzWasm, resolveNewtonSchulz, setDeterministic, startPool, stopPool } = m;
  const got = await startPool(rt, threads);
  const o = resolveNewtonSchulz('bench', { steps: 5 });
  const out = [];
  for (const [R, C] of NS_SHAPES) {
    const n = R * C;
    const g = rt.malloc(n * 4), y = rt.malloc(n * 4);
    rt.views.f32(g, n).set(nsInput(n));
    const ms = [];
    for (const [products, deterministic] of NS_VARIANTS) {
      setDeterministic(deterministic);
      const r = await measure(() => newtonSchulzWasm(rt, g, y, R, C, o, products), { warmup: 1, runs: n > 1e6 ? 3 : 7, minSampleMs: 1 });
      ms.push(r.ms);
    }
    setDeterministic(true);
    out.push(ms);
    rt.release(g);
    rt.release(y);
  }
  await stopPool();
  return { got, out };
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

export default async function run(args = []) {
  const m = await load();
  if (args.includes('--adam-threads')) { // only the table that chooses POOL_MIN_UPDATE
    console.log(`${machine()}; Adam on 1 vs 2 threads, update split forced; default split from ${m.POOL_MIN_UPDATE} params\n`);
    console.log(table(['params', 'count', 'split by default', '1 thread ms', '2 threads ms', 'speed-up'], await adamThreaded(m)));
    return;
  }
  const tf = await import('@tensorflow/tfjs-core');
  const tfw = await import('@tensorflow/tfjs-backend-wasm');
  tfw.setThreadsCount?.(1);
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(`${machine()}; descent wasm build '${m.rt.info.build}', 1 thread; tfjs-backend-wasm ${tf.version_core}, threads ${tfw.getThreadsCount?.() ?? 'n/a'}\n`);
  console.log('### Adam step (f32, one tensor; fused: 7 samples after 2 warm-ups; composed: 5 after 1)\n');
  console.log(table(['params', 'fused ms', 'composed ms', 'fused speed-up', 'fused GB/s', 'memcpy GB/s', 'of memcpy'], await adamRows(m)));
  console.log(`\n### Adam step on 1 thread and on 2 threads with the update split (pool started directly; by default split from ${m.POOL_MIN_UPDATE} params)\n`);
  console.log(table(['params', 'count', 'split by default', '1 thread ms', '2 threads ms', 'speed-up'], await adamThreaded(m)));
  console.log('\n### Adam step with bf16 moments (1M params; stochastic rounding on the Philox stream; same samples as above)\n');
  console.log(table(['stateDtype', 'fused ms', 'composed ms', 'fused speed-up'], await bf16StateRows(m)));
  console.log('\n### Newton–Schulz, 5 steps (f32; 7 samples, 3 for the two large shapes, after 1 warm-up)\n');
  console.log("before: A = X·Xᵀ and A² as full GEMMs; after: symmetric products (ts/backend/wasm/syrk.ts). plain: the deterministic mul+add kernel; FMA: relaxed-SIMD madd (init({ deterministic: false })).");
  const tfMs = [];
  for (const [R, C] of NS_SHAPES) tfMs.push(await tfNs(tf, nsInput(R * C), R, C, R * C > 1e6 ? 3 : 7));
  const byThreads = [];
  for (const threads of [1, 2]) {
    const { got, out } = await nsTimes(m, threads);
    byThreads.push(out);
    console.log(`\n${got} thread${got > 1 ? 's' : ''}${got !== threads ? ` (asked for ${threads})` : ''}; tfjs-wasm on 1 thread\n`);
    console.log(table(['shape', 'before plain ms', 'after plain ms', 'speed-up', 'before FMA ms', 'after FMA ms', 'speed-up', 'after FMA vs 1 thread', 'tfjs-wasm ms', 'tfjs / after FMA'],
      out.map(([gp, sp, gf, sf], i) => [`${NS_SHAPES[i][0]}×${NS_SHAPES[i][1]}`, gp, sp, ratio(gp, sp), gf, sf, ratio(gf, sf),
        ratio(byThreads[0][i][3], sf), tfMs[i], ratio(tfMs[i], sf)])));
  }
}
