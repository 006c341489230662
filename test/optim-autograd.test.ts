// End to end with autograd: the softmax-regression fixture's loss written with tensor ops,
// gradients from loss.backward(), and the optimizers' trajectories against PyTorch's — f64 on the
// reference device (Adam, LBFGS with strong Wolfe) and f32 on wasm through the fused Adam path.
// Also a user-built chain through TransformOptimizer, and clipByGlobalNorm.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import type { Tensor } from '../ts/tensor.js';
import { loadFixture, makeParams, relErr, type OptimCase } from './optim-problems.js';

function lossOf(params: Tensor[], fx: ReturnType<typeof loadFixture>, device: 'reference' | 'wasm'): Tensor {
  const { X, y, n, d: dim } = fx.problems.softmax;
  const [W, b] = params;
  const Xt = d.tensor(Float64Array.from(X), { shape: [n, dim], dtype: W.dtype, device });
  const idx = d.tensor(Int32Array.from(y), { shape: [n, 1], device });
  const logits = Xt.matmul(W.transpose(0, 1)).add(b);
  return logits.logsumexp(1).sub(logits.gather(1, idx).squeeze(1)).mean();
}

function trajectory(c: OptimCase, fx: ReturnType<typeof loadFixture>, device: 'reference' | 'wasm',
  make: (ps: Tensor[]) => optim.Optimizer, closureStyle: boolean): number {
  const params = makeParams(c, fx.problems).map((p) => (p.device === device ? p : d.keep(p.detach().to(device))));
  params.forEach((p) => { p.requiresGrad = true; });
  const opt = make(params);
  let worst = 0;
  const closure = (): Tensor => {
    opt.zeroGrad();
    const loss = lossOf(params, fx, device);
    loss.backward();
    return loss;
  };
  for (const want of c.traj) {
    if (closureStyle) opt.step(closure);
    else {
      closure();
      opt.step();
    }
    worst = Math.max(worst, relErr(params, want));
  }
  return worst;
}

describe('optimizers driven by loss.backward()', () => {
  const adam = loadFixture('adam');
  const lbfgs = loadFixture('lbfgs');
  const pick = (fx: ReturnType<typeof loadFixture>, dtype: string, pred: (o: Record<string, unknown>) => boolean): OptimCase =>
    fx.cases.find((c) => c.problem === 'softmax' && c.dtype === dtype && pred(c.options))!;

  it('Adam (amsgrad) f64 on the reference device = torch to 1e-9', () => {
    const c = pick(adam, 'float64', (o) => o.amsgrad === true);
    expect(trajectory(c, adam, 'reference', (ps) => new optim.Adam(ps, c.options), false)).toBeLessThan(1e-9);
  });

  it('LBFGS strong Wolfe f64 with a backward closure = torch to 1e-9', () => {
    const c = pick(lbfgs, 'float64', (o) => o.lineSearchFn === 'strong_wolfe');
    expect(trajectory(c, lbfgs, 'reference', (ps) => new optim.LBFGS(ps, c.options), true)).toBeLessThan(1e-9);
  });

  it('Adam f32 on wasm (fused kernel, autograd gradients) = torch to 1e-5', async () => {
    await d.init({ device: 'wasm', build: 'simd' });
    const c = pick(adam, 'float32', (o) => Object.keys(o).length === 1);
    const before = optim.fusedCalls();
    expect(trajectory(c, adam, 'wasm', (ps) => new optim.Adam(ps, c.options), false)).toBeLessThan(1e-5);
    expect(optim.fusedCalls() - before).toBeGreaterThanOrEqual(25);
    await d.init({ device: 'reference' });
  });

  it('TransformOptimizer(chain(scaleByAdam, −lr)) = Adam bit for bit, and schedulers reach a live lr', () => {
    const c = pick(adam, 'float64', (o) => Object.keys(o).length === 1);
    const a = makeParams(c, adam.problems), b = makeParams(c, adam.problems);
    const opt1 = new optim.Adam(a, { lr: 0.05 });
    const opt2 = new optim.TransformOptimizer(b, (g) => optim.chain(optim.scaleByAdam(), optim.scaleByLearningRate(() => g.lr)), { lr: 0.05 });
    const s1 = new optim.lrScheduler.ExponentialLR(opt1, { gamma: 0.9 });
    const s2 = new optim.lrScheduler.ExponentialLR(opt2, { gamma: 0.9 });
    for (let k = 0; k < 10; k++) {
      for (const [ps, o, s] of [[a, opt1, s1], [b, opt2, s2]] as const) {
        o.zeroGrad();
        lossOf(ps, adam, 'reference').backward();
        o.step();
        s.step();
      }
      a.forEach((p, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(p.dataSync())));
    }
  });

  it('clipByGlobalNorm rescales the whole update list to the max norm', () => {
    const x = d.tensor([3, 0], { dtype: 'f64', device: 'reference', requiresGrad: true });
    const y = d.tensor([0, 4], { dtype: 'f64', device: 'reference', requiresGrad: true });
    const opt = new optim.TransformOptimizer([x, y], optim.chain(optim.clipByGlobalNorm(1), optim.scaleByLearningRate(1)));
    x.grad = d.tensor([3, 0], { dtype: 'f64', device: 'reference' });
    y.grad = d.tensor([0, 4], { dtype: 'f64', device: 'reference' });
    opt.step();
    expect(Array.from(x.dataSync())).toEqual([3 - 0.6, 0]);
    expect(Array.from(y.dataSync())).toEqual([0, 4 - 0.8]);
    expect(() => new optim.TransformOptimizer([x], 42 as never)).toThrow(/GradientTransformation/);
  });
});

describe('with nn modules', () => {
  it('AdamW + OneCycleLR + clipGradNorm train a small MLP on wasm (loss falls 10×)', async () => {
    await d.init({ device: 'wasm', build: 'simd' });
    d.manualSeed(3);
    const net = new d.nn.Sequential(new d.nn.Linear(2, 16), new d.nn.Tanh(), new d.nn.Linear(16, 1));
    const x = d.randn([64, 2]);
    const y = x.slice(1, 0, 1).mul(x.slice(1, 1, 2)).mul(2).add(x.slice(1, 0, 1).sin());
    const opt = new optim.AdamW(net.parameters(), { lr: 1e-2, weightDecay: 1e-4 });
    const sched = new optim.lrScheduler.OneCycleLR(opt, { maxLr: 3e-2, totalSteps: 300 });
    const lossAt = (): number => d.tidy(() => d.noGrad(() => net.forward(x).sub(y).square().mean().item()));
    const first = lossAt();
    for (let k = 0; k < 300; k++) {
      opt.zeroGrad();
      d.tidy(() => { net.forward(x).sub(y).square().mean().backward(); });
      optim.clipGradNorm(net.parameters(), 1.0);
      opt.step();
      sched.step();
    }
    expect(lossAt()).toBeLessThan(first / 10);
    await d.init({ device: 'reference' });
  });
});
