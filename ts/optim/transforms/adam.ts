// The Adam family as gradient transformations with PyTorch's exact semantics (ALGORITHMS.md §2–3):
// scaleByAdam (+AMSGrad), scaleByAdamax, scaleByNadam (torch's momentum-decay schedule),
// scaleByRadam (rectified). Each output is the descent direction before the learning rate:
// chain it with scaleByLearningRate. Bias corrections use the per-parameter step, as PyTorch.

import type { Tensor } from '../../tensor.js';
import { zerosLike } from '../../ops/creation.js';
import { abs, add, div, maximum, mul, sqrt } from '../../ops/elementwise.js';
import { type Flag, type GradientTransformation, type Scalar, on, val } from '../transform.js';

export interface AdamMoments { b1?: Scalar; b2?: Scalar; eps?: Scalar }

/** m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g², PyTorch's `mul_().add_()` / `addcmul_` order. */
function moments(g: Tensor, m: Tensor, v: Tensor, b1: number, b2: number): [Tensor, Tensor] {
  return [add(mul(m, b1), mul(g, 1 - b1)), add(mul(v, b2), mul(mul(g, g), 1 - b2))];
}

/**
 * Adam (Kingma & Ba, 2015) as PyTorch computes it: u = (m/bc1) / (√ŝ/√bc2 + eps), with eps
 * outside the square root and ŝ = v, or with AMSGrad (Reddi et al., 2018) the running max of the
 * *uncorrected* v. Defaults b1 0.9, b2 0.999, eps 1e-8.
 */
export function scaleByAdam(opts: AdamMoments & { amsgrad?: Flag } = {}): GradientTransformation {
  return {
    name: 'scaleByAdam',
    init: (p) => ({ step: 0, m: zerosLike(p), v: zerosLike(p), vmax: null }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const b1 = val(opts.b1 ?? 0.9), b2 = val(opts.b2 ?? 0.999), eps = val(opts.eps ?? 1e-8);
      const t = (s.step as number) + 1;
      const [m, v] = moments(g, s.m as Tensor, s.v as Tensor, b1, b2);
      let sec = v;
      if (on(opts.amsgrad)) {
        sec = s.vmax === null ? v : maximum(s.vmax as Tensor, v);
        s.vmax = sec;
      }
      Object.assign(s, { step: t, m, v });
      const denom = add(div(sqrt(sec), Math.sqrt(1 - b2 ** t)), eps);
      return div(div(m, denom), 1 - b1 ** t);
    }),
  };
}

/** Adamax (Kingma & Ba, 2015, §7): u = m / max(β2·u∞, |g| + eps) / (1−β1^t), eps inside the max as in PyTorch. */
export function scaleByAdamax(opts: AdamMoments = {}): GradientTransformation {
  return {
    name: 'scaleByAdamax',
    init: (p) => ({ step: 0, m: zerosLike(p), uInf: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const b1 = val(opts.b1 ?? 0.9), b2 = val(opts.b2 ?? 0.999), eps = val(opts.eps ?? 1e-8);
      const t = (s.step as number) + 1;
      const m = add(mul(s.m as Tensor, b1), mul(g, 1 - b1));
      const uInf = maximum(mul(s.uInf as Tensor, b2), add(abs(g), eps));
      Object.assign(s, { step: t, m, uInf });
      return div(div(m, uInf), 1 - b1 ** t);
    }),
  };
}

/**
 * NAdam (Dozat, 2016) with PyTorch's momentum schedule μ_t = β1(1 − ½·0.96^(tψ)), ψ =
 * momentumDecay (default 4e-3): u = (1−μ_t)/(1−Πμ)·g/d + μ_{t+1}/(1−Πμ·μ_{t+1})·m/d with
 * d = √(v/bc2) + eps. (PyTorch ≥ 2.0; 1.13 multiplied μ_t into the second product twice.)
 */
export function scaleByNadam(opts: AdamMoments & { momentumDecay?: Scalar } = {}): GradientTransformation {
  return {
    name: 'scaleByNadam',
    init: (p) => ({ step: 0, muProduct: 1, m: zerosLike(p), v: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const b1 = val(opts.b1 ?? 0.9), b2 = val(opts.b2 ?? 0.999), eps = val(opts.eps ?? 1e-8);
      const psi = val(opts.momentumDecay ?? 4e-3);
      const t = (s.step as number) + 1;
      const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      const prod = (s.muProduct as number) * mu;
      const [m, v] = moments(g, s.m as Tensor, s.v as Tensor, b1, b2);
      Object.assign(s, { step: t, muProduct: prod, m, v });
      const denom = add(sqrt(div(v, 1 - b2 ** t)), eps);
      return add(mul(div(g, denom), (1 - mu) / (1 - prod)), mul(div(m, denom), muNext / (1 - prod * muNext)));
    }),
  };
}

/**
 * RAdam (Liu et al., 2020): while the SMA length ρ_t ≤ 5 the step is the bias-corrected momentum
 * m/bc1; afterwards m/bc1 · r_t · √bc2/(√v + eps) with the variance rectification r_t.
 */
export function scaleByRadam(opts: AdamMoments = {}): GradientTransformation {
  return {
    name: 'scaleByRadam',
    init: (p) => ({ step: 0, m: zerosLike(p), v: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const b1 = val(opts.b1 ?? 0.9), b2 = val(opts.b2 ?? 0.999), eps = val(opts.eps ?? 1e-8);
      const t = (s.step as number) + 1;
      const [m, v] = moments(g, s.m as Tensor, s.v as Tensor, b1, b2);
      Object.assign(s, { step: t, m, v });
      const bc2 = 1 - b2 ** t;
      const mHat = div(m, 1 - b1 ** t);
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - 2 * t * b2 ** t / bc2;
      if (rhoT <= 5) return mHat;
      const rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      return mul(mul(mHat, div(Math.sqrt(bc2), add(sqrt(v), eps))), rect);
    }),
  };
}
