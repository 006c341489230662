// The lecture forms of momentum (Polyak 1964; Nesterov 1983), written as a course writes them:
//   heavy ball:  w⁺ = w − α∇f(w) + β(w − w⁻)
//   Nesterov:    y = w + β(w − w⁻),  w⁺ = y − α∇f(y)     (the gradient at the look-ahead point)
// Equivalences with PyTorch (tested in test/optim-classical.test.ts):
// - HeavyBall(α, β) gives exactly the iterates of SGD(lr α, momentum β): torch's v ← βv + g,
//   w ← w − αv is the same recursion with w − w⁻ = −αv (first step w⁻ = w, v = g).
// - NesterovLookahead stores the lecture iterate w in its state and keeps the PARAMETERS at the
//   look-ahead point y, so the user's gradient is ∇f(y), as the method needs; the parameter
//   sequence y_t is exactly SGD(lr α, momentum β, nesterov: true)'s (Sutskever et al. 2013's change
//   of variables). `lectureIterate(p)` returns w_t.

import type { Tensor } from '../../tensor.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { clone } from '../../ops/shape.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { type GradientTransformation, val, type Scalar } from '../transform.js';
import { nonNegative, unitInterval } from '../validate.js';

export interface MomentumLectureOptions { lr?: number; momentum?: number }
const SCHEMA = { lr: nonNegative(1e-3), momentum: unitInterval(0.9) };

/** u = −α∇f(w) + β(w − w⁻); state: the previous iterate (w⁻ = w on the first step). */
export function heavyBall(lr: Scalar, beta: Scalar): GradientTransformation {
  return {
    name: 'heavyBall',
    init: () => ({ prev: null }),
    update: (u, states, params) => u.map((g, i) => {
      const w = params[i];
      const prev = (states[i].prev as Tensor | null) ?? w;
      states[i].prev = clone(w);
      return add(mul(g, -val(lr)), mul(sub(w, prev), val(beta)));
    }),
  };
}

/**
 * Params hold y (where ∇f is taken); state holds w. w⁺ = y − α∇f(y); y⁺ = w⁺ + β(w⁺ − w), written
 * as the update u = y⁺ − y.
 */
export function nesterovLookahead(lr: Scalar, beta: Scalar): GradientTransformation {
  return {
    name: 'nesterovLookahead',
    init: () => ({ w: null }),
    update: (u, states, params) => u.map((g, i) => {
      const y = params[i];
      const w = (states[i].w as Tensor | null) ?? y;
      const wNext = sub(y, mul(g, val(lr)));
      states[i].w = wNext;
      return sub(add(wNext, mul(sub(wNext, w), val(beta))), y);
    }),
  };
}

/** Heavy-ball momentum in the lecture form. Defaults lr 1e-3, momentum 0.9. */
export class HeavyBall extends Optimizer {
  constructor(params: ParamsInput, opts: MomentumLectureOptions = {}) {
    super('HeavyBall', params, opts, SCHEMA);
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return heavyBall(() => g.lr, () => g.momentum as number);
  }
}

/** Nesterov's method in the look-ahead form (parameters hold the look-ahead point). */
export class NesterovLookahead extends Optimizer {
  constructor(params: ParamsInput, opts: MomentumLectureOptions = {}) {
    super('NesterovLookahead', params, opts, SCHEMA);
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return nesterovLookahead(() => g.lr, () => g.momentum as number);
  }
  /** The lecture iterate w_t of a parameter (its value before the first step). */
  lectureIterate(p: Tensor): Tensor {
    const s = this.state.get(p)?.w as Tensor | null | undefined;
    return clone(s ?? p);
  }
}
