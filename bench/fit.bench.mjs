// fit's overhead: one epoch of an MLP 784-256-10 (ReLU), Adam lr 1e-3, batch 128, over the 7,200
// bundled Fashion-MNIST training images (57 steps), FMA kernels (deterministic: false), 1 and 2
// GEMM threads. Contenders, in the same process on the same data:
//   fit (device sums)      — d.train.fit with no batch callback: the loss is summed on the device
//                            and read once per epoch
//   fit (loss read/step)   — the same with an onBatchEnd callback, which reads each step's loss
//   hand-written loop      — the PyTorch-style loop (zeroGrad, forward, crossEntropy, backward,
//                            step) over the same loader, with no reads at all: the floor for fit
// Median of 5 epochs each, interleaved, after 1 warm-up round; `npm run bench -- fit [runs]`.
import { bundleSource, machine, median, ratio, table } from './util.mjs';
import { join } from 'node:path';

async function epochTimes(d, threads, runs) {
  await d.init({ deterministic: false, threads });
  const { train, val, test } = await d.data.loadFashionMnist();
  val.dispose(); test.dispose();
  d.manualSeed(0);
  const model = new d.nn.Sequential(new d.nn.Flatten(), new d.nn.Linear(784, 256), new d.nn.ReLU(), new d.nn.Linear(256, 10));
  const opt = new d.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new d.data.DataLoader(train, { batchSize: 128, shuffle: true, seed: 0 });
  const fitOnce = (callbacks) => () => d.train.fit(model, opt, { train: loader, epochs: 1, callbacks });
  const hand = async () => {
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = d.nn.functional.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      d.dispose([x, y, loss]);
    }
  };
  // Interleaved (one epoch of each per round), so a noisy neighbour slows all three alike.
  const contenders = { device: fitOnce([]), read: fitOnce([{ onBatchEnd: () => undefined }]), hand };
  const samples = { device: [], read: [], hand: [] };
  for (let r = 0; r <= runs; r++) {
    for (const [k, fn] of Object.entries(contenders)) {
      const t0 = performance.now();
      await fn();
      if (r > 0) samples[k].push(performance.now() - t0); // round 0 is the warm-up
    }
  }
  const rows = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  train.dispose(); model.dispose();
  return { rows, n: train.length, build: d.backendInfo().build };
}

export default async function run(args) {
  const runs = Number(args[0] ?? 5);
  const file = await bundleSource("export * from './ts/index.ts';", join('build', 'bench', 'fit-descent.js'));
  const d = await import(file);
  console.log(machine());
  const out = [];
  for (const threads of [1, 2]) {
    const { rows, n, build } = await epochTimes(d, threads, runs);
    for (const [name, ms] of [['fit (device sums)', rows.device], ['fit (loss read/step)', rows.read], ['hand-written loop', rows.hand]]) {
      out.push([name, String(threads), build, (ms / 1000).toFixed(3), Math.round(n / (ms / 1000)), ratio(ms, rows.hand)]);
    }
  }
  console.log(`\nMLP 784-256-10, Adam, batch 128, one epoch over 7,200 images; median of ${runs} epochs after 1 warm-up\n`);
  console.log(table(['contender', 'threads', 'build', 's/epoch', 'images/s', 'vs hand loop'], out));
}
