// Elementwise throughput: add, mul (3 streams of f32) and exp (2 streams) on 1M and 16M elements.
// Contenders, measured in the same process, single-threaded, same inputs:
//   descent kernel  — WasmBackend.binary/unary into a preallocated output (kernel + dispatch only)
//   descent API     — d.add / d.mul / d.exp from the bundle, result disposed (allocation included)
//   naive JS        — a plain for loop over Float32Arrays (Math.exp for exp)
//   tfjs-wasm       — @tensorflow/tfjs-backend-wasm 4.22 (its SIMD build), tf.add/mul/exp, result
//                     disposed. The wasm backend runs kernels synchronously inside the call, so no
//                     dataSync/await is needed: both libraries are timed WITHOUT readback.
// Median of 9 samples after 3 warm-up calls (each sample ≥ 25 ms of repeated calls). GB/s counts
// the bytes the op must move: 12 B/element for add/mul, 8 B/element for exp.
// Then the thread table (alone: `npm run bench -- elementwise threads`): kernel calls with every call
// split over a 2-thread pool (threshold 0) against none (threshold ∞), interleaved sample by sample
// in one process; wall time, so on a loaded machine the best samples show what a free core gives.
// Where 2 threads start to pay sets POOL_MIN_ELEMENTS (ts/backend/wasm/threads.ts).
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleSource, gbps, machine, measure, median, ratio, table } from './util.mjs';

const SIZES = [1 << 20, 1 << 24];
const OPS = [
  { name: 'add', bytes: 12, js: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i]; } },
  { name: 'mul', bytes: 12, js: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i]; } },
  { name: 'exp', bytes: 8, js: (a, _b, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]); } },
];

async function loadDescent() {
  const file = await bundleSource(
    "export { loadRuntime } from './ts/backend/wasm/runtime.ts'; export { WasmBackend } from './ts/backend/wasm/index.ts';"
    + " export { startPool, stopPool, setPoolMinElements, POOL_MIN_ELEMENTS } from './ts/backend/wasm/threads.ts';",
    join('build', 'bench', 'wasm-backend.js'));
  const { loadRuntime, WasmBackend, ...pool } = await import(file);
  const d = await import(new URL('../build/descent.node.js', import.meta.url).href);
  await d.init({ device: 'wasm', threads: 1 }); // the library table is single-threaded, as tfjs-wasm here
  const rt = await loadRuntime();
  return { d, be: new WasmBackend(rt), rt, pool, build: rt.info.build };
}

async function loadTf() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  return { tf, threads: wasm.getThreadsCount?.() ?? 'n/a' };
}

export default async function run(args = []) {
  const loaded = await loadDescent();
  if (args[0] !== 'threads') await libraries(loaded);
  await threadTable(loaded);
}

async function libraries({ d, be, build }) {
  const { tf, threads } = await loadTf();
  console.log(`${machine()}; descent wasm build '${build}', 1 thread; tfjs-backend-wasm ${tf.version_core}, threads ${threads}`);
  console.log('f32, contiguous; median of 9 samples after 3 warm-up calls; kernel time without readback for');
  console.log('both libraries (tfjs-wasm computes inside the call; results disposed, never read).\n');
  const rows = [];
  for (const n of SIZES) {
    const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
    const b = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 4 + 0.5);
    const o = new Float32Array(n);
    const view = (s) => ({ storage: s, offset: 0, shape: [n], strides: [1] });
    const [sa, sb, so] = [be.alloc('f32', n), be.alloc('f32', n), be.alloc('f32', n)];
    be.write(sa, a);
    be.write(sb, b);
    const [da, db] = [d.tensor(a), d.tensor(b)];
    const [ta, tb] = [tf.tensor1d(a), tf.tensor1d(b)];
    for (const op of OPS) {
      const kernel = op.name === 'exp' ? () => be.unary('exp', view(sa), view(so)) : () => be.binary(op.name, view(sa), view(sb), view(so));
      const api = op.name === 'exp' ? () => d.exp(da).dispose() : () => d[op.name](da, db).dispose();
      const tfOp = op.name === 'exp' ? () => tf.exp(ta).dispose() : () => tf[op.name](ta, tb).dispose();
      const t = {
        kernel: (await measure(kernel)).ms,
        api: (await measure(api)).ms,
        js: (await measure(() => op.js(a, b, o), { runs: 7 })).ms,
        tf: (await measure(tfOp)).ms,
      };
      const bytes = op.bytes * n;
      rows.push([op.name, n === 1 << 20 ? '1M' : '16M', t.kernel, gbps(bytes, t.kernel), t.api, gbps(bytes, t.api),
        t.js, gbps(bytes, t.js), t.tf, gbps(bytes, t.tf), ratio(t.js, t.kernel), ratio(t.tf, t.kernel), ratio(t.tf, t.api)]);
    }
    for (const s of [sa, sb, so]) be.free(s);
    for (const t of [da, db, ta, tb]) t.dispose();
  }
  console.log(table(['op', 'n', 'descent kernel ms', 'GB/s', 'descent API ms', 'GB/s', 'naive JS ms', 'GB/s', 'tfjs-wasm ms', 'GB/s',
    'JS/kernel', 'tfjs/kernel', 'tfjs/API'], rows));
  console.log('\nratios > 1 mean descent is faster (time of the other ÷ time of descent).');
}

const THREAD_SIZES = [2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22];
const THREAD_RUNS = 15;
/** [label, call(be, view of n, [rows, 1024] view of n, a, b, out, sum out)]: sum reduces rows (a whole-tensor sum is one row: never split). */
const THREAD_OPS = [
  ['add', (be, v, _r, a, b, o) => be.binary('add', v(a), v(b), v(o))],
  ['mul', (be, v, _r, a, b, o) => be.binary('mul', v(a), v(b), v(o))],
  ['exp', (be, v, _r, a, _b, o) => be.unary('exp', v(a), v(o))],
  ['relu', (be, v, _r, a, _b, o) => be.unary('relu', v(a), v(o))],
  ['sum rows of 1024', (be, v, rows, a, _b, _o, s) => be.reduce('sum', rows(a), 1, v(s, rows(a).shape[0]))],
];

async function threadTable({ be, rt, pool }) {
  const threads = await pool.startPool(rt, 2);
  const loadBefore = os.loadavg()[0];
  const rows = [];
  for (const n of THREAD_SIZES) {
    const [a, b, o, s] = [be.alloc('f32', n), be.alloc('f32', n), be.alloc('f32', n), be.alloc('f32', n / 1024)];
    be.write(a, Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4));
    be.write(b, Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 4 + 0.5));
    const v = (st, len = n) => ({ storage: st, offset: 0, shape: [len], strides: [1] });
    const byRows = (st) => ({ storage: st, offset: 0, shape: [n / 1024, 1024], strides: [1024, 1] });
    for (const [label, call] of THREAD_OPS) {
      const reps = Math.max(1, Math.round(2 ** 22 / n));
      const ms = { 1: [], 2: [] };
      for (let r = -3; r < THREAD_RUNS; r++) { // 3 warm-up rounds
        for (const t of [1, 2]) {
          pool.setPoolMinElements(t === 1 ? Infinity : 0);
          const t0 = performance.now();
          for (let i = 0; i < reps; i++) call(be, v, byRows, a, b, o, s);
          if (r >= 0) ms[t].push((performance.now() - t0) / reps);
        }
      }
      const best = (x) => Math.min(...x);
      rows.push([label, `2^${Math.log2(n)}`, median(ms[1]), median(ms[2]), best(ms[1]), best(ms[2]),
        ratio(median(ms[1]), median(ms[2])), ratio(best(ms[1]), best(ms[2]))]);
    }
    for (const st of [a, b, o, s]) be.free(st);
  }
  pool.setPoolMinElements(pool.POOL_MIN_ELEMENTS);
  await pool.stopPool();
  console.log(`\n### 1 thread vs ${threads} threads (wall time)\n`);
  console.log(`${machine()}; f32, contiguous; kernel calls through WasmBackend; median and best of ${THREAD_RUNS} interleaved samples;`);
  console.log(`1-minute load average ${loadBefore.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end; POOL_MIN_ELEMENTS = 2^${Math.log2(pool.POOL_MIN_ELEMENTS)}.\n`);
  console.log(table(['op', 'elements', '1t median ms', '2t median ms', '1t best ms', '2t best ms', '1t ÷ 2t median', '1t ÷ 2t best'], rows));
  console.log('\nratios > 1 mean two threads are faster.');
}
