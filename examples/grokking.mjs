// Grokking (Power et al. 2022) of modular addition a + b mod p with a 1-layer, 1-head transformer (Embedding
// + TransformerBlock + LayerNorm + Linear readout at the last position) trained full-batch by AdamW
// on a fraction of the p² pairs, with weight decay 1.0 vs 0: train and test accuracy along the way,
// a table on stdout and the curves in reports/grokking.html ($DESCENT_REPORT_DIR overrides).
// A run stops early once test accuracy holds ≥ 99% for 10 evaluations, or when its minutes are
// spent; the report is rewritten every 500 steps, so a long run can be watched (or cut short).
//   npm run build && node --experimental-wasm-relaxed-simd examples/grokking.mjs [steps] [p] [train fraction] [minutes per run]
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

const [STEPS, P, FRACTION, MINUTES] = [3000, 23, 0.5, Infinity].map((v, i) => Number(process.argv[2 + i] ?? v));
const DIM = 64, HEADS = 1, EVERY = 25, LR = 1e-3;
await d.init({ deterministic: false });
const { nn } = d;

d.manualSeed(0);
const pairs = [];
for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) pairs.push([a, b, P]); // token P is '='
const order = Array.from(d.randint(0, 1 << 30, [pairs.length]).dataSync()).map((r, i) => [r, i]).sort((u, v) => u[0] - v[0]).map(([, i]) => i);
const nTrain = Math.floor(FRACTION * pairs.length);
const split = (idx) => [d.tensor(Int32Array.from(idx.flatMap((i) => pairs[i])), { dtype: 'i32', shape: [idx.length, 3] }),
  d.tensor(Int32Array.from(idx.map((i) => (pairs[i][0] + pairs[i][1]) % P)), { dtype: 'i32', shape: [idx.length] })];
const [train, test] = [split(order.slice(0, nTrain)), split(order.slice(nTrain))];

class Net extends nn.Module {
  constructor() {
    super();
    this.registerModule('tok', new nn.Embedding(P + 1, DIM));
    this.registerModule('pos', new nn.Embedding(3, DIM));
    this.registerModule('block', new nn.TransformerBlock(DIM, HEADS, { dropout: 0 }));
    this.registerModule('norm', new nn.LayerNorm(DIM));
    this.registerModule('out', new nn.Linear(DIM, P));
  }
  forward(x) {
    const h = this.child('block').call(this.child('tok').call(x).add(this.child('pos').call(d.arange(0, 3, 1, { dtype: 'i32' }))));
    return this.child('out').call(this.child('norm').call(h.narrow(1, 2, 1).reshape([x.shape[0], DIM])));
  }
}
const acc = (net, [x, y]) => d.tidy(() => d.noGrad(() => net.call(x).argmax(1).eq(y).mean().item()));

const setup = `a + b mod ${P}, ${nTrain}/${pairs.length} pairs for training, full batch, AdamW lr ${LR} (β₂ 0.98), up to ${STEPS} steps`;
console.log(setup);
console.log('| weight decay | step | train loss | train acc | test acc | minutes |');
console.log('|---|---|---|---|---|---|');
const curves = [], summary = [];
const path = viz.reportPath('grokking');
const writeReport = (rows) => viz.writeReport(path, {
  title: 'Grokking modular addition', subtitle: setup,
  sections: [
    { heading: 'Last evaluation of each run', table: { columns: ['weight decay', 'steps', 'train loss', 'train acc', 'test acc', 'minutes'], rows } },
    { heading: 'Accuracy and training loss against steps', charts: [
      viz.lineChart('Train and test accuracy', curves.filter((c) => !c.group), { x: 'step', y: 'accuracy' }),
      viz.lineChart('Training loss (cross-entropy)', curves.filter((c) => c.group), { x: 'step', y: 'loss', logY: true }),
    ] },
  ],
});
for (const wd of [1, 0]) {
  d.manualSeed(1);
  const net = new Net();
  const opt = new d.optim.AdamW(net.parameters(), { lr: LR, betas: [0.9, 0.98], weightDecay: wd });
  const t0 = performance.now();
  let held = 0, s = 0, loss, row;
  const evaluate = () => {
    const [trainAcc, testAcc] = [acc(net, train), acc(net, test)];
    held = testAcc >= 0.99 ? held + 1 : 0;
    const series = `weight decay ${wd}`;
    curves.push({ series: `${series}, train`, x: s, y: trainAcc }, { series: `${series}, test`, x: s, y: testAcc });
    curves.push({ series, x: s, y: loss, group: 'loss' });
    row = [wd, s, loss.toFixed(4), `${(100 * trainAcc).toFixed(1)}%`, `${(100 * testAcc).toFixed(1)}%`, ((performance.now() - t0) / 60000).toFixed(1)];
  };
  while (s < STEPS && held < 10 && performance.now() - t0 < MINUTES * 60000) {
    s++;
    loss = d.tidy(() => {
      opt.zeroGrad();
      const l = nn.functional.crossEntropy(net.call(train[0]), train[1]);
      l.backward();
      opt.step();
      return l.item();
    });
    if (s % EVERY === 0) evaluate();
    if (s % (EVERY * 20) === 0) {
      console.log(`| ${row.join(' | ')} |`);
      await writeReport([...summary, row]);
    }
  }
  if (s % EVERY !== 0) evaluate();
  console.log(`| ${row.join(' | ')} |`);
  summary.push(row);
}

await writeReport(summary);
console.log(`report: ${path}`);
