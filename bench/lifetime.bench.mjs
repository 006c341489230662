// What memory without tidy costs: one training step of the README loop (Linear 4→H, Tanh,
// Linear H→1, AdamW, clipGradNorm, batch 64) written three ways, measured in the same run:
// inside tidy (the reference), as in PyTorch without tidy (layers free their temporaries with the
// graph; each optimizer step parks the last loss and output in the JS heap), and with explicit
// dispose() of loss and output. Median ms per step after warm-up; wasm, one thread.
import * as d from '../build/descent.node.js';
import { machine, measure, ratio, table } from './util.mjs';

function setup(hidden) {
  const { nn, optim } = d;
  const model = new nn.Sequential(new nn.Linear(4, hidden), new nn.Tanh(), new nn.Linear(hidden, 1));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
  const x = d.randn([64, 4]);
  const y = x.sum(1, { keepdim: true }).sin();
  const forward = () => {
    opt.zeroGrad();
    const out = model.call(x);
    const loss = nn.functional.mseLoss(out, y);
    loss.backward();
    nn.utils.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    return { out, loss, value: loss.item() };
  };
  return forward;
}

export default async function run() {
  await d.init({ threads: 1 });
  console.log(machine());
  const rows = [];
  for (const hidden of [16, 256, 1024]) {
    const step = setup(hidden);
    const opts = { runs: 15 };
    const tidy = await measure(() => d.tidy(() => step().value), opts);
    const plain = await measure(() => step().value, opts);
    const manual = await measure(() => {
      const { out, loss, value } = step();
      d.dispose([out, loss]);
      return value;
    }, opts);
    rows.push([String(hidden), tidy.ms, plain.ms, ratio(plain.ms, tidy.ms), manual.ms, ratio(manual.ms, tidy.ms), d.memory().wasm.tensors]);
  }
  console.log(table(['hidden', 'tidy ms/step', 'no tidy ms/step', 'no tidy / tidy', 'dispose ms/step', 'dispose / tidy', 'live tensors after'], rows));
}
