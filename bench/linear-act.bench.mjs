// Linear → ReLU/GELU fused into the GEMM epilogue (nn.Sequential → linearActivation) against the
// unfused chain (each child's forward in turn: GEMM with the bias, then the unary op), in one
// process, 1 thread, MLP 784-256-10 with ReLU or exact GELU at batch 128:
//   forward        — model.call(x) under noGrad vs the children chained
//   train step     — forward, cross-entropy, backward, Adam step (inside tidy), fused vs chained forward
//   gelu pre       — the fused 128×784→256 GELU layer recording a gradient (its pre-activation stored
//                    for the backward) vs under noGrad (not stored)
//   relu backward  — relu's VJP at [128, 256]: one reluGrad pass vs where(le(x, 0), 0, g)
//   dW + db        — a Linear's weight and bias gradients from g [128, out] and x [128, in]: one
//                    GEMM that sums gᵀ's rows as it packs them (Backend.matmulRowSums) vs the GEMM
//                    gᵀ·x then sumTo(g, [out]), both GEMMs called on the backend; the GEMM alone
//                    (backend.matmul) for scale
// CPU time (process.cpuUsage) per call, contenders interleaved round by round, median over rounds:
// steadier than wall-clock time on a shared machine. ROUNDS (default 31) and REPS (10) override.
import { join } from 'node:path';
import { bundleSource, machine, median, ratio, table } from './util.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 31), REPS = Number(process.env.REPS ?? 10);

/** Median CPU ms per call of each contender, interleaved (the order alternates each round). */
function cpuAB(contenders) {
  const names = Object.keys(contenders), ms = Object.fromEntries(names.map((n) => [n, []]));
  for (const f of Object.values(contenders)) for (let i = 0; i < 3; i++) f();
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of r % 2 ? [...names].reverse() : names) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < REPS; i++) contenders[n]();
      const c = process.cpuUsage(c0);
      ms[n].push((c.user + c.system) / REPS / 1000);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(ms[n])]));
}

export default async function run() {
  const file = await bundleSource([
    "export * from './ts/index.ts';",
    "export { linearActivation } from './ts/nn/functional/linear.ts';",
    "export { sumTo } from './ts/ops/broadcast.ts';",
    "export { empty } from './ts/ops/util.ts';",
      ].join('\n'), join('build', 'bench', 'linear-act.js'));
  const d = await import(file);
  await d.init({ device: 'wasm', threads: 1 });
  const { nn } = d;
  console.log(`${machine()}; descent ${d.backendInfo().build} build, 1 thread, CPU ms per call (median of ${ROUNDS} rounds × ${REPS})\n`);
  const rows = [];
  const x = d.randn([128, 1, 28, 28]), labels = d.tensor(Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10), { dtype: 'i32' });
  for (const [act, Act] of [['relu', nn.ReLU], ['gelu', nn.GELU]]) {
    d.manualSeed(0);
    const m = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new Act(), new nn.Linear(256, 10));
    const opt = new d.optim.Adam(m.parameters(), { lr: 1e-3 });
    const chained = (t) => m.children().reduce((y, c) => c.forward(y), t);
    const fwd = cpuAB({ fused: () => d.tidy(() => d.noGrad(() => { m.call(x); })), chained: () => d.tidy(() => d.noGrad(() => { chained(x); })) });
    const step = (forward) => () => d.tidy(() => { opt.zeroGrad(); nn.functional.crossEntropy(forward(x), labels).backward(); opt.step(); });
    const train = cpuAB({ fused: step((t) => m.call(t)), chained: step(chained) });
    rows.push([`${act}: forward`, fwd.fused, fwd.chained, ratio(fwd.chained, fwd.fused)]);
    rows.push([`${act}: train step`, train.fused, train.chained, ratio(train.chained, train.fused)]);
    m.dispose();
    opt.dispose?.();
  }
  console.log(table(['MLP 784-256-10, batch 128', 'fused ms', 'chained ms', 'speed-up'], rows));

  const h = d.randn([128, 784]), w = d.randn([256, 784], { requiresGrad: true }), b = d.randn([256], { requiresGrad: true });
  const pre = cpuAB({
    recording: () => d.tidy(() => { d.linearActivation(h, w, b, 'gelu'); }),
    noGrad: () => d.tidy(() => d.noGrad(() => { d.linearActivation(h, w, b, 'gelu'); })),
  });
  const z = d.randn([128, 256]), g = d.randn([128, 256]);
  const mask = cpuAB({ reluGrad: () => d.tidy(() => { d.reluBackward(g, z); }), composed: () => d.tidy(() => { d.where(d.le(z, 0), 0, g); }) });
  console.log(`\n${table(['piece', 'ms', 'vs', 'ms', 'ratio'], [
    ['gelu layer 128×784→256', pre.recording, 'under noGrad (no pre stored)', pre.noGrad, ratio(pre.recording, pre.noGrad)],
    ['relu backward [128, 256]: reluGrad', mask.reluGrad, 'where(le(x, 0), 0, g)', mask.composed, ratio(mask.composed, mask.reluGrad)],
  ])}`);
  const grads = [];
  for (const [out, inF] of [[256, 784], [10, 256]]) {
    const gl = d.randn([128, out]), xl = d.randn([128, inF]);
    const gt = { storage: gl.storage, offset: 0, shape: [out, 128], strides: [1, out] };
    // both GEMMs called on the backend (as the VJP does), so op dispatch is not what differs
    const gemm = () => { const dw = d.empty([out, inF], 'f32', 'wasm'); gl.backend.matmul(gt, xl, dw); };
    const r = cpuAB({
      fused: () => d.tidy(() => { gl.backend.matmulRowSums(gt, xl, d.empty([out, inF], 'f32', 'wasm'), d.empty([out], 'f32', 'wasm')); }),
      separate: () => d.tidy(() => { gemm(); d.sumTo(gl, [out]); }),
      gemmAlone: () => d.tidy(gemm),
    });
    grads.push([`${out}×128·128×${inF}`, r.fused, r.separate, ratio(r.separate, r.fused), r.gemmAlone]);
    d.dispose([gl, xl]);
  }
  console.log(`\n${table(['dW + db, g [128, out], x [128, in]', 'one GEMM ms', 'GEMM + sumTo ms', 'speed-up', 'GEMM alone ms'], grads)}`);
  d.dispose([x, labels, h, w, b, z, g]);
}
