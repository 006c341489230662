// Attacks against closed forms on a linear loss (whose input gradient is known), projection into the
// ε-ball and input range, robust accuracy against a hand count, training step memory and errors.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
const W = () => d.tensor([[1, -2, 0.5], [-1, 0.25, 3]], ref);
// loss = Σ model(x)·c has ∇ₓ = c W for every example, so every attack has a closed form.
const c = [1, -1];
const linLoss = (z: d.Tensor) => z.mul(d.tensor(c, ref)).sum();
const gradX = [2, -2.25, -2.5]; // c W
const x0 = () => d.tensor([[0.5, 0.5, 0.5], [0.95, 0.2, 0.5]], ref);
const labels = () => d.tensor([0, 1], { device: 'reference', dtype: 'i32' });
const rows = (t: d.Tensor) => t.toArray() as number[][];

test('fgsm moves each input by ε·sign(∇ₓloss), against the gradient when targeted, clamped to [0, 1]', () => {
  const w = W();
  const model = (x: d.Tensor) => x.matmul(w.transpose());
  const adv = rows(d.adversarial.fgsm(model, x0(), labels(), { eps: 0.1, loss: linLoss }));
  const want = rows(x0()).map((r) => r.map((v, j) => Math.min(1, Math.max(0, v + 0.1 * Math.sign(gradX[j])))));
  adv.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 12)));
  expect(adv[1][0]).toBe(1); // 0.95 + 0.1 clamped
  const tgt = rows(d.adversarial.fgsm(model, x0(), labels(), { eps: 0.1, loss: linLoss, targeted: true }));
  expect(tgt[0][0]).toBeCloseTo(0.4, 12);
  expect(w.grad).toBeNull();
});

test('pgd ℓ∞ without random start walks min(k·α, ε) along the sign; ℓ2 along g/‖g‖', () => {
  const w = W();
  const model = (x: d.Tensor) => x.matmul(w.transpose());
  const x = d.tensor([[0.5, 0.5, 0.5]], ref);
  const y = d.tensor([0], { device: 'reference', dtype: 'i32' });
  const linf = rows(d.adversarial.pgd(model, x, y, { eps: 0.05, alpha: 0.02, steps: 4, randomStart: false, loss: linLoss }))[0];
  linf.forEach((v, j) => expect(v).toBeCloseTo(0.5 + 0.05 * Math.sign(gradX[j]), 12));
  const n = Math.hypot(...gradX);
  const l2 = rows(d.adversarial.pgd(model, x, y, { norm: 'l2', eps: 0.1, alpha: 0.03, steps: 2, randomStart: false, loss: linLoss }))[0];
  l2.forEach((v, j) => expect(v).toBeCloseTo(0.5 + 0.06 * gradX[j] / n, 9));
  const l2Capped = rows(d.adversarial.pgd(model, x, y, { norm: 'l2', eps: 0.1, alpha: 0.03, steps: 5, randomStart: false, loss: linLoss }))[0];
  l2Capped.forEach((v, j) => expect(v).toBeCloseTo(0.5 + 0.1 * gradX[j] / n, 9));
});

test('pgd with a random start stays in the ball and the input range, with cross entropy', () => {
  d.manualSeed(3);
  const w = d.randn([4, 7], ref);
  const model = (x: d.Tensor) => x.matmul(w.transpose());
  const x = d.rand([5, 7], ref);
  const y = d.tensor([0, 1, 2, 3, 1], { device: 'reference', dtype: 'i32' });
  for (const norm of ['linf', 'l2'] as const) {
    const eps = norm === 'linf' ? 0.03 : 0.3;
    const adv = d.adversarial.pgd(model, x, y, { norm, eps, alpha: eps / 4, steps: 3 });
    const delta = rows(adv.sub(x));
    rows(adv).flat().forEach((v) => { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); });
    for (const r of delta) {
      const size = norm === 'linf' ? Math.max(...r.map(Math.abs)) : Math.hypot(...r);
      expect(size).toBeLessThanOrEqual(eps + 1e-12);
    }
    // the attack raised the loss
    const ce = (z: d.Tensor) => d.nn.functional.crossEntropy(z, y).item();
    expect(ce(model(adv))).toBeGreaterThan(ce(model(x)));
  }
});

test('robustAccuracy: clean accuracy by hand with attack null, lower under attack', () => {
  const w = d.tensor([[1, 0], [0, 1]], ref);
  const model = (x: d.Tensor) => x.matmul(w.transpose());
  const x = d.tensor([[0.6, 0.45], [0.45, 0.55], [0.9, 0.1], [0.3, 0.35]], ref);
  const y = d.tensor([0, 1, 0, 0], { device: 'reference', dtype: 'i32' });
  expect(d.adversarial.robustAccuracy(model, x, y, { attack: null })).toBeCloseTo(0.75, 12);
  // ε = 0.1 flips the two close calls (margins 0.15 and 0.1 < 2ε) but not the 0.8 margin
  expect(d.adversarial.robustAccuracy(model, x, y, { eps: 0.1, alpha: 0.05, steps: 5, randomStart: false })).toBeCloseTo(0.25, 12);
});

test('adversarialTrainingStep trains on the attacked batch with flat memory', () => {
  d.manualSeed(1);
  const net = new d.nn.Linear(6, 3, ref);
  const opt = new d.optim.SGD(net.parameters(), { lr: 0.1 });
  const x = d.rand([8, 6], ref);
  const y = d.tensor([0, 1, 2, 0, 1, 2, 0, 1], { device: 'reference', dtype: 'i32' });
  const model = (t: d.Tensor) => net.call(t);
  const opts = { eps: 0.05, alpha: 0.02, steps: 3, randomStart: false };
  const adv = d.adversarial.pgd(model, x, y, opts);
  const want = d.nn.functional.crossEntropy(model(adv), y).item();
  expect(d.adversarial.adversarialTrainingStep(model, opt, x, y, opts)).toBeCloseTo(want, 12);
  const before = d.memory().reference;
  const losses = [];
  for (let i = 0; i < 5; i++) losses.push(d.adversarial.adversarialTrainingStep(model, opt, x, y, opts));
  expect(d.memory().reference).toEqual(before);
  expect(losses[4]).toBeLessThan(losses[0]);
});

test('attacks reject bad options and mismatched batches, creating nothing', () => {
  const w = W();
  const model = (x: d.Tensor) => x.matmul(w.transpose());
  const [x, y] = [x0(), labels()];
  const short = y.slice(0, 0, 1);
  const before = d.memory().reference;
  const bad: [() => unknown, string][] = [
    [() => d.adversarial.pgd(model, x, y, { eps: -1 }), 'BAD_OPTION'],
    [() => d.adversarial.pgd(model, x, y, { norm: 'l1' as 'l2' }), 'BAD_OPTION'],
    [() => d.adversarial.pgd(model, x, y, { steps: 1.5 }), 'BAD_OPTION'],
    [() => d.adversarial.pgd(model, x, y, { clampMin: 1, clampMax: 0 }), 'BAD_OPTION'],
    [() => d.adversarial.fgsm(model, x, y, { steps: 3 } as never), 'BAD_OPTION'],
    [() => d.adversarial.fgsm(model, x, short), 'SHAPE_MISMATCH'],
    [() => d.adversarial.robustAccuracy(model, x, y, { epsilon: 1 } as never), 'BAD_OPTION'],
  ];
  for (const [f, code] of bad) expect(f).toThrow(expect.objectContaining({ code }));
  expect(d.memory().reference).toEqual(before);
});
