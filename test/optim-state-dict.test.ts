// Optimizer state dicts: loadStateDict checks what it loads against the parameters (shapes,
// keys, options, dtypes) and fails naming the entry with nothing changed; every optimizer
// reloads the state its own step() creates.

import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import type { Tensor } from '../ts/tensor.js';
import { expectError } from './helpers/expect-error.js';
import { param, stepOnce } from './optim-problems.js';

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

describe('loadStateDict validates every value before writing any', () => {
  const trained = (): optim.Adam => {
    const opt = new optim.Adam([d.tensor([1, 2, 3], { dtype: 'f64', requiresGrad: true })], { lr: 0.1 });
    opt.paramGroups[0].params[0].grad = d.tensor([1, -1, 2], { dtype: 'f64' });
    opt.step();
    return opt;
  };
  const withState = (edit: (s: Record<string, unknown>) => void): optim.OptimizerStateDict => {
    const sd = JSON.parse(JSON.stringify(trained().stateDict())) as optim.OptimizerStateDict;
    edit((sd.state as Record<string, Record<string, Record<string, unknown>>>)['0']['2']); // chain link 2: scaleByAdam
    return sd;
  };
  it.each([['abc'], [''], [null], [true], [{}]])('tensor data %j is rejected (it was loaded as NaN, 0, 0, 1, NaN)', (bad) => {
    const opt = trained();
    const before = JSON.stringify(opt.stateDict());
    const sd = withState((s) => { (s.v as { tensor: { data: unknown[] } }).tensor.data[1] = bad; });
    const live = d.memory().reference.tensors;
    expectError(() => opt.loadStateDict(sd), 'BAD_ARGUMENT', 'data[1]');
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    expect(d.memory().reference.tensors).toBe(live);
  });
  it.each([[-1], [NaN], [1.5]])('step %s is rejected', (step) => {
    const opt = trained();
    const before = JSON.stringify(opt.stateDict());
    expectError(() => opt.loadStateDict(withState((s) => { s.step = step; })), 'BAD_ARGUMENT', 'step');
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });
  it('the spelled non-finite values still load', () => {
    const opt = trained();
    opt.loadStateDict(withState((s) => { (s.m as { tensor: { data: unknown[] } }).tensor.data = ['NaN', 'Infinity', '-Infinity']; }));
    const m = (opt.stateDict().state['0'] as Record<string, unknown>)['2'] as { m: { tensor: { data: unknown[] } } };
    expect(m.m.tensor.data).toEqual(['NaN', 'Infinity', '-Infinity']);
  });
});
