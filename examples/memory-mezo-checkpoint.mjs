// Memory of two memory-saving training methods, measured with d.memory() (live tensor bytes):
// - MeZO (zeroth-order, two forward passes, z regenerated from a seed) vs a backprop SGD step:
//   the peak bytes above the parameters during one step (sampled after every block of the forward
//   and, for backprop, after backward with the gradients alive; MeZO's transient z, one
//   parameter at a time, is not sampled: at most the largest parameter, 0.25 MiB here);
// - gradient checkpointing of a 16-block MLP: bytes held by the graph after forward, by segments.
// Report: reports/memory-mezo-checkpoint.html.
//   npm run build && node examples/memory-mezo-checkpoint.mjs
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

await d.init();
d.manualSeed(0);
const [WIDTH, BLOCKS, BATCH] = [256, 16, 128];
let peak = 0;
let base = 0;
const bytes = () => d.memory().wasm.bytes;
/** An identity layer that samples the live bytes as the forward pass goes through it. */
class Probe extends d.nn.Module { forward(h) { peak = Math.max(peak, bytes() - base); return h; } }
const layers = [];
for (let i = 0; i < BLOCKS; i++) layers.push(new d.nn.Linear(WIDTH, WIDTH), new d.nn.Tanh(), new Probe());
const net = new d.nn.Sequential(...layers, new d.nn.Linear(WIDTH, 10));
const x = d.randn([BATCH, WIDTH]);
const y = d.randint(0, 10, [BATCH], { dtype: 'i32' });
const mb = (b) => (b / 2 ** 20).toFixed(2);
const paramBytes = net.parameters().reduce((s, p) => s + 4 * p.size, 0);

base = bytes();
const lossValue = () => { const l = d.nn.functional.crossEntropy(net.call(x), y); peak = Math.max(peak, bytes() - base); return l; };

peak = 0;
d.tidy(() => { net.zeroGrad({ setToNone: true }); const l = d.enableGrad(lossValue); l.backward(); peak = Math.max(peak, bytes() - base);
  new d.optim.SGD(net.parameters(), { lr: 1e-3 }).step(); });
net.zeroGrad({ setToNone: true });
const backprop = peak;
peak = 0;
d.finetune.mezoStep(net.parameters(), lossValue, { lr: 1e-3, eps: 1e-3, seed: 1 });
const mezo = peak;
const setup = `MLP ${BLOCKS}×(${WIDTH}→${WIDTH}, tanh) → 10, batch ${BATCH}; parameters ${mb(paramBytes)} MiB (f32, wasm)`;
const steps = { columns: ['step', 'peak live MiB above the weights'], rows: [['backprop SGD (graph + gradients)', mb(backprop)], ['MeZO (two forwards without a graph)', mb(mezo)]] };
console.log(`${setup}\n${viz.markdownTable(steps)}\n`);
const ckpt = { columns: ['checkpoint segments', 'MiB held after forward', 'forward + backward ms (median of 5)'], rows: [] };
for (const segments of [0, 2, 4, 8, 16]) {
  const times = [];
  let held = 0;
  for (let r = 0; r < 6; r++) {
    net.zeroGrad({ setToNone: true });
    const t0 = performance.now();
    const before = bytes();
    d.tidy(() => {
      const out = segments === 0 ? net.call(x) : d.finetune.checkpointSequential(net, segments, x);
      const l = d.nn.functional.crossEntropy(out, y);
      held = bytes() - before;
      l.backward();
    });
    if (r > 0) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  ckpt.rows.push([segments === 0 ? 'none' : segments, mb(held), times[2].toFixed(0)]);
}
console.log(viz.markdownTable(ckpt));
const bar = (series, rows) => rows.map(([x, y]) => ({ series, x: String(x), y: Number(y) }));
await viz.writeReport(viz.reportPath('memory-mezo-checkpoint'), { title: 'Memory: MeZO and gradient checkpointing', subtitle: setup, sections: [
  { heading: 'One training step', table: steps, charts: [viz.barChart('Peak live MiB above the weights', bar('peak MiB', steps.rows.map(([n, v]) => [n.split(' (')[0], v])), { x: 'method', y: 'MiB' })] },
  { heading: 'Checkpointing by segments', table: ckpt, charts: [
    viz.barChart('MiB held by the graph after forward', bar('held MiB', ckpt.rows), { x: 'segments', y: 'MiB' }),
    viz.barChart('Forward + backward ms (loaded machine: indicative)', bar('ms', ckpt.rows.map(([s2, , t]) => [s2, t])), { x: 'segments', y: 'ms' }),
  ] },
] });
