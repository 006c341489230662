// Evidence for mixed-precision training on the bundled Fashion-MNIST subset (7,200 training images,
// the 2,000 held-out test images; seeded): run `npm run build` first, then
// `node examples/mixed-precision.mjs [report.html]`. Prints four tables and writes an HTML report
// (default reports/mixed-precision.html, or $DESCENT_REPORT_DIR) with the training curves:
//  a. bf16 weights with a small learning rate: round-to-nearest stalls; stochastic rounding and an
//     f32 master kept in a 16-bit remainder (masterWeights: 'remainder') train like f32
//  b. f16 gradients (every gradient rounded to f16) underflow without loss scaling; GradScaler
//     recovers the f32 run
//  c. an MLP trained under bf16 autocast against f32: test accuracy and step time
//  d. Adam state bytes and test accuracy with f32, bf16 and 8-bit state
import { performance } from 'node:perf_hooks';

const d = await import(new URL('../build/descent.node.js', import.meta.url).href);
const { lineChart, reportPath, writeReport } = await import(new URL('../build/viz.node.js', import.meta.url).href);
await d.init({ device: 'wasm' });
const { nn, optim, amp } = d;
const out = process.argv[2] ?? reportPath('mixed-precision');

const { train, test } = await d.data.loadFashionMnist();
const flat = (t) => t.reshape([t.shape[0], -1]);
const [xTrain, yTrain, xTest, yTest] = [flat(train.tensors[0]), train.tensors[1], flat(test.tensors[0]), test.tensors[1]];
const N = xTrain.shape[0], BATCH = 256;

const accuracy = (logits, y) => d.tidy(() => logits.argmax(1).eq(y).to('f32').mean().item());
const row = (cells) => console.log(`| ${cells.join(' | ')} |`);
const sections = [];
const pct = (a) => (100 * a).toFixed(2);
const table = (columns, rows) => { row(columns); row(columns.map(() => '---')); rows.forEach(row); return { columns, rows }; };

// a. softmax regression on 2,048 training images, full batch, plain SGD lr 2e-3 from zero weights
{
  const x = xTrain.slice(0, 0, 2048), y = yTrain.slice(0, 0, 2048);
  const curves = [], rows = [];
  for (const mode of ['f32', 'bf16, nearest', 'bf16, stochastic', 'bf16 + remainder']) {
    d.manualSeed(2);
    const dtype = mode === 'f32' ? 'f32' : 'bf16';
    let w = d.zeros([784, 10], { dtype, requiresGrad: true });
    // nearest: a plain bf16 SGD step (θ + u rounded to nearest); remainder: the f32 master in 32 bits
    const opt = mode === 'bf16, stochastic' ? null : new optim.SGD([w], { lr: 2e-3, masterWeights: mode === 'bf16 + remainder' ? 'remainder' : 'none' });
    let loss = 0;
    for (let step = 0; step < 300; step++) {
      loss = d.tidy(() => {
        const l = nn.functional.crossEntropy(x.matmul(w.to('f32')), y);
        l.backward();
        return l.item();
      });
      if (opt === null) {
        // w ← SR(w − lr·g): the update rounded stochastically to bf16
        const next = d.tidy(() => d.noGrad(() => d.quantize(w.to('f32').sub(w.grad.to('f32').mul(2e-3)), { format: 'bf16', rounding: 'stochastic' }).to('bf16')));
        w.dispose();
        w = next.requiresGrad_();
      } else {
        opt.step();
        opt.zeroGrad();
      }
      if (step % 10 === 0) curves.push({ x: step, y: loss, series: mode });
    }
    rows.push([mode, loss.toFixed(4), pct(d.tidy(() => accuracy(xTest.matmul(w.to('f32')), yTest)))]);
    w.dispose();
  }
  console.log('\na. softmax regression 784-10, 2,048 images full batch, SGD lr 2e-3, 300 steps\n');
  sections.push({ heading: 'a. bf16 weights, small learning rate', text: 'Round-to-nearest loses every update below half a bf16 ulp; stochastic rounding and a 16-bit remainder keep them.',
    table: table(['weights', 'final train loss', 'test accuracy %'], rows),
    charts: [lineChart('training loss', curves, { x: 'step', y: 'cross-entropy', logY: true })] });
  d.dispose([x, y]);
}

/** An MLP 784-128-10 trained with Adam on minibatches of 256; returns test accuracy, ms per step, state bytes, loss curve. */
function trainMlp(label, { epochs = 2, autocast = null, gradFormat = null, scaler = null, lossScale = 1, stateDtype = 'f32', lr = 2e-3 }) {
  d.manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const opt = new optim.Adam(model.parameters(), { lr, stateDtype });
  let ms = 0, steps = 0;
  const curve = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let b = 0; b + BATCH <= N; b += BATCH) {
      const t0 = performance.now();
      const loss = d.tidy(() => {
        opt.zeroGrad();
        const x = xTrain.slice(0, b, b + BATCH), y = yTrain.slice(0, b, b + BATCH);
        const forward = () => nn.functional.crossEntropy(model.call(x), y).mul(lossScale);
        const l = autocast ? amp.autocast({ dtype: autocast }, forward) : forward();
        (scaler ? scaler.scale(l) : l).backward();
        // f16 gradient storage: round every gradient to f16 (small ones flush to zero)
        if (gradFormat) for (const p of model.parameters()) { const g = p.grad; p.grad = d.keep(d.quantize(g, { format: gradFormat })); g.dispose(); }
        if (scaler) { scaler.step(opt); scaler.update(); } else opt.step();
        return l.item() / lossScale;
      });
      ms += performance.now() - t0;
      if (steps++ % 4 === 0) curve.push({ x: steps, y: loss, series: label });
    }
  }
  const acc = d.tidy(() => accuracy(model.call(xTest), yTest));
  const stateBytes = [...opt.state.values()].reduce((s, st) => s + bytesIn(st), 0);
  model.dispose();
  return { acc, ms: ms / steps, scale: scaler?.getScale(), stateBytes, curve };
}

function bytesIn(v) {
  if (v instanceof d.Tensor) return v.size * { f32: 4, bf16: 2, f16: 2, i32: 4, f64: 8 }[v.dtype];
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((s, x) => s + bytesIn(x), 0);
  return 0;
}

// b. f16 gradients with a tiny loss (×1e-6): underflow without scaling, GradScaler recovers
{
  console.log('\nb. MLP 784-128-10, Adam lr 2e-3, 2 epochs of batches of 256, loss ×1e-6; gradients stored in f16\n');
  const f32 = trainMlp('f32 gradients', { lossScale: 1e-6 });
  const f16 = trainMlp('f16, no scaling', { lossScale: 1e-6, gradFormat: 'f16' });
  const scaled = trainMlp('f16 + GradScaler', { lossScale: 1e-6, gradFormat: 'f16', scaler: new amp.GradScaler() });
  sections.push({ heading: 'b. f16 gradients and loss scaling', text: `GradScaler vs f32: ${(100 * (scaled.acc - f32.acc)).toFixed(2)} pp test accuracy.`,
    table: table(['run', 'test accuracy %', 'final scale'], [['f32 gradients', pct(f32.acc), ''], ['f16 gradients, no scaling', pct(f16.acc), ''],
      ['f16 gradients + GradScaler', pct(scaled.acc), String(scaled.scale)]]),
    charts: [lineChart('training loss (unscaled)', [...f32.curve, ...f16.curve, ...scaled.curve], { x: 'step', y: 'cross-entropy', logY: true })] });
}

// c. bf16 autocast against f32
{
  console.log('\nc. MLP 784-128-10, Adam lr 2e-3, 2 epochs of batches of 256\n');
  const f32 = trainMlp('f32', {});
  const bf16 = trainMlp('bf16 autocast', { autocast: 'bf16' });
  const diff = (100 * (bf16.acc - f32.acc)).toFixed(2);
  sections.push({ heading: 'c. bf16 autocast', text: `accuracy difference: ${diff} percentage points`,
    table: table(['run', 'test accuracy %', 'ms / step'], [['f32', pct(f32.acc), f32.ms.toFixed(1)], ['bf16 autocast', pct(bf16.acc), bf16.ms.toFixed(1)]]),
    charts: [lineChart('training loss', [...f32.curve, ...bf16.curve], { x: 'step', y: 'cross-entropy', logY: true })] });
  console.log(`\naccuracy difference: ${diff} percentage points`);
}

// d. Adam state bytes
{
  console.log('\nd. Adam state of the same MLP (101,770 parameters)\n');
  const runs = ['f32', 'bf16', '8bit'].map((s) => [s, trainMlp(`state ${s}`, { stateDtype: s })]);
  sections.push({ heading: 'd. Adam with low-precision state',
    table: table(['stateDtype', 'state bytes', 'test accuracy %'], runs.map(([s, r]) => [s, String(r.stateBytes), pct(r.acc)])),
    charts: [lineChart('training loss', runs.flatMap(([, r]) => r.curve), { x: 'step', y: 'cross-entropy', logY: true })] });
}

await writeReport(out, { title: 'Mixed-precision training on Fashion-MNIST (bundled subset)', subtitle: 'node examples/mixed-precision.mjs', sections });
console.log(`\nreport: ${out}`);
d.dispose([xTrain, xTest]);
train.dispose(); test.dispose();
