// MAML and first-order MAML on sinusoid regression (Finn et al. 2017: amplitude U[0.1, 5], phase
// U[0, π], x U[−5, 5], K = 10 support points, MLP 1-40-40-1): the query MSE after adapting with
// 1 and 10 inner steps (lr 0.01), against plain multi-task pre-training on the same tasks.
// Report: reports/maml-sinusoid.html.
//   npm run build && node examples/maml-sinusoid.mjs [metaIterations]
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

await d.init();
const iters = Number(process.argv[2] ?? 300);
const K = 10, metaBatch = 4, innerLr = 0.01;
const mse = (p, t) => p.sub(t).square().mean();

function task() {
  const [amp, phase] = [0.1 + 4.9 * Math.random(), Math.PI * Math.random()];
  const sample = (n) => { const x = d.rand([n, 1]).mul(10).sub(5); return [x, x.add(phase).sin().mul(amp)]; };
  return { support: sample(K), query: sample(K) };
}
const disposeTask = (t) => [...t.support, ...t.query].forEach((x) => x.dispose());
const mlp = () => new d.nn.Sequential(new d.nn.Linear(1, 40), new d.nn.ReLU(), new d.nn.Linear(40, 40), new d.nn.ReLU(), new d.nn.Linear(40, 1));

function train(kind) {
  d.manualSeed(0);
  const net = mlp();
  const opt = new d.optim.Adam(net.parameters(), { lr: 1e-3 });
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    const tasks = Array.from({ length: metaBatch }, task);
    opt.zeroGrad({ setToNone: true });
    if (kind === 'pretrain') {
      d.tidy(() => tasks.map((t) => mse(net.call(t.query[0]), t.query[1]).div(metaBatch)).reduce((a, b) => a.add(b)).backward());
    } else {
      d.meta.mamlStep(net, mse, tasks, { innerLr, innerSteps: 1, firstOrder: kind === 'fomaml' });
    }
    opt.step();
    tasks.forEach(disposeTask);
  }
  return { net, seconds: (performance.now() - t0) / 1000 };
}

Math.random = ((s) => () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32))(42); // reproducible tasks
const evalTasks = Array.from({ length: 100 }, task);
function evaluate(net, steps) {
  let total = 0;
  for (const t of evalTasks) {
    const fast = d.meta.adapt(net, mse, t.support, { innerLr, innerSteps: steps });
    total += d.tidy(() => d.noGrad(() => mse(d.nn.functionalCall(net, fast, t.query[0]), t.query[1]).item()));
    Object.values(fast).forEach((x) => x.dispose());
  }
  return total / evalTasks.length;
}

const setup = `sinusoid regression, K=${K}, meta-batch ${metaBatch}, ${iters} meta-iterations (Adam 1e-3), inner lr ${innerLr}; 100 held-out tasks`;
const names = { pretrain: 'pre-training', fomaml: 'first-order MAML', maml: 'MAML' };
const STEPS = [0, 1, 2, 5, 10];
const table = { columns: ['training', ...STEPS.map((k) => `query MSE, ${k} steps`), 'seconds'], rows: [] };
const curves = [];
for (const kind of ['pretrain', 'fomaml', 'maml']) {
  const { net, seconds } = train(kind);
  const mses = STEPS.map((k) => evaluate(net, k));
  mses.forEach((y, i) => curves.push({ series: names[kind], x: STEPS[i], y }));
  table.rows.push([names[kind], ...mses.map((m) => m.toFixed(3)), seconds.toFixed(1)]);
}
console.log(`${setup}\n${viz.markdownTable(table)}`);
await viz.writeReport(viz.reportPath('maml-sinusoid'), { title: 'MAML on sinusoid regression', subtitle: setup, sections: [
  { heading: 'Few-shot adaptation on held-out tasks', table,
    charts: [viz.lineChart('Query MSE after k inner SGD steps on the K support points', curves, { x: 'inner steps k', y: 'query MSE', logY: true })] },
] });
