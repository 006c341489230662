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
import { join } from 'node:path';
import { bundleSource, gbps, machine, measure, ratio, table } from './util.mjs';

const SIZES = [1 << 20, 1 << 24];
const OPS = [
  { name: 'add', bytes: 12, js: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i]; } },
  { name: 'mul', bytes: 12, js: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i]; } },
  { name: 'exp', bytes: 8, js: (a, _b, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]); } },
];

async function loadDescent() {
  const file = await bundleSource(
    "export { loadRuntime } from './ts/backend/wasm/runtime.ts'; export { WasmBackend } from './ts/backend/wasm/index.ts';",
    join('build', 'bench', 'wasm-backend.js'));
  const { loadRuntime, WasmBackend } = await import(file);
  const d = await import(new URL('../build/descent.node.js', import.meta.url).href);
  await d.init({ device: 'wasm' });
  const rt = await loadRuntime();
  return { d, be: new WasmBackend(rt), build: rt.info.build };
}

async function loadTf() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  return { tf, threads: wasm.getThreadsCount?.() ?? 'n/a' };
}

export default async function run() {
  const { d, be, build } = await loadDescent();
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
