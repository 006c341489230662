// The README's training loop written as in PyTorch (no tidy, no dispose), shared by the memory
// test (sources), verify/training-loop-memory.mjs and bench/lifetime.bench.mjs (the bundle): pass
// the library as `d`. step() runs one step and returns the output, the loss and its value.
export function readmeLoop(d, { hidden = 16, scheduler = true } = {}) {
  const { nn, optim } = d;
  const model = new nn.Sequential(new nn.Linear(4, hidden), new nn.Tanh(), new nn.Linear(hidden, 1));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 });
  const sched = scheduler ? new optim.lrScheduler.CosineAnnealingLR(opt, { TMax: 50 }) : null;
  const x = d.randn([64, 4]);
  const y = x.sum(1, { keepdim: true }).sin();
  const step = () => {
    opt.zeroGrad();
    const out = model.call(x);
    const loss = nn.functional.mseLoss(out, y);
    loss.backward();
    nn.utils.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    sched?.step();
    return { out, loss, lossValue: loss.item() };
  };
  return { model, opt, x, y, step };
}
