// SAM vs SGD on a small MLP over a noisy two-spirals problem: final test accuracy and the measured
// sharpness of the solution (top Hessian eigenvalue by power iteration on hvp; the largest loss
// increase in an ℓ2 ball of radius 0.05 by PGD on the weights). Report: reports/sam-vs-sgd.html.
//   npm run build && node examples/sam-vs-sgd.mjs [epochs]
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

await d.init();
const epochs = Number(process.argv[2] ?? 60);

function spirals(n, seed) {
  d.manualSeed(seed);
  const noise = d.randn([n, 2]).mul(0.35).dataSync();
  const xs = [], ys = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2, t = 0.5 + 3.5 * ((i >> 1) / (n / 2));
    const s = c === 0 ? 1 : -1;
    xs.push(s * t * Math.cos(t) + noise[2 * i], s * t * Math.sin(t) + noise[2 * i + 1]);
    ys.push(c);
  }
  return [d.tensor(xs).reshape([n, 2]).mul(0.3), d.tensor(ys, { dtype: 'i32' })];
}

const [xTrain, yTrain] = spirals(256, 1);
const [xTest, yTest] = spirals(1024, 2);
const batches = 8;

function run(useSam) {
  d.manualSeed(0);
  const net = new d.nn.Sequential(new d.nn.Linear(2, 64), new d.nn.ReLU(), new d.nn.Linear(64, 64), new d.nn.ReLU(), new d.nn.Linear(64, 2));
  const base = new d.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const opt = useSam ? new d.sam.SAM(base, { rho: 0.05 }) : base;
  const t0 = performance.now();
  const curve = [];
  for (let e = 0; e < epochs; e++) {
    let sum = 0;
    for (let b = 0; b < batches; b++) {
      const [x, y] = [xTrain.narrow(0, b * 32, 32), yTrain.narrow(0, b * 32, 32)];
      const closure = () => d.tidy(() => { net.zeroGrad({ setToNone: true }); const l = d.nn.functional.crossEntropy(net.call(x), y); l.backward(); return l.item(); });
      sum += closure();
      if (useSam) opt.step(closure); else opt.step();
      x.dispose(); y.dispose();
    }
    curve.push({ series: useSam ? 'SAM' : 'SGD', x: e + 1, y: sum / batches });
  }
  const seconds = (performance.now() - t0) / 1000;
  const acc = (x, y) => d.tidy(() => net.call(x).argmax(1).eq(y).mean().item());
  const names = net.namedParameters().map(([n]) => n);
  const lossOf = (...ws) => d.nn.functional.crossEntropy(d.nn.functionalCall(net, Object.fromEntries(names.map((n, i) => [n, ws[i]])), xTrain), yTrain);
  const ws = net.parameters();
  const { eigenvalue } = d.sam.topHessianEigenvalue(lossOf, ws, { iters: 30, tol: 1e-3 });
  const ball = d.sam.maxLossInBall(lossOf, ws, { rho: 0.05, steps: 10 });
  return { name: useSam ? 'SAM (ρ=0.05) + SGD' : 'SGD', train: acc(xTrain, yTrain), test: acc(xTest, yTest), loss: ball.base, eigenvalue, sharp: ball.sharpness, seconds, curve };
}

const runs = [run(false), run(true)];
const setup = `two spirals, 256 train / 1024 test points, MLP 2-64-64-2, SGD lr 0.1 momentum 0.9, batch 32, ${epochs} epochs`;
const table = { columns: ['optimizer', 'train acc', 'test acc', 'train loss', 'top Hessian eigenvalue', 'max loss rise in ℓ2 ball ρ=0.05', 'seconds'],
  rows: runs.map((r) => [r.name, `${(100 * r.train).toFixed(1)}%`, `${(100 * r.test).toFixed(1)}%`, r.loss.toFixed(4), r.eigenvalue.toFixed(2), r.sharp.toFixed(4), r.seconds.toFixed(1)]) };
console.log(`${setup}\n${viz.markdownTable(table)}`);
const short = (r) => (r.name === 'SGD' ? 'SGD' : 'SAM');
await viz.writeReport(viz.reportPath('sam-vs-sgd'), { title: 'SAM vs SGD', subtitle: setup, sections: [
  { heading: 'Final state', table },
  { heading: 'Training and sharpness', charts: [
    viz.lineChart('Mean training loss per epoch (loss at the unperturbed weights)', runs.flatMap((r) => r.curve), { x: 'epoch', y: 'cross-entropy', logY: true }),
    viz.barChart('Sharpness of the solution (lower = flatter)', runs.flatMap((r) => [
      { series: short(r), x: 'top Hessian eigenvalue', y: r.eigenvalue }, { series: short(r), x: 'loss rise in ball ×10', y: 10 * r.sharp }]), { x: '', y: 'value' }),
    viz.barChart('Accuracy', runs.flatMap((r) => [{ series: short(r), x: 'train', y: r.train }, { series: short(r), x: 'test', y: r.test }]), { x: '', y: 'accuracy' }),
  ] },
] });
