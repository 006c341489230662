// Loss weighting for multi-task learning: a fixed weighted sum, and homoscedastic uncertainty
// weighting (Kendall, Gal & Cipolla 2018) in its common log-variance form
// L = Σᵢ exp(−sᵢ)·Lᵢ + sᵢ with sᵢ = log σᵢ² learned (the ½ factors of the regression case are
// absorbed into sᵢ, as in most PyTorch implementations).

import { check } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import { zeros } from '../ops/creation.js';
import { stack } from '../ops/join.js';

function checkLosses(where: string, losses: unknown, n: number): asserts losses is Tensor[] {
  check(Array.isArray(losses) && losses.length === n && losses.every((l) => l instanceof Tensor && l.size === 1), 'BAD_ARGUMENT',
    () => `${where}: expected ${n} one-element loss tensors, got ${Array.isArray(losses) ? `${losses.length} values` : typeof losses}`);
}

/** Σᵢ wᵢ·Lᵢ. @example multitask.weightedSum([l1, l2], [1, 0.5]) */
export function weightedSum(losses: Tensor[], weights: readonly number[]): Tensor {
  check(Array.isArray(weights) && weights.every((w) => typeof w === 'number' && Number.isFinite(w)), 'BAD_ARGUMENT',
    () => 'weightedSum: expected an array of finite numbers as weights');
  checkLosses('weightedSum', losses, weights.length);
  return losses.map((l, i) => l.reshape([]).mul(weights[i])).reduce((a, b) => a.add(b));
}

/**
 * Learned task weights: register it with the model's optimizer (its parameter `logVars`).
 * @example const uw = new multitask.UncertaintyWeighting(2); const loss = uw.call([l1, l2])
 */
export class UncertaintyWeighting extends Module<[Tensor[]], Tensor> {
  constructor(readonly numTasks: number) {
    super();
    check(Number.isInteger(numTasks) && numTasks > 0, 'BAD_ARGUMENT',
      () => `UncertaintyWeighting: expected a positive integer number of tasks, got ${String(numTasks)}`);
    this.registerParameter('logVars', zeros([numTasks]));
  }

  get logVars(): Tensor { return this.param('logVars')!; }

  forward(losses: Tensor[]): Tensor {
    checkLosses('UncertaintyWeighting', losses, this.numTasks);
    const l = stack(losses.map((x) => x.reshape([]).to(this.logVars.dtype)));
    return this.logVars.neg().exp().mul(l).add(this.logVars).sum();
  }
}
