// Deep ReLU MLPs (20 and 30 layers, width 64) with good (Kaiming, std √(2/fan_in)) and bad
// (std 0.01, and std 0.2 ≈ 1.6× too large) initialization: the gradient norm of every layer's
// weight at step 0, and whether SGD starts to train (loss after 100 steps) on a random regression.
// Report: reports/deep-relu-init.html (every layer's gradient norm and the SGD loss curves).
//   npm run build && node examples/deep-relu-init.mjs
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

await d.init();
d.manualSeed(0);
const x = d.randn([128, 32]);
const y = d.tidy(() => x.matmul(d.randn([32, 1])).tanh());

function build(depth, std) {
  const layers = [];
  for (let i = 0; i < depth; i++) {
    const lin = new d.nn.Linear(i === 0 ? 32 : 64, i === depth - 1 ? 1 : 64);
    const s = std === 'kaiming' ? Math.sqrt(2 / lin.inFeatures) : std;
    d.nn.init.normal(lin.weight, 0, s);
    d.nn.init.zeros(lin.bias);
    layers.push(lin);
    if (i < depth - 1) layers.push(new d.nn.ReLU());
  }
  return new d.nn.Sequential(...layers);
}

const fmt = (v) => (v === 0 ? '0 (f32 underflow)' : v.toExponential(1)); // ‖g‖ squares entries: below ~1e-19 it underflows
const table = { columns: ['depth', 'init', '‖∇W‖ layer 1', 'layer depth/2', 'last layer', 'loss at step 0', 'loss after 100 SGD steps'], rows: [] };
const norms = [], losses = [];
for (const depth of [20, 30]) {
  for (const std of ['kaiming', 0.01, 0.2]) {
    d.manualSeed(1);
    const net = build(depth, std);
    const loss = () => net.call(x).sub(y).square().mean();
    const l0 = d.tidy(() => { const l = loss(); l.backward(); return l.item(); });
    const ws = net.parameters().filter((p) => p.ndim === 2);
    const gn = ws.map((w) => d.tidy(() => w.grad.norm().item()));
    const opt = new d.optim.SGD(net.parameters(), { lr: 0.01 });
    const name = std === 'kaiming' ? 'Kaiming normal' : `N(0, ${std}²)`;
    const series = `depth ${depth}, ${name}`;
    let last = l0;
    for (let s = 0; s < 100; s++) {
      last = d.tidy(() => { opt.zeroGrad(); const l = loss(); l.backward(); opt.step(); return l.item(); });
      if (Number.isFinite(last)) losses.push({ series, x: s + 1, y: last });
    }
    gn.forEach((g, i) => { if (g > 0) norms.push({ series, x: i + 1, y: g }); }); // a log axis cannot show an underflowed 0
    table.rows.push([depth, name, fmt(gn[0]), fmt(gn[Math.floor(depth / 2)]), fmt(gn[depth - 1]), l0.toExponential(2), Number.isFinite(last) ? last.toExponential(2) : 'diverged']);
    net.dispose();
  }
}
console.log(viz.markdownTable(table));
await viz.writeReport(viz.reportPath('deep-relu-init'), { title: 'Initialization of deep ReLU networks', subtitle: 'MLPs of width 64 on a random regression (128 points), SGD lr 0.01', sections: [
  { heading: 'Gradient flow at step 0 and the first 100 SGD steps', table, charts: [
    viz.lineChart('‖∇W‖ per layer at step 0 (layers with an underflowed 0 are left out)', norms, { x: 'layer', y: '‖∇W‖', logY: true }),
    viz.lineChart('Training loss (MSE)', losses, { x: 'SGD step', y: 'loss', logY: true }),
  ] },
] });
