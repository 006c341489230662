// Per-kernel throughput of the wasm foundation kernels on 1M contiguous f32 elements (1 thread):
// every f32 unary op through the SIMD kernel and through the portable scalar kernel (ns/element),
// and reductions (row vs column layout), casts and where. Calls the kernels through the Backend
// with preallocated outputs. Median of 7 samples after 3 warm-up calls.
import { join } from 'node:path';
import { bundleSource, machine, measure, ratio, table } from './util.mjs';

const N = 1 << 20;
const UNARY = ['neg', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh',
  'sigmoid', 'relu', 'gelu', 'silu', 'sign', 'square', 'reciprocal', 'floor', 'ceil', 'round'];

export default async function run() {
  const file = await bundleSource(
    "export { loadRuntime } from './ts/backend/wasm/runtime.ts'; export { WasmBackend } from './ts/backend/wasm/index.ts'; export { MetaScratch } from './ts/backend/wasm/meta.ts';",
    join('build', 'bench', 'wasm-kernels.js'));
  const { loadRuntime, WasmBackend, MetaScratch } = await import(file);
  const rt = await loadRuntime();
  const be = new WasmBackend(rt);
  const meta = new MetaScratch(rt);
  console.log(`${machine()}; wasm build '${rt.info.build}', 1 thread; n = ${N} f32, contiguous; median of 7 samples\n`);
  const view = (s, shape = [N], strides = [1]) => ({ storage: s, offset: 0, shape, strides });
  const x = be.alloc('f32', N), o = be.alloc('f32', N);
  be.write(x, Float32Array.from({ length: N }, (_, i) => Math.sin(i) * 4));
  const ns = (ms) => (ms * 1e6) / N;
  const opts = { runs: 7 };

  const rows = [];
  for (const [code, op] of UNARY.entries()) {
    const simd = (await measure(() => be.unary(op, view(x), view(o)), opts)).ms;
    const m = meta.write({ shape: [N], strides: [[1], [1]] });
    const ptr = (s) => s.ptr;
    const scalar = (await measure(() => rt.exports.f32_vunary_scalar(code, m, ptr(x), ptr(o)), opts)).ms;
    rows.push([op, ns(simd), ns(scalar), ratio(scalar, simd)]);
  }
  console.log(table(['f32 unary', 'SIMD kernel ns/elem', 'scalar kernel ns/elem', 'speed-up'], rows));

  const r = be.alloc('f32', 1024);
  const red = [];
  for (const op of ['sum', 'max', 'argmax']) {
    const out = { storage: op === 'argmax' ? be.alloc('i32', 1024) : r, offset: 0, shape: [1024], strides: [1] };
    const rowT = (await measure(() => be.reduce(op, view(x, [1024, 1024], [1024, 1]), 1, out), opts)).ms;
    const colT = (await measure(() => be.reduce(op, view(x, [1024, 1024], [1, 1024]), 1, out), opts)).ms;
    red.push([op, ns(rowT), ns(colT)]);
  }
  console.log('\n' + table(['reduce 1024×1024 → 1024', 'rows (contiguous) ns/elem', 'columns (stride 1024) ns/elem'], red));

  const misc = [];
  for (const to of ['f16', 'bf16', 'f64', 'i32']) {
    const d = be.alloc(to, N);
    const t1 = (await measure(() => be.copy(view(x), view(d)), opts)).ms;
    const t2 = (await measure(() => be.copy(view(d), view(o)), opts)).ms;
    misc.push([`copy f32 → ${to} / ${to} → f32`, ns(t1), ns(t2)]);
    be.free(d);
  }
  const c = be.alloc('i32', N);
  be.binary('gt', view(x), { storage: x, offset: 0, shape: [N], strides: [0] }, view(c));
  const tw = (await measure(() => be.where(view(c), view(x), { storage: x, offset: 0, shape: [N], strides: [0] }, view(o)), opts)).ms;
  const tg = (await measure(() => be.binary('gt', view(x), { storage: x, offset: 0, shape: [N], strides: [0] }, view(c)), opts)).ms;
  misc.push(['where(c, x, scalar) / gt(x, scalar)', ns(tw), ns(tg)]);
  console.log('\n' + table(['other', 'ns/elem', 'ns/elem (reverse)'], misc));
}
