// SVRG (Johnson & Zhang, "Accelerating Stochastic Gradient Descent using Predictive Variance
// Reduction", 2013): every so often take a snapshot w̃ and its full gradient μ = ∇F(w̃); each step
// uses the variance-reduced direction ∇f_i(w) − ∇f_i(w̃) + μ for the same minibatch i at both points.
// The minibatch gradient at the snapshot is obtained by temporarily writing w̃ into the parameters.

import { check } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { add, sub } from '../../ops/elementwise.js';
import { clone } from '../../ops/shape.js';
import { keep, tidy } from '../../lifetime.js';
import { noGrad } from '../../autograd/tape.js';
import { Optimizer, writeParam, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { chain, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { tensorsIn } from '../state-io.js';
import { nonNegative } from '../validate.js';

/** Sets `.grad` of the parameters (e.g. by loss.backward()) for a fixed batch. */
export type GradFn = () => unknown;

/**
 * @example
 * opt.snapshot(() => { opt.zeroGrad(); fullLoss().backward(); });          // once per epoch
 * opt.step(() => { opt.zeroGrad(); batchLoss(i).backward(); });            // per minibatch i
 */
export class SVRG extends Optimizer {
  constructor(params: ParamsInput, opts: { lr?: number } = {}) {
    super('SVRG', params, opts, { lr: nonNegative(1e-3) });
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(scaleByLearningRate(() => g.lr));
  }

  private get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  private grads(where: string): Tensor[] {
    return this.params.map((p, i) => {
      check(p.grad instanceof Tensor, 'BAD_ARGUMENT', () => `${where}: the gradient function left params[${i}].grad unset`);
      return noGrad(() => clone(p.grad as Tensor));
    });
  }

  /** Records w̃ = w and μ = the full gradient that `fullGrad` leaves in `.grad`. */
  snapshot(fullGrad: GradFn): void {
    check(typeof fullGrad === 'function', 'BAD_ARGUMENT', () => 'SVRG.snapshot: expected a function that sets the full-batch gradients');
    fullGrad();
    const mu = this.grads('SVRG.snapshot');
    this.params.forEach((p, i) => {
      const old = this.state.get(p);
      if (old) for (const t of tensorsIn(old)) t.dispose();
      this.state.set(p, { w: keep(noGrad(() => clone(p))), mu: keep(mu[i]) });
    });
  }

  /** One step along ∇f_i(w) − ∇f_i(w̃) + μ; `batchGrad` must compute the same minibatch both times. */
  override step(batchGrad?: GradFn): undefined {
    check(typeof batchGrad === 'function', 'BAD_ARGUMENT', () => 'SVRG.step: expected a function that sets the minibatch gradients');
    const ps = this.params;
    check(ps.every((p) => this.state.has(p)), 'BAD_ARGUMENT', () => 'SVRG.step: call snapshot(fullGrad) before the first step');
    batchGrad();
    const atW = this.grads('SVRG.step');
    const here = ps.map((p) => noGrad(() => clone(p)));
    ps.forEach((p) => writeParam(p, this.state.get(p)!.w as Tensor));
    batchGrad();
    const atSnap = this.grads('SVRG.step');
    ps.forEach((p, i) => writeParam(p, here[i]));
    // The chain (−lr) runs on the variance-reduced direction placed in .grad; its links keep no
    // state, so the snapshot {w, mu} stored per parameter passes through untouched. Afterwards
    // .grad holds ∇f_i(w), the minibatch gradient at the point the step started from.
    ps.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = keep(tidy(() => noGrad(() => add(sub(atW[i], atSnap[i]), this.state.get(p)!.mu as Tensor))));
    });
    for (const g of this.paramGroups) this.checkReady(g);
    for (const g of this.paramGroups) this.stepGroup(g);
    ps.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = keep(atW[i]);
    });
    for (const t of [...atSnap, ...here]) t.dispose();
    return undefined;
  }
}
