// A PyTorch user's review of the nn/optim API: state dicts that do not fit fail at load (not at the
// next step), option values are checked and used, schedulers behave as torch's (test/optim-training.test.ts has the training-loop checks).
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import type { Tensor } from '../ts/tensor.js';
import * as optim from '../ts/optim/index.js';
import * as nn from '../ts/nn/index.js';
import { DescentError } from '../ts/errors.js';

function expectError(f: () => unknown, code: string, ...words: string[]): void {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err, `expected a DescentError mentioning ${words.join(', ')}`).toBeInstanceOf(DescentError);
  expect((err as DescentError).code).toBe(code);
  for (const w of words) expect((err as Error).message).toContain(w);
}

const param = (n: number, dtype: 'f32' | 'f64' = 'f64'): Tensor => {
  const p = d.randn([n], { dtype });
  p.requiresGrad = true;
  return p;
};
const stepOnce = (o: optim.Optimizer, ps: Tensor[]): void => {
  for (const p of ps) {
    p.grad?.dispose();
    p.grad = d.keep(d.onesLike(p));
  }
  o.step();
};

describe('Optimizer.loadStateDict checks the state against the parameters', () => {
  for (const dtype of ['f32', 'f64'] as const) {
    it(`Adam (${dtype}): a state of another shape fails at load naming the entry, and nothing changes`, () => {
      const a = param(3, dtype), b = param(4, dtype);
      const src = new optim.Adam([a]);
      stepOnce(src, [a]);
      const dst = new optim.Adam([b], { lr: 0.5 });
      stepOnce(dst, [b]);
      const before = dst.stateDict();
      const live = d.memory().reference.tensors;
      expectError(() => dst.loadStateDict(src.stateDict()), 'BAD_ARGUMENT', 'state[0]', '[3]', '[4]');
      expect(d.memory().reference.tensors).toBe(live);
      expect(dst.stateDict()).toEqual(before);
      expect(dst.paramGroups[0].lr).toBe(0.5);
    });
  }

  it('SGD momentum buffer (created lazily) of another shape fails at load', () => {
    const a = param(3), b = param(5);
    const src = new optim.SGD([a], { momentum: 0.9 });
    stepOnce(src, [a]);
    expectError(() => new optim.SGD([b], { momentum: 0.9 }).loadStateDict(src.stateDict()), 'BAD_ARGUMENT', 'buf', '[5]');
  });

  it('a state dict of another optimizer fails at load naming the keys', () => {
    const a = param(3), b = param(3);
    const adam = new optim.Adam([a]);
    stepOnce(adam, [a]);
    expectError(() => new optim.SGD([b], { momentum: 0.9 }).loadStateDict(adam.stateDict() as never), 'BAD_ARGUMENT', 'betas');
    const sgd = new optim.SGD([b], { momentum: 0.9 });
    stepOnce(sgd, [b]);
    const sd = sgd.stateDict();
    sd.paramGroups[0] = { ...sd.paramGroups[0], lr: 1e-3 };
    const { momentum: _m, dampening: _d, nesterov: _n, ...groupOpts } = sd.paramGroups[0];
    expectError(() => new optim.Adam([a]).loadStateDict({ ...sd, paramGroups: [groupOpts] }), 'BAD_ARGUMENT', 'missing', 'unexpected');
  });

  it('a group option this optimizer does not have is an error, not silently dropped', () => {
    const o = new optim.Adam([param(3)]);
    const sd = o.stateDict();
    sd.paramGroups[0].momentum = 0.9;
    expectError(() => o.loadStateDict(sd), 'BAD_ARGUMENT', "'momentum'");
  });

  it('floating state of another dtype is cast to the parameter dtype (as torch), and steps match', () => {
    const a = param(4, 'f64');
    const src = new optim.Adam([a]);
    stepOnce(src, [a]);
    const b = d.keep(a.detach().to('f32'));
    b.requiresGrad = true;
    const dst = new optim.Adam([b]);
    dst.loadStateDict(src.stateDict());
    const m = (dst.state.get(b) as Record<string, Record<string, Tensor>>)['2'].m;
    expect(m.dtype).toBe('f32');
    stepOnce(src, [a]);
    stepOnce(dst, [b]);
    const want = Array.from(a.dataSync());
    Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });
});

describe('every optimizer reloads its own state (the load-time check accepts what step() creates)', () => {
  const makers: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['SGD', (p) => new optim.SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true })],
    ['Adam', (p) => new optim.Adam(p)],
    ['AdamW amsgrad', (p) => new optim.AdamW(p, { amsgrad: true })],
    ['RMSprop', (p) => new optim.RMSprop(p, { centered: true, momentum: 0.9 })],
    ['Adagrad', (p) => new optim.Adagrad(p)],
    ['Adadelta', (p) => new optim.Adadelta(p)],
    ['NAdam', (p) => new optim.NAdam(p)],
    ['RAdam', (p) => new optim.RAdam(p)],
    ['Adamax', (p) => new optim.Adamax(p)],
    ['Lion', (p) => new optim.Lion(p)],
    ['Muon', (p) => new optim.Muon(p)],
    ['Shampoo', (p) => new optim.Shampoo(p, { grafting: 'adam' })],
  ];
  for (const dtype of ['f32', 'f64'] as const) {
    for (const [name, mk] of makers) {
      it(`${name} ${dtype}`, () => {
        const ps = [d.randn([3, 4], { dtype }), d.randn([3, 4], { dtype })].map((p) => { p.requiresGrad = true; return p; });
        const o = mk(ps);
        stepOnce(o, ps);
        const sd = JSON.parse(JSON.stringify(o.stateDict())) as optim.OptimizerStateDict;
        const o2 = mk(ps);
        o2.loadStateDict(sd);
        expect(o2.stateDict()).toEqual(o.stateDict());
      });
    }
  }
});

describe('schedulers and param groups added after them', () => {
  const { lrScheduler } = optim;
  const build: [string, (o: optim.Optimizer) => { step: (m?: number) => void }][] = [
    ['LambdaLR', (o) => new lrScheduler.LambdaLR(o, { lrLambda: (e: number) => 0.5 ** e })],
    ['CosineAnnealingLR', (o) => new lrScheduler.CosineAnnealingLR(o, { TMax: 10 })],
    ['OneCycleLR', (o) => new lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 10 })],
    ['StepLR', (o) => new lrScheduler.StepLR(o, { stepSize: 1 })],
    ['ReduceLROnPlateau', (o) => { const s = new lrScheduler.ReduceLROnPlateau(o, { patience: 0 }); return { step: () => s.step(1) }; }],
  ];
  for (const [name, mk] of build) {
    it(`${name}: stepping fails with a clear error instead of writing NaN/undefined into the new group's lr`, () => {
      const o = new optim.SGD([param(2)], { lr: 1, momentum: 0.9 });
      const s = mk(o);
      o.addParamGroup({ params: [param(2)], lr: 2 });
      expectError(() => { for (let i = 0; i < 3; i++) s.step(); }, 'BAD_ARGUMENT', '2 param groups', 'built for 1');
      for (const g of o.paramGroups) expect(Number.isFinite(g.lr)).toBe(true);
    });
  }
});

describe('pool layers check their options where they are built', () => {
  const cases: [string, () => unknown, string][] = [
    ['MaxPool2d padding -1', () => new nn.MaxPool2d(2, { padding: -1 }), 'padding'],
    ['MaxPool2d padding over half the kernel', () => new nn.MaxPool2d(2, { padding: 2 }), 'padding'],
    ['MaxPool2d stride 0', () => new nn.MaxPool2d(2, { stride: 0 }), 'stride'],
    ['MaxPool2d dilation 0', () => new nn.MaxPool2d(2, { dilation: 0 }), 'dilation'],
    ['MaxPool2d ceilMode string', () => new nn.MaxPool2d(2, { ceilMode: 'yes' as never }), 'ceilMode'],
    ['AvgPool2d padding -1', () => new nn.AvgPool2d(2, { padding: -1 }), 'padding'],
    ['AvgPool2d divisorOverride 0', () => new nn.AvgPool2d(2, { divisorOverride: 0 }), 'divisorOverride'],
    ['AvgPool2d countIncludePad string', () => new nn.AvgPool2d(2, { countIncludePad: 'no' as never }), 'countIncludePad'],
  ];
  for (const [name, f, word] of cases) it(name, () => expectError(f, word === 'divisorOverride' ? 'BAD_ARGUMENT' : 'BAD_OPTION', word));

  it("avgPool2d's countIncludePad must be a boolean (a truthy string used to mean true)", () => {
    expectError(() => nn.functional.avgPool2d(d.ones([1, 1, 3, 3]), 3, { padding: 1, countIncludePad: 'no' as never }), 'BAD_OPTION', 'countIncludePad');
  });
});

describe('attention call options are checked, not silently ignored', () => {
  it('TransformerBlock.call rejects an unknown option (a typo used to leave the block causal)', () => {
    const block = new nn.TransformerBlock(4, 2);
    expectError(() => block.call(d.randn([1, 3, 4]), { causal: false } as never), 'BAD_OPTION', "'causal'");
    expectError(() => block.call(d.randn([1, 3, 4]), { isCausal: 'no' as never }), 'BAD_OPTION', 'isCausal');
  });
  it('MultiheadAttention flags must be booleans', () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const x = d.randn([3, 1, 4]);
    for (const k of ['needWeights', 'averageAttnWeights', 'isCausal']) {
      expectError(() => mha.call(x, x, x, { [k]: 'no' } as never), 'BAD_OPTION', k);
    }
    expect(mha.call(x, x, x, { needWeights: false })[1]).toBeNull();
  });
});

describe('zeroGrad and loadStateDict flags', () => {
  it('Module.zeroGrad({ setToNone: false }) zero-fills (it used to ignore the option and drop the grads)', () => {
    const m = new nn.Linear(2, 3);
    m.call(d.ones([1, 2])).sum().backward();
    const live = d.memory().reference.tensors;
    m.zeroGrad({ setToNone: false });
    expect(d.memory().reference.tensors).toBe(live);
    for (const p of m.parameters()) expect(Array.from(p.grad!.dataSync()).every((v) => v === 0)).toBe(true);
    m.zeroGrad();
    for (const p of m.parameters()) expect(p.grad).toBeNull();
    expectError(() => m.zeroGrad({ setToNon: true } as never), 'BAD_OPTION', 'setToNon');
  });
  it('setToNone and strict must be booleans (a truthy string used to pass)', () => {
    const m = new nn.Linear(2, 2);
    const o = new optim.SGD(m.parameters());
    expectError(() => o.zeroGrad({ setToNone: 'no' as never }), 'BAD_OPTION', 'setToNone');
    expectError(() => m.zeroGrad({ setToNone: 'no' as never }), 'BAD_OPTION', 'setToNone');
    expectError(() => m.loadStateDict({ weight: d.zeros([2, 2]) }, { strict: 'no' as never }), 'BAD_OPTION', 'strict');
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

describe('bad arguments that used to escape as raw TypeErrors or pass as truthy', () => {
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

describe('stacked schedulers and a manual lr change follow torch 1.13', () => {
  // torch 1.13: SGD groups lr 0.1/0.05; ExponentialLR(0.9), StepLR(3, 0.5), CosineAnnealingLR(8, 0.001)
  // all stepped each epoch; after epoch 5 every group's lr is set to 0.3 by hand.
  const TORCH = [[0.1, 0.05], [0.08661263919675227, 0.04332534971524831], [0.06928089406702932, 0.034711981748001726], [0.025441594404129093, 0.012841891626702205], [0.016836911364635696, 0.008635661364635693], [0.009737017332236201, 0.00518052658195197], [0.3, 0.3], [0.07091082223554503, 0.07091082223554503], [0.001, 0.001], [0.004217963140691307, 0.002314951453473475], [0.011758976254450888, 0.005168878831148201], [0.021197781398282104, 0.008697120903675162], [0.014832451738565743, 0.005719951738565732], [0.01807504331987758, 0.0067353108201933685], [0.01984980952847263, 0.007249440988187054], [0.009939692384746748, 0.0035495144932634233], [0.009260104660399737, 0.00328139341039973], [0.0080549568550193, 0.0028789127629178088], [0.0033289895777312644, 0.001262214127910924], [0.00261674797390069, 0.0011101482790595212], [0.001980031397492598, 0.0009993732847113465]];
  it('matches to 1e-12 for 20 epochs', () => {
    const o = new optim.SGD([{ params: [param(2)], lr: 0.1 }, { params: [param(2)], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
    const L = optim.lrScheduler;
    const scheds = [new L.ExponentialLR(o, { gamma: 0.9 }), new L.StepLR(o, { stepSize: 3, gamma: 0.5 }),
      new L.CosineAnnealingLR(o, { TMax: 8, etaMin: 0.001 })];
    const got = [o.paramGroups.map((g) => g.lr)];
    for (let e = 0; e < 20; e++) {
      for (const s of scheds) s.step();
      if (e === 5) for (const g of o.paramGroups) g.lr = 0.3;
      got.push(o.paramGroups.map((g) => g.lr));
    }
    TORCH.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(got[i][j] - v) / v).toBeLessThan(1e-12)));
  });
});

describe('an optimizer whose parameters were replaced', () => {
  it('step() after Module.to() fails naming the cause, instead of silently updating nothing', () => {
    const m = new nn.Linear(2, 2);
    const o = new optim.SGD(m.parameters(), { lr: 0.1 });
    m.to('f64');
    m.call(d.ones([1, 2], { dtype: 'f64' })).sum().backward();
    expectError(() => o.step(), 'DISPOSED', 'Module.to()', 'params[0]');
  });
});

describe('scheduler loadStateDict checks what it loads', () => {
  const { lrScheduler } = optim;
  it('a state saved for another number of param groups fails at load (not as NaN lrs later)', () => {
    const one = new optim.SGD([param(2)], { lr: 1 });
    const two = new optim.SGD([{ params: [param(2)] }, { params: [param(2)] }], { lr: 1 });
    const saved = new lrScheduler.CosineAnnealingLR(one, { TMax: 10 }).stateDict();
    const s = new lrScheduler.CosineAnnealingLR(two, { TMax: 10 });
    expectError(() => s.loadStateDict(saved), 'BAD_ARGUMENT', 'baseLrs', '2 param groups');
    s.step();
    for (const g of two.paramGroups) expect(Number.isFinite(g.lr)).toBe(true);
    const p = new lrScheduler.ReduceLROnPlateau(two);
    expectError(() => p.loadStateDict(new lrScheduler.ReduceLROnPlateau(one).stateDict()), 'BAD_ARGUMENT', 'minLrs');
  });
  it('a value of the wrong kind fails and nothing is loaded', () => {
    const o = new optim.SGD([param(2)], { lr: 1 });
    const s = new lrScheduler.StepLR(o, { stepSize: 2 });
    expectError(() => s.loadStateDict({ lastEpoch: 5, stepSize: '3' }), 'BAD_ARGUMENT', 'stepSize');
    expect(s.lastEpoch).toBe(0);
  });
});

describe('initialLr in a param group', () => {
  it('must be a number ≥ 0 (it was stored unchecked)', () => {
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
  it('norm eps must be finite (Infinity used to pass and flatten every output)', () => {
    expectError(() => new nn.LayerNorm(3, { eps: Infinity }), 'BAD_OPTION', 'eps');
    expectError(() => new nn.BatchNorm1d(3, { eps: Infinity }), 'BAD_OPTION', 'eps');
    expectError(() => new nn.BatchNorm2d(3, { eps: '1e-5' as never }), 'BAD_OPTION', 'eps');
  });
  it('optimizer options given as an array are an error (they used to mean "all defaults")', () => {
    expectError(() => new optim.Adam([param(2)], [1e-3] as never), 'BAD_OPTION', 'array');
  });
});

describe('train()/eval() reach Dropout and BatchNorm nested in Sequentials', () => {
  it('eval: deterministic output and frozen running stats; train: stats update again', () => {
    const bn = new nn.BatchNorm1d(4, { dtype: 'f64', device: 'reference' });
    const drop = new nn.Dropout(0.5);
    const model = new nn.Sequential(new nn.Linear(4, 4, { dtype: 'f64', device: 'reference' }), new nn.Sequential(new nn.Sequential(drop, bn)));
    const x = d.randn([8, 4], { dtype: 'f64', device: 'reference' });
    model.eval();
    expect([drop.training, bn.training]).toEqual([false, false]);
    const y1 = Array.from(model.call(x).dataSync()), y2 = Array.from(model.call(x).dataSync());
    expect(y1).toEqual(y2);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    model.train();
    model.call(x);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    expect(Array.from(bn.runningMean!.dataSync()).some((v) => v !== 0)).toBe(true);
  });
});
