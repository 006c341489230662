// The full Fashion-MNIST folder through d.data and d.train (minutes, not for the unit suite):
// split sizes and per-class counts of the published files, then one epoch of an MLP 784-256-10
// with Adam (lr 1e-3, batch 128, FMA kernels) over 54,000 images to ≥ 83% test accuracy.
//   npm run build && npm run verify -- fashion-full [DIR]   (DIR default: ../shared/data/fashion-mnist)
import * as d from '../build/descent.node.js';

export default async function run([dir = '../shared/data/fashion-mnist']) {
  await d.init({ deterministic: false });
  let t = performance.now();
  const { train, val, test } = await d.data.loadFashionMnist({ dir });
  console.log(`loaded ${dir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const counts = (...ds) => { const c = new Array(10).fill(0); for (const s of ds) for (const l of s.tensors[1].dataSync()) c[l]++; return c; };
  const checks = [
    ['split 54000 / 6000 / 10000', [train.length, val.length, test.length].join() === '54000,6000,10000'],
    ['6000 training images per class', counts(train, val).every((c) => c === 6000)],
    ['1000 test images per class', counts(test).every((c) => c === 1000)],
  ];
  d.manualSeed(0);
  const model = new d.nn.Sequential(new d.nn.Flatten(), new d.nn.Linear(784, 256), new d.nn.ReLU(), new d.nn.Linear(256, 10));
  t = performance.now();
  const r = await d.train.fit(model, new d.optim.Adam(model.parameters(), { lr: 1e-3 }), {
    train: new d.data.DataLoader(train, { batchSize: 128, shuffle: true, seed: 0 }), epochs: 1 });
  const seconds = (performance.now() - t) / 1000;
  const { accuracy } = d.train.evaluate(model, new d.data.DataLoader(test, { batchSize: 1000 }));
  console.log(`one epoch: ${seconds.toFixed(2)} s (${d.backendInfo().build} build, ${d.backendInfo().threads} threads), `
    + `train loss ${r.epochs[0].trainLoss.toFixed(4)}, test accuracy ${(100 * accuracy).toFixed(2)}%`);
  checks.push(['test accuracy ≥ 83% after one epoch', accuracy >= 0.83]);
  for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  return checks.every(([, ok]) => ok);
}
