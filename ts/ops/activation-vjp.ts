// VJPs of relu and gelu, shared by the unary ops (elementwise.ts) and the fused Linear→activation
// (nn/functional/linear.ts), which must send back the same bits as the ops it fuses.

import { attach } from '../autograd/tape.js';
import { isContiguous } from '../backend/view.js';
import type { Tensor } from '../tensor.js';
import { abs, add, div, exp, le, lt, mul, square, sub, where } from './elementwise.js';
import { checkSameDevice, empty } from './util.js';

/**
 * relu's VJP, where(le(x, 0), 0, g): the gradient is cut only where x ≤ 0, so it passes at NaN
 * (torch's threshold_backward). x may be relu's input or its output: x ≤ 0 exactly where
 * relu(x) ≤ 0 (relu passes -0 and NaN through), so a fused Linear→ReLU masks with its output and
 * gets the same bits. Backends with reluGrad do it in one pass, without the mask tensor.
 */
export function reluVjp(g: Tensor, x: Tensor): Tensor {
  const fast = g.backend.reluGrad !== undefined && g.dtype === 'f32' && x.dtype === 'f32'
    && g.shape.length === x.shape.length && g.shape.every((n, i) => n === x.shape[i]) && isContiguous(g) && isContiguous(x);
  if (!fast) return where(le(x, 0), 0, g);
  const out = empty(g.shape, 'f32', checkSameDevice('relu', g, x));
  g.backend.reluGrad!(x, g, out);
  // linear in g, the mask constant: its own VJP masks again
  return attach(out, [g], (gg) => [reluVjp(gg, x)], 'reluGrad', [x]);
}

/**
 * gelu's VJP at input x with output y. dGELU = Φ(x) + x·φ(x), Φ(x) = gelu(x)/x; near 0 Φ comes
 * from its Taylor series (and x/1 stands in for x in the division) so the second derivative is
 * finite and exact there too (a masked 0/0 would still send NaN back).
 */
export function geluVjp(g: Tensor, x: Tensor, y: Tensor): Tensor {
  const small = lt(abs(x), 1e-3);
  const taylor = add(0.5, mul(mul(x, 1 / Math.sqrt(2 * Math.PI)), sub(1, div(square(x), 6))));
  const phi = where(small, taylor, div(y, where(small, 1, x)));
  const density = mul(exp(mul(square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return mul(g, add(phi, mul(x, density)));
}
