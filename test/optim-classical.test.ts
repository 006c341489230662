// The course's methods: lecture-form momentum (and its equivalence with torch's forms), projected
// and proximal gradient (the lasso against an exactly solved small problem), FISTA, zeroth-order
// estimators, block-coordinate descent, SVRG, and the gradient-quantizer hook; convergence to the
// known minima of Rosenbrock, Beale and ill-conditioned quadratics.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import type { Tensor } from '../ts/tensor.js';
import { loadFixture, makeParams, setGrads } from './optim-problems.js';

const f64 = (v: number[] | Float64Array, shape?: number[]): Tensor =>
  d.tensor(Float64Array.from(v), { shape: shape ?? [v.length], device: 'reference', requiresGrad: true });
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const setGrad = (p: Tensor, g: number[]): void => { p.grad?.dispose(); p.grad = d.tensor(Float64Array.from(g), { device: 'reference', shape: [...p.shape] }); };

/** Runs `steps` gradient steps of `opt` on `grad(x)` for a single vector parameter. */
function minimize(p: Tensor, opt: optim.Optimizer, grad: (x: number[]) => number[], steps: number): number[] {
  for (let k = 0; k < steps; k++) {
    setGrad(p, grad(vals(p)));
    opt.step();
  }
  return vals(p);
}

const rosenbrock = ([x, y]: number[]): number[] => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const beale = ([x, y]: number[]): number[] => {
  const t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y * y, t3 = 2.625 - x + x * y ** 3;
  return [2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y ** 3 - 1), 2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y * y];
};
/** Diagonal quadratic ½Σλ_i(x_i − 1)² with condition number 1e3; minimum at 1. */
const LAMBDAS = Array.from({ length: 8 }, (_, i) => 10 ** (3 * i / 7));
const illQuad = (x: number[]): number[] => x.map((v, i) => LAMBDAS[i] * (v - 1));
const maxErr = (x: number[], want: number[]): number => Math.max(...x.map((v, i) => Math.abs(v - want[i])));

describe('lecture-form momentum', () => {
  const fx = loadFixture('sgd');
  const c = fx.cases.find((x) => x.problem === 'softmax' && x.dtype === 'float64')!;

  it('HeavyBall(α, β) = SGD(lr α, momentum β) step for step', () => {
    const a = makeParams(c, fx.problems), b = makeParams(c, fx.problems);
    const hb = new optim.HeavyBall(a, { lr: 0.1, momentum: 0.8 });
    const sgd = new optim.SGD(b, { lr: 0.1, momentum: 0.8 });
    for (let k = 0; k < 25; k++) {
      setGrads(a, fx.problems, c); hb.step();
      setGrads(b, fx.problems, c); sgd.step();
      a.forEach((p, i) => expect(maxErr(vals(p), vals(b[i]))).toBeLessThan(1e-13));
    }
  });

  it("NesterovLookahead's look-ahead points = SGD(nesterov)'s parameters; lectureIterate gives w", () => {
    const a = makeParams(c, fx.problems), b = makeParams(c, fx.problems);
    const nl = new optim.NesterovLookahead(a, { lr: 0.1, momentum: 0.8 });
    const sgd = new optim.SGD(b, { lr: 0.1, momentum: 0.8, nesterov: true });
    let wPrev = vals(a[1]);
    for (let k = 0; k < 25; k++) {
      setGrads(a, fx.problems, c); nl.step();
      setGrads(b, fx.problems, c); sgd.step();
      a.forEach((p, i) => expect(maxErr(vals(p), vals(b[i]))).toBeLessThan(1e-13));
      const w = vals(nl.lectureIterate(a[1]));
      // y = w + β(w − w⁻) holds for the parameter
      expect(maxErr(vals(a[1]), w.map((v, i) => v + 0.8 * (v - wPrev[i])))).toBeLessThan(1e-13);
      wPrev = w;
    }
  });

  it('both converge on an ill-conditioned quadratic (κ = 1e3) with the textbook tuning', () => {
    const L = 1e3, mu = 1;
    const hbLr = 4 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2, hbBeta = ((Math.sqrt(L / mu) - 1) / (Math.sqrt(L / mu) + 1)) ** 2;
    const p = f64(new Array(8).fill(0));
    expect(maxErr(minimize(p, new optim.HeavyBall([p], { lr: hbLr, momentum: hbBeta }), illQuad, 600), new Array(8).fill(1))).toBeLessThan(1e-8);
    const q = f64(new Array(8).fill(0));
    const nBeta = (Math.sqrt(L / mu) - 1) / (Math.sqrt(L / mu) + 1);
    expect(maxErr(minimize(q, new optim.NesterovLookahead([q], { lr: 1 / L, momentum: nBeta }), illQuad, 1500), new Array(8).fill(1))).toBeLessThan(1e-8);
  });

  it('Nesterov reaches the Rosenbrock minimum (1, 1) and HeavyBall the Beale minimum (3, 0.5)', () => {
    const p = f64([-1.2, 1]);
    expect(maxErr(minimize(p, new optim.NesterovLookahead([p], { lr: 1e-3, momentum: 0.9 }), rosenbrock, 6000), [1, 1])).toBeLessThan(1e-4);
    const q = f64([1, 1]);
    expect(maxErr(minimize(q, new optim.HeavyBall([q], { lr: 1e-2, momentum: 0.7 }), beale, 6000), [3, 0.5])).toBeLessThan(1e-4);
  });
});

describe('projected gradient descent', () => {
  const c = [0.9, -0.4, 0.3, 1.6];
  const toward = (x: number[]): number[] => x.map((v, i) => v - c[i]); // ∇ of ½‖x − c‖²: the minimizer over C is P_C(c)
  const cases: [string, optim.Projection, number[]][] = [
    ['box [0, 1]', optim.projectBox(0, 1), [0.9, 0, 0.3, 1]],
    ['nonnegative orthant', optim.projectNonNegative(), [0.9, 0, 0.3, 1.6]],
    ['L2 ball r = 1', optim.projectL2Ball(1), c.map((v) => v / Math.hypot(...c))],
    // simplex: θ = 0.4 keeps 0.5, 0, 0, 1.2 → sum 1.7? sorted 1.6, 0.9, 0.3: θ = (2.5 − 1)/2 = 0.75 → [0.15, 0, 0, 0.85]
    ['simplex', optim.projectSimplex(), [0.15, 0, 0, 0.85]],
  ];
  for (const [name, proj, want] of cases) {
    it(`${name}: converges to P(c)`, () => {
      const p = f64([0.25, 0.25, 0.25, 0.25]);
      const x = minimize(p, new optim.ProjectedGradientDescent([p], { lr: 0.5, projection: proj }), toward, 60);
      expect(maxErr(x, want)).toBeLessThan(1e-12);
    });
  }
  it('the projection option is required and must be a function', () => {
    expect(() => new optim.ProjectedGradientDescent([f64([1])], {} as never)).toThrow(/projection/);
    expect(() => optim.projectBox(1, 0)).toThrow(/lo ≤ hi/);
  });
});

// A 12×5 lasso ½‖Ax − b‖² + λ‖x‖₁ solved exactly by enumerating sign patterns (KKT conditions).
const A = Array.from({ length: 12 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(1 + 3 * i + 7 * j) + (i === j ? 1 : 0)));
const bvec = Array.from({ length: 12 }, (_, i) => Math.cos(2 * i) * 2);
const AtA = A[0].map((_, j) => A[0].map((__, k) => A.reduce((s, row) => s + row[j] * row[k], 0)));
const Atb = A[0].map((_, j) => A.reduce((s, row, i) => s + row[j] * bvec[i], 0));
const lassoGrad = (x: number[]): number[] => AtA.map((row, j) => row.reduce((s, v, k) => s + v * x[k], 0) - Atb[j]);

function solve(M: number[][], r: number[]): number[] {
  const n = r.length, a = M.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < n; c++) {
    const piv = a.reduce((best, row, i) => (i >= c && Math.abs(row[c]) > Math.abs(a[best][c]) ? i : best), c);
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let i = 0; i < n; i++) if (i !== c) { const f = a[i][c] / a[c][c]; for (let k = c; k <= n; k++) a[i][k] -= f * a[c][k]; }
  }
  return a.map((row, i) => row[n] / row[i]);
}

function exactLasso(lambda: number, l2 = 0): number[] {
  for (let code = 0; code < 3 ** 5; code++) {
    const s = Array.from({ length: 5 }, (_, j) => Math.floor(code / 3 ** j) % 3 - 1);
    const act = s.map((v, j) => (v !== 0 ? j : -1)).filter((j) => j >= 0);
    const x = new Array(5).fill(0);
    if (act.length > 0) {
      const M = act.map((j) => act.map((k) => AtA[j][k] + (j === k ? l2 : 0)));
      const sol = solve(M, act.map((j) => Atb[j] - lambda * s[j]));
      act.forEach((j, i) => { x[j] = sol[i]; });
    }
    const g = lassoGrad(x).map((v, j) => v + l2 * x[j]);
    const ok = x.every((v, j) => (s[j] === 0 ? v === 0 && Math.abs(g[j]) <= lambda + 1e-12 : Math.sign(v) === s[j]
      && Math.abs(g[j] + lambda * s[j]) < 1e-9));
    if (ok) return x;
  }
  throw new Error('no KKT point found');
}

describe('proximal gradient', () => {
  const L = Math.max(...AtA.map((row) => row.reduce((s, v) => s + Math.abs(v), 0))); // ≥ λmax(AᵀA)
  const lambda = 1.5;

  for (const accelerated of [false, true]) {
    it(`${accelerated ? 'FISTA' : 'ISTA'} reaches the exact lasso solution`, () => {
      const want = exactLasso(lambda);
      expect(want.filter((v) => v === 0).length).toBeGreaterThan(0);
      const p = f64(new Array(5).fill(0));
      const opt = new optim.ProximalGradient([p], { lr: 1 / L, prox: 'l1', l1: lambda, accelerated });
      minimize(p, opt, lassoGrad, accelerated ? 800 : 4000);
      expect(maxErr(vals(opt.iterate(p)!), want)).toBeLessThan(1e-8);
    });
  }

  it('elastic net reaches its exact solution', () => {
    const want = exactLasso(1.0, 0.5);
    const p = f64(new Array(5).fill(0));
    const opt = new optim.ProximalGradient([p], { lr: 1 / (L + 0.5), prox: 'elasticNet', l1: 1.0, l2: 0.5, accelerated: true });
    minimize(p, opt, lassoGrad, 800);
    expect(maxErr(vals(opt.iterate(p)!), want)).toBeLessThan(1e-8);
  });

  it('group lasso: prox zeroes whole rows and the fixed point satisfies the KKT conditions', () => {
    expect(vals(optim.proxGroupLasso(d.tensor([[3, 4], [0.3, 0.4]], { dtype: 'f64', device: 'reference' }), 1)))
      .toEqual([3 * 0.8, 4 * 0.8, 0, 0]);
    const p = d.tensor(new Float64Array(6), { shape: [3, 2], device: 'reference', requiresGrad: true });
    const c = [2, 1, 0.2, -0.1, -1, 3];
    const opt = new optim.ProximalGradient([p], { lr: 0.5, prox: 'groupLasso', l1: 1, accelerated: true });
    minimize(p, opt, (x) => x.map((v, i) => v - c[i]), 300);
    // minimizer of ½‖x − c‖² + Σ‖x_g‖ is the prox of c itself
    expect(maxErr(vals(p), vals(optim.proxGroupLasso(d.tensor(Float64Array.from(c), { device: 'reference', shape: [3, 2] }), 1)))).toBeLessThan(1e-10);
  });
});

describe('zeroth-order', () => {
  const target = [1, -2, 0.5, 3];
  const loss = (p: Tensor) => (): number => vals(p).reduce((s, v, i) => s + 0.5 * (v - target[i]) ** 2, 0);
  for (const method of ['gaussian', 'spsa'] as const) {
    it(`${method}: converges on a quadratic from loss values only, allocating nothing that outlives a step`, () => {
      const p = f64([0, 0, 0, 0]);
      const opt = new optim.ZerothOrder([p], { lr: 0.05, mu: 1e-4, method, numDirections: 2, seed: 7 });
      opt.step(loss(p));
      const live = d.memory().reference.tensors;
      for (let k = 0; k < 1500; k++) opt.step(loss(p));
      expect(d.memory().reference.tensors).toBe(live);
      expect(maxErr(vals(p), target)).toBeLessThan(1e-3);
    });
  }
  it('the same seed gives the same trajectory; a step restores the perturbed point before updating', () => {
    const run = (): number[] => {
      const p = f64([0, 0, 0, 0]);
      const opt = new optim.ZerothOrder([p], { lr: 0.1, method: 'spsa', seed: 3 });
      for (let k = 0; k < 5; k++) opt.step(loss(p));
      return vals(p);
    };
    expect(run()).toEqual(run());
    const p = f64([0, 0, 0, 0]);
    new optim.ZerothOrder([p], { lr: 0, seed: 1 }).step(loss(p));
    expect(maxErr(vals(p), [0, 0, 0, 0])).toBeLessThan(1e-15);
  });
});

describe('block-coordinate descent and SVRG', () => {
  it('BCD updates one block per step and converges (cyclic and random)', () => {
    for (const order of ['cyclic', 'random'] as const) {
      const a = f64([0, 0]), b = f64([0, 0]);
      const opt = new optim.BlockCoordinateDescent([{ params: [a] }, { params: [b] }], { lr: 0.3, order, seed: 5 });
      for (let k = 0; k < 400; k++) {
        const before = [vals(a), vals(b)];
        // coupled quadratic ½‖a − 1‖² + ½‖b + 2‖² + 0.3·a·b (elementwise)
        const [va, vb] = before;
        setGrad(a, va.map((v, i) => v - 1 + 0.3 * vb[i]));
        setGrad(b, vb.map((v, i) => v + 2 + 0.3 * va[i]));
        opt.step();
        const untouched = opt.lastBlock === 0 ? vals(b) : vals(a);
        expect(untouched).toEqual(opt.lastBlock === 0 ? before[1] : before[0]);
      }
      // stationary point: a − 1 + 0.3b = 0, b + 2 + 0.3a = 0
      const aStar = (1 + 0.6) / (1 - 0.09), bStar = -2 - 0.3 * aStar;
      expect(maxErr([...vals(a), ...vals(b)], [aStar, aStar, bStar, bStar])).toBeLessThan(1e-10);
    }
  });

  it('SVRG with a constant lr converges linearly to the least-squares solution', () => {
    const N = 20;
    const X = Array.from({ length: N }, (_, i) => [Math.sin(i + 1), Math.cos(2 * i), 1]);
    const y = X.map((r, i) => 0.5 * r[0] - 1.5 * r[1] + 0.25 * r[2] + 0.1 * Math.sin(7 * i));
    const gi = (w: number[], i: number): number[] => { const e = X[i].reduce((s, v, k) => s + v * w[k], 0) - y[i]; return X[i].map((v) => e * v); };
    const full = (w: number[]): number[] => [0, 1, 2].map((k) => X.reduce((s, _, i) => s + gi(w, i)[k], 0) / N);
    const XtX = [0, 1, 2].map((j) => [0, 1, 2].map((k) => X.reduce((s, r) => s + r[j] * r[k], 0)));
    const wStar = solve(XtX, [0, 1, 2].map((j) => X.reduce((s, r, i) => s + r[j] * y[i], 0)));
    const p = f64([0, 0, 0]);
    const opt = new optim.SVRG([p], { lr: 0.1 });
    let i = 0;
    for (let epoch = 0; epoch < 30; epoch++) {
      opt.snapshot(() => setGrad(p, full(vals(p))));
      for (let k = 0; k < N; k++, i++) {
        const idx = (i * 7) % N;
        opt.step(() => setGrad(p, gi(vals(p), idx)));
      }
    }
    expect(maxErr(vals(p), wStar)).toBeLessThan(1e-9);
    expect(() => new optim.SVRG([f64([1])]).step(() => undefined)).toThrow(/snapshot/);
  });
});

describe('gradient quantizer hook', () => {
  it('updates from Q(g), leaves .grad alone, and rejects a quantizer that changes the shape', () => {
    const p = f64([0, 0]);
    const opt = new optim.SGD([p], { lr: 1 });
    opt.gradientQuantizer = (g) => g.mul(4).round().div(4);
    setGrad(p, [0.3, -0.62]);
    opt.step();
    expect(vals(p)).toEqual([-0.25, 0.5]);
    expect(vals(p.grad!)).toEqual([0.3, -0.62]);
    opt.gradientQuantizer = () => d.zeros([3], { dtype: 'f64', device: 'reference' });
    expect(() => opt.step()).toThrow(/gradientQuantizer/);
    expect(vals(p.grad!)).toEqual([0.3, -0.62]);
  });
});
