// Learning-rate schedulers against PyTorch 1.13 (test/fixtures/optim_sched.json, 30 steps each),
// state round trips, and option validation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DescentError } from '../ts/errors.js';
import * as S from '../ts/optim/lr-scheduler/index.js';
import type { SchedulableOptimizer } from '../ts/optim/lr-scheduler/index.js';

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
