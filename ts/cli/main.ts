// `descent` / `npm start`: the main job. Trains a logistic regression on synthetic, linearly
// separable data with plain gradient descent on the wasm device and prints the loss falling.

import * as d from '../index.js';

async function main(): Promise<void> {
  await d.init();
  const info = d.backendInfo();
  console.log(`descent: wasm build '${info?.build}' (relaxed SIMD: ${info?.relaxedSimd}, threads: ${info?.threads})`);
  d.manualSeed(42);
  const n = 1024;
  const features = 20;
  const { x, y, wTrue } = d.tidy(() => {
    const wTrue = d.randn([features, 1]);
    const x = d.randn([n, features]);
    const y = x.matmul(wTrue).gt(0).to('f32');
    return { x, y, wTrue };
  });
  let w = d.zeros([features, 1]);
  let b = d.zeros([1]);
  const lr = 0.5;
  console.log('step   loss      accuracy');
  for (let step = 0; step <= 200; step++) {
    const next = d.tidy(() => {
      const p = x.matmul(w).add(b).sigmoid();
      // Binary cross-entropy and its gradient with respect to the logits: p - y.
      const eps = 1e-7;
      const loss = y.mul(p.add(eps).log()).add(d.sub(1, y).mul(d.sub(1 + eps, p).log())).mean().neg();
      const dz = p.sub(y).div(n);
      const gw = x.transpose().matmul(dz);
      const gb = dz.sum();
      if (step % 20 === 0) {
        const acc = p.gt(0.5).eq(y).to('f32').mean().item();
        console.log(`${String(step).padStart(4)}   ${loss.item().toFixed(5)}   ${(100 * acc).toFixed(1)}%`);
      }
      return { w: w.sub(gw.mul(lr)), b: b.sub(gb.mul(lr)) };
    });
    d.dispose([w, b]);
    ({ w, b } = next);
  }
  const cos = d.tidy(() => w.mul(wTrue).sum().div(w.norm().mul(wTrue.norm())).item());
  console.log(`cosine(learned w, true w) = ${cos.toFixed(4)}`);
  d.dispose([x, y, wTrue, w, b]);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
