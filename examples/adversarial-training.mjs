// PGD adversarial training (Madry et al. 2018) on the bundled Fashion-MNIST subset: an MLP trained
// normally and one trained on PGD-ℓ∞ examples (ε = 0.1, 5 steps of 0.025 from a random start),
// then clean and robust accuracy (PGD-ℓ∞ ε = 0.1, 10 steps) on 1,000 test images.
// Report: reports/adversarial-training.html.
//   npm run build && node --experimental-wasm-relaxed-simd examples/adversarial-training.mjs [epochs]
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

await d.init({ deterministic: false });
const epochs = Number(process.argv[2] ?? 2);
const { train, test, normalization: { mean, std } } = await d.data.loadFashionMnist();
// attacks work in pixel space [0, 1] (torchattacks' convention); the model standardizes inside
const toPixels = (x) => x.mul(std).add(mean);
const xTest = toPixels(test.tensors[0].narrow(0, 0, 1000));
const yTest = test.tensors[1].narrow(0, 0, 1000);
const attack = { eps: 0.1, alpha: 0.025, steps: 5 };
const evalAttack = { eps: 0.1, alpha: 0.025, steps: 10 };

function run(adversarial) {
  d.manualSeed(0);
  const net = new d.nn.Sequential(new d.nn.Flatten(), new d.nn.Linear(784, 256), new d.nn.ReLU(), new d.nn.Linear(256, 10));
  const model = (x) => net.call(x.sub(mean).div(std));
  const opt = new d.optim.Adam(net.parameters(), { lr: 1e-3 });
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) {
    for (const [xs, y] of new d.data.DataLoader(train, { batchSize: 128, shuffle: true, seed: e })) {
      const x = toPixels(xs);
      xs.dispose();
      if (adversarial) d.adversarial.adversarialTrainingStep(model, opt, x, y, attack);
      else d.tidy(() => { opt.zeroGrad(); d.nn.functional.crossEntropy(model(x), y).backward(); opt.step(); });
      x.dispose(); y.dispose();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const clean = d.adversarial.robustAccuracy(model, xTest, yTest, { attack: null });
  const fgsm = d.adversarial.robustAccuracy(model, xTest, yTest, { attack: d.adversarial.fgsm, eps: 0.1 });
  const robust = d.adversarial.robustAccuracy(model, xTest, yTest, evalAttack);
  return { name: adversarial ? 'PGD adversarial training' : 'standard training', clean, fgsm, robust, seconds };
}

const runs = [run(false), run(true)];
const setup = `Fashion-MNIST subset (${train.length} train images), MLP 784-256-10, Adam 1e-3, batch 128, ${epochs} epochs; 1,000 test images in [0, 1]`;
const pct = (v) => `${(100 * v).toFixed(1)}%`;
const table = { columns: ['training', 'clean acc', 'FGSM ε=0.1 acc', 'PGD-10 ε=0.1 acc', 'train seconds'],
  rows: runs.map((r) => [r.name, pct(r.clean), pct(r.fgsm), pct(r.robust), r.seconds.toFixed(0)]) };
console.log(`${setup}\n${viz.markdownTable(table)}`);
await viz.writeReport(viz.reportPath('adversarial-training'), { title: 'Adversarial training (PGD, Madry et al.)', subtitle: setup, sections: [
  { heading: 'Accuracy under attack', table, charts: [viz.barChart('Test accuracy by attack (ε = 0.1, ℓ∞)',
    runs.flatMap((r) => [['clean', r.clean], ['FGSM', r.fgsm], ['PGD-10', r.robust]].map(([x, y]) => ({ series: r.name, x, y }))), { x: 'attack', y: 'accuracy' })] },
] });
