// Hypergradients against finite differences and the closed-form implicit-function-theorem formula,
// hypergradient descent against SGD-HD's update, and MAML's meta-gradient against finite differences.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
const X = d.keep(d.tensor([[1, 0.5], [-0.3, 1.2], [0.8, -1], [0.1, 0.4], [-1, -0.2], [0.6, 0.9]], ref));
const y = d.keep(d.tensor([1, 0.2, -0.5, 0.3, -1, 1.1], ref));
const Xv = d.keep(d.tensor([[0.4, -0.7], [1.1, 0.3], [-0.5, 0.5]], ref));
const yv = d.keep(d.tensor([0.1, 0.9, -0.2], ref));
// ridge: inner L = mean((Xw − y)²) + e^λ‖w‖², outer F = mean((X_v w − y_v)²)
const inner = ([w]: d.Tensor[], [lam]: d.Tensor[]) => X.matmul(w).sub(y).square().mean().add(lam.exp().mul(w.square().sum()));
const outer = ([w]: d.Tensor[]) => Xv.matmul(w).sub(yv).square().mean();

test('unrolledHypergradient equals central finite differences of F(w_T(λ))', () => {
  const w0 = [d.tensor([0.3, -0.2], ref)];
  const run = (l: number) => d.meta.unrolledHypergradient(inner, outer, w0, [d.tensor([l], ref)], { steps: 8, lr: 0.2 });
  const { hypergradient } = run(-1);
  const h = 1e-5;
  const fd = (run(-1 + h).outerLoss - run(-1 - h).outerLoss) / (2 * h);
  expect(hypergradient[0].item()).toBeCloseTo(fd, 8);
  expect(Math.abs(fd)).toBeGreaterThan(1e-3);
});

// 2×2 closed forms: H = 2XᵀX/n + 2e^λ I, w* = H⁻¹·2Xᵀy/n, ∂_w F = 2X_vᵀ(X_v w − y_v)/m, ∂²_{λw}L = 2e^λ w
function closedForm(lam: number, damping: number) {
  const xs = X.toArray() as number[][];
  const ys = Array.from(y.dataSync());
  const n = xs.length;
  const e = Math.exp(lam);
  const H = [0, 1].map((i) => [0, 1].map((j) => (2 * xs.reduce((s, r) => s + r[i] * r[j], 0)) / n + (i === j ? 2 * e : 0)));
  const b = [0, 1].map((i) => (2 * xs.reduce((s, r, k) => s + r[i] * ys[k], 0)) / n);
  const solve = (M: number[][], r: number[]) => { const det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
    return [(M[1][1] * r[0] - M[0][1] * r[1]) / det, (M[0][0] * r[1] - M[1][0] * r[0]) / det]; };
  const w = solve(H, b);
  const xv = Xv.toArray() as number[][];
  const yvs = Array.from(yv.dataSync());
  const res = xv.map((r, k) => r[0] * w[0] + r[1] * w[1] - yvs[k]);
  const dFdw = [0, 1].map((i) => (2 * xv.reduce((s, r, k) => s + r[i] * res[k], 0)) / xv.length);
  const v = solve(H.map((r, i) => r.map((x, j) => x + (i === j ? damping : 0))), dFdw);
  return { w, hypergrad: -(2 * e * (w[0] * v[0] + w[1] * v[1])), F: res.reduce((s, r) => s + r * r, 0) / res.length };
}

test('implicitHypergradient at w* equals the IFT closed form (with and without damping) and finite differences', () => {
  for (const damping of [0, 0.3]) {
    const { w, hypergrad } = closedForm(-0.5, damping);
    const got = d.meta.implicitHypergradient(inner, outer, [d.tensor(w, ref)], [d.tensor([-0.5], ref)], { damping, cgIters: 10 });
    expect(got.hypergradient[0].item()).toBeCloseTo(hypergrad, 10);
    expect(got.cgIterations).toBeLessThanOrEqual(2); // CG is exact in n = 2 steps
  }
  const h = 1e-6;
  expect(closedForm(-0.5, 0).hypergrad).toBeCloseTo((closedForm(-0.5 + h, 0).F - closedForm(-0.5 - h, 0).F) / (2 * h), 7);
  expect(() => d.meta.implicitHypergradient(inner, outer, [X], [y], { damping: -1 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => d.meta.unrolledHypergradient(inner, outer, [X], [y], { steps: 0, lr: 1 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => d.meta.unrolledHypergradient(inner, outer, [], [y], { steps: 1, lr: 1 })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('HypergradientDescent around SGD is SGD-HD: α_t = α_{t−1} + β·g_t·g_{t−1}', () => {
  const A = d.tensor([[2, 0.5], [0.5, 1]], ref);
  const w = d.tensor([1, -1], ref).requiresGrad_();
  const hd = new d.meta.HypergradientDescent(new d.optim.SGD([w], { lr: 0.1 }), { hypergradLr: 0.05 });
  let [ww, alpha, prev] = [[1, -1], 0.1, null as number[] | null];
  const gradAt = (v: number[]) => [2 * v[0] + 0.5 * v[1], 0.5 * v[0] + v[1]];
  for (let k = 0; k < 4; k++) {
    d.tidy(() => { w.grad?.dispose(); w.grad = null; w.matmul(A.matmul(w)).mul(0.5).backward(); });
    hd.step();
    const g = gradAt(ww);
    if (prev !== null) alpha += 0.05 * (g[0] * prev[0] + g[1] * prev[1]);
    ww = ww.map((x, i) => x - alpha * g[i]);
    prev = g;
    expect(hd.paramGroups[0].lr).toBeCloseTo(alpha, 12);
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(ww[i], 12));
  }
  expect(() => new d.meta.HypergradientDescent(hd.baseOptimizer, { hypergradLr: -1 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('mamlStep: the meta-gradient equals finite differences of the post-adaptation loss; first-order drops the Hessian term', () => {
  d.manualSeed(4);
  const net = new d.nn.Linear(1, 1, ref);
  const mse = (p: d.Tensor, t: d.Tensor) => p.sub(t).square().mean();
  const task = { support: [d.tensor([[0.5], [-1], [2]], ref), d.tensor([[1], [0], [2.5]], ref)] as [d.Tensor, d.Tensor],
    query: [d.tensor([[1], [-0.5]], ref), d.tensor([[1.2], [0.1]], ref)] as [d.Tensor, d.Tensor] };
  const opts = { innerLr: 0.1, innerSteps: 2 };
  const metaLoss = () => { const fast = d.meta.adapt(net, mse, task.support, opts);
    return d.noGrad(() => mse(d.nn.functionalCall(net, fast, task.query[0]), task.query[1]).item()); };
  const loss = d.meta.mamlStep(net, mse, [task], opts);
  expect(loss).toBeCloseTo(metaLoss(), 12);
  const h = 1e-6;
  const shiftBy = (name: string, s: number) => d.tidy(() => net.loadStateDict({ ...net.stateDict(), [name]: net.stateDict()[name].add(s) }));
  for (const [name, p] of net.namedParameters()) {
    const at = (s: number) => { shiftBy(name, s); const v = metaLoss(); shiftBy(name, -s); return v; };
    expect(p.grad!.item()).toBeCloseTo((at(h) - at(-h)) / (2 * h), 6);
  }
  net.zeroGrad({ setToNone: true });
  d.meta.mamlStep(net, mse, [task], { ...opts, firstOrder: true });
  const fast = d.meta.adapt(net, mse, task.support, opts);
  const fo = d.grad((w: d.Tensor, b: d.Tensor) => mse(d.nn.functionalCall(net, { weight: w, bias: b }, task.query[0]), task.query[1]), { argnums: [0, 1] })(fast.weight, fast.bias) as d.Tensor[];
  expect(net.weight.grad!.item()).toBeCloseTo(fo[0].item(), 12);
  expect(net.bias!.grad!.item()).toBeCloseTo(fo[1].item(), 12);
  expect(() => d.meta.mamlStep(net, mse, [task], { innerLr: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => d.meta.mamlStep(net, mse, [])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});
