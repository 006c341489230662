// What memory without tidy costs: one step of the README loop (test/helpers/readme-loop.mjs:
// Linear 4→H, Tanh, Linear H→1, AdamW, clipGradNorm, batch 64) written three ways, measured in
// the same run: inside tidy (the reference), as in PyTorch without tidy (layers free their temporaries with the
// graph; each optimizer step parks the last loss and output in the JS heap), and with explicit
// dispose() of loss and output. Median ms per step after warm-up; wasm, one thread.
import * as d from '../build/descent.node.js';
import { readmeLoop } from '../test/helpers/readme-loop.mjs';
import { machine, measure, ratio, table } from './util.mjs';

export default async function run() {
  await d.init({ threads: 1 });
  console.log(machine());
  const rows = [];
  for (const hidden of [16, 256, 1024]) {
    const { step } = readmeLoop(d, { hidden, scheduler: false });
    const opts = { runs: 15 };
    const tidy = await measure(() => d.tidy(() => step().lossValue), opts);
    const plain = await measure(() => step().lossValue, opts);
    const manual = await measure(() => {
      const { out, loss, lossValue } = step();
      d.dispose([out, loss]);
      return lossValue;
    }, opts);
    rows.push([String(hidden), tidy.ms, plain.ms, ratio(plain.ms, tidy.ms), manual.ms, ratio(manual.ms, tidy.ms), d.memory().wasm.tensors]);
  }
  console.log(table(['hidden', 'tidy ms/step', 'no tidy ms/step', 'no tidy / tidy', 'dispose ms/step', 'dispose / tidy', 'live tensors after'], rows));
}
