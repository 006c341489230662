// Sign-based transformations: Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms",
// 2023), signSGD and Signum (Bernstein et al., "signSGD: Compressed Optimisation for Non-Convex
// Problems", 2018), and the zero-initialized exponential moving average Signum signs.
// sign() here keeps NaN (a NaN gradient must not become a silent zero step), so these match the
// fused Lion kernel (assembly/f32-lion) exactly.

import type { Tensor } from '../../tensor.js';
import { zerosLike } from '../../ops/creation.js';
import { add, mul, ne, sign, where } from '../../ops/elementwise.js';
import { type GradientTransformation, type Scalar, val } from '../transform.js';

/** sign(x) with sign(0) = 0 and sign(NaN) = NaN. */
export function signKeepNaN(x: Tensor): Tensor {
  return where(ne(x, x), x, sign(x));
}

/**
 * Lion: u = sign(β1·m + (1−β1)·g), then m ← β2·m + (1−β2)·g. Defaults β1 0.9, β2 0.99 (paper).
 * Decoupled weight decay and the lr are separate links (see optim.Lion).
 */
export function scaleByLion(opts: { b1?: Scalar; b2?: Scalar } = {}): GradientTransformation {
  return {
    name: 'scaleByLion',
    init: (p) => ({ m: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const s = states[i];
      const b1 = val(opts.b1 ?? 0.9), b2 = val(opts.b2 ?? 0.99);
      const m = s.m as Tensor;
      const c = add(mul(m, b1), mul(g, 1 - b1));
      s.m = add(mul(m, b2), mul(g, 1 - b2));
      return signKeepNaN(c);
    }),
  };
}

/** u ← sign(u): signSGD's direction. */
export function scaleBySign(): GradientTransformation {
  return { name: 'scaleBySign', init: () => ({}), update: (u) => u.map(signKeepNaN) };
}

/** m ← β·m + (1−β)·u from m = 0, output m (Optax `ema` without debiasing). */
export function ema(decay: Scalar): GradientTransformation {
  return {
    name: 'ema',
    init: (p) => ({ m: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const b = val(decay);
      const m = add(mul(states[i].m as Tensor, b), mul(g, 1 - b));
      states[i].m = m;
      return m;
    }),
  };
}
