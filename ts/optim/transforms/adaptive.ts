// Per-coordinate adaptive scalings with PyTorch's exact semantics (ALGORITHMS.md §3): Adagrad
// (with lr decay and an initial accumulator), RMSprop (centered or not, eps outside the root) and
// Adadelta. Each returns the direction before the learning rate.

import type { Tensor } from '../../tensor.js';
import { fullLike, zerosLike } from '../../ops/creation.js';
import { add, div, mul, sqrt, sub } from '../../ops/elementwise.js';
import { type Flag, type GradientTransformation, type Scalar, on, val } from '../transform.js';

/**
 * Adagrad (Duchi, Hazan & Singer, 2011), PyTorch form: sum ← sum + g²,
 * u = g/(√sum + eps) / (1 + (t−1)·lrDecay). Defaults eps 1e-10, lrDecay 0, initial accumulator 0.
 */
export function scaleByAdagrad(opts: { eps?: Scalar; lrDecay?: Scalar; initialAccumulatorValue?: number } = {}): GradientTransformation {
  return {
    name: 'scaleByAdagrad',
    init: (p) => ({ step: 0, sum: fullLike(p, opts.initialAccumulatorValue ?? 0) }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const t = (s.step as number) + 1;
      const acc = add(s.sum as Tensor, mul(g, g));
      Object.assign(s, { step: t, sum: acc });
      const out = div(g, add(sqrt(acc), val(opts.eps ?? 1e-10)));
      const decay = 1 + (t - 1) * val(opts.lrDecay ?? 0);
      return decay === 1 ? out : div(out, decay);
    }),
  };
}

/**
 * RMSprop (Hinton, Coursera lecture 6e, 2012) as PyTorch: v ← αv + (1−α)g²; centered subtracts the
 * squared running mean of g; u = g/(√(·) + eps). Momentum is a separate `trace` link. Defaults α 0.99,
 * eps 1e-8.
 */
export function scaleByRmsprop(opts: { alpha?: Scalar; eps?: Scalar; centered?: Flag } = {}): GradientTransformation {
  return {
    name: 'scaleByRmsprop',
    init: (p) => ({ v: zerosLike(p), gAvg: on(opts.centered) ? zerosLike(p) : null }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const a = val(opts.alpha ?? 0.99);
      const v = add(mul(s.v as Tensor, a), mul(mul(g, g), 1 - a));
      s.v = v;
      let avg: Tensor;
      if (on(opts.centered)) {
        const gAvg = add(mul((s.gAvg as Tensor | null) ?? zerosLike(g), a), mul(g, 1 - a));
        s.gAvg = gAvg;
        avg = sqrt(sub(v, mul(gAvg, gAvg)));
      } else {
        avg = sqrt(v);
      }
      return div(g, add(avg, val(opts.eps ?? 1e-8)));
    }),
  };
}

/**
 * Adadelta (Zeiler, 2012): v ← ρv + (1−ρ)g²; Δ = √(w + eps)/√(v + eps)·g; w ← ρw + (1−ρ)Δ².
 * Defaults ρ 0.9, eps 1e-6 (PyTorch; its lr default is 1).
 */
export function scaleByAdadelta(opts: { rho?: Scalar; eps?: Scalar } = {}): GradientTransformation {
  return {
    name: 'scaleByAdadelta',
    init: (p) => ({ v: zerosLike(p), w: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const rho = val(opts.rho ?? 0.9), eps = val(opts.eps ?? 1e-6);
      const v = add(mul(s.v as Tensor, rho), mul(mul(g, g), 1 - rho));
      const delta = mul(div(sqrt(add(s.w as Tensor, eps)), sqrt(add(v, eps))), g);
      const w = add(mul(s.w as Tensor, rho), mul(mul(delta, delta), 1 - rho));
      Object.assign(s, { v, w });
      return delta;
    }),
  };
}
