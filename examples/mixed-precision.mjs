// Evidence for mixed-precision training, on synthetic data (seeded): run `npm run build` first,
// then `node examples/mixed-precision.mjs`. Prints four tables:
//  1. bf16 parameters with a small learning rate: round-to-nearest stalls, stochastic rounding trains
//  2. f16 gradients (every gradient rounded to f16) underflow without loss scaling; GradScaler
//     recovers the f32 run
//  3. an MLP trained under bf16 autocast against f32: accuracy and step time
//  4. Adam state bytes and accuracy with f32, bf16 and 8-bit state
import { performance } from 'node:perf_hooks';

const d = await import(new URL('../build/descent.node.js', import.meta.url).href);
await d.init();
const { nn, optim, amp } = d;

/** Gaussian clusters: n points in `dim` dims, `classes` classes, fixed seed. */
function clusters(n, dim, classes, seed) {
  d.manualSeed(seed);
  const centers = d.randn([classes, dim]).mul(1.5);
  const y = d.randint(0, classes, [n]);
  const x = d.tidy(() => d.indexSelect(centers, 0, y).add(d.randn([n, dim])));
  centers.dispose();
  return { x, y };
}

const accuracy = (logits, y) => d.tidy(() => logits.argmax(1).eq(y).to('f32').mean().item());
const row = (cells) => console.log(`| ${cells.join(' | ')} |`);

// 1. softmax regression whose weights are stored in bf16: w ← bf16(w − lr·g)
{
  const { x, y } = clusters(2048, 32, 10, 1);
  console.log('\n1. softmax regression, weights stored in bf16 (w ← Q(w − lr·g)), lr 1e-3, 300 full-batch steps\n');
  row(['weights', 'final loss', 'accuracy']); row(['---', '---', '---']);
  for (const mode of ['f32', 'nearest', 'stochastic']) {
    d.manualSeed(2);
    let w = d.randn([32, 10]).mul(0.01);
    for (let step = 0; step < 300; step++) {
      const next = d.tidy(() => {
        const wv = w.detach().requiresGrad_();
        nn.functional.crossEntropy(x.matmul(wv), y).backward();
        const upd = d.noGrad(() => wv.sub(wv.grad.mul(1e-3)));
        return mode === 'f32' ? upd : d.quantize(upd, { format: 'bf16', rounding: mode });
      });
      w.dispose();
      w = next;
    }
    const logits = x.matmul(w);
    row([mode === 'f32' ? 'f32' : `bf16, ${mode}`, d.tidy(() => nn.functional.crossEntropy(logits, y).item()).toFixed(4), accuracy(logits, y).toFixed(3)]);
    d.dispose([w, logits]);
  }
  d.dispose([x, y]);
}

/** An MLP classifier trained with `opts`; returns accuracy, ms per step, optimizer-state bytes. */
function trainMlp({ steps = 150, autocast = null, gradFormat = null, scaler = null, lossScale = 1, stateDtype = 'f32', lr = 3e-3 }) {
  const { x, y } = clusters(4096, 64, 10, 3);
  d.manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt = new optim.Adam(model.parameters(), { lr, stateDtype });
  let ms = 0;
  for (let step = 0; step < steps; step++) {
    const t0 = performance.now();
    d.tidy(() => {
      opt.zeroGrad();
      const forward = () => nn.functional.crossEntropy(model.call(x), y).mul(lossScale);
      const loss = autocast ? amp.autocast({ dtype: autocast }, forward) : forward();
      (scaler ? scaler.scale(loss) : loss).backward();
      // f16 gradient storage: round every gradient to f16 (small ones flush to zero)
      if (gradFormat) for (const p of model.parameters()) { const g = p.grad; p.grad = d.keep(d.quantize(g, { format: gradFormat })); g.dispose(); }
      if (scaler) { scaler.step(opt); scaler.update(); } else opt.step();
    });
    ms += performance.now() - t0;
  }
  const acc = accuracy(model.call(x), y);
  const stateBytes = [...opt.state.values()].reduce((s, st) => s + bytesIn(st), 0);
  model.dispose(); d.dispose([x, y]);
  return { acc, ms: ms / steps, scale: scaler?.getScale(), stateBytes };
}

function bytesIn(v) {
  if (v instanceof d.Tensor) return v.size * { f32: 4, bf16: 2, f16: 2, i32: 4, f64: 8 }[v.dtype];
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((s, x) => s + bytesIn(x), 0);
  return 0;
}

// 2. f16 gradients with a tiny loss (×1e-7): underflow without scaling, GradScaler recovers
{
  console.log('\n2. MLP 64-256-10, Adam lr 3e-3, loss multiplied by 1e-7, 150 steps; gradients stored in f16\n');
  row(['run', 'accuracy', 'final scale']); row(['---', '---', '---']);
  const f32 = trainMlp({ lossScale: 1e-7 });
  const f16 = trainMlp({ lossScale: 1e-7, gradFormat: 'f16' });
  const scaled = trainMlp({ lossScale: 1e-7, gradFormat: 'f16', scaler: new amp.GradScaler() });
  row(['f32 gradients', f32.acc.toFixed(3), '']);
  row(['f16 gradients, no scaling', f16.acc.toFixed(3), '']);
  row(['f16 gradients + GradScaler', scaled.acc.toFixed(3), String(scaled.scale)]);
}

// 3. bf16 autocast against f32
{
  console.log('\n3. MLP 64-256-10, Adam lr 3e-3, 150 full-batch steps of 4096\n');
  row(['run', 'accuracy', 'ms / step']); row(['---', '---', '---']);
  const f32 = trainMlp({});
  const bf16 = trainMlp({ autocast: 'bf16' });
  row(['f32', f32.acc.toFixed(4), f32.ms.toFixed(1)]);
  row(['bf16 autocast', bf16.acc.toFixed(4), bf16.ms.toFixed(1)]);
  console.log(`\naccuracy difference: ${((bf16.acc - f32.acc) * 100).toFixed(2)} percentage points`);
}

// 4. Adam state bytes
{
  console.log('\n4. Adam state of the same MLP (19,210 parameters) \n');
  row(['stateDtype', 'state bytes', 'accuracy']); row(['---', '---', '---']);
  for (const s of ['f32', 'bf16', '8bit']) {
    const r = trainMlp({ stateDtype: s });
    row([s, String(r.stateBytes), r.acc.toFixed(4)]);
  }
}
