// f32 ↔ f16 / bf16 / fp8 conversion throughput over 16M elements, single thread, same inputs
// (sin-shaped values over ±100, so every lane takes the normal path; NaN/subnormal lanes cost the
// same in SIMD, except stochastic f16/fp8 narrowing, which runs its subnormal recipe only for the
// 4-lane groups that need it: one row times f16 on inputs that are all below f16's normals).
// Contenders, measured in the same process:
//   descent kernel — assembly/f32-*-vcvt wasmsimd on buffers already in wasm memory
//   descent cast   — tensor.half() / .bfloat16() / .float() on wasm (allocation + xx-vcopy)
//   kernels.*      — the raw typed-array entry points (f16 only): into a new array, and into a reused
//                    one ({ out }); a new 16M-element array's pages are zeroed on first touch, which
//                    the memcpy into a new array (Float32Array.slice) shows on its own
//   @petamoriken/float16 — new Float16Array(f32) / new Float32Array(f16) (the polyfill)
//   plain JS       — a loop over ts/dtype.ts (f16/bf16) or ts/minifloat.ts (fp8) per element
//   memcpy         — Float32Array.prototype.set of the f32 side (4 B/element read + written)
// Median of 7 samples after 2 warm-up calls (JS peers: 3 samples, 1 warm-up; float16's f16→f32: 1). GB/s counts bytes
// read + written by the conversion (6 B/element for halves, 5 for fp8; memcpy 8).
import { join } from 'node:path';
import { Float16Array } from '@petamoriken/float16';
import { bundleSource, gbps, machine, measure, ratio, table } from './util.mjs';

const N = 1 << 24;

export default async function run() {
  const file = await bundleSource(
    "export { loadRuntime } from './ts/backend/wasm/runtime.ts'; export * as dt from './ts/dtype.ts'; export { narrow, widen } from './ts/minifloat.ts';",
    join('build', 'bench', 'half.js'));
  const { loadRuntime, dt, narrow, widen } = await import(file);
  const d = await import(new URL('../build/descent.node.js', import.meta.url).href);
  await d.init({ device: 'wasm' });
  const rt = await loadRuntime();
  const k = rt.exports;
  console.log(`${machine()}; descent wasm build '${rt.info.build}', 1 thread; ${N} elements (16M)`);
  console.log('median of 7 samples after 2 warm-ups (JS peers 3 after 1); ratio = memcpy time ÷ conversion time\n');

  const src = Float32Array.from({ length: N }, (_, i) => Math.sin(i) * 100);
  const dst = new Float32Array(N);
  const px = rt.malloc(N * 4), ph = rt.malloc(N * 2), pf = rt.malloc(N * 4);
  rt.views.f32(px, N).set(src);
  const slow = { warmup: 1, runs: 3, minSampleMs: 0 };
  const fast = { warmup: 2, runs: 7 };
  const rows = [];
  let memcpy = 0;
  const row = async (what, bytes, fn, opts = fast) => {
    const ms = (await measure(fn, opts)).ms;
    memcpy ||= ms; // the first row is the memcpy
    rows.push([what, ms, gbps(bytes * N, ms), ratio(memcpy, ms)]);
  };
  await row('memcpy f32 (Float32Array.set)', 8, () => dst.set(src));
  await row('memcpy f32 into a new array (Float32Array.slice)', 8, () => src.slice(), slow);

  const t = d.tensor(src);
  for (const name of ['f16', 'bf16']) {
    for (const st of [0, 1]) await row(`f32→${name} ${st ? 'stochastic' : 'nearest'}: descent kernel`, 6, () => k[`f32_${name}_vcvt_wasmsimd`](N, px, ph, st, 0, 0, 1, 2));
    if (name === 'f16') {
      rt.views.f32(pf, N).set(src.map((v) => v * 1e-7)); // |x| ≤ 1e-5 < 2^-14
      await row('f32→f16 stochastic, every |x| < 2^-14 (subnormal recipe): descent kernel', 6, () => k.f32_f16_vcvt_wasmsimd(N, pf, ph, 1, 0, 0, 1, 2));
    }
    await row(`f32→${name} nearest: descent cast (.${name === 'f16' ? 'half' : 'bfloat16'}())`, 6, () => (name === 'f16' ? t.half() : t.bfloat16()).dispose());
    const h = new Uint16Array(N);
    if (name === 'f16') {
      await row('f32→f16 nearest: kernels.f32ToF16(x) (new array)', 6, () => d.kernels.f32ToF16(src), slow);
      await row('f32→f16 nearest: kernels.f32ToF16(x, { out })', 6, () => d.kernels.f32ToF16(src, { out: h }));
      await row('f32→f16 nearest: @petamoriken/float16', 6, () => new Float16Array(src), slow);
    }
    const conv = name === 'f16' ? dt.f32ToF16 : dt.f32ToBf16;
    await row(`f32→${name} nearest: plain JS`, 6, () => { for (let i = 0; i < N; i++) h[i] = conv(src[i]); }, slow);
    k[`f32_${name}_vcvt_wasmsimd`](N, px, ph, 0, 0, 0, 0, 0);
    await row(`${name}→f32: descent kernel`, 6, () => k[`${name}_f32_vcvt_wasmsimd`](N, ph, pf));
    const ht = name === 'f16' ? t.half() : t.bfloat16();
    await row(`${name}→f32: descent cast (.float())`, 6, () => ht.float().dispose());
    ht.dispose();
    if (name === 'f16') {
      await row('f16→f32: kernels.f16ToF32(h) (new array)', 6, () => d.kernels.f16ToF32(h), slow);
      await row('f16→f32: kernels.f16ToF32(h, { out })', 6, () => d.kernels.f16ToF32(h, { out: dst }));
      const f16 = new Float16Array(src);
      // its proxied element reads take ~20 s for 16M: one sample
      await row('f16→f32: @petamoriken/float16', 6, () => new Float32Array(f16), { warmup: 0, runs: 1, minSampleMs: 0 });
    }
    const back = name === 'f16' ? dt.f16ToF32 : dt.bf16ToF32;
    await row(`${name}→f32: plain JS`, 6, () => { for (let i = 0; i < N; i++) dst[i] = back(h[i]); }, slow);
  }
  t.dispose();
  for (const [fi, fname] of [[0, 'e4m3'], [1, 'e5m2']]) {
    for (const st of [0, 1]) await row(`f32→${fname} ${st ? 'stochastic' : 'nearest'}: descent kernel`, 5, () => k.f32_fp8_vcvt_wasmsimd(fi, 0, N, px, ph, st, 0, 0, 1, 2));
    const b = new Uint8Array(N);
    await row(`f32→${fname} nearest: plain JS`, 5, () => { for (let i = 0; i < N; i++) b[i] = narrow(`fp8${fname}`, src[i]); }, slow);
    await row(`${fname}→f32: descent kernel`, 5, () => k.fp8_f32_vcvt_wasmsimd(fi, N, ph, pf));
    await row(`${fname}→f32: plain JS`, 5, () => { for (let i = 0; i < N; i++) dst[i] = widen(`fp8${fname}`, b[i]); }, slow);
  }
  for (const p of [px, ph, pf]) rt.release(p);
  console.log(table(['conversion (16M elements)', 'ms', 'GB/s', 'vs memcpy'], rows));
}
