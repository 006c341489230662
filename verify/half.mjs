// Exhaustive check of the f32 → f16 / bf16 / fp8 kernels over all 2^32 f32 bit patterns: the SIMD
// kernel (assembly/*/wasmsimd.ts) against the plain scalar kernel (assembly/_lib/minifloat.ts),
// for every format, saturating or not, nearest and stochastic rounding (the same Philox stream);
// nearest f16/bf16 also against the independent strided-copy code (assembly/_lib/half.ts) that
// the unit tests tie to PyTorch. Widening is checked on every code in the unit tests.
// `npm run verify -- half [nearest]` ('nearest': skip the stochastic half). One worker thread per
// core, each with its own wasm runtime, takes every W-th chunk of 2^22 patterns; the range checked so
// far is printed as it grows (so a run cut short still says what it covered).
// VERIFY_END=<n> checks only the first n patterns (to time the script).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { bundleSource } from '../bench/util.mjs';

const CHUNK = 1 << 22;
const T_F32 = 1, T_F16 = 2, T_BF16 = 3; // assembly/_lib/ops.ts dtype codes

function configs(only) {
  const out = [];
  for (const st of [0, 1]) {
    if (only === 'nearest' && st) continue;
    out.push({ name: 'f16', st, bytes: 2, copy: T_F16, run: (k, isa, n, x, y) => k[`f32_f16_vcvt_${isa}`](n, x, y, st, 7, 0, 11, 13) });
    out.push({ name: 'bf16', st, bytes: 2, copy: T_BF16, run: (k, isa, n, x, y) => k[`f32_bf16_vcvt_${isa}`](n, x, y, st, 7, 0, 11, 13) });
    for (const [fmt, fname] of [[0, 'e4m3'], [1, 'e5m2']]) for (const sat of [0, 1]) {
      out.push({ name: `${fname}${sat ? ' sat' : ''}`, st, bytes: 1, run: (k, isa, n, x, y) => k[`f32_fp8_vcvt_${isa}`](fmt, sat, n, x, y, st, 7, 0, 11, 13) });
    }
  }
  return out;
}

/** Worker: chunks w, w + W, ... (each filled once, then every config); posts its progress after
 * each chunk and finally [mismatches, first examples] per config. */
async function work({ file, w, W, end, only }) {
  const { loadRuntime, MetaScratch, collapse } = await import(file);
  const rt = await loadRuntime();
  const k = rt.exports;
  const meta = new MetaScratch(rt);
  const [px, pa, pb, pc] = [CHUNK * 4, CHUNK * 2, CHUNK * 2, CHUNK * 2].map((b) => rt.malloc(b));
  const list = configs(only);
  const result = list.map(() => [0, []]);
  for (let base = w * CHUNK; base < end; base += W * CHUNK) {
    const x = rt.views.i32(px, CHUNK);
    for (let i = 0; i < CHUNK; i++) x[i] = base + i;
    list.forEach((c, j) => {
      c.run(k, 'wasmsimd', CHUNK, px, pa);
      c.run(k, 'scalar', CHUNK, px, pb);
      const check = c.copy && !c.st;
      if (check) k.xx_vcopy_scalar(T_F32, c.copy, meta.write(collapse([CHUNK], [[1], [1]])), px, pc);
      // memcmp first (native), an element scan only on a difference
      const bytes = (p) => Buffer.from(rt.memory.buffer, p, CHUNK * c.bytes);
      if (bytes(pa).equals(bytes(pb)) && (!check || bytes(pa).equals(bytes(pc)))) return;
      const view = c.bytes === 2 ? rt.views.u16 : rt.views.u8;
      const [a, b, r] = [view(pa, CHUNK), view(pb, CHUNK), view(pc, CHUNK)];
      for (let i = 0; i < CHUNK; i++) {
        if (a[i] !== b[i] || (check && a[i] !== r[i])) {
          if (result[j][0]++ < 5) result[j][1].push(`0x${(base + i).toString(16)} → simd 0x${a[i].toString(16)}, scalar 0x${b[i].toString(16)}${check ? `, half.ts 0x${r[i].toString(16)}` : ''}`);
        }
      }
    });
    parentPort.postMessage({ chunk: base / CHUNK, bad: result.reduce((s, [n]) => s + n, 0) });
  }
  return result;
}

if (!isMainThread) parentPort.postMessage({ result: await work(workerData) });

export default async function verifyHalf(args) {
  const file = await bundleSource("export { loadRuntime } from './ts/backend/wasm/runtime.ts'; export { MetaScratch } from './ts/backend/wasm/meta.ts'; export { collapse } from './ts/backend/view.ts';",
    join('build', 'bench', 'verify-half.js'));
  const W = availableParallelism();
  const end = Number(process.env.VERIFY_END ?? 2 ** 32);
  const only = args[0];
  console.log(`${end === 2 ** 32 ? 'all 2^32' : end} f32 patterns, ${W} worker threads`);
  const t0 = Date.now();
    const last = Array(W).fill(-1), bad = Array(W).fill(0);
  let reported = 0;
  const progress = () => {
    const below = Math.min(end, ...last.map((c, w) => (c < 0 ? w : c + W) * CHUNK)); // each worker's next chunk
    if (below - reported < end / 16 && below < end) return;
    reported = below;
    console.log(`  [0, 0x${below.toString(16)}) checked, ${bad.reduce((a, b) => a + b, 0)} mismatches so far, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  };
  const parts = await Promise.all(Array.from({ length: W }, (_, w) => new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { file, w, W, end, only } });
    worker.on('message', (m) => {
      if (m.result) resolve(m.result);
      else { last[w] = m.chunk; bad[w] = m.bad; progress(); }
    });
    worker.once('error', reject);
  })));
  let failures = 0;
  configs(only).forEach((c, j) => {
    const bad = parts.reduce((s, p) => s + p[j][0], 0);
    failures += bad;
    console.log(`${c.name.padEnd(9)} ${c.st ? 'stochastic' : 'nearest   '} ${bad === 0 ? 'identical' : `${bad} MISMATCHES`}`);
    for (const p of parts) for (const e of p[j][1]) console.log(`  ${e}`);
  });
  console.log(`${failures === 0 ? 'OK' : 'FAILED'}: ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
  return failures === 0;
}
