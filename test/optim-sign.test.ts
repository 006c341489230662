// Lion, SignSGD and Signum against plain-JS transcriptions of their papers' update rules (f64,
// 20 steps on the fixture quadratic), NaN handling, and option validation.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import { loadFixture, lossAndGrad, makeParams, setGrads } from './optim-problems.js';

const fx = loadFixture('sgd');
const c = fx.cases.find((x) => x.problem === 'quadratic' && x.dtype === 'float64')!;
const sgn = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : x);

/** Runs `opt` for 20 steps and a JS update `ref(x, g, k)` side by side. */
function compare(make: (ps: d.Tensor[]) => optim.Optimizer, ref: (x: Float64Array, g: Float64Array) => void): void {
  const ps = makeParams(c, fx.problems);
  const opt = make(ps);
  const x = Float64Array.from(fx.problems.quadratic.x0);
  for (let k = 0; k < 20; k++) {
    setGrads(ps, fx.problems, c);
    opt.step();
    ref(x, lossAndGrad(fx.problems, 'quadratic', [x])[1][0]);
    const got = ps[0].dataSync();
    x.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-14));
  }
}

describe('sign-based optimizers', () => {
  it('Lion = paper update with decoupled decay', () => {
    const lr = 0.01, b1 = 0.9, b2 = 0.99, wd = 0.1;
    const m = new Float64Array(6);
    compare((ps) => new optim.Lion(ps, { lr, betas: [b1, b2], weightDecay: wd }), (x, g) => {
      for (let i = 0; i < 6; i++) {
        const cc = b1 * m[i] + (1 - b1) * g[i];
        x[i] = x[i] - lr * wd * x[i] - lr * sgn(cc);
        m[i] = b2 * m[i] + (1 - b2) * g[i];
      }
    });
  });

  it('SignSGD = θ − lr·sign(g)', () => {
    compare((ps) => new optim.SignSGD(ps, { lr: 0.02 }), (x, g) => {
      for (let i = 0; i < 6; i++) x[i] -= 0.02 * sgn(g[i]);
    });
  });

  it('Signum = sign of the zero-started EMA', () => {
    const m = new Float64Array(6);
    compare((ps) => new optim.Signum(ps, { lr: 0.02, momentum: 0.8 }), (x, g) => {
      for (let i = 0; i < 6; i++) {
        m[i] = 0.8 * m[i] + 0.2 * g[i];
        x[i] -= 0.02 * sgn(m[i]);
      }
    });
  });

  it('a NaN gradient gives a NaN step, not a silent zero', () => {
    const p = d.tensor([1, 2], { dtype: 'f64', requiresGrad: true });
    const opt = new optim.Lion([p], { lr: 0.1 });
    p.grad = d.tensor([NaN, 1], { dtype: 'f64' });
    opt.step();
    const v = p.dataSync();
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v[1]).toBeCloseTo(1.9, 15);
  });

  it('bad options name themselves', () => {
    const p = d.tensor([1, 2], { dtype: 'f64', requiresGrad: true });
    expect(() => new optim.Lion([p], { betas: [0.9, 1] })).toThrow(/betas\[1\]/);
    expect(() => new optim.Signum([p], { momentum: 2 })).toThrow(/momentum/);
    expect(() => new optim.SignSGD([p], { lr: -1 })).toThrow(/lr/);
  });
});
