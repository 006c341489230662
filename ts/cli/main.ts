// `descent` / `npm start`: the main job. Trains a logistic regression (nn.Linear, binary
// cross-entropy with logits, optim.SGD with momentum) on synthetic, linearly separable data on
// the wasm device and prints the loss falling.

import * as d from '../index.js';

async function main(): Promise<void> {
  await d.init();
  const info = d.backendInfo()!;
  console.log(`descent: wasm build '${info.build}' (relaxed SIMD: ${info.relaxedSimd}, GEMM threads: ${info.threads})`);
  d.manualSeed(42);
  const n = 1024;
  const features = 20;
  const { x, y, wTrue } = d.tidy(() => {
    const wTrue = d.randn([1, features]);
    const x = d.randn([n, features]);
    const y = x.matmul(wTrue.transpose()).gt(0).to('f32');
    return { x, y, wTrue };
  });
  const model = new d.nn.Linear(features, 1);
  const opt = new d.optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
  console.log('step   loss      accuracy');
  for (let step = 0; step <= 100; step++) {
    d.tidy(() => {
      opt.zeroGrad();
      const logits = model.call(x);
      const loss = d.nn.functional.binaryCrossEntropyWithLogits(logits, y);
      loss.backward();
      opt.step();
      if (step % 10 === 0) {
        const acc = d.noGrad(() => logits.gt(0).eq(y).to('f32').mean().item());
        console.log(`${String(step).padStart(4)}   ${loss.item().toFixed(5)}   ${(100 * acc).toFixed(1)}%`);
      }
    });
  }
  const w = model.parameters()[0];
  const cos = d.tidy(() => w.mul(wTrue).sum().div(w.norm().mul(wTrue.norm())).item());
  console.log(`cosine(learned w, true w) = ${cos.toFixed(4)}`);
  d.dispose([x, y, wTrue]);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
