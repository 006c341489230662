// SAM / adaptive SAM against their closed-form perturbation and update on a quadratic, and the
// sharpness measures against exact values (the top eigenvalue of a known Hessian; ρ‖a‖ for a linear loss).

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
const A = [[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]];
const matvec = (w: number[]) => A.map((r) => r.reduce((s, a, j) => s + a * w[j], 0));
const norm = (v: number[]) => Math.hypot(...v);
const w0 = [0.7, -1.2, 0.4];
const At = d.keep(d.tensor(A, ref));
const quad = (w: d.Tensor) => w.matmul(At.matmul(w)).mul(0.5);

function setup(adaptive: boolean) {
  const w = d.tensor(w0, ref).requiresGrad_();
  const base = new d.optim.SGD([w], { lr: 0.1 });
  const sam = new d.sam.SAM(base, { rho: 0.05, adaptive });
  const closure = () => d.tidy(() => { w.grad?.dispose(); w.grad = null; const l = quad(w); l.backward(); return l.item(); });
  return { w, sam, closure };
}

test('SAM perturbs by ρ·g/‖g‖ and steps the base optimizer with the gradient there', () => {
  const { w, sam, closure } = setup(false);
  closure();
  sam.firstStep(true);
  const g = matvec(w0);
  const e = g.map((x) => (0.05 * x) / norm(g));
  Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(w0[i] + e[i], 12));
  closure();
  sam.secondStep(true);
  const gAt = matvec(w0.map((x, i) => x + e[i]));
  Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(w0[i] - 0.1 * gAt[i], 12));
  expect(w.grad).toBeNull();
});

test('adaptive SAM scales the ball by |w|: e = ρ·w²g/‖|w|g‖, and step(closure) does both steps', () => {
  const { w, sam, closure } = setup(true);
  closure();
  const g = matvec(w0);
  const tg = g.map((x, i) => Math.abs(w0[i]) * x);
  const e = g.map((x, i) => (0.05 * w0[i] * w0[i] * x) / norm(tg));
  const loss = sam.step(closure);
  const at = w0.map((x, i) => x + e[i]);
  expect(loss).toBeCloseTo(0.5 * at.reduce((s, x, i) => s + x * matvec(at)[i], 0), 12);
  const gAt = matvec(at);
  Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(w0[i] - 0.1 * gAt[i], 12));
});

test('SAM takes ρ and adaptive per param group, over the defaults, with one global gradient norm', () => {
  const [u0, v0] = [[0.7, -1.2], [0.4]];
  const u = d.tensor(u0, ref).requiresGrad_();
  const v = d.tensor(v0, ref).requiresGrad_();
  const base = new d.optim.SGD([{ params: [u] }, { params: [v] }], { lr: 0.1 });
  const sam = new d.sam.SAM(base, { rho: 0.05, groups: [{}, { rho: 0.2, adaptive: true }] });
  d.tidy(() => { const w = d.cat([u, v]); quad(w).backward(); });
  const g = matvec([...u0, ...v0]);
  const t = [g[0], g[1], Math.abs(v0[0]) * g[2]]; // T = 1 in group 0, |w| in group 1
  sam.firstStep(true);
  const want = [u0[0] + (0.05 * t[0]) / norm(t), u0[1] + (0.05 * t[1]) / norm(t), v0[0] + (0.2 * v0[0] ** 2 * g[2]) / norm(t)];
  [...Array.from(u.dataSync()), ...Array.from(v.dataSync())].forEach((x, i) => expect(x).toBeCloseTo(want[i], 12));
  expect(() => new d.sam.SAM(base, { groups: [{}] })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => new d.sam.SAM(base, { groups: [{}, { rho: -1 }] })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => new d.sam.SAM(base, { groups: [{}, { lr: 1 } as never] })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('SAM keeps memory flat over steps and rejects bad options and call orders', () => {
  const { sam, closure } = setup(false);
  closure();
  sam.step(closure);
  const before = d.memory().reference;
  for (let i = 0; i < 5; i++) { closure(); sam.step(closure); }
  expect(d.memory().reference).toEqual(before);
  const base = sam.baseOptimizer;
  expect(() => new d.sam.SAM(base, { rho: -1 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => new d.sam.SAM(base, { radius: 1 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => new d.sam.SAM({} as never)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => sam.secondStep()).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => sam.step(undefined as never)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('topHessianEigenvalue finds the largest eigenvalue of a known Hessian', () => {
  d.manualSeed(0);
  // eigenvalues of A by the characteristic polynomial's largest root (bisection: independent of hvp)
  const det = (l: number) => (3 - l) * ((2 - l) * (1 - l) - 0.25) - 1 * (1 * (1 - l) - 0);
  let [lo, hi] = [2.5, 5];
  for (let i = 0; i < 100; i++) { const m = (lo + hi) / 2; if (det(lo) * det(m) <= 0) hi = m; else lo = m; }
  const { eigenvalue, eigenvector } = d.sam.topHessianEigenvalue((w) => quad(w), [d.tensor(w0, ref)], { iters: 200, tol: 1e-14 });
  expect(eigenvalue).toBeCloseTo(lo, 8);
  const v = Array.from(eigenvector[0].dataSync());
  matvec(v).forEach((x, i) => expect(x).toBeCloseTo(lo * v[i], 5));
});

test('maxLossInBall reaches ρ‖a‖ on a linear loss and a value within the first-order bound on a quadratic', () => {
  const a = d.tensor([1, -2, 2], ref);
  const lin = d.sam.maxLossInBall((w) => w.mul(a).sum(), [d.tensor(w0, ref)], { rho: 0.1, steps: 5 });
  expect(lin.sharpness).toBeCloseTo(0.3, 10);
  const q = d.sam.maxLossInBall((w) => quad(w), [d.tensor(w0, ref)], { rho: 0.05, steps: 10 });
  const g = norm(matvec(w0));
  expect(q.sharpness).toBeGreaterThanOrEqual(0.05 * g); // convex: f(w + ρĝ) − f(w) ≥ ρ‖g‖
  expect(q.sharpness).toBeLessThanOrEqual(0.05 * g + 0.5 * 0.05 * 0.05 * 3.8);
  expect(() => d.sam.maxLossInBall((w) => quad(w), [d.tensor(w0, ref)], { rho: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => d.sam.topHessianEigenvalue((w) => quad(w), [], {})).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});
