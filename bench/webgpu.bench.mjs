// The webgpu device beside wasm, in one run: GEMM (square and MLP shapes), softmax-cross-entropy
// forward+backward, one Adam step, and Newton–Schulz (5 steps, Muon's zeropowerViaNewtonSchulz).
// The adapter is the one init({ device: 'webgpu', adapter }) finds: `npm run bench -- webgpu
// [hardware|software|any]` (default any: a hardware adapter when present, else the software one),
// and its name is printed above the table. GPU times include waiting for the result: each timed
// call ends with `await` on a one-element read of its output (submission, execution, readback).
// wasm: f32, the build and threads a plain init() picks. Shapes shrink on a software adapter, which
// runs compute shaders on the CPU. Median of the samples after warm-up.
import { join } from 'node:path';
import { bundleSource, fmt, machine, measure, ratio, table } from './util.mjs';

const ENTRY = "export * from './ts/index.ts';";

async function load(adapter) {
  const file = await bundleSource(ENTRY, join('build', 'bench', 'webgpu-entry.js'));
  const d = await import(file);
  await d.init({ device: 'webgpu', adapter });
  return d;
}

/** Awaits the GPU: reads one element of `t` (a no-op wait on wasm). */
const settle = async (d, t) => { const one = t.reshape([-1]).slice(0, 0, 1); await one.data(); one.dispose(); };

async function timeOn(d, device, build, opts) {
  const args = d.tidy(() => build.inputs(device));
  const r = await measure(async () => {
    const out = d.tidy(() => build.run(d, args));
    await settle(d, out);
    if (!args.includes(out)) d.dispose(out);
  }, { async: true, ...opts });
  d.dispose(args);
  return r.ms;
}

function cases(d, small) {
  const f = (device) => ({ device, dtype: 'f32' });
  const gemm = (m, k, n) => ({
    name: `GEMM ${m}×${k}·${k}×${n}`, flops: 2 * m * k * n,
    inputs: (dev) => [d.randn([m, k], f(dev)), d.randn([k, n], f(dev))],
    run: (d_, [a, b]) => d_.matmul(a, b),
  });
  const xent = (rows, cols) => ({
    name: `softmax-CE fwd+bwd ${rows}×${cols}`, flops: 0,
    inputs: (dev) => [d.randn([rows, cols], f(dev)).requiresGrad_(), d.randint(0, cols, [rows], { device: dev })],
    run: (d_, [x, y]) => { d_.nn.functional.crossEntropy(x, y).backward(); const g = x.grad; x.grad = null; return g; },
  });
  const adam = (n) => {
    let opt = null;
    return {
      name: `Adam step ${(n / 1e6).toFixed(1)}M params`, flops: 0,
      inputs: (dev) => { const p = d.randn([n], f(dev)).requiresGrad_(); p.grad = d.randn([n], f(dev)); opt = new d.optim.Adam([p], { lr: 1e-3 }); return [p, p.grad]; },
      run: (_, [p]) => { opt.step(); return p; },
    };
  };
  const ns = (m, n) => ({
    name: `Newton–Schulz 5 steps ${m}×${n}`, flops: 0,
    inputs: (dev) => [d.randn([m, n], f(dev))],
    run: (d_, [g]) => d_.optim.zeropowerViaNewtonSchulz(g, { steps: 5 }),
  });
  return small
    ? [gemm(256, 256, 256), gemm(512, 512, 512), gemm(128, 784, 256), gemm(128, 256, 10), xent(512, 1000), adam(1 << 20), ns(256, 256)]
    : [gemm(1024, 1024, 1024), gemm(4096, 4096, 4096), gemm(128, 784, 256), gemm(128, 256, 10), xent(4096, 1000), adam(10 * (1 << 20)), ns(1024, 1024), ns(768, 3072)];
}

export default async function run(args) {
  const adapter = args[0] ?? 'any';
  const d = await load(adapter);
  const info = d.backendInfo();
  console.log(machine());
  console.log(`webgpu adapter: ${info.webgpu.adapter} (${info.webgpu.software ? 'software' : 'hardware'}, ${info.webgpu.featureLevel}, shader-f16 ${info.webgpu.shaderF16})`);
  console.log(`wasm: ${info.build} build, ${info.threads} threads; GPU timings end with a 1-element readback\n`);
  const rows = [];
  for (const c of cases(d, info.webgpu.software)) {
    const opts = { warmup: 2, runs: 5, minSampleMs: 20 };
    let gpu;
    try {
      gpu = await timeOn(d, 'webgpu', c, opts);
    } catch (e) {
      gpu = `n/a (${e.code ?? e.message})`;
    }
    const wasm = await timeOn(d, 'wasm', c, opts);
    const g = typeof gpu === 'number';
    rows.push([c.name, gpu, wasm, c.flops && g ? c.flops / gpu / 1e6 : '', c.flops ? c.flops / wasm / 1e6 : '', g ? ratio(wasm, gpu) : 'n/a']);
  }
  console.log(table(['case', 'webgpu ms', 'wasm ms', 'webgpu GFLOP/s', 'wasm GFLOP/s', 'webgpu speed-up'], rows.map((r) => r.map((x) => (x === '' ? '' : fmt(x))))));
}
