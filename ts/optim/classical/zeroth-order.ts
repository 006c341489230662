// Zeroth-order optimization: gradients estimated from loss values only.
//   two-point random direction (Nesterov & Spokoiny 2017):  ĝ = (f(w + μz) − f(w − μz))/(2μ)·z, z ~ N(0, I)
//   SPSA (Spall 1992):  the same with Rademacher z (±1), for which ĝ_i = (f⁺ − f⁻)/(2μ z_i)
// MeZO-style memory (Malladi et al., "Fine-Tuning Language Models with Just Forward Passes",
// 2023): the parameters are perturbed in place (+μz, −2μz, +μz) and z is regenerated from a
// (seed, step, direction) Philox key each time it is needed, so no perturbation or gradient is
// ever stored: memory stays at inference level. The in-place restore is exact up to rounding.

import { DescentError, check } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { rand, randn } from '../../ops/creation.js';
import { add, mul, sign, sub } from '../../ops/elementwise.js';
import { getRngState, setRngState } from '../../ops/random.js';
import { noGrad } from '../../autograd/tape.js';
import { tidy } from '../../lifetime.js';
import { Optimizer, writeParam, type Closure, type ParamsInput } from '../optimizer.js';
import type { GradientTransformation, ParamState } from '../transform.js';
import { choice, nonNegative, positive, positiveInt } from '../validate.js';

export interface ZerothOrderOptions {
  lr?: number; mu?: number; method?: 'gaussian' | 'spsa'; numDirections?: number; seed?: number;
}

/**
 * @example
 * const opt = new optim.ZerothOrder(params, { lr: 1e-3, mu: 1e-3, method: 'spsa' });
 * opt.step(() => lossOf(model));   // no backward: the closure returns the loss
 */
export class ZerothOrder extends Optimizer {
  private steps = 0;

  constructor(params: ParamsInput, opts: ZerothOrderOptions = {}) {
    super('ZerothOrder', params, opts, {
      lr: nonNegative(1e-3), mu: positive(1e-3), method: choice<'gaussian' | 'spsa'>('gaussian', ['gaussian', 'spsa']),
      numDirections: positiveInt(1), seed: nonNegative(0),
    });
  }

  /** No transformation state to check a loaded state against (step keeps its own). */
  protected override stateTemplate(): ParamState | null {
    return null;
  }

  protected makeTransform(): GradientTransformation {
    throw new DescentError('UNSUPPORTED', 'ZerothOrder: updates are made by step(closure) from loss values');
  }

  /** Adds scale·z to every parameter, z regenerated from the (seed, step, direction) key. */
  private perturb(scale: number, direction: number): void {
    const saved = getRngState();
    const g = this.paramGroups[0];
    setRngState({ key0: g.seed as number >>> 0, key1: (this.steps * 65536 + direction) >>> 0, counter: 0 });
    try {
      for (const grp of this.paramGroups) {
        for (const p of grp.params) {
          tidy(() => noGrad(() => {
            const z = grp.method === 'spsa' ? sign(sub(rand(p.shape, { dtype: p.dtype, device: p.device }), 0.5))
              : randn(p.shape, { dtype: p.dtype, device: p.device });
            writeParam(p, add(p, mul(z, scale)));
          }));
        }
      }
    } finally {
      setRngState(saved);
    }
  }

  private lossOf(closure: Closure): number {
    const out = noGrad(closure);
    const v = out instanceof Tensor ? out.item() : out;
    check(typeof v === 'number', 'BAD_ARGUMENT', () => `ZerothOrder.step: the closure must return the loss, got ${String(out)}`);
    if (out instanceof Tensor) out.dispose();
    return v;
  }

  /** One step: per direction two loss evaluations, then w ← w − lr·mean_q(pg_q·z_q). Returns f(w) estimate (f⁺+f⁻)/2. */
  override step(closure?: Closure): number {
    check(typeof closure === 'function', 'BAD_ARGUMENT', () => 'ZerothOrder.step: requires a closure that returns the loss');
    const g = this.paramGroups[0];
    const mu = g.mu as number, q = g.numDirections as number;
    const pgs: number[] = [];
    let mean = 0;
    for (let d = 0; d < q; d++) {
      this.perturb(mu, d);
      const fp = this.lossOf(closure);
      this.perturb(-2 * mu, d);
      const fm = this.lossOf(closure);
      this.perturb(mu, d);
      pgs.push((fp - fm) / (2 * mu));
      mean += (fp + fm) / (2 * q);
    }
    for (let d = 0; d < q; d++) this.perturb(-g.lr * pgs[d] / q, d);
    this.steps += 1;
    return mean;
  }

  override stateDict(): ReturnType<Optimizer['stateDict']> {
    const sd = super.stateDict();
    return { ...sd, state: { ...sd.state, zerothOrder: { steps: this.steps } } };
  }

  override loadStateDict(sd: ReturnType<Optimizer['stateDict']>): void {
    const { zerothOrder, ...rest } = sd.state as Record<string, { steps?: number }>;
    check(typeof zerothOrder?.steps === 'number', 'BAD_ARGUMENT', () => 'ZerothOrder.loadStateDict: expected state.zerothOrder.steps');
    super.loadStateDict({ ...sd, state: rest as ReturnType<Optimizer['stateDict']>['state'] });
    this.steps = zerothOrder.steps;
  }
}
