// Learning-rate schedulers against PyTorch 1.13 (test/fixtures/optim_sched.json, 30 steps each),
// state round trips, and option validation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DescentError } from '../ts/errors.js';
import * as S from '../ts/optim/lr-scheduler/index.js';
import type { SchedulableOptimizer } from '../ts/optim/lr-scheduler/index.js';
import * as optim from '../ts/optim/index.js';
import { expectError } from './helpers/expect-error.js';
import { param } from './optim-problems.js';

interface Case { kind: string; args: Record<string, unknown>; lrs: number[][]; moms?: number[][]; metrics?: number[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/optim_sched.json', import.meta.url), 'utf8')) as
  { groups: number[]; momentum: number; cases: Case[] };

const LAMBDAS: Record<string, S.LrLambda> = { pow095: (e) => 0.95 ** e, inv: (e) => 1 / (1 + 0.1 * e) };

function makeOpt(kind = 'SGD'): SchedulableOptimizer {
  return { paramGroups: fx.groups.map((lr) => (kind === 'Adam' ? { lr, betas: [0.9, 0.999] } : { lr, momentum: fx.momentum })) };
}

function build(opt: SchedulableOptimizer, kind: string, args: Record<string, unknown>): S.LRScheduler | S.ReduceLROnPlateau {
  const a: Record<string, unknown> = { ...args };
  delete a.optimizer;
  switch (kind) {
    case 'StepLR': return new S.StepLR(opt, a as never);
    case 'MultiStepLR': return new S.MultiStepLR(opt, a as never);
    case 'ExponentialLR': return new S.ExponentialLR(opt, a as never);
    case 'CosineAnnealingLR': return new S.CosineAnnealingLR(opt, a as never);
    case 'CosineAnnealingWarmRestarts': return new S.CosineAnnealingWarmRestarts(opt, a as never);
    case 'LinearLR': return new S.LinearLR(opt, a as never);
    case 'ConstantLR': return new S.ConstantLR(opt, a as never);
    case 'PolynomialLR': return new S.PolynomialLR(opt, a as never);
    case 'OneCycleLR': return new S.OneCycleLR(opt, a as never);
    case 'ReduceLROnPlateau': return new S.ReduceLROnPlateau(opt, a as never);
    case 'LambdaLR': {
      const f = a.lrLambda;
      return new S.LambdaLR(opt, { lrLambda: Array.isArray(f) ? f.map((n: string) => LAMBDAS[n]) : LAMBDAS[f as string] });
    }
    case 'SequentialLR': {
      const children = (a.schedulers as [string, Record<string, unknown>][]).map(([k, o]) => build(opt, k, o) as S.LRScheduler);
      return new S.SequentialLR(opt, { schedulers: children, milestones: a.milestones as number[] });
    }
    default: throw new Error(`fixture names an unknown scheduler ${kind}`);
  }
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(b), 1e-300) || a === b;

function momsOf(opt: SchedulableOptimizer): number[] {
  return opt.paramGroups.map((g) => (g.betas ? g.betas[0] : (g.momentum as number)));
}

describe('lr schedulers match PyTorch for 30 steps', () => {
  for (const c of fx.cases) {
    it(`${c.kind} ${JSON.stringify(c.args)}`, () => {
      const opt = makeOpt(c.args.optimizer as string | undefined);
      const s = build(opt, c.kind, c.args);
      const got: number[][] = [s.getLastLr()];
      const moms: number[][] = [momsOf(opt)];
      for (let k = 0; k < c.lrs.length - 1; k++) {
        if (s instanceof S.ReduceLROnPlateau) s.step((c.metrics as number[])[k]);
        else s.step();
        got.push(s.getLastLr());
        moms.push(momsOf(opt));
      }
      got.forEach((row, k) => row.forEach((v, i) => {
        if (!close(v, c.lrs[k][i])) expect.fail(`step ${k} group ${i}: got ${v}, torch ${c.lrs[k][i]}`);
      }));
      if (c.moms) moms.forEach((row, k) => row.forEach((v, i) => expect(v).toBeCloseTo(c.moms![k][i], 14)));
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(got[got.length - 1]);
    });
  }
});

describe('scheduler state round trip resumes bit-identically', () => {
  it('SequentialLR.loadStateDict with a bad child state changes neither itself nor any child', () => {
    const o = makeOpt();
    const seq = (): S.SequentialLR => new S.SequentialLR(o, {
      schedulers: [new S.LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new S.StepLR(o, { stepSize: 2 })], milestones: [3] });
    const a = seq();
    for (let k = 0; k < 5; k++) a.step();
    const saved = a.stateDict() as { schedulers: Record<string, unknown>[] };
    const b = seq();
    const before = JSON.stringify(b.stateDict());
    saved.schedulers[1].gamma = 'x';
    expect(() => b.loadStateDict(saved)).toThrow(/'gamma' expected a number/);
    expect(JSON.stringify(b.stateDict())).toBe(before);
  });

  for (const c of fx.cases.filter((x) => x.kind !== 'LambdaLR')) {
    it(`${c.kind} ${JSON.stringify(c.args)}`, () => {
      const metric = (k: number): number => (c.metrics ?? [])[k] ?? 0;
      const stepOf = (s: S.LRScheduler | S.ReduceLROnPlateau, k: number): void => {
        if (s instanceof S.ReduceLROnPlateau) s.step(metric(k)); else s.step();
      };
      const o1 = makeOpt(c.args.optimizer as string | undefined);
      const s1 = build(o1, c.kind, c.args);
      for (let k = 0; k < 12; k++) stepOf(s1, k);
      const saved = JSON.parse(JSON.stringify(s1.stateDict())) as S.SchedulerState;
      const groups = JSON.parse(JSON.stringify(o1.paramGroups)) as SchedulableOptimizer['paramGroups'];
      const o2 = makeOpt(c.args.optimizer as string | undefined);
      const s2 = build(o2, c.kind, c.args);
      o2.paramGroups = groups; // the optimizer's own stateDict carries the groups
      s2.loadStateDict(saved);
      for (let k = 12; k < 30; k++) {
        stepOf(s1, k);
        stepOf(s2, k);
        expect(s2.getLastLr()).toEqual(s1.getLastLr());
      }
    });
  }
});

describe('scheduler option validation', () => {
  const bad: [string, () => unknown, string][] = [
    ['StepLR stepSize 0', () => new S.StepLR(makeOpt(), { stepSize: 0 }), 'stepSize'],
    ['StepLR unknown option', () => new S.StepLR(makeOpt(), { stepSize: 2, step_size: 3 } as never), 'step_size'],
    ['MultiStepLR milestones', () => new S.MultiStepLR(makeOpt(), { milestones: [1.5] }), 'milestones[0]'],
    ['ExponentialLR missing gamma', () => new S.ExponentialLR(makeOpt(), {} as never), 'gamma'],
    ['LinearLR startFactor', () => new S.LinearLR(makeOpt(), { startFactor: 1.5 }), 'startFactor'],
    ['ConstantLR factor', () => new S.ConstantLR(makeOpt(), { factor: -1 }), 'factor'],
    ['CosineAnnealingLR TMax', () => new S.CosineAnnealingLR(makeOpt(), { TMax: 0 }), 'TMax'],
    ['WarmRestarts TMult', () => new S.CosineAnnealingWarmRestarts(makeOpt(), { T0: 3, TMult: 0 }), 'TMult'],
    ['OneCycleLR no total', () => new S.OneCycleLR(makeOpt(), { maxLr: 1 }), 'totalSteps'],
    ['OneCycleLR maxLr list', () => new S.OneCycleLR(makeOpt(), { maxLr: [1], totalSteps: 5 }), 'maxLr'],
    ['OneCycleLR anneal', () => new S.OneCycleLR(makeOpt(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as never }), 'annealStrategy'],
    ['OneCycleLR without momentum', () => new S.OneCycleLR({ paramGroups: [{ lr: 1 }] }, { maxLr: 1, totalSteps: 5 }), 'cycleMomentum'],
    ['Plateau factor', () => new S.ReduceLROnPlateau(makeOpt(), { factor: 1 }), 'factor'],
    ['Plateau mode', () => new S.ReduceLROnPlateau(makeOpt(), { mode: 'up' as never }), 'mode'],
    ['LambdaLR count', () => new S.LambdaLR(makeOpt(), { lrLambda: [LAMBDAS.inv] }), 'lrLambda'],
    ['SequentialLR milestones', () => {
      const o = makeOpt();
      return new S.SequentialLR(o, { schedulers: [new S.StepLR(o, { stepSize: 2 })], milestones: [3] });
    }, 'milestones'],
    ['no optimizer', () => new S.StepLR({} as never, { stepSize: 2 }), 'optimizer'],
  ];
  it('a constructor that rejects its options leaves initialLr unwritten (a later scheduler starts from the current lr)', () => {
    const opt: SchedulableOptimizer = { paramGroups: [{ lr: 0.1 }] };
    expect(() => new S.StepLR(opt, { stepSize: 0 })).toThrow(DescentError);
    expect(opt.paramGroups[0].initialLr).toBeUndefined();
    opt.paramGroups[0].lr = 0.01;
    new S.LambdaLR(opt, { lrLambda: () => 1 });
    expect(opt.paramGroups[0].lr).toBe(0.01); // before: the stale 0.1 written by the failed StepLR
  });
  it.each(Object.entries({
    StepLR: (o: SchedulableOptimizer) => new S.StepLR(o, { stepSize: 0 }),
    OneCycleLR: (o: SchedulableOptimizer) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as never }),
    CosineAnnealingWarmRestarts: (o: SchedulableOptimizer) => new S.CosineAnnealingWarmRestarts(o, { T0: 3, TMult: 0 }),
    LinearLR: (o: SchedulableOptimizer) => new S.LinearLR(o, { startFactor: 1.5 }),
  }))('a rejected %s changes no param group', (_name, make) => {
    const opt = makeOpt();
    const before = JSON.stringify(opt.paramGroups);
    expect(() => make(opt)).toThrow(DescentError);
    expect(JSON.stringify(opt.paramGroups)).toBe(before);
  });
  for (const [name, f, word] of bad) {
    it(name, () => {
      try {
        f();
        expect.fail('expected a DescentError');
      } catch (e) {
        expect(e).toBeInstanceOf(DescentError);
        expect((e as Error).message).toContain(word);
      }
    });
  }

  it('OneCycleLR refuses to step past totalSteps without changing the lr', () => {
    const o = makeOpt();
    const s = new S.OneCycleLR(o, { maxLr: 1, totalSteps: 3 });
    for (let k = 0; k < 3; k++) s.step();
    const before = s.getLastLr();
    expect(() => s.step()).toThrow(DescentError);
    expect(s.getLastLr()).toEqual(before);
    expect(o.paramGroups.map((g) => g.lr)).toEqual(before);
  });

  it('SequentialLR.stepTo lands where stepping lands', () => {
    const mk = (): [SchedulableOptimizer, S.SequentialLR] => {
      const o = makeOpt();
      return [o, new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o, { factor: 0.5, totalIters: 3 }),
        new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [4] })];
    };
    const [, a] = mk();
    for (let k = 0; k < 9; k++) a.step();
    const [, b] = mk();
    b.stepTo(9);
    b.getLastLr().forEach((v, i) => expect(v).toBeCloseTo(a.getLastLr()[i], 14));
  });
});

describe('schedulers on real optimizers', () => {
  it('OneCycleLR drives SGD (momentum) and Adam (beta1) groups exactly as on the fixture', async () => {
    const d = await import('../ts/index.js');
    const optim = await import('../ts/optim/index.js');
    for (const c of fx.cases.filter((x) => x.kind === 'OneCycleLR')) {
      const ps = fx.groups.map(() => d.zeros([2], { dtype: 'f64', requiresGrad: true }));
      const groups = fx.groups.map((lr, i) => ({ params: [ps[i]], lr }));
      const opt = c.args.optimizer === 'Adam' ? new optim.Adam(groups, { betas: [0.9, 0.999] }) : new optim.SGD(groups, { momentum: fx.momentum });
      const s = build(opt as unknown as SchedulableOptimizer, c.kind, c.args) as S.LRScheduler;
      for (let k = 1; k < c.lrs.length; k++) {
        ps.forEach((p) => { p.grad = d.onesLike(p); });
        opt.step();
        s.step();
        s.getLastLr().forEach((v, i) => expect(close(v, c.lrs[k][i])).toBe(true));
        momsOf(opt as unknown as SchedulableOptimizer).forEach((v, i) => expect(v).toBeCloseTo(c.moms![k][i], 14));
      }
    }
  });
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
    it(`${name}: stepping after a new param group fails with a DescentError, the new group's lr untouched`, () => {
      const o = new optim.SGD([param(2)], { lr: 1, momentum: 0.9 });
      const s = mk(o);
      o.addParamGroup({ params: [param(2)], lr: 2 });
      expectError(() => { for (let i = 0; i < 3; i++) s.step(); }, 'BAD_ARGUMENT', '2 param groups', 'built for 1');
      for (const g of o.paramGroups) expect(Number.isFinite(g.lr)).toBe(true);
    });
  }
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
