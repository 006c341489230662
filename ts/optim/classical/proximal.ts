// Proximal gradient methods for f(w) + h(w) with smooth f and a simple nonsmooth h (Parikh & Boyd,
// "Proximal Algorithms", 2014): ISTA w⁺ = prox_{αh}(w − α∇f(w)) and its accelerated form FISTA
// (Beck & Teboulle, 2009), with the proximal maps of the L1 norm (soft-threshold), the elastic net
// λ1‖w‖₁ + (λ2/2)‖w‖², and the group lasso λΣ_g‖w_g‖₂ with groups = rows (dim 0).
// FISTA keeps x_k in its state and the PARAMETERS at the extrapolated point y_k, where the next
// gradient must be taken; x_k and y_k share the limit.

import type { Tensor } from '../../tensor.js';
import { abs, add, clamp, div, mul, sign, sub } from '../../ops/elementwise.js';
import { norm } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import type { GradientTransformation } from '../transform.js';
import { choice, flag, nonNegative } from '../validate.js';

/** prox of λ‖·‖₁: sign(x)·max(|x| − λ, 0). */
export const softThreshold = (x: Tensor, lambda: number): Tensor => mul(sign(x), clamp(sub(abs(x), lambda), 0, null));

/** prox of λ1‖·‖₁ + (λ2/2)‖·‖²: softThreshold(x, λ1)/(1 + λ2). */
export const proxElasticNet = (x: Tensor, l1: number, l2: number): Tensor => div(softThreshold(x, l1), 1 + l2);

/** prox of λΣ_g‖x_g‖₂ over the rows of x (a vector is one group): x_g·max(0, 1 − λ/‖x_g‖). */
export function proxGroupLasso(x: Tensor, lambda: number): Tensor {
  const rows = x.ndim === 0 ? 1 : x.shape[0];
  const m = reshape(x, [rows, -1]);
  const n = norm(m, 2, 1, { keepdim: true });
  const factor = clamp(sub(1, div(lambda, clamp(n, 1e-300, null))), 0, null);
  return reshape(mul(m, factor), x.shape);
}

export type ProxKind = 'l1' | 'elasticNet' | 'groupLasso' | 'none';

/** prox_{α·h} of the chosen regularizer with strengths l1 (λ or λ1) and l2 (λ2). */
export function prox(kind: ProxKind, x: Tensor, alpha: number, l1: number, l2: number): Tensor {
  if (kind === 'l1') return softThreshold(x, alpha * l1);
  if (kind === 'elasticNet') return proxElasticNet(x, alpha * l1, alpha * l2);
  if (kind === 'groupLasso') return proxGroupLasso(x, alpha * l1);
  return x;
}

export interface ProximalGradientOptions { lr?: number; prox?: ProxKind; l1?: number; l2?: number; accelerated?: boolean }

/** The update u = y⁺ − y of one (F)ISTA step; state: x_{k−1} and t_k. */
function proximalStep(g: ParamGroup): GradientTransformation {
  return {
    name: 'proximalGradient',
    init: () => ({ x: null, t: 1 }),
    update: (u, states, params) => u.map((grad, i) => {
      const s = states[i];
      const y = params[i];
      const a = g.lr;
      const x = prox(g.prox as ProxKind, sub(y, mul(grad, a)), a, g.l1 as number, g.l2 as number);
      if (!g.accelerated) {
        s.x = x;
        return sub(x, y);
      }
      const prev = (s.x as Tensor | null) ?? y;
      const t = s.t as number;
      const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      Object.assign(s, { x, t: tNext });
      return sub(add(x, mul(sub(x, prev), (t - 1) / tNext)), y);
    }),
  };
}

/**
 * ISTA / FISTA. Defaults lr 1e-3, prox 'l1', l1 0, l2 0, accelerated false.
 * @example new optim.ProximalGradient(params, { lr: 1 / L, prox: 'l1', l1: 0.1, accelerated: true })
 */
export class ProximalGradient extends Optimizer {
  constructor(params: ParamsInput, opts: ProximalGradientOptions = {}) {
    super('ProximalGradient', params, opts, {
      lr: nonNegative(1e-3), prox: choice<ProxKind>('l1', ['l1', 'elasticNet', 'groupLasso', 'none']),
      l1: nonNegative(0), l2: nonNegative(0), accelerated: flag(false),
    });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return proximalStep(g);
  }
  /** x_k of a parameter (the proximal iterate; the parameter itself holds FISTA's y_k). */
  iterate(p: Tensor): Tensor | null {
    return (this.state.get(p)?.['x'] as Tensor | null | undefined) ?? null;
  }
}
