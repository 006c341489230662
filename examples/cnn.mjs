// A small CNN on the bundled Fashion-MNIST subset (7,200 training images), trained with Adam by
// d.train.fit; prints each epoch and the training speed in images per second.
//   npm run build && node --experimental-wasm-relaxed-simd examples/cnn.mjs [epochs]
// (Node 20 needs the flag for the relaxed-SIMD FMA kernels; without it the plain SIMD build runs.)
import * as d from '../build/descent.node.js';

const epochs = Number(process.argv[2] ?? 2);
await d.init({ deterministic: false }); // FMA kernels where the runtime has relaxed SIMD
const info = d.backendInfo();
console.log(`wasm build '${info.build}', ${info.threads} GEMM threads`);

const { train, val, test } = await d.data.loadFashionMnist();
d.manualSeed(0);
const model = new d.nn.Sequential(
  new d.nn.Conv2d(1, 8, 3, { padding: 1 }), new d.nn.ReLU(), new d.nn.MaxPool2d(2),    // 8 x 14 x 14
  new d.nn.Conv2d(8, 16, 3, { padding: 1 }), new d.nn.ReLU(), new d.nn.MaxPool2d(2),   // 16 x 7 x 7
  new d.nn.Flatten(), new d.nn.Linear(16 * 7 * 7, 10),
);
const optimizer = new d.optim.Adam(model.parameters(), { lr: 2e-3 });
const loader = new d.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
const { epochs: history } = await d.train.fit(model, optimizer, {
  train: loader, val: new d.data.DataLoader(val, { batchSize: 400 }), epochs,
  callbacks: [{ onEpochEnd: (e) => console.log(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, `
    + `val accuracy ${(100 * e.valAccuracy).toFixed(1)}%, ${(train.length / e.seconds).toFixed(0)} images/s`) }],
});
const seconds = history.reduce((s, e) => s + e.seconds, 0);
const result = d.train.evaluate(model, new d.data.DataLoader(test, { batchSize: 400 }));
console.log(`test accuracy ${(100 * result.accuracy).toFixed(1)}% (loss ${result.loss.toFixed(4)}); `
  + `${((epochs * train.length) / seconds).toFixed(0)} images/s over ${epochs} epochs (train step + validation)`);
