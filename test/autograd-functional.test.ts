// Functional API (grad, valueAndGrad, vjp, jvp, hvp), nesting, second order against analytic
// Hessians, and gradcheck itself (it must reject a wrong gradient).

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
const t = (data: number[] | number[][]) => d.tensor(data, ref);
const close = (x: d.Tensor, want: number[], digits = 9) => {
  const got = Array.from(x.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], digits));
};

test('grad and valueAndGrad of a scalar function; argnums', () => {
  const f = (x: d.Tensor, w: d.Tensor) => x.mul(w).sum().square();
  const x = t([1, 2]);
  const w = t([3, -1]);
  const [v, g] = d.valueAndGrad(f)(x, w);
  close(v, [1]);
  close(g as d.Tensor, [6, -2]); // 2·(x·w)·w
  const [gx, gw] = d.grad(f, { argnums: [0, 1] })(x, w) as d.Tensor[];
  close(gx, [6, -2]);
  close(gw, [2, 4]);
  expect(x.requiresGrad).toBe(false);
  expect(x.grad).toBeNull();
  expect(() => d.grad((a: d.Tensor) => a.mul(2))(x)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
});

test('grad nests: grad(grad(f)) is the second derivative', () => {
  const f = (x: d.Tensor) => x.pow(3).sum();
  const df = (x: d.Tensor) => (d.grad(f)(x) as d.Tensor).sum();
  const d2f = d.grad(df);
  close(d2f(t([2, -1])) as d.Tensor, [12, -6]);
});

test('hvp equals the analytic Hessian of a quadratic and of a cubic', () => {
  const A = t([[2, 1, 0], [1, 3, -1], [0, -1, 4]]);
  const quad = (x: d.Tensor) => x.matmul(A.matmul(x)).mul(0.5); // ½xᵀAx, H = A
  const v = t([1, -2, 0.5]);
  const [, hv] = d.hvp(quad, t([0.3, -0.7, 1.1]), v);
  close(hv as d.Tensor, [2 - 2, 1 - 6 - 0.5, 2 + 2]);
  // f = Σ x_i³ + x0·x1·x2: H = diag(6x) + [[0,x2,x1],[x2,0,x0],[x1,x0,0]]
  const cubic = (x: d.Tensor) => x.pow(3).sum().add(x.prod());
  const x = [0.5, -1, 2];
  const H = [[6 * x[0], x[2], x[1]], [x[2], 6 * x[1], x[0]], [x[1], x[0], 6 * x[2]]];
  const vv = [1, 2, -1];
  const [val, hv2] = d.hvp(cubic, t(x), t(vv));
  close(val, [0.125 - 1 + 8 - 1]);
  close(hv2 as d.Tensor, H.map((row) => row.reduce((a, h, j) => a + h * vv[j], 0)));
});

test('hvp and jvp under noGrad equal their values with grad mode on', () => {
  const f = (x: d.Tensor) => x.pow(3).sum().add(x.prod());
  const g = (x: d.Tensor) => d.stack([x.prod(), x.sin().sum()]);
  const [x, v] = [t([0.5, -1, 2]), t([1, 2, -1])];
  const [hv, jv] = [d.hvp(f, x, v)[1] as d.Tensor, d.jvp(g, x, v)[1]];
  const [hvQuiet, jvQuiet] = d.noGrad(() => [d.hvp(f, x, v)[1] as d.Tensor, d.jvp(g, x, v)[1]]);
  expect(Array.from(hv.dataSync()).some((e) => e !== 0)).toBe(true);
  close(hvQuiet, Array.from(hv.dataSync()));
  close(jvQuiet, Array.from(jv.dataSync()));
  expect(hvQuiet.requiresGrad).toBe(false);
});

test('vjp and jvp agree with the explicit Jacobian', () => {
  // f(x) = [x0·x1, sin(x2), x0 + x2²]
  const f = (x: d.Tensor) => d.stack([x.slice(0, 0, 1).mul(x.slice(0, 1, 2)).sum(), x.slice(0, 2, 3).sin().sum(),
    x.slice(0, 0, 1).add(x.slice(0, 2, 3).square()).sum()]);
  const x = [0.4, -1.2, 0.9];
  const J = [[x[1], x[0], 0], [0, 0, Math.cos(x[2])], [1, 0, 2 * x[2]]];
  const u = [1, -1, 2];
  const [y, vj] = d.vjp(f, t(x), t(u));
  close(y, [x[0] * x[1], Math.sin(x[2]), x[0] + x[2] ** 2]);
  close(vj as d.Tensor, [0, 1, 2].map((j) => J.reduce((a, row, i) => a + u[i] * row[j], 0)));
  const [, jv] = d.jvp(f, t(x), t(u));
  close(jv, J.map((row) => row.reduce((a, v, j) => a + v * u[j], 0)));
});

test('functional calls free everything they make', () => {
  const x = t([0.1, 0.2, 0.3]);
  const v = t([1, 0, -1]);
  const start = d.memory().reference;
  for (let i = 0; i < 20; i++) {
    d.tidy(() => {
      d.hvp((z: d.Tensor) => z.exp().mul(z).sum(), x, v);
      d.jvp((z: d.Tensor) => z.tanh(), x, v);
      d.grad((z: d.Tensor) => z.sigmoid().sum())(x);
    });
  }
  expect(d.memory().reference).toEqual(start);
});

test('gradcheck passes a correct gradient and rejects a wrong one', () => {
  const x = d.randn([3, 2], ref);
  expect(d.gradcheck((a) => a.tanh().mul(a).sum(1), [x])).toBe(true);
  // x·detach(x) has the value x² but the gradient x (half the true 2x).
  const wrong = (a: d.Tensor) => a.mul(a.detach());
  expect(d.gradcheck(wrong, [x], { raiseException: false })).toBe(false);
  expect(() => d.gradcheck(wrong, [x])).toThrow(/analytical .* vs numerical/);
  expect(() => d.gradcheck((a) => a, [x], { tol: 1 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('hypergradient through one SGD step (bilevel): d L_val(w − lr·∇L_train(w)) / d lr and / d w', () => {
  const a = t([1, -2]);
  const b = t([0.5, 0.5]);
  const w0 = d.tensor([3, 1], { ...ref, requiresGrad: true });
  const lr = d.tensor(0.1, { ...ref, requiresGrad: true });
  const half = (w: d.Tensor, c: d.Tensor) => w.sub(c).square().sum().mul(0.5);
  const [g0] = d.gradients(half(w0, a), [w0], null, { createGraph: true });
  const w1 = w0.sub(lr.mul(g0));
  half(w1, b).backward();
  const W0 = [3, 1], A = [1, -2], B = [0.5, 0.5];
  const W1 = W0.map((v, i) => v - 0.1 * (v - A[i]));
  close(lr.grad!, [-W1.reduce((s, v, i) => s + (v - B[i]) * (W0[i] - A[i]), 0)]);
  close(w0.grad!, W1.map((v, i) => (1 - 0.1) * (v - B[i])));
});

test('gradcheck takes inputs on any device (checked in f64 on the reference device)', async () => {
  await d.init({ device: 'wasm' });
  const x = d.tensor([0.3, -0.8, 1.2], { device: 'wasm', requiresGrad: true });
  expect(d.gradcheck((z) => z.sigmoid().mul(z).sum(), [x])).toBe(true);
});

test('gradgradcheck catches a VJP that is right but not differentiable', async () => {
  const { attach } = await import('../ts/autograd/tape.js');
  // y = x², VJP g·2·detach(x): first order exact, second order lost.
  const square = (x: d.Tensor) => attach(d.noGrad(() => x.square()), [x], (g) => [g.mul(x.detach().mul(2))], 'square*');
  const x = d.tensor([0.5, -1.25, 2], ref);
  expect(d.gradcheck(square, [x])).toBe(true);
  expect(d.gradgradcheck(square, [x], { raiseException: false })).toBe(false);
  expect(d.gradgradcheck((z: d.Tensor) => z.square(), [x])).toBe(true);
});
