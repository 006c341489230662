// The 2-D toy functions and the trajectory runner: tensor and number forms agree, the stated
// minima are stationary, LBFGS finds Beale's minimum at (3, 0.5), GD waits at the saddle while
// Adam leaves it, and runs free everything they make.

import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { TOY_FUNCTIONS } from '../ts/toy/functions.js';
import { runToy } from '../ts/toy/run.js';
import { OPTIMIZERS, makeOptimizer, parseOptimizerSpec, toyLr } from '../ts/cli/optimizers.js';

beforeAll(async () => { await d.init(); });

const make = (name: string, lr: number) => (p: d.Tensor[]) => makeOptimizer(parseOptimizerSpec(name), p, { lr });

test('each toy function agrees with its number form and is stationary at its minima', () => {
  for (const fn of Object.values(TOY_FUNCTIONS)) {
    for (const [x, y] of [[0.3, -0.7], [1.1, 0.4], [-1.7, 1.3], ...fn.minima]) {
      const p = d.tensor([x, y], { dtype: 'f64', device: 'reference', requiresGrad: true });
      const v = fn.f(p.narrow(0, 0, 1), p.narrow(0, 1, 1)).sum();
      v.backward();
      expect(v.item()).toBeCloseTo(fn.value(x, y), 9);
      if (fn.minima.some(([a, b]) => a === x && b === y)) {
        for (const g of p.grad!.dataSync()) expect(Math.abs(g)).toBeLessThan(1e-4);
      }
      d.dispose([p, v, p.grad!]);
    }
  }
});

test("LBFGS reaches Beale's minimum at (3, 0.5)", () => {
  const r = runToy(TOY_FUNCTIONS.beale, make('lbfgs', 1), { steps: 30, closure: true });
  expect(r.final.x).toBeCloseTo(3, 4);
  expect(r.final.y).toBeCloseTo(0.5, 4);
});

test('gradient descent waits at the saddle while Adam leaves it', () => {
  const fn = TOY_FUNCTIONS.saddle;
  const gd = runToy(fn, make('gd', toyLr('gd', fn.lr)), { steps: 60 });
  const adam = runToy(fn, make('adam', toyLr('adam', fn.lr)), { steps: 60 });
  expect(Math.abs(gd.final.y)).toBeLessThan(0.05);   // still on the ridge next to the saddle
  expect(Math.abs(gd.final.x)).toBeLessThan(0.01);
  expect(Math.abs(adam.final.y)).toBeGreaterThan(0.5);
});

test('momentum beats gradient descent on the ill-conditioned quadratic at the same lr', () => {
  const fn = TOY_FUNCTIONS.quadratic;
  const gd = runToy(fn, make('gd', 0.01), { steps: 100 });
  const hb = runToy(fn, make('momentum', 0.01), { steps: 100 });
  expect(hb.final.value).toBeLessThan(gd.final.value / 100);
});

test('a diverging run stops and says so; every optimizer of the registry runs', () => {
  const r = runToy(TOY_FUNCTIONS.rosenbrock, make('gd', 1), { steps: 50 });
  expect(r.diverged).toBe(true);
  expect(r.path.length).toBeLessThan(51);
  for (const [name, e] of Object.entries(OPTIMIZERS)) {
    const run = runToy(TOY_FUNCTIONS.himmelblau, make(name, toyLr(name, TOY_FUNCTIONS.himmelblau.lr)), { steps: 3, closure: e.closure });
    expect(run.path.length, name).toBe(4);
  }
});

test('toy runs leave memory flat', () => {
  const before = d.memory().reference.tensors;
  for (const name of ['adam', 'lbfgs', 'muon', 'shampoo', 'zeroth-order']) {
    runToy(TOY_FUNCTIONS.beale, make(name, 0.01), { steps: 5, closure: OPTIMIZERS[name].closure });
  }
  expect(d.memory().reference.tensors).toBe(before);
});

test('optimizer specs parse name:key=value and reject unknown names and malformed options', () => {
  expect(parseOptimizerSpec('adamw:lr=3e-3:weightDecay=0.1:amsgrad=true')).toEqual({ name: 'adamw', options: { lr: 3e-3, weightDecay: 0.1, amsgrad: true } });
  expect(() => parseOptimizerSpec('adamz')).toThrow(/unknown optimizer 'adamz'; expected one of sgd/);
  expect(() => parseOptimizerSpec('adam:lr')).toThrow(/expected key=value/);
  expect(() => parseOptimizerSpec('adam:lr=1e-3x')).toThrow(/lr expects a number, true\/false or a word, got '1e-3x'/);
  const p = d.tensor([[1, 2]], { requiresGrad: true });
  expect(() => makeOptimizer(parseOptimizerSpec('adam:lr=-1'), [p])).toThrow(d.DescentError);
  p.dispose();
});
