// The README's training loop written as in PyTorch (no tidy, no dispose) over 10,000 steps on the
// built bundle: memory() must stay flat after the first steps, and the loss must keep falling.
// `npm run verify -- training-loop-memory [steps]` (run `npm run build` first).
import * as d from '../build/descent.node.js';

export default async function run(args) {
  const steps = Number(args[0] ?? 10000);
  const { nn, optim } = d;
  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.Tanh(), new nn.Linear(16, 1));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 });
  const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { TMax: 50 });
  const x = d.randn([64, 4]);
  const y = x.sum(1, { keepdim: true }).sin();
  const rows = [];
  let settled = null;
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    const loss = nn.functional.mseLoss(model.call(x), y);
    loss.backward();
    nn.utils.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    sched.step();
    if (step === 10) settled = d.memory().wasm;
    if (step === 10 || step % (steps / 5) === 0) {
      const m = d.memory().wasm;
      rows.push(`| ${step} | ${m.tensors} | ${m.bytes} | ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} | ${loss.item().toExponential(3)} |`);
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
