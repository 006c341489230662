// Where 2 threads start to pay (the pool's split threshold, POOL_MIN_FLOPS in ts/backend/wasm/threads.ts):
// each shape is timed with every product split (threshold 0) and none split (threshold ∞), the two
// interleaved sample by sample on one warm pool, f32 mul+add kernel. Wall time: the second thread's
// gain only shows when a second core is free, so on a loaded machine look at the best samples.
// Writes bench/results/gemm-threads.md.
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { bundleSource, machine, table } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 31;
/** [label, m, n, k, A transposed]: the MLP 784-256-10 products (batch 128) and squares around the threshold. */
const SHAPES = [
  ['fwd2 128×256·256×10', 128, 10, 256, false], ['dX2 128×10·10×256', 128, 256, 10, false], ['dW2 Aᵀ·B 256×128·128×10', 256, 10, 128, true],
  ['64³', 64, 64, 64, false], ['96³', 96, 96, 96, false], ['128³', 128, 128, 128, false], ['160³', 160, 160, 160, false],
  ['200³', 200, 200, 200, false], ['fwd1 128×784·784×256', 128, 256, 784, false], ['dW1 Aᵀ·B 784×128·128×256', 784, 256, 128, true],
];
const ENTRY = `
export { loadRuntime } from './ts/backend/wasm/runtime.ts';
export { gemm, KERNEL_F32 } from './ts/backend/wasm/gemm.ts';
export { startPool, stopPool, setPoolMinFlops, POOL_MIN_FLOPS } from './ts/backend/wasm/threads.ts';
`;

const median = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];

export default async function run() {
  const d = await import(await bundleSource(ENTRY, join('build', 'bench', 'gemm-threads-entry.js')));
  const rt = await d.loadRuntime();
  const threads = await d.startPool(rt, 2);
  const loadBefore = os.loadavg()[0];
  const rows = [];
  for (const [label, m, n, k, ta] of SHAPES) {
    const a = rt.malloc(m * k * 4), b = rt.malloc(k * n * 4), c = rt.malloc(m * n * 4);
    rt.views.f32(a, m * k).fill(0.5); rt.views.f32(b, k * n).fill(0.25);
    const call = { kernel: d.KERNEL_F32, m, n, k, alpha: 1, beta: 0, c, ldc: n, a, aRs: ta ? 1 : k, aCs: ta ? m : 1, aKind: 0, b, bRs: n, bCs: 1, bKind: 0 };
    const flops = 2 * m * n * k, reps = Math.max(1, Math.round(2e7 / flops));
    const ms = { 1: [], 2: [] };
    for (let r = -3; r < RUNS; r++) { // 3 warm-up rounds
      for (const t of [1, 2]) {
        d.setPoolMinFlops(t === 1 ? Infinity : 0);
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) d.gemm(rt, call);
        if (r >= 0) ms[t].push((performance.now() - t0) / reps);
      }
    }
    const g = (x) => (flops / (x * 1e6)).toFixed(1);
    rows.push([label, (flops / 1e6).toFixed(2), g(median(ms[1])), g(median(ms[2])), g(Math.min(...ms[1])), g(Math.min(...ms[2])),
      `${(median(ms[1]) / median(ms[2])).toFixed(2)}×`, `${(Math.min(...ms[1]) / Math.min(...ms[2])).toFixed(2)}×`]);
    for (const p of [a, b, c]) rt.release(p);
  }
  d.setPoolMinFlops(d.POOL_MIN_FLOPS);
  await d.stopPool();
  const text = [
    '# GEMM pool split threshold: 1 thread vs 2 threads per shape, GFLOP/s (wall time)',
    '',
    `${machine()}; ${new Date().toISOString().slice(0, 10)}; ${threads} threads in the pool; f32 mul+add kernel; median and best of ${RUNS} interleaved samples.`,
    `1-minute load average ${loadBefore.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end. Current threshold: ${d.POOL_MIN_FLOPS / 2 ** 20} MFLOP (2^${Math.log2(d.POOL_MIN_FLOPS)}). Command: \`npm run bench -- gemm-threads\`.`,
    '',
    table(['shape', 'MFLOP', '1t median', '2t median', '1t best', '2t best', '2t ÷ 1t median', '2t ÷ 1t best'], rows),
    '',
  ].join('\n');
  console.log(text);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'gemm-threads.md'), text);
}
