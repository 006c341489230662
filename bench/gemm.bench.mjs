// f32 GEMM benchmark (issue 3), all engines in ONE run, GFLOP/s = 2·m·n·k / time:
//   descent 1 thread (plain SIMD kernel, the deterministic default), descent 1 thread relaxed-SIMD
//   FMA kernel, descent 2 threads; @tensorflow/tfjs-backend-wasm (XNNPACK) 1 thread;
//   onnxruntime-web wasm 1 and 2 threads (child processes, bench/gemm-ort.mjs); @jax-js/jax wasm
//   (single-threaded in Node: it has no Worker global there); naive JS (i-p-j triple loop); PyTorch
//   (native, on OpenBLAS) 1 and 2 threads when Debian's python3-torch is installed (bench/gemm_torch.py).
// Shapes: squares 64..2048, the MLP forward shapes, and the first layer's backward products with
// the transposes passed as flags/strides (no copies on our side).
// Each cell: median of RUNS samples after 3 warm-up calls (small products repeat inside a sample
// until ≥ 10 ms). Naive JS: 3 samples at ≥ 512, skipped at 2048² (about 20 s a call).
// Plus a register-only SIMD peak: independent f32x4 mul+add chains (and relaxed_madd), compiled
// here from a source string, no memory traffic; each kernel's share of it per shape, with the peak timed
// right before and after every GEMM sample (a shared machine's peak moves within seconds).
// Writes bench/results/gemm.md.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { performance } from 'node:perf_hooks';
import { bundleSource, machine, measure, median, table, torchChild } from './util.mjs';

const RUNS = 11;
const here = dirname(fileURLToPath(import.meta.url));

/** [label, m, n, k, transA, transB]: op(A) is m×k, op(B) is k×n. */
const SHAPES = [
  ...[64, 128, 256, 512, 1024, 2048].map((s) => [`${s}²`, s, s, s, false, false]),
  ['128×784·784×256', 128, 256, 784, false, false],
  ['128×256·256×10', 128, 10, 256, false, false],
  // the MLP 784-256-10 training step's products (batch 128) in the layouts nn.Linear passes:
  // W [out, in] row-major, so the forward reads Wᵀ as a view, and dW = gᵀ·x
  ['x·W₁ᵀ (x 128×784, W₁ 256×784)', 128, 256, 784, false, true],
  ['h·W₂ᵀ (h 128×256, W₂ 10×256)', 128, 10, 256, false, true],
  ['gᵀ·x (g 128×256, x 128×784)', 256, 784, 128, true, false],
  ['gᵀ·h (g 128×10, h 128×256)', 10, 256, 128, true, false],
  ['g·W₂ (g 128×10, W₂ 10×256)', 128, 256, 10, false, false],
  ['g·W₁ (g 128×256, W₁ 256×784)', 128, 784, 256, false, false],
];
/** Each training product's role (dX1 is not computed in this MLP: its input needs no gradient). */
const MLP_ROLE = {
  'x·W₁ᵀ (x 128×784, W₁ 256×784)': 'fwd layer 1', 'h·W₂ᵀ (h 128×256, W₂ 10×256)': 'fwd layer 2',
  'gᵀ·x (g 128×256, x 128×784)': 'dW1', 'gᵀ·h (g 128×10, h 128×256)': 'dW2', 'g·W₂ (g 128×10, W₂ 10×256)': 'dX2',
  'g·W₁ (g 128×256, W₁ 256×784)': 'dX1 (deeper nets)',
};
const flops = ([, m, n, k]) => 2 * m * n * k;
const gflops = (shape, ms) => flops(shape) / (ms * 1e6);

const ENTRY = `
export { loadRuntime } from './ts/backend/wasm/runtime.ts';
export { gemm, setDeterministic, KERNEL_F32, KERNEL_F32_RELAXED, KERNEL_F64, OPERAND_SAME } from './ts/backend/wasm/gemm.ts';
export { startPool, stopPool } from './ts/backend/wasm/threads.ts';
`;

const rand = (n) => { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = Math.random() - 0.5; return x; };

async function descent(pk) {
  const d = await import(await bundleSource(ENTRY, join('build', 'bench', 'gemm-entry.js')));
  const rt = await d.loadRuntime();
  const bufs = SHAPES.map(([, m, n, k]) => {
    const a = rt.malloc(m * k * 4), b = rt.malloc(k * n * 4), c = rt.malloc(m * n * 4);
    rt.views.f32(a, m * k).set(rand(m * k));
    rt.views.f32(b, k * n).set(rand(k * n));
    return { a, b, c };
  });
  const callFor = (i, kernel) => {
    const [, m, n, k, ta, tb] = SHAPES[i];
    const { a, b, c } = bufs[i];
    return {
      kernel, m, n, k, alpha: 1, beta: 0, c, ldc: n,
      a, aRs: ta ? 1 : k, aCs: ta ? m : 1, aKind: d.OPERAND_SAME,
      b, bRs: tb ? 1 : n, bCs: tb ? k : 1, bKind: d.OPERAND_SAME,
    };
  };
  const time = async (kernel, best = null) => {
    const out = {};
    for (const [i, shape] of SHAPES.entries()) {
      const call = callFor(i, kernel);
      const r = await measure(() => d.gemm(rt, call), { warmup: 3, runs: RUNS, minSampleMs: 10 });
      out[shape[0]] = gflops(shape, r.ms);
      if (best) best[shape[0]] = gflops(shape, Math.min(...r.samples));
    }
    return out;
  };
  const res = { build: rt.info.build };
  res.one = await time(d.KERNEL_F32);
  res.relaxed = rt.info.build === 'relaxed' ? await time(d.KERNEL_F32_RELAXED) : null;
  res.share = await sharesOfPeak(d, rt, callFor, res.relaxed !== null, pk);
  res.threads = await d.startPool(rt, 2);
  res.twoBest = {};
  res.two = await time(d.KERNEL_F32, res.twoBest);
  res.f64 = { two: await f64Squares(d, rt) };
  await d.stopPool();
  res.f64.one = await f64Squares(d, rt);
  return res;
}

/** f64 GEMM (f64x2 4×4 tile) on 512² and 1024², GFLOP/s. */
async function f64Squares(d, rt) {
  const out = {};
  for (const s of [512, 1024]) {
    const a = rt.malloc(s * s * 8), b = rt.malloc(s * s * 8), c = rt.malloc(s * s * 8);
    rt.views.f64(a, s * s).set(rand(s * s)); rt.views.f64(b, s * s).set(rand(s * s));
    const call = { kernel: d.KERNEL_F64, m: s, n: s, k: s, alpha: 1, beta: 0, c, ldc: s,
      a, aRs: s, aCs: 1, aKind: d.OPERAND_SAME, b, bRs: s, bCs: 1, bKind: d.OPERAND_SAME };
    out[s] = (2 * s ** 3) / ((await measure(() => d.gemm(rt, call), { warmup: 2, runs: RUNS, minSampleMs: 10 })).ms * 1e6);
    for (const p of [a, b, c]) rt.release(p);
  }
  return out;
}

async function tfjs() {
  const tf = await import('@tensorflow/tfjs-core');
  const tfw = await import('@tensorflow/tfjs-backend-wasm');
  tfw.setThreadsCount?.(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const out = {};
  for (const shape of SHAPES) {
    const [label, m, n, k, ta, tb] = shape;
    const A = tf.tensor2d(rand(m * k), ta ? [k, m] : [m, k]), B = tf.tensor2d(rand(k * n), tb ? [n, k] : [k, n]);
    out[label] = gflops(shape, (await measure(() => tf.matMul(A, B, ta, tb).dispose(), { warmup: 3, runs: RUNS, minSampleMs: 10 })).ms);
    A.dispose(); B.dispose();
  }
  return { out, threads: tfw.getThreadsCount?.() ?? 1 };
}

async function jax() {
  const { numpy: np, init } = await import('@jax-js/jax');
  await init('wasm');
  const out = {};
  for (const shape of SHAPES) {
    const [label, m, n, k, ta, tb] = shape;
    let A = np.array(rand(m * k)).reshape(ta ? [k, m] : [m, k]), B = np.array(rand(k * n)).reshape(tb ? [n, k] : [k, n]);
    if (ta) A = np.transpose(A); // a view: jax-js handles the layout inside matmul
    if (tb) B = np.transpose(B);
    const run = async () => { const c = np.matmul(A.ref, B.ref); await c.blockUntilReady(); c.dispose(); };
    out[label] = gflops(shape, (await measure(run, { async: true, warmup: 3, runs: RUNS, minSampleMs: 10 })).ms);
    A.dispose(); B.dispose();
  }
  return out;
}

function naiveMatmul(m, n, k, a, aRs, aCs, b, bRs, bCs, c) {
  c.fill(0);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const x = a[i * aRs + p * aCs];
    for (let j = 0; j < n; j++) c[i * n + j] += x * b[p * bRs + j * bCs];
  }
}

async function naive() {
  const out = {};
  for (const shape of SHAPES) {
    const [label, m, n, k, ta, tb] = shape;
    if (m * n * k > 2 ** 30) { out[label] = null; continue; }
    const a = rand(m * k), b = rand(k * n), c = new Float32Array(m * n);
    const big = m * n * k >= 2 ** 27;
    const r = await measure(() => naiveMatmul(m, n, k, a, ta ? 1 : k, ta ? m : 1, b, tb ? 1 : n, tb ? k : 1, c),
      { warmup: big ? 1 : 3, runs: big ? 3 : RUNS, minSampleMs: 10 });
    out[label] = gflops(shape, r.ms);
  }
  return out;
}

function ort(threads) {
  const jobs = SHAPES.map(([label, m, n, k, ta, tb]) => [label, m, n, k, ta, tb, RUNS]);
  const r = spawnSync(process.execPath, [join(here, 'gemm-ort.mjs'), String(threads), JSON.stringify(jobs)], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line) throw new Error(`gemm-ort.mjs failed: ${r.stderr}`);
  return JSON.parse(line);
}

/** PyTorch's torch.mm at every shape on `threads` threads: { torch, blas, gflops } or { note }. */
function torchGemm(threads) {
  const jobs = SHAPES.map(([label, m, n, k, ta, tb]) => [label, m, n, k, ta, tb, RUNS]);
  const r = torchChild(join(here, 'gemm_torch.py'), [String(threads), JSON.stringify(jobs)], threads);
  return r.note ? { note: r.note, gflops: {} } : r;
}

/**
 * Register-only peak kernels, no memory traffic: CHAINS independent f32x4 chains c = c·a + b
 * (8 flops per step), as mul+add and as relaxed_madd. Mul and add are both on each chain's
 * critical path, so this measures what independent multiply-adds sustain; a GEMM inner loop only
 * carries the add and can run above it (see the note under the table).
 */
export function peakSource(chains) {
  const ids = [...Array(chains).keys()];
  const fn = (name, op) => `export function ${name}(iters: i32): f32 {
  const a = f32x4.splat(0.99999994), b = f32x4.splat(1e-7);
${ids.map((i) => `  let c${i} = f32x4.splat(${1 + i / 64});`).join('\n')}
  for (let t = 0; t < iters; t++) {
${ids.map((i) => `    c${i} = ${op(`c${i}`)};`).join('\n')}
  }
  let s = f32x4.splat(0);
${ids.map((i) => `  s = f32x4.add(s, c${i});`).join('\n')}
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}`;
  return [fn('muladd', (c) => `f32x4.add(f32x4.mul(${c}, a), b)`), fn('madd', (c) => `f32x4.relaxed_madd(${c}, a, b)`)].join('\n');
}

/** Best GFLOP/s of each form over 8, 10, 12 and 14 chains. */
export async function peak() {
  const best = { muladd: 0, madd: 0, chains: {} };
  for (const chains of [8, 10, 12, 14]) {
    const ex = await peakExports(chains);
    const iters = 1 << 20;
    for (const f of ['muladd', 'madd']) {
      const r = await measure(() => ex[f](iters), { warmup: 3, runs: RUNS, minSampleMs: 20 });
      const g = (chains * 8 * iters) / (r.ms * 1e6);
      if (g > best[f]) { best[f] = g; best.chains[f] = chains; }
    }
  }
  return best;
}

async function peakExports(chains) {
  const { binary, error } = await asc.compileString(peakSource(chains), { runtime: 'stub', optimizeLevel: 3, noAssert: true, enable: ['simd', 'relaxed-simd'] });
  if (error) throw error;
  return (await WebAssembly.instantiate(binary, {})).instance.exports;
}

/** ms per call of fn over one sample of `reps` calls. */
const sampleMs = (fn, reps) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t0) / reps; };
/** Calls of fn per sample of at least 10 ms, as measure() sizes them (after its warm-up calls). */
const repsFor = async (fn) => (await measure(fn, { warmup: 3, runs: 1, minSampleMs: 10 })).reps;

/**
 * Each kernel's share of its register peak per shape, with the peak timed right before and after
 * every GEMM sample (10 ms each; median of RUNS ratios). On a shared VM the peak itself swings
 * with the clock and the neighbours (by up to 2× within seconds on an Intel Xeon guest), so a
 * peak timed once, minutes away from the GEMM, makes the share wrong by as much.
 */
async function sharesOfPeak(d, rt, callFor, relaxed, pk) {
  const kernels = [['muladd', d.KERNEL_F32], ...(relaxed ? [['madd', d.KERNEL_F32_RELAXED]] : [])];
  const out = { muladd: {}, madd: {} };
  for (const [f, kernel] of kernels) {
    const ex = await peakExports(pk.chains[f]), iters = 1 << 16;
    const peakFn = () => ex[f](iters), peakReps = await repsFor(peakFn);
    const peakNow = () => (pk.chains[f] * 8 * iters) / (sampleMs(peakFn, peakReps) * 1e6);
    for (const [i, shape] of SHAPES.entries()) {
      const call = callFor(i, kernel), fn = () => d.gemm(rt, call);
      const reps = await repsFor(fn), ratios = [];
      for (let s = 0; s < RUNS; s++) {
        const before = peakNow(), g = gflops(shape, sampleMs(fn, reps)), after = peakNow();
        ratios.push(g / ((before + after) / 2));
      }
      out[f][shape[0]] = median(ratios);
    }
  }
  return out;
}

const f1 = (x) => (x == null ? '—' : x.toFixed(1));
const pct = (x) => `${(x * 100).toFixed(0)}%`;
const r2 = (a, b) => (a == null || b == null || !b ? '—' : `${(a / b).toFixed(2)}×`);

export default async function run() {
  const t0 = Date.now(), loadBefore = os.loadavg()[0];
  const pk = await peak();
  const ours = await descent(pk);
  const tf = await tfjs();
  const jx = await jax();
  const o1 = ort(1), o2 = ort(2);
  const nv = await naive();
  const pt1 = torchGemm(1), pt2 = torchGemm(2);
  const rows = SHAPES.map(([label]) => {
    const best = Math.max(tf.out[label], o1[label], jx[label]);
    return [label, f1(ours.one[label]), f1(ours.relaxed?.[label]), f1(ours.two[label]), f1(tf.out[label]), f1(o1[label]), f1(o2[label]),
      f1(ours.twoBest[label]), f1(jx[label]), f1(nv[label]), f1(pt1.gflops[label]), f1(pt2.gflops[label]),
      r2(ours.one[label], tf.out[label]), r2(ours.one[label], o1[label]), r2(ours.one[label], jx[label]),
      r2(ours.one[label], best), r2(ours.two[label], o2[label]), r2(ours.two[label], ours.one[label]), r2(ours.relaxed?.[label], pt1.gflops[label])];
  });
  const header = ['shape (m×k·k×n)', 'descent 1t', 'descent 1t FMA', 'descent 2t', 'tfjs-wasm 1t', 'ort-web 1t', 'ort-web 2t', 'descent 2t best sample', 'jax-js',
    'naive JS', 'PyTorch 1t', 'PyTorch 2t', '1t ÷ tfjs', '1t ÷ ort', '1t ÷ jax', '1t ÷ best wasm peer', '2t ÷ ort 2t', '2t ÷ 1t', '1t FMA ÷ PyTorch 1t'];
  const torchLine = pt1.note ? `PyTorch: not run (${pt1.note}).` : `PyTorch ${pt1.torch} (native, ${pt1.blas}; torch.mm into a preallocated C, transposes as views), 1 and 2 threads.`;
  const at1024 = ours.one['1024²'], fma1024 = ours.relaxed?.['1024²'];
  const lines = [
    `# f32 GEMM, GFLOP/s (higher is better)`,
    '',
    `${machine()}; ${new Date().toISOString().slice(0, 10)}; descent build '${ours.build}' (default kernel: plain SIMD mul+add, deterministic; "FMA" column: f32x4.relaxed_madd kernel), ${ours.threads} threads for the 2t column; tfjs-backend-wasm threads ${tf.threads}; onnxruntime-web numThreads 1 / 2 (MatMul node, Gemm with transA/transB for the transposed shapes); jax-js wasm (1 thread in Node).`,
    `Median of ${RUNS} samples after 3 warm-ups (naive JS: 3 samples at ≥ 2^27 multiply-adds, 2048² not run). Command: \`npm run bench -- gemm\` (took ${((Date.now() - t0) / 1000).toFixed(0)} s).`,
    torchLine,
    `The machine is shared: 1-minute load average ${loadBefore.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end (2 cores; above ~1 the 2-thread columns lose their second core). "descent 2t best sample" is the fastest of the ${RUNS} samples: what two threads give when the second core is free.`,
    '',
    table(header, rows),
    '',
    '## Register-only SIMD128 peak (independent f32x4 chains c = c·a + b, best of 8/10/12/14 chains, no memory traffic)',
    '',
    table(['kernel', 'peak GFLOP/s', 'descent 1t at 1024²', 'share of peak at 1024² (timed around each sample, below)'], [
      ['f32x4.mul + f32x4.add', f1(pk.muladd), f1(at1024), pct(ours.share.muladd['1024²'])],
      ['f32x4.relaxed_madd', f1(pk.madd), f1(fma1024), fma1024 ? pct(ours.share.madd['1024²']) : '—'],
    ]),
    '',
    '### Share of peak per shape: mul+add kernel against the mul+add peak, FMA kernel against the relaxed_madd peak',
    '',
    `The peak is timed right before and after every GEMM sample (10 ms each) and the share is the median of ${RUNS} such ratios:`,
    'on a shared machine the peak itself moves with the clock and the neighbours, so dividing by the once-measured peak above',
    'would be off by as much. GFLOP/s are the table\'s medians above.',
    '',
    table(['shape', 'MLP role', 'mul+add GFLOP/s', '% of mul+add peak', 'FMA GFLOP/s', '% of relaxed_madd peak'], SHAPES.map(([label]) => [
      label, MLP_ROLE[label] ?? '', f1(ours.one[label]), pct(ours.share.muladd[label]),
      f1(ours.relaxed?.[label]), ours.relaxed ? pct(ours.share.madd[label]) : '—'])),
    '',
    'A share above 100% is possible: in the mul+add chains both operations sit on each chain\'s critical path (latency-bound),',
    'while the GEMM micro-kernel (4×8 tile, 8 accumulators) only carries the add from one k step to the next. The relaxed_madd',
    `chains run at the FP pipes' throughput, the highest ceiling measured here: against it the plain kernel reaches ${((at1024 / pk.madd) * 100).toFixed(0)}% at 1024².`,
    `Here the relaxed_madd chains run ${(pk.madd / pk.muladd).toFixed(2)}× the mul+add chains (the ratio depends on the CPU: 1.19 on the`,
    'AMD EPYC of earlier runs, where both forms had nearly one ceiling and FMA gained latency slack and issue slots, which the',
    '5×8 FMA tile (10 accumulators) spends).',
    '',
    `## f64 GEMM (f64x2, 4×4 tile): 512² ${f1(ours.f64.one[512])} GFLOP/s on 1 thread, ${f1(ours.f64.two[512])} on 2; 1024² ${f1(ours.f64.one[1024])} and ${f1(ours.f64.two[1024])}`,
    '',
    '## How descent gets there (details in ts/backend/wasm/gemm.ts and assembly/f32-gemm/_4x8.ts)',
    '',
    '- BLIS layering: B packed into kc×8 panels (assembly/x32-packb, SIMD copy or in-register 4×4 transposes, so every',
    '  transpose case packs at full speed), A packed into kc×4 panels or read in place when that measured faster;',
    '  a 4×8 register tile (8 f32x4 accumulators) chosen by measuring 11 tile shapes; KC 256, MC 128, NC 2048.',
    '- FMA kernel (setDeterministic(false)): a 5×8 tile over A packed 5 rows per k step, rows 0..3 broadcast by lane',
    '  shuffles from one load so V8 keeps all 10 accumulators in registers; C blocks ≤ 64 columns use the 4×8 tile in place,',
    '  except 9..12 columns (the n = 10 heads): one 3×12 tile spans all of C\'s columns (A in place, B packed 12 wide);',
    '  C ≤ 12 columns wide with A rows and B columns along k (x·Wᵀ, the Linear forward): a 4×2 tile of dot products',
    '  vectorised along k (4×2c4), no packing and no wasted lanes; products of ≤ 80 rows (a 10-class head\'s dW) read',
    '  row-major B in place instead of packing it.',
    '- Default kernel: plain f32x4.mul + f32x4.add, deterministic across machines.',
    '- 2 threads: a worker pool on the shared wasm memory; C is cut into 4 row or column blocks per thread (never K),',
    '  claimed by compare-and-swap, so results are bit-identical to one thread and a worker the OS runs late only loses',
    '  its share; products under 8 MFLOP stay on the calling thread.',
  ];
  const text = lines.join('\n') + '\n';
  console.log(text);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'gemm.md'), text);
}
