// The README's training loop written as in PyTorch (no tidy, no dispose) over 10,000 steps on the
// built bundle: memory() must stay flat after the first steps, and the loss must keep falling.
// `npm run verify -- training-loop-memory [steps]` (run `npm run build` first).
import * as d from '../build/descent.node.js';
import { readmeLoop } from '../test/helpers/readme-loop.mjs';

export default async function run(args) {
  const steps = Number(args[0] ?? 10000);
  const { step } = readmeLoop(d);
  const rows = [];
  let settled = null;
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    const { loss } = step();
    if (i === 10) settled = d.memory().wasm;
    if (i === 10 || i % (steps / 5) === 0) {
      const m = d.memory().wasm;
      rows.push(`| ${i} | ${m.tensors} | ${m.bytes} | ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} | ${loss.item().toExponential(3)} |`);
    }
  }
  const ms = (performance.now() - t0) / steps;
  console.log('| step | live tensors (wasm) | bytes (wasm) | JS heap MiB | loss |\n|---|---|---|---|---|');
  console.log(rows.join('\n'));
  const end = d.memory().wasm;
  const flat = settled !== null && end.tensors === settled.tensors && end.bytes === settled.bytes;
  console.log(`\n${steps} steps, ${ms.toFixed(3)} ms/step; memory() ${flat ? 'flat' : 'NOT flat'} from step 10 to ${steps}`);
  return flat;
}
