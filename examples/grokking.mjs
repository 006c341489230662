// Grokking (Power et al. 2022) of modular addition a + b mod p with a 1-layer transformer (Embedding
// + TransformerBlock + LayerNorm + Linear readout at the last position) trained full-batch by AdamW
// on 40% of the p² pairs, with weight decay 1.0 vs 0: train and test accuracy along the way.
//   npm run build && node --experimental-wasm-relaxed-simd examples/grokking.mjs [steps] [p]
import * as d from '../build/descent.node.js';

const [STEPS, P] = [Number(process.argv[2] ?? 3000), Number(process.argv[3] ?? 23)];
const DIM = 64;
await d.init({ deterministic: false });
const { nn } = d;

d.manualSeed(0);
const pairs = [];
for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) pairs.push([a, b, P]); // token P is '='
const order = Array.from(d.randint(0, 1 << 30, [pairs.length]).dataSync()).map((r, i) => [r, i]).sort((u, v) => u[0] - v[0]).map(([, i]) => i);
const nTrain = Math.floor(0.4 * pairs.length);
const split = (idx) => [d.tensor(Int32Array.from(idx.flatMap((i) => pairs[i])), { dtype: 'i32', shape: [idx.length, 3] }),
  d.tensor(Int32Array.from(idx.map((i) => (pairs[i][0] + pairs[i][1]) % P)), { dtype: 'i32', shape: [idx.length] })];
const [train, test] = [split(order.slice(0, nTrain)), split(order.slice(nTrain))];

class Net extends nn.Module {
  constructor() {
    super();
    this.registerModule('tok', new nn.Embedding(P + 1, DIM));
    this.registerModule('pos', new nn.Embedding(3, DIM));
    this.registerModule('block', new nn.TransformerBlock(DIM, 4, { dropout: 0 }));
    this.registerModule('norm', new nn.LayerNorm(DIM));
    this.registerModule('out', new nn.Linear(DIM, P));
  }
  forward(x) {
    const h = this.child('block').call(this.child('tok').call(x).add(this.child('pos').call(d.arange(0, 3, 1, { dtype: 'i32' }))));
    return this.child('out').call(this.child('norm').call(h.narrow(1, 2, 1).reshape([x.shape[0], DIM])));
  }
}
const acc = (net, [x, y]) => d.tidy(() => d.noGrad(() => net.call(x).argmax(1).eq(y).mean().item()));

console.log(`a + b mod ${P}, ${nTrain}/${pairs.length} pairs for training, full batch, AdamW lr 1e-3 (β₂ 0.98), ${STEPS} steps`);
console.log('| weight decay | step | train acc | test acc | seconds |');
console.log('|---|---|---|---|---|');
for (const wd of [1, 0]) {
  d.manualSeed(1);
  const net = new Net();
  const opt = new d.optim.AdamW(net.parameters(), { lr: 1e-3, betas: [0.9, 0.98], weightDecay: wd });
  const t0 = performance.now();
  for (let s = 1; s <= STEPS; s++) {
    d.tidy(() => { opt.zeroGrad(); nn.functional.crossEntropy(net.call(train[0]), train[1]).backward(); opt.step(); });
    if (s % Math.max(1, Math.floor(STEPS / 6)) === 0 || s === STEPS) {
      console.log(`| ${wd} | ${s} | ${(100 * acc(net, train)).toFixed(1)}% | ${(100 * acc(net, test)).toFixed(1)}% | ${((performance.now() - t0) / 1000).toFixed(0)} |`);
    }
  }
}
