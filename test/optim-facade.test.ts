// The optimizer facade: option validation (every bad option names itself), param groups,
// zeroGrad, closures, state round trips that resume bit-identically (also through JSON), no leaked
// tensors, and schedulers driving a real optimizer.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import type { Tensor } from '../ts/tensor.js';
import * as optim from '../ts/optim/index.js';
import { DescentError } from '../ts/errors.js';
import { loadFixture, makeParams, setGrads } from './optim-problems.js';
import * as nn from '../ts/nn/index.js';
import { expectError } from './helpers/expect-error.js';
import { param } from './optim-problems.js';

function expectBad(f: () => unknown, word: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DescentError);
    expect((e as DescentError).code).toMatch(/BAD_OPTION|BAD_ARGUMENT/);
    expect((e as Error).message).toContain(word);
    return;
  }
  expect.fail(`expected a DescentError mentioning '${word}'`);
}

const p0 = (): Tensor => d.tensor([1, 2, 3], { dtype: 'f64', requiresGrad: true });

describe('option validation', () => {
  const cases: [string, () => unknown, string][] = [
    ['unknown option', () => new optim.Adam([p0()], { lr: 1e-3, learningRate: 1 } as never), 'learningRate'],
    ['lr < 0', () => new optim.SGD([p0()], { lr: -1 }), 'lr'],
    ['lr NaN', () => new optim.Adam([p0()], { lr: NaN }), 'lr'],
    ['beta1 = 1', () => new optim.Adam([p0()], { betas: [1, 0.999] }), 'betas[0]'],
    ['beta2 < 0', () => new optim.AdamW([p0()], { betas: [0.9, -0.1] }), 'betas[1]'],
    ['betas not a pair', () => new optim.NAdam([p0()], { betas: [0.9] as never }), 'betas'],
    ['eps = 0', () => new optim.Adam([p0()], { eps: 0 }), 'eps'],
    ['eps < 0', () => new optim.Adagrad([p0()], { eps: -1e-10 }), 'eps'],
    ['nesterov with dampening', () => new optim.SGD([p0()], { momentum: 0.9, dampening: 0.1, nesterov: true }), 'nesterov'],
    ['nesterov without momentum', () => new optim.SGD([p0()], { nesterov: true }), 'nesterov'],
    ['momentum < 0', () => new optim.SGD([p0()], { momentum: -0.5 }), 'momentum'],
    ['weightDecay < 0', () => new optim.RMSprop([p0()], { weightDecay: -1 }), 'weightDecay'],
    ['rho > 1', () => new optim.Adadelta([p0()], { rho: 1.5 }), 'rho'],
    ['boolean option', () => new optim.Adam([p0()], { amsgrad: 1 as never }), 'amsgrad'],
    ['AdamW has no decoupledWeightDecay', () => new optim.AdamW([p0()], { decoupledWeightDecay: false } as never), 'decoupledWeightDecay'],
    ['empty params', () => new optim.SGD([], { lr: 0.1 }), 'empty'],
    ['not tensors', () => new optim.SGD([1, 2] as never), 'param'],
    ['integer param', () => new optim.SGD([d.tensor([1, 2], { dtype: 'i32' })]), 'floating-point'],
    ['LBFGS two groups', () => new optim.LBFGS([{ params: [p0()] }, { params: [p0()] }]), 'one param group'],
    ['LBFGS line search', () => new optim.LBFGS([p0()], { lineSearchFn: 'armijo' as never }), 'lineSearchFn'],
    ['LBFGS without closure', () => new optim.LBFGS([p0()]).step(), 'closure'],
    ['param twice', () => { const p = p0(); return new optim.SGD([{ params: [p] }, { params: [p] }]); }, 'already belongs'],
    ['bad group option', () => new optim.SGD([{ params: [p0()], lr: 0.1, momentun: 0.9 }]), 'momentun'],
    ['bad group value', () => new optim.SGD([{ params: [p0()], lr: -0.1 }]), 'lr'],
  ];
  for (const [name, f, word] of cases) it(name, () => expectBad(f, word));

  it('addParamGroup validates and merges defaults', () => {
    const opt = new optim.SGD([p0()], { lr: 0.1, momentum: 0.9 });
    expectBad(() => opt.addParamGroup({ params: [p0()], nesterov: true, dampening: 0.5 }), 'nesterov');
    opt.addParamGroup({ params: [p0()], lr: 0.01 });
    expect(opt.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false });
  });

  it('a gradient of the wrong shape is rejected before anything changes', () => {
    const p = p0();
    const opt = new optim.Adam([p], { lr: 0.1 });
    p.grad = d.tensor([1, 2], { dtype: 'f64' });
    expectBad(() => opt.step(), 'does not match');
    expect(Array.from(p.dataSync())).toEqual([1, 2, 3]);
    expect(opt.state.size).toBe(0);
  });

  it('a rejected addParamGroup adds nothing (a bad option after good params, a duplicate parameter)', () => {
    const a = p0();
    const opt = new optim.Adam([a], { lr: 0.1 });
    const before = JSON.stringify(opt.stateDict());
    expectBad(() => opt.addParamGroup({ params: [p0()], lr: -1 }), 'lr');
    expectBad(() => opt.addParamGroup({ params: [p0(), a] }), 'already belongs');
    expect(opt.paramGroups.length).toBe(1);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it('step checks every group before writing any: a bad gradient in the last group leaves the first untouched', () => {
    const a = p0(), b = p0();
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad = d.tensor([1, 1, 1], { dtype: 'f64' });
    b.grad = d.tensor([1, 1], { dtype: 'f64' });
    expectBad(() => opt.step(), 'does not match its parameter');
    expect(a.toArray()).toEqual([1, 2, 3]);
  });
});

describe('every optimizer rejects unknown options and a negative lr', () => {
  const ctors: [string, (ps: Tensor[], o: Record<string, unknown>) => unknown][] = [
    ['SGD', (ps, o) => new optim.SGD(ps, o)], ['Adam', (ps, o) => new optim.Adam(ps, o)], ['AdamW', (ps, o) => new optim.AdamW(ps, o)],
    ['NAdam', (ps, o) => new optim.NAdam(ps, o)], ['RAdam', (ps, o) => new optim.RAdam(ps, o)], ['Adamax', (ps, o) => new optim.Adamax(ps, o)],
    ['Adagrad', (ps, o) => new optim.Adagrad(ps, o)], ['RMSprop', (ps, o) => new optim.RMSprop(ps, o)],
    ['Adadelta', (ps, o) => new optim.Adadelta(ps, o)], ['LBFGS', (ps, o) => new optim.LBFGS(ps, o)],
    ['Lion', (ps, o) => new optim.Lion(ps, o)], ['SignSGD', (ps, o) => new optim.SignSGD(ps, o)],
    ['Signum', (ps, o) => new optim.Signum(ps, o)], ['Shampoo', (ps, o) => new optim.Shampoo(ps, o)],
    ['HeavyBall', (ps, o) => new optim.HeavyBall(ps, o)], ['NesterovLookahead', (ps, o) => new optim.NesterovLookahead(ps, o)],
    ['ProximalGradient', (ps, o) => new optim.ProximalGradient(ps, o)], ['ZerothOrder', (ps, o) => new optim.ZerothOrder(ps, o)],
    ['BlockCoordinateDescent', (ps, o) => new optim.BlockCoordinateDescent(ps, o)], ['SVRG', (ps, o) => new optim.SVRG(ps, o)],
    ['Muon', (ps, o) => new optim.Muon(ps, o)], ['TransformOptimizer', (ps, o) => new optim.TransformOptimizer(ps, optim.scale(1), o)],
  ];
  for (const [name, make] of ctors) {
    it(name, () => {
      const p = () => d.tensor([[1, 2], [3, 4]], { dtype: 'f64', requiresGrad: true });
      expectBad(() => make([p()], { lr: 0.1, bogusOption: 1 }), 'bogusOption');
      expectBad(() => make([p()], { lr: -0.1 }), 'lr');
    });
  }
});

describe('facade behaviour', () => {
  it('Adam({ decoupledWeightDecay: true }) is AdamW bit for bit', () => {
    const fx = loadFixture('adam');
    const c = fx.cases.find((x) => x.problem === 'softmax' && x.dtype === 'float64')!;
    const a = makeParams(c, fx.problems), b = makeParams(c, fx.problems);
    const o1 = new optim.Adam(a, { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true });
    const o2 = new optim.AdamW(b, { lr: 0.05, weightDecay: 0.1 });
    for (let k = 0; k < 10; k++) {
      setGrads(a, fx.problems, c); o1.step();
      setGrads(b, fx.problems, c); o2.step();
    }
    a.forEach((p, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(p.dataSync())));
  });

  it('a disposed gradient is reported, not read', () => {
    const p = p0();
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = d.onesLike(p);
    p.grad.dispose();
    try {
      opt.step();
      expect.fail('expected a DescentError');
    } catch (e) {
      expect((e as DescentError).code).toBe('DISPOSED');
    }
  });

  it('per-group options: each group follows its own lr', () => {
    const a = p0(), b = p0();
    const opt = new optim.SGD([{ params: [a], lr: 0.1 }, { params: [b], lr: 0.01 }]);
    a.grad = d.onesLike(a);
    b.grad = d.onesLike(b);
    opt.step();
    expect(Array.from(a.dataSync())).toEqual([0.9, 1.9, 2.9]);
    expect(Array.from(b.dataSync())).toEqual([0.99, 1.99, 2.99]);
  });

  it('parameters without a gradient are skipped and get no state', () => {
    const a = p0(), b = p0();
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = d.onesLike(a);
    opt.step();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
  });

  it('zeroGrad sets to null by default, or zero-fills', () => {
    const a = p0();
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.grad = d.onesLike(a);
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(a.grad!.dataSync())).toEqual([0, 0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expectBad(() => opt.zeroGrad({ set_to_none: true } as never), 'set_to_none');
  });

  it('step(closure) evaluates the closure first and returns its value', () => {
    const a = p0();
    const opt = new optim.SGD([a], { lr: 0.5 });
    const loss = opt.step(() => {
      a.grad?.dispose();
      a.grad = d.tensor([2, 2, 2], { dtype: 'f64' });
      return 42;
    });
    expect(loss).toBe(42);
    expect(Array.from(a.dataSync())).toEqual([0, 1, 2]);
  });

  it('a scheduler drives the optimizer lr (StepLR halves it)', () => {
    const a = p0();
    const opt = new optim.SGD([a], { lr: 1 });
    const s = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    for (let k = 0; k < 3; k++) {
      a.grad?.dispose();
      a.grad = d.onesLike(a);
      opt.step();
      s.step();
    }
    expect(Array.from(a.dataSync())).toEqual([1 - 1.75, 2 - 1.75, 3 - 1.75]);
    expect(opt.paramGroups[0].lr).toBe(0.125);
  });

  it('steps leak no tensors (state is replaced and the old state freed)', () => {
    const fx = loadFixture('adam');
    const c = fx.cases.find((x) => x.options.amsgrad === true && x.problem === 'softmax')!;
    const params = makeParams(c, fx.problems);
    const opt = new optim.Adam(params, c.options);
    // AMSGrad's running max shares v's tensor after the first step, so count from the second on
    for (let k = 0; k < 2; k++) { setGrads(params, fx.problems, c); opt.step(); }
    const live = d.memory().reference.tensors;
    for (let k = 0; k < 5; k++) {
      setGrads(params, fx.problems, c);
      opt.step();
    }
    expect(d.memory().reference.tensors).toBe(live);
    setGrads(params, fx.problems, c);
    d.tidy(() => opt.step()); // state made inside a user's tidy must survive it
    expect(d.memory().reference.tensors).toBe(live);
    setGrads(params, fx.problems, c);
    opt.step();
    expect(d.memory().reference.tensors).toBe(live);
  });
});

describe('state survives tidy scopes', () => {
  it('a first step inside tidy keeps its state alive', () => {
    const a = p0();
    const opt = new optim.Adam([a], { lr: 0.1 });
    a.grad = d.onesLike(a);
    d.tidy(() => { opt.step(); });
    a.grad.dispose();
    a.grad = d.onesLike(a);
    opt.step();
    const st = opt.state.get(a)!;
    expect(st['2']).toMatchObject({ step: 2 });
    expect(Array.from(a.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('stateDict round trip resumes bit-identically', () => {
  const ctors: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['SGD nesterov', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam amsgrad', (ps) => new optim.Adam(ps, { lr: 0.05, amsgrad: true, weightDecay: 0.1 })],
    ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.05 })],
    ['NAdam', (ps) => new optim.NAdam(ps, { lr: 0.05 })],
    ['RAdam', (ps) => new optim.RAdam(ps, { lr: 0.05 })],
    ['Adamax', (ps) => new optim.Adamax(ps, { lr: 0.05 })],
    ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.01 })],
    ['RMSprop centered momentum', (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 })],
    ['Adadelta', (ps) => new optim.Adadelta(ps)],
  ];
  const fx = loadFixture('sgd');
  for (const dtype of ['float64', 'float32'] as const) {
    const c = fx.cases.find((x) => x.problem === 'softmax' && x.dtype === dtype)!;
    for (const [name, make] of ctors) {
      it(`${name} ${dtype}`, () => {
        const pa = makeParams(c, fx.problems);
        const a = make(pa);
        for (let k = 0; k < 7; k++) { setGrads(pa, fx.problems, c); a.step(); }
        const saved = JSON.parse(JSON.stringify(a.stateDict())) as optim.OptimizerStateDict;
        const pb = makeParams(c, fx.problems);
        pb.forEach((p, i) => p.backend.write(p.storage, pa[i].backend.read(pa[i])));
        const b = make(pb);
        b.loadStateDict(saved);
        for (let k = 0; k < 7; k++) {
          setGrads(pa, fx.problems, c); a.step();
          setGrads(pb, fx.problems, c); b.step();
        }
        pa.forEach((p, i) => expect(Array.from(pb[i].dataSync())).toEqual(Array.from(p.dataSync())));
      });
    }
  }

  for (const dtype of ['float64', 'float32'] as const) {
    it(`LBFGS strong Wolfe ${dtype}`, () => {
      const fl = loadFixture('lbfgs');
      const c = fl.cases.find((x) => x.problem === 'softmax' && x.dtype === dtype && x.options.lineSearchFn)!;
      const make = (ps: Tensor[]): optim.LBFGS => new optim.LBFGS(ps, { maxIter: 2, historySize: 3, lineSearchFn: 'strong_wolfe' });
      const pa = makeParams(c, fl.problems);
      const a = make(pa);
      for (let k = 0; k < 4; k++) a.step(() => setGrads(pa, fl.problems, c));
      const saved = JSON.parse(JSON.stringify(a.stateDict())) as optim.OptimizerStateDict;
      const pb = makeParams(c, fl.problems);
      pb.forEach((p, i) => p.backend.write(p.storage, pa[i].backend.read(pa[i])));
      const b = make(pb);
      b.loadStateDict(saved);
      for (let k = 0; k < 4; k++) {
        a.step(() => setGrads(pa, fl.problems, c));
        b.step(() => setGrads(pb, fl.problems, c));
      }
      pa.forEach((p, i) => expect(Array.from(pb[i].dataSync())).toEqual(Array.from(p.dataSync())));
    });
  }

  it('LBFGS steps leak no tensors', () => {
    const fl = loadFixture('lbfgs');
    const c = fl.cases.find((x) => x.problem === 'softmax' && x.dtype === 'float64' && x.options.lineSearchFn)!;
    const ps = makeParams(c, fl.problems);
    const opt = new optim.LBFGS(ps, { maxIter: 3, historySize: 2, lineSearchFn: 'strong_wolfe' });
    for (let k = 0; k < 4; k++) opt.step(() => setGrads(ps, fl.problems, c));
    const live = d.memory().reference.tensors;
    for (let k = 0; k < 3; k++) opt.step(() => setGrads(ps, fl.problems, c));
    expect(d.memory().reference.tensors).toBe(live);
  });

  it('loadStateDict rejects mismatched groups', () => {
    const a = new optim.Adam([p0(), p0()], { lr: 0.1 });
    const b = new optim.Adam([p0()], { lr: 0.1 });
    expectBad(() => b.loadStateDict(a.stateDict()), 'params');
    expectBad(() => b.loadStateDict({ state: {}, paramGroups: [{ params: [0], lr: -1 }] }), 'lr');
  });
});

describe('NAdam and RAdam take maximize (torch ≥ 2.1)', () => {
  for (const [name, mk] of [
    ['NAdam', (ps: Tensor[], o: object) => new optim.NAdam(ps, o)],
    ['RAdam', (ps: Tensor[], o: object) => new optim.RAdam(ps, o)],
  ] as const) {
    it(`${name}({ maximize: true }) on g = minimizing on −g`, () => {
      const a = param(5), b = d.keep(a.detach().clone());
      b.requiresGrad = true;
      const up = mk([a], { maximize: true, weightDecay: 0.1 }), down = mk([b], { weightDecay: 0.1 });
      for (let s = 0; s < 8; s++) {
        const g = d.randn([5], { dtype: 'f64' });
        a.grad?.dispose(); b.grad?.dispose();
        a.grad = d.keep(g.clone());
        b.grad = d.keep(g.neg());
        g.dispose();
        up.step(); down.step();
      }
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    });
  }
});

describe('malformed param groups and flags are DescentErrors', () => {
  it("addParamGroup with a non-iterable 'params' is a DescentError", () => {
    const o = new optim.SGD([param(2)]);
    expectError(() => o.addParamGroup({ params: 5 as never }), 'BAD_ARGUMENT', "'params'");
    expectError(() => o.addParamGroup({ params: null as never }), 'BAD_ARGUMENT', "'params'");
  });
  it("clipGradNorm's errorIfNonfinite must be a boolean", () => {
    const p = param(3);
    p.grad = d.keep(d.ones([3], { dtype: 'f64' }));
    expectError(() => optim.clipGradNorm([p], 1, 2, { errorIfNonfinite: 'yes' as never }), 'BAD_OPTION', 'errorIfNonfinite');
  });
});

describe('an optimizer whose parameters were replaced by Module.to()', () => {
  it('step() fails naming the cause rather than updating nothing', () => {
    const m = new nn.Linear(2, 2);
    const o = new optim.SGD(m.parameters(), { lr: 0.1 });
    m.to('f64');
    m.call(d.ones([1, 2], { dtype: 'f64' })).sum().backward();
    expectError(() => o.step(), 'DISPOSED', 'Module.to()', 'params[0]');
  });
});

describe('initialLr in a param group', () => {
  it('must be a number ≥ 0', () => {
    const o = new optim.SGD([param(2)]);
    expectError(() => o.addParamGroup({ params: [param(2)], initialLr: 'x' }), 'BAD_OPTION', 'initialLr');
    const sd = o.stateDict();
    sd.paramGroups[0].initialLr = -1;
    expectError(() => o.loadStateDict(sd), 'BAD_OPTION', 'initialLr');
  });
});

describe('Shampoo per-group preconditionFrequency', () => {
  it('a group overriding only the frequency starts preconditioning at its own frequency, as a separate Shampoo does', () => {
    d.manualSeed(2);
    const w = d.randn([4, 3], { dtype: 'f64', device: 'reference' });
    const mkP = (): Tensor => { const p = d.keep(w.clone()); p.requiresGrad = true; return p; };
    const [a0, a1, b1] = [mkP(), mkP(), mkP()];
    const grouped = new optim.Shampoo([{ params: [a0] }, { params: [a1], preconditionFrequency: 3 }]);
    const alone = new optim.Shampoo([b1], { preconditionFrequency: 3 });
    expect(grouped.paramGroups[1].startPreconditioningStep).toBe(3);
    expect(grouped.paramGroups[0].startPreconditioningStep).toBe(1);
    for (let s = 0; s < 4; s++) {
      const g = d.randn([4, 3], { dtype: 'f64', device: 'reference' });
      for (const p of [a0, a1, b1]) { p.grad?.dispose(); p.grad = d.keep(g.clone()); }
      grouped.step(); alone.step();
    }
    expect(Array.from(a1.dataSync())).toEqual(Array.from(b1.dataSync()));
  });
});

describe('small option checks', () => {
  it('norm eps must be finite', () => {
    expectError(() => new nn.LayerNorm(3, { eps: Infinity }), 'BAD_OPTION', 'eps');
    expectError(() => new nn.BatchNorm1d(3, { eps: Infinity }), 'BAD_OPTION', 'eps');
    expectError(() => new nn.BatchNorm2d(3, { eps: '1e-5' as never }), 'BAD_OPTION', 'eps');
  });
  it('optimizer options given as an array are an error, not "all defaults"', () => {
    expectError(() => new optim.Adam([param(2)], [1e-3] as never), 'BAD_OPTION', 'array');
  });
});

