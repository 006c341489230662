// A facade for any user-built transformation: `new optim.TransformOptimizer(params, tx)` gives a
// chain the PyTorch-shaped API (step, zeroGrad, stateDict, param groups, schedulers through
// `group.lr` when the chain reads it). The Optax half of DESIGN.md's promise.

import { check } from '../../errors.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import type { GradientTransformation } from '../transform.js';
import { nonNegative } from '../validate.js';

/**
 * `tx` maps gradients to updates added to the parameters, so it must include the step size (and
 * its sign), e.g. `chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3))`. Pass a
 * function of the group to read the group's `lr` live (schedulers then work):
 * @example new optim.TransformOptimizer(params, (g) => chain(scaleByAdam(), scaleByLearningRate(() => g.lr)), { lr: 1e-3 })
 */
export class TransformOptimizer extends Optimizer {
  private readonly make: (g: ParamGroup) => GradientTransformation;

  constructor(params: ParamsInput, tx: GradientTransformation | ((g: ParamGroup) => GradientTransformation), opts: { lr?: number } = {}) {
    check(typeof tx === 'function' || (tx !== null && typeof tx === 'object' && typeof tx.update === 'function'), 'BAD_ARGUMENT',
      () => `TransformOptimizer: expected a GradientTransformation or a function of the param group returning one, got ${String(tx)}`);
    super('TransformOptimizer', params, opts, { lr: nonNegative(0) });
    this.make = typeof tx === 'function' ? tx : () => tx;
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    return this.make(g);
  }
}
