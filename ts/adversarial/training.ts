// Adversarial training (Madry et al. 2018): the inner max by PGD, the outer min by any optimizer;
// and robust accuracy, the accuracy on attacked inputs (what torchattacks' benchmarks report).

import { check } from '../errors.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { noGrad } from '../autograd/tape.js';
import { type AttackOptions, type Model, pgd, resolveAttack } from './attacks.js';

export interface AdversarialStepOptions extends AttackOptions {
  /** Attack used for the inner maximisation (default pgd). */
  attack?: (model: Model, x: Tensor, labels: Tensor, opts?: AttackOptions) => Tensor;
}

/**
 * One step of min_θ E max_{δ∈ball} loss(θ, x+δ): attacks the batch, then zeroGrad, backward of the
 * loss on the adversarial batch and optimizer.step(). Returns that loss as a number.
 * @example const loss = adversarial.adversarialTrainingStep((x) => net.call(x), opt, x, y, { eps: 0.1 })
 */
export function adversarialTrainingStep(model: Model, optimizer: Optimizer, x: Tensor, labels: Tensor, opts?: AdversarialStepOptions): number {
  const { attack = pgd, ...attackOpts } = opts ?? {};
  check(typeof attack === 'function', 'BAD_OPTION', () => `adversarialTrainingStep: 'attack' expected a function, got ${typeof attack}`);
  const o = resolveAttack('adversarialTrainingStep', attackOpts);
  return tidy(() => {
    const adv = attack(model, x, labels, attackOpts);
    optimizer.zeroGrad();
    const loss = o.loss(model(adv), labels);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
}

/**
 * Fraction of examples classified correctly after the attack (clean accuracy with `attack: null`).
 * @example const acc = adversarial.robustAccuracy((x) => net.call(x), x, y, { eps: 0.1, steps: 20 })
 */
export function robustAccuracy(model: Model, x: Tensor, labels: Tensor, opts?: Omit<AdversarialStepOptions, 'attack'> & { attack?: AdversarialStepOptions['attack'] | null }): number {
  const { attack = pgd, ...attackOpts } = opts ?? {};
  resolveAttack('robustAccuracy', attackOpts);
  return tidy(() => {
    const input = attack === null ? x : attack(model, x, labels, attackOpts);
    const pred = noGrad(() => model(input).argmax(1));
    return pred.eq(labels.to(pred.dtype)).to('f32').mean().item();
  });
}
