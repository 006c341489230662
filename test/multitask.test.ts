// PCGrad and MGDA against hand-made gradients and closed forms, MGDA-UB on a shared body,
// uncertainty weighting's value and gradient, and errors.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
const v = (x: number[]) => [d.tensor(x, ref)];
const arr = (t: d.Tensor) => Array.from(t.dataSync());

test('pcgrad projects conflicting gradients onto each other\'s normal planes and sums', () => {
  // g1·g2 = −1: g1 − (−1/2)g2 = [0.5, 0.5], g2 − (−1/1)g1 = [0, 1]
  const [s] = d.multitask.pcgrad([v([1, 0]), v([-1, 1])], { shuffle: false });
  expect(arr(s)).toEqual([0.5, 1.5]);
  const [t] = d.multitask.pcgrad([v([1, 0]), v([1, 1])], { shuffle: false });
  expect(arr(t)).toEqual([2, 1]); // no conflict: plain sum
  // the shuffled visiting order comes from the seeded engine RNG: same seed, same result
  const gs = [v([1, 0, 0.2]), v([-0.8, 1, 0]), v([0.1, -1, 1])];
  d.manualSeed(5);
  const u = arr(d.multitask.pcgrad(gs)[0]);
  d.manualSeed(5);
  expect(arr(d.multitask.pcgrad(gs)[0])).toEqual(u);
  expect(() => d.multitask.pcgrad([v([1, 0]), v([1, 0, 0])])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  expect(() => d.multitask.pcgrad([v([1])], { order: 1 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('minNormWeights: the two-task closed form, and the projected-gradient solver against a dense simplex grid', () => {
  const [a1, a2] = d.multitask.minNormWeights([v([1, 0]), v([0, 2])]);
  expect(a1).toBeCloseTo(0.8, 12); // min a² + 4(1 − a)²
  expect(a2).toBeCloseTo(0.2, 12);
  const G = [[1, 0.5, 0], [0.2, 1, 0.3], [-0.5, 0.4, 1]];
  const alpha = d.multitask.minNormWeights(G.map(v));
  const obj = (a: number[]) => [0, 1, 2].map((k) => a.reduce((s, ai, i) => s + ai * G[i][k], 0)).reduce((s, x) => s + x * x, 0);
  let best = Infinity;
  for (let i = 0; i <= 200; i++) for (let j = 0; i + j <= 200; j++) best = Math.min(best, obj([i / 200, j / 200, 1 - (i + j) / 200]));
  expect(alpha.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 12);
  alpha.forEach((a) => expect(a).toBeGreaterThanOrEqual(0));
  expect(obj(alpha)).toBeLessThanOrEqual(best + 1e-9);
});

test('mgdaUB weighs the losses by the min-norm point of their gradients at the shared representation', () => {
  d.manualSeed(2);
  const net = new d.multitask.MultiTaskNet(new d.nn.Linear(4, 3, ref), [new d.nn.Linear(3, 1, ref), new d.nn.Linear(3, 2, ref)]);
  const x = d.randn([5, 4], ref);
  const z = net.shared(x);
  const [o1, o2] = net.headsOf(z);
  const losses = [o1.square().mean(), o2.sub(1).square().mean()];
  const alpha = d.multitask.mgdaUB(losses, z);
  const byHand = [0, 1].map((k) => [d.grad((zz: d.Tensor) => (k === 0 ? net.headsOf(zz)[0].square().mean() : net.headsOf(zz)[1].sub(1).square().mean()))(z.detach()) as d.Tensor]);
  const want = d.multitask.minNormWeights(byHand);
  alpha.forEach((a, i) => expect(a).toBeCloseTo(want[i], 10));
  d.multitask.weightedSum(losses, alpha).backward(); // the graph is still there
  expect(net.body.parameters()[0].grad).not.toBeNull();
  expect(() => d.multitask.mgdaUB(losses, x)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('UncertaintyWeighting: Σ exp(−s)·L + s with ∂/∂s = 1 − exp(−s)·L; weightedSum', () => {
  const uw = new d.multitask.UncertaintyWeighting(2);
  uw.loadStateDict({ logVars: d.tensor([0.5, -1]) });
  const ls = [d.tensor(2), d.tensor(0.25)];             // on the default device, with the module's parameter
  const total = uw.call(ls);
  expect(total.item()).toBeCloseTo(Math.exp(-0.5) * 2 + 0.5 + Math.exp(1) * 0.25 - 1, 6);
  total.backward();
  const g = arr(uw.logVars.grad!);
  expect(g[0]).toBeCloseTo(1 - Math.exp(-0.5) * 2, 6);
  expect(g[1]).toBeCloseTo(1 - Math.exp(1) * 0.25, 6);
  expect(d.multitask.weightedSum(ls, [1, 4]).item()).toBeCloseTo(3, 12);
  expect(() => uw.call([ls[0]])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => new d.multitask.UncertaintyWeighting(0)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => new d.multitask.MultiTaskNet(new d.nn.Linear(1, 1), [])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});
