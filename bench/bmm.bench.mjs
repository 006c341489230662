// Batched f32 matmul on the attention shapes of examples/grokking.mjs (264 sequences of 3 tokens,
// 1 head of 64) and examples/lora-charlm.mjs (16 × 4 heads, 32 tokens, 16 per head): forward
// scores q·kᵀ, weights·v, and the backward products, with the transposes as strides (no copies).
// Columns: descent's batched product as one job (ts/backend/wasm/gemm.ts), the same products issued
// as one 2-D call per batch element (what the driver did before batching; same bits), and
// @tensorflow/tfjs-backend-wasm's batched tf.matMul (XNNPACK), all on 1 thread, µs per batched
// product (median of RUNS samples after warm-up, bench/util.mjs). Writes bench/results/bmm.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSource, machine, measure, ratio, table } from './util.mjs';

const RUNS = 11;
const here = dirname(fileURLToPath(import.meta.url));

/** [label, batch, m, n, k, transA, transB]: op(A) is m×k, op(B) is k×n per batch element. */
const SHAPES = [
  ['grokking q·kᵀ', 264, 3, 3, 64, false, true],
  ['grokking w·v', 264, 3, 64, 3, false, false],
  ['grokking dW = dY·vᵀ', 264, 3, 3, 64, false, true],
  ['grokking dV = wᵀ·dY', 264, 3, 64, 3, true, false],
  ['lora-charlm q·kᵀ', 64, 32, 32, 16, false, true],
  ['lora-charlm w·v', 64, 32, 16, 32, false, false],
  ['lora-charlm dK = dSᵀ·q', 64, 32, 16, 32, true, false],
];

const ENTRY = `
export { loadRuntime } from './ts/backend/wasm/runtime.ts';
export { setDeterministic } from './ts/backend/wasm/gemm.ts';
export { matmul } from './ts/backend/wasm/matmul.ts';
`;

const rand = (n) => { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = Math.random() - 0.5; return x; };

/** A [batch, rows, cols] f32 view in wasm memory, stored [batch, cols, rows] when transposed. */
function view(rt, batch, rows, cols, t) {
  const size = batch * rows * cols, ptr = rt.malloc(size * 4);
  rt.views.f32(ptr, size).set(rand(size));
  const storage = { device: 'wasm', dtype: 'f32', size, bytes: size * 4, refs: 1, ptr };
  return { storage, offset: 0, shape: [batch, rows, cols], strides: [rows * cols, t ? 1 : cols, t ? rows : 1] };
}

/** Batch element `i` of a [batch, rows, cols] view as a 2-D view. */
const element = (v, i) => ({ storage: v.storage, offset: i * v.strides[0], shape: v.shape.slice(1), strides: v.strides.slice(1) });

async function descent() {
  const d = await import(await bundleSource(ENTRY, join('build', 'bench', 'bmm-entry.js')));
  const rt = await d.loadRuntime();
  const out = { build: rt.info.build, batched: {}, perElement: {}, fma: {} };
  for (const [label, batch, m, n, k, ta, tb] of SHAPES) {
    const a = view(rt, batch, m, k, ta), b = view(rt, batch, k, n, tb), c = view(rt, batch, m, n, false);
    const one = () => d.matmul(rt, a, b, c);
    const each = () => { for (let i = 0; i < batch; i++) d.matmul(rt, element(a, i), element(b, i), element(c, i)); };
    out.batched[label] = (await measure(one, { runs: RUNS, minSampleMs: 10 })).ms;
    out.perElement[label] = (await measure(each, { runs: RUNS, minSampleMs: 10 })).ms;
    if (rt.info.build === 'relaxed') {
      d.setDeterministic(false);
      out.fma[label] = (await measure(one, { runs: RUNS, minSampleMs: 10 })).ms;
      d.setDeterministic(true);
    }
    for (const v of [a, b, c]) rt.release(v.storage.ptr);
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
  for (const [label, batch, m, n, k, ta, tb] of SHAPES) {
    const A = tf.tensor3d(rand(batch * m * k), ta ? [batch, k, m] : [batch, m, k]);
    const B = tf.tensor3d(rand(batch * k * n), tb ? [batch, n, k] : [batch, k, n]);
    out[label] = (await measure(() => tf.matMul(A, B, ta, tb).dispose(), { runs: RUNS, minSampleMs: 10 })).ms;
    A.dispose(); B.dispose();
  }
  return { out, threads: tfw.getThreadsCount?.() ?? 1 };
}

export default async function run() {
  const ours = await descent();
  const tf = await tfjs();
  const us = (ms) => (ms == null ? '—' : (ms * 1e3).toFixed(1));
  const rows = SHAPES.map(([label, batch, m, n, k]) => [
    label, `${batch} × ${m}×${k}·${k}×${n}`, us(ours.batched[label]), us(ours.fma[label]), us(ours.perElement[label]), us(tf.out[label]),
    ratio(ours.perElement[label], ours.batched[label]), ratio(tf.out[label], ours.batched[label]),
  ]);
  const header = ['product', 'batch × shape', 'descent one job µs', 'descent one job FMA µs', 'descent per element µs',
    'tfjs-wasm µs', 'per element ÷ one job', 'tfjs ÷ one job'];
  const text = [
    '# Batched matmul (attention shapes), µs per batched product, 1 thread',
    '',
    `${machine()}; ${new Date().toISOString().slice(0, 10)}; descent build '${ours.build}' (plain SIMD kernel unless "FMA"); tfjs-backend-wasm threads ${tf.threads}.`,
    '',
    table(header, rows),
    '',
    'One job: the batch walked inside one GEMM job (one job record, one pool hand-off). Per element: one 2-D',
    'matmul call per batch element on the same views, as the driver issued them before (same bits).',
  ].join('\n') + '\n';
  console.log(text);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'bmm.md'), text);
}
